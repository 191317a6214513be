# racebook_add_case: declares one scenario of the corpus.
#
# Parameters
#   NAME      the scenario (first argument); the source is cases/<NAME>.cpp
#   TIMEOUT   seconds one run of a variant may take before the harness kills it (default 60)
#   RETRIES   how often a racy variant may be run until its report shows (default 10, max 10)
#
# Usage
#   racebook_add_case(counter_race)
#
# The source is one Catch2 program whose TEST_CASEs are the variants. Right above each
# TEST_CASE stand its expectations, one per sanitizer, and the racing lines carry markers:
#
#   // expect tsan:   data-race @increment @increment
#   // expect asan:   clean
#   // expect normal: clean
#   TEST_CASE("unlocked") { ... ++count; // @increment ... }
#
# Every variant becomes the CTest test case.<NAME>.<variant>, run through the harness, labelled
# with the scenario, its verdict in this preset (racy / clean) and the sanitizer.
#
# One reader: the case file is read by the harness's own reader (harness/src/expectation.cpp),
# which configure builds once as racebook-read-case; any problem it finds (a malformed or
# unknown expectation, a dangling marker, a variant without an expectation for this preset)
# stops configure with the file and line. After the program is built, the harness compares
# the TEST_CASEs the binary really has with the ones the case file declares, and fails the
# build on any difference. At test time, a CTest timeout that grows with RACEBOOK_REPEAT.

set(_racebook_root "${CMAKE_CURRENT_LIST_DIR}/..")

# Builds racebook-read-case into the build tree (again only when one of its sources changed).
function(_racebook_reader out)
  set(reader_dir "${CMAKE_BINARY_DIR}/racebook-read-case")
  set(reader "${reader_dir}/racebook-read-case")
  set(sources
    "${_racebook_root}/harness/tools/read_case.cpp"
    "${_racebook_root}/harness/src/expectation.cpp"
    "${_racebook_root}/harness/src/kinds.cpp")
  set(inputs ${sources}
    "${_racebook_root}/harness/include/racebook/expectation.hpp"
    "${_racebook_root}/harness/include/racebook/kinds.hpp")
  set(stale FALSE)
  if(NOT EXISTS "${reader}")
    set(stale TRUE)
  endif()
  foreach(input IN LISTS inputs)
    if("${input}" IS_NEWER_THAN "${reader}")
      set(stale TRUE)
    endif()
  endforeach()
  if(stale)
    try_compile(built "${reader_dir}/build"
      SOURCES ${sources}
      CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${_racebook_root}/harness/include"
      CXX_STANDARD 20
      CXX_STANDARD_REQUIRED ON
      OUTPUT_VARIABLE log
      COPY_FILE "${reader}"
      COPY_FILE_ERROR copy_error)
    if(NOT built OR copy_error)
      message(FATAL_ERROR "racebook: could not build racebook-read-case, the case-file reader "
        "configure needs, with ${CMAKE_CXX_COMPILER}:\n${copy_error}\n${log}")
    endif()
  endif()
  set(${out} "${reader}" PARENT_SCOPE)
endfunction()

# A CMake bracket argument that holds `text` whatever it contains.
function(_racebook_bracket text out)
  set(eq "=")
  while(text MATCHES "]${eq}]")
    string(APPEND eq "=")
  endwhile()
  set(${out} "[${eq}[${text}]${eq}]" PARENT_SCOPE)
endfunction()

function(racebook_add_case name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TIMEOUT;RETRIES" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "racebook_add_case(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  if(NOT DEFINED arg_RETRIES)
    set(arg_RETRIES 10)
  endif()
  foreach(number IN ITEMS TIMEOUT RETRIES)
    if(NOT arg_${number} MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "racebook_add_case(${name}): ${number} must be a positive whole number, not '${arg_${number}}'")
    endif()
  endforeach()
  set(source "${CMAKE_CURRENT_SOURCE_DIR}/${name}.cpp")
  if(NOT EXISTS "${source}")
    message(FATAL_ERROR "racebook_add_case(${name}): ${source} does not exist")
  endif()

  set(target "case_${name}")
  add_executable(${target} "${source}")
  set_target_properties(${target} PROPERTIES OUTPUT_NAME "${name}")
  target_link_libraries(${target} PRIVATE racebook_case_support racebook::sanitizers)
  target_compile_options(${target} PRIVATE -Wall -Wextra)

  # Re-run configure when the case's source changes: its variants and verdicts live there.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
  _racebook_reader(reader)
  execute_process(
    COMMAND "${reader}" "${source}" "${RACEBOOK_SANITIZER_NAME}" "${RACEBOOK_COMPILER_NAME}"
    RESULT_VARIABLE status OUTPUT_VARIABLE listing ERROR_VARIABLE problem)
  if(NOT status EQUAL 0)
    string(STRIP "${problem}" problem)
    message(FATAL_ERROR "racebook: ${problem}")
  endif()

  # The binary must have exactly the variants the case file declares (a TEST_CASE the reader
  # could not see would otherwise race untested).
  add_dependencies(${target} racebook-harness)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND racebook-harness variants --program "$<TARGET_FILE:${target}>" --source "${source}"
            --sanitizer "${RACEBOOK_SANITIZER_NAME}" --compiler "${RACEBOOK_COMPILER_NAME}"
    COMMENT "racebook: checking the variants of ${name} against its case file"
    VERBATIM)

  # The tests, declared in a file CTest reads when it starts, so that their time limit can grow
  # with RACEBOOK_REPEAT (the harness validates the value; here a bad one counts as 1).
  set(results "${PROJECT_BINARY_DIR}/results")
  set(tests "")
  string(REPLACE "\n" ";" listing "${listing}")
  foreach(entry IN LISTS listing)
    if(entry STREQUAL "")
      continue()
    endif()
    string(REPLACE " " ";" entry "${entry}")
    list(GET entry 0 variant)
    list(GET entry 1 verdict)
    set(test "case.${name}.${variant}")
    set(command "")
    foreach(word IN ITEMS "$<TARGET_FILE:racebook-harness>" run
        --program "$<TARGET_FILE:${target}>" --variant "${variant}" --source "${source}"
        --sanitizer "${RACEBOOK_SANITIZER_NAME}" --compiler "${RACEBOOK_COMPILER_NAME}"
        --timeout "${arg_TIMEOUT}" --retries "${arg_RETRIES}" --results "${results}")
      _racebook_bracket("${word}" quoted)
      string(APPEND command " ${quoted}")
    endforeach()
    if(verdict STREQUAL "clean")
      set(runs 1)
    else()
      set(runs "${arg_RETRIES}")
    endif()
    string(APPEND tests "
add_test([=[${test}]=]${command})
racebook_scaled_timeout(runs ${runs})
math(EXPR seconds \"${arg_TIMEOUT} * (\${runs} + 1) + 30\")
set_tests_properties([=[${test}]=] PROPERTIES
  LABELS [=[case;${name};${verdict};${RACEBOOK_SANITIZER_NAME}]=]
  TIMEOUT \${seconds}
  FIXTURES_REQUIRED racebook_results)
")
  endforeach()
  file(GENERATE OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/racebook-tests-${name}.cmake" CONTENT "\
# Generated by racebook_add_case(${name}); read by CTest.
macro(racebook_scaled_timeout var default)
  set(\${var} \${default})
  if(\"\$ENV{RACEBOOK_REPEAT}\" MATCHES \"^[1-9][0-9]*\$\")
    set(\${var} \"\$ENV{RACEBOOK_REPEAT}\")
  endif()
endmacro()
${tests}")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
    "${CMAKE_CURRENT_BINARY_DIR}/racebook-tests-${name}.cmake")
endfunction()

# Results of earlier runs are never counted: every CTest run that runs a case test first
# empties the results directory (a fixture CTest adds to any selection, -L and -R included).
function(racebook_add_results_reset)
  set(results "${PROJECT_BINARY_DIR}/results")
  add_test(NAME racebook.results.reset COMMAND "${CMAKE_COMMAND}" -E rm -rf "${results}")
  set_tests_properties(racebook.results.reset PROPERTIES
    FIXTURES_SETUP racebook_results LABELS "case-setup")
endfunction()
