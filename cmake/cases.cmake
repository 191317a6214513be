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
# with the scenario, its verdict in this preset (racy / clean) and the sanitizer. The harness
# reads the expectations and markers again at test time and fails loudly on anything it cannot
# resolve; this function only needs the variant names and whether each expects a report, and
# refuses at configure time a variant without an expectation for this preset.
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
  racebook_read_variants("${source}" variants)
  if(NOT variants)
    message(FATAL_ERROR "${source}: no TEST_CASE(\"<variant>\") found; a case needs at least one variant")
  endif()

  foreach(entry IN LISTS variants)
    string(REPLACE "=" ";" entry "${entry}")
    list(GET entry 0 variant)
    list(GET entry 1 verdict)
    add_test(NAME "case.${name}.${variant}"
      COMMAND racebook-harness run
        --program "$<TARGET_FILE:${target}>"
        --variant "${variant}"
        --source "${source}"
        --sanitizer "${RACEBOOK_SANITIZER_NAME}"
        --compiler "${RACEBOOK_COMPILER_NAME}"
        --timeout "${arg_TIMEOUT}"
        --retries "${arg_RETRIES}"
        --results "${PROJECT_BINARY_DIR}/results")
    math(EXPR ctest_timeout "${arg_TIMEOUT} * (${arg_RETRIES} + 1) + 30")
    set_tests_properties("case.${name}.${variant}" PROPERTIES
      LABELS "case;${name};${verdict};${RACEBOOK_SANITIZER_NAME}"
      TIMEOUT ${ctest_timeout})
  endforeach()
endfunction()

# Reads `// expect <sanitizer>[-<compiler>]: <verdict>` lines and the TEST_CASE they precede.
# Sets <out> to a list of "<variant>=<racy|clean>" for this preset's sanitizer and compiler.
function(racebook_read_variants source out)
  file(STRINGS "${source}" lines)
  set(result "")
  set(pending "")   # expectations seen since the last TEST_CASE, as "<key>=<verdict>"
  set(lineno 0)
  foreach(line IN LISTS lines)
    math(EXPR lineno "${lineno} + 1")
    if(line MATCHES "^[ \t]*//[ \t]*expect[ \t]+([a-z-]+)[ \t]*:[ \t]*([^ \t].*)$")
      list(APPEND pending "${CMAKE_MATCH_1}=${CMAKE_MATCH_2}")
    elseif(line MATCHES "TEST_CASE[ \t]*\\([ \t]*\"([^\"]*)\"")
      set(variant "${CMAKE_MATCH_1}")
      if(NOT variant MATCHES "^[a-z0-9_]+$")
        message(FATAL_ERROR "${source}:${lineno}: variant name \"${variant}\" must be lower_snake_case (it becomes part of a test name)")
      endif()
      # The most specific key wins: tsan-clang over tsan.
      set(verdict "")
      foreach(key IN ITEMS "${RACEBOOK_SANITIZER_NAME}" "${RACEBOOK_SANITIZER_NAME}-${RACEBOOK_COMPILER_NAME}")
        foreach(item IN LISTS pending)
          if(item MATCHES "^${key}=(.*)$")
            set(verdict "${CMAKE_MATCH_1}")
          endif()
        endforeach()
      endforeach()
      if(verdict STREQUAL "")
        message(FATAL_ERROR "${source}:${lineno}: variant \"${variant}\" has no `// expect ${RACEBOOK_SANITIZER_NAME}: ...` line above its TEST_CASE")
      endif()
      if(verdict MATCHES "^clean[ \t]*$")
        list(APPEND result "${variant}=clean")
      else()
        list(APPEND result "${variant}=racy")
      endif()
      set(pending "")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()
