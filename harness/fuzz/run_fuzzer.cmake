# Runs the parser fuzzer for SECONDS on a corpus seeded with the captured logs, then records
# what it did in WORK/record.json: executions, seconds, crashes. Fails on any crash.
#   cmake -DFUZZER=... -DSEEDS=... -DWORK=... -DSECONDS=... -P run_fuzzer.cmake
foreach(var FUZZER SEEDS WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake needs -D${var}=...")
  endif()
endforeach()
if(NOT EXISTS "${FUZZER}")
  message(FATAL_ERROR "the fuzzer ${FUZZER} does not exist: build the preset 'fuzz' first")
endif()

file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/crashes")
file(GLOB seeds "${SEEDS}/*.log")
file(COPY ${seeds} DESTINATION "${WORK}/corpus")
file(GLOB old_crashes "${WORK}/crashes/*")
if(old_crashes)
  file(REMOVE ${old_crashes})
endif()

execute_process(
  COMMAND "${FUZZER}" "${WORK}/corpus" -max_total_time=${SECONDS} -max_len=2048
          -artifact_prefix=${WORK}/crashes/ -print_final_stats=1
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(log "${out}${err}")
file(WRITE "${WORK}/fuzzer.log" "${log}")

set(execs 0)
if(log MATCHES "stat::number_of_executed_units: *([0-9]+)")
  set(execs "${CMAKE_MATCH_1}")
endif()
file(GLOB crashes "${WORK}/crashes/*")
list(LENGTH crashes crash_count)
file(GLOB corpus "${WORK}/corpus/*")
list(LENGTH corpus corpus_size)
string(TIMESTAMP now "%Y-%m-%d %H:%M UTC" UTC)
file(WRITE "${WORK}/record.json" "{\"seconds\": ${SECONDS}, \"executions\": ${execs}, \"crashes\": ${crash_count}, \"corpus\": ${corpus_size}, \"when\": \"${now}\"}\n")
message(STATUS "parser fuzzer: ${execs} executions in ${SECONDS} s, ${crash_count} crashes, corpus ${corpus_size} inputs (log: ${WORK}/fuzzer.log)")

if(NOT rc EQUAL 0 OR crash_count GREATER 0)
  message(FATAL_ERROR "the parser fuzzer failed (exit ${rc}); inputs that crash it are in ${WORK}/crashes; see ${WORK}/fuzzer.log")
endif()
