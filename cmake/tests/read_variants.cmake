# Script test of racebook_read_variants (cmake/cases.cmake): run with
#   cmake -DWORK_DIR=<dir> -P cmake/tests/read_variants.cmake
# It checks the variant list and racy/clean labels read from a case file, the compiler-specific
# override, and that a variant with no expectation for the preset stops configure.
include("${CMAKE_CURRENT_LIST_DIR}/../cases.cmake")

if(NOT WORK_DIR)
  message(FATAL_ERROR "pass -DWORK_DIR=<a scratch directory>")
endif()
file(MAKE_DIRECTORY "${WORK_DIR}")

file(WRITE "${WORK_DIR}/good.cpp" [=[
int x;  // @m
// expect tsan:   data-race @m @m
// expect tsan-clang: clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("first_variant") {}
  // expect tsan: clean
  // expect asan: clean
  // expect normal: clean
TEST_CASE( "second" , "[tag]") {}
]=])

function(expect_equal what actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: expected '${expected}', got '${actual}'")
  endif()
endfunction()

set(RACEBOOK_SANITIZER_NAME tsan)
set(RACEBOOK_COMPILER_NAME gcc)
racebook_read_variants("${WORK_DIR}/good.cpp" got)
expect_equal("tsan with gcc" "${got}" "first_variant=racy;second=clean")

set(RACEBOOK_COMPILER_NAME clang)
racebook_read_variants("${WORK_DIR}/good.cpp" got)
expect_equal("tsan with clang (tsan-clang overrides tsan)" "${got}" "first_variant=clean;second=clean")

set(RACEBOOK_SANITIZER_NAME asan)
racebook_read_variants("${WORK_DIR}/good.cpp" got)
expect_equal("asan" "${got}" "first_variant=clean;second=clean")

# A variant without an expectation for this preset must stop configure, naming file and line.
file(WRITE "${WORK_DIR}/missing.cpp" "// expect asan: clean\nTEST_CASE(\"lonely\") {}\n")
file(WRITE "${WORK_DIR}/run_missing.cmake" "
include(\"${CMAKE_CURRENT_LIST_DIR}/../cases.cmake\")
set(RACEBOOK_SANITIZER_NAME tsan)
set(RACEBOOK_COMPILER_NAME gcc)
racebook_read_variants(\"${WORK_DIR}/missing.cpp\" got)
")
execute_process(COMMAND "${CMAKE_COMMAND}" -P "${WORK_DIR}/run_missing.cmake"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
string(REGEX REPLACE "[ \t\n]+" " " err "${err}")  # CMake wraps long messages
if(rc EQUAL 0 OR NOT err MATCHES "missing.cpp:2: variant \"lonely\" has no `// expect tsan: ...`")
  message(FATAL_ERROR "a variant without a tsan expectation was not refused (rc=${rc}): ${err}")
endif()

message(STATUS "read_variants: all checks passed")
