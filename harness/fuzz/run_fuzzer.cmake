# Runs the parser fuzzer for SECONDS (or until RUNS executions, when RUNS is set and not 0) on a
# corpus seeded with the captured logs, then records what it did in WORK/record.json: the
# executions and the rate libFuzzer counted, the seconds it really took, crashes, corpus size.
# Fails on any crash.
#   cmake -DFUZZER=... -DSEEDS=... -DWORK=... -DSECONDS=... [-DRUNS=...] -P run_fuzzer.cmake
foreach(var FUZZER SEEDS WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake needs -D${var}=...")
  endif()
endforeach()
if(NOT EXISTS "${FUZZER}")
  message(FATAL_ERROR "the fuzzer ${FUZZER} does not exist: build the preset 'fuzz' first")
endif()

file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/crashes")
# Every real log under SEEDS (the captured runs of each toolchain, the shapes), under a name
# made of its path, since the toolchains' directories hold files of the same names.
file(GLOB_RECURSE seeds RELATIVE "${SEEDS}" "${SEEDS}/*.log")
foreach(seed IN LISTS seeds)
  string(REPLACE "/" "--" flat "${seed}")
  file(COPY_FILE "${SEEDS}/${seed}" "${WORK}/corpus/seed--${flat}" ONLY_IF_DIFFERENT)
endforeach()
file(GLOB old_crashes "${WORK}/crashes/*")
if(old_crashes)
  file(REMOVE ${old_crashes})
endif()

# The fuzzer is built without comparison tracing (harness/fuzz/CMakeLists.txt), so the
# dictionary gives it the runtimes' words. ASan keeps no allocation stacks (malloc_context_size=0:
# every error is still found, a crash's report just names fewer frames; rerun the crash input
# with the fuzzer for the full stacks).
set(runs_option)
if(DEFINED RUNS AND NOT RUNS STREQUAL "" AND NOT RUNS EQUAL 0)
  if(NOT RUNS MATCHES "^[0-9]+$")
    message(FATAL_ERROR "run_fuzzer.cmake: RUNS must be a number of executions, not '${RUNS}'")
  endif()
  set(runs_option -runs=${RUNS})
endif()
string(TIMESTAMP started "%s" UTC)
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env "ASAN_OPTIONS=malloc_context_size=0"
          "${FUZZER}" "${WORK}/corpus" -dict=${CMAKE_CURRENT_LIST_DIR}/parser.dict
          -max_total_time=${SECONDS} ${runs_option} -max_len=2048
          -artifact_prefix=${WORK}/crashes/ -print_final_stats=1 -reload=0
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
string(TIMESTAMP finished "%s" UTC)
math(EXPR elapsed "${finished} - ${started}")
set(log "${out}${err}")
file(WRITE "${WORK}/fuzzer.log" "${log}")

set(execs 0)
if(log MATCHES "stat::number_of_executed_units: *([0-9]+)")
  set(execs "${CMAKE_MATCH_1}")
endif()
set(rate 0)
if(log MATCHES "stat::average_exec_per_sec: *([0-9]+)")
  set(rate "${CMAKE_MATCH_1}")
endif()
set(edges 0)
if(log MATCHES "DONE +cov: ([0-9]+)")
  set(edges "${CMAKE_MATCH_1}")
endif()
file(GLOB crashes "${WORK}/crashes/*")
list(LENGTH crashes crash_count)
file(GLOB corpus "${WORK}/corpus/*")
list(LENGTH corpus corpus_size)
string(TIMESTAMP now "%Y-%m-%d %H:%M UTC" UTC)
set(record "{}")
foreach(field IN ITEMS seconds:elapsed executions:execs executions_per_second:rate crashes:crash_count
                       corpus:corpus_size edges:edges)
  string(REPLACE ":" ";" pair "${field}")
  list(GET pair 0 key)
  list(GET pair 1 var)
  string(JSON record SET "${record}" "${key}" "${${var}}")
endforeach()
string(JSON record SET "${record}" when "\"${now}\"")
file(WRITE "${WORK}/record.json" "${record}\n")
message(STATUS "parser fuzzer: ${execs} executions in ${elapsed} s (${rate}/s), ${crash_count} crashes, corpus ${corpus_size} inputs (log: ${WORK}/fuzzer.log)")

if(NOT rc EQUAL 0 OR crash_count GREATER 0)
  message(FATAL_ERROR "the parser fuzzer failed (exit ${rc}); inputs that crash it are in ${WORK}/crashes; see ${WORK}/fuzzer.log")
endif()
