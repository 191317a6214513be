# racebook_add_case: declares one racebook case — a Catch2 program whose TEST_CASEs are the
# variants — as one CTest test per variant, checked by racebook-harness against the verdicts
# written in the case file. Installed with racebook's CMake package (find_package(racebook)) and
# available after add_subdirectory(racebook) as well.
#
# Parameters
#   NAME         the case's name (required): the program is case_<NAME>, its tests case.<NAME>.<variant>
#   SOURCES      the program's sources (required); the first one is the case file, the one whose
#                `// truth:` and `// expect ...` lines and TEST_CASEs are read. Relative paths are relative to
#                the calling CMakeLists.txt's directory.
#   LIBRARIES    targets or libraries the program links (the library under test)
#   TIMEOUT      seconds one run of a variant may take before the harness kills it (default 60;
#                300 under helgrind and drd, see "The sanitizers" below)
#   RETRIES      how often a racy variant may be run until its report shows (default 10, max 10)
#   SOURCE_ROOT  where a marker the case file does not have is looked for (default: the
#                directory of the first source). Every C/C++ file under it is searched, except
#                hidden directories, build trees and other case files; the marker must stand on
#                exactly one line. Stack frames under SOURCE_ROOT count as "our own" code.
#
# A variable of the calling directory:
#   RACEBOOK_PRECOMPILE_CATCH  when true, the cases without LIBRARIES share one precompiled
#                catch.hpp (racebook's own corpus sets it in cases/CMakeLists.txt). Off by
#                default: the header then comes before the case file's first line, and so
#                before any #define of its own that configures Catch2.
#
# Usage
#   racebook_add_case(NAME counter_race SOURCES counter_race.cpp)
#   racebook_add_case(NAME spsc_queue SOURCES tests/spsc_queue.cpp LIBRARIES spsc::queue
#                     SOURCE_ROOT ${PROJECT_SOURCE_DIR} RETRIES 5)
#
# The case file is one Catch2 program (no main: racebook::case_support brings it, with the
# completion line the harness needs). Right above each TEST_CASE stand its truth and the
# detectors that differ from it (README "Adding a case"), and the racing lines carry markers —
# in the case file or in the library:
#
#   // truth: data-race @increment @increment
#   // expect helgrind: clean  -- missed: <why>   (only where a detector differs from the truth)
#   TEST_CASE("unlocked") { ... ++count; // @increment ... }
#
# Every variant becomes the CTest test case.<NAME>.<variant>, run through the harness, labelled
# "case;<NAME>;<racy|clean>;<sanitizer>". The results go to <project build dir>/results, under
# the case file's name (keep NAME and the case file's name the same to find them easily).
#
# The sanitizer — which expectation applies (normal, tsan or asan):
#   1. RACEBOOK_SANITIZER (none, thread or address), when set, wins: racebook then also adds
#      the sanitizer's flags (the table of "The sanitizers" below) to the case program.
#      Libraries that are compiled separately must be built with the same sanitizer by the
#      project itself.
#   2. Otherwise it is detected from the project's own flags: CMAKE_CXX_FLAGS (and the build
#      type's), the directory's COMPILE_OPTIONS and the LIBRARIES targets' interface compile and
#      link options: -fsanitize=thread means tsan, -fsanitize=address means asan, neither means
#      normal. Both at once is refused.
# The compiler (gcc or clang, for `expect tsan-clang:` overrides) is CMAKE_CXX_COMPILER_ID.
#
# Nothing is declared when BUILD_TESTING is OFF. CTest must be enabled by the project
# (include(CTest) or enable_testing()).
#
# One reader: the case file is read by the harness's own reader (racebook-read-case; installed
# with the package, built at configure time inside a racebook checkout), and any problem it
# finds (a malformed or unknown expectation, a dangling marker, a variant without an
# expectation for this sanitizer) stops configure with the file and line. After the program is
# built, the harness compares the TEST_CASEs the binary really has with the ones the case file
# declares, and fails the build on any difference. At test time, a CTest timeout that grows
# with RACEBOOK_REPEAT.

# The sanitizers: one table, for racebook_add_case and racebook's own build (cmake/sanitizers.cmake).
# A value of RACEBOOK_SANITIZER gives the short name the expectations, the test labels and the
# harness use, and the case program's compile and link options:
#   none      normal    -
#   thread    tsan      -fsanitize=thread
#   address   asan      -fsanitize=address,undefined  (AddressSanitizer + UndefinedBehaviorSanitizer)
#   helgrind  helgrind  -g -O0 -DRACEBOOK_VALGRIND, no link option: the program is built plain, the
#   drd       drd       harness runs it under `valgrind --tool=helgrind|drd` (Valgrind's two
#                       thread-error detectors). RACEBOOK_VALGRIND switches racebook::StartLine to
#                       a line neither tool sees as synchronisation (cases/support/racebook/
#                       start_line.hpp); it needs <valgrind/helgrind.h> (Debian: valgrind).
#                       Under Valgrind a run is 100-1000 times slower: a variant's default
#                       TIMEOUT is 300 s there (60 s elsewhere).
# A sanitized case program is compiled with -g -O0 -fno-omit-frame-pointer too. -O0 keeps every
# access of the source in the binary, at the line the source has it. Measured on counter_locked:
# at -O1 gcc files the accesses of an inlined function under its caller's line, and clang 14
# leaves main's read of the shared Counter uninstrumented, so TSan misses the race. Frame
# pointers give the runtime full stacks cheaply. TSan and ASan cannot share a process: asking
# for both is refused.
function(_racebook_sanitizer_options value out_name out_compile out_link)
  string(TOLOWER "${value}" san)
  if(san MATCHES "thread" AND san MATCHES "address")
    message(FATAL_ERROR
      "racebook: RACEBOOK_SANITIZER='${value}' asks for ThreadSanitizer and AddressSanitizer "
      "together. They cannot run in one process: configure them as two builds (racebook's "
      "presets 'tsan' and 'asan').")
  elseif(san STREQUAL "none" OR san STREQUAL "")
    set(name normal)
    set(flags "")
  elseif(san STREQUAL "thread")
    set(name tsan)
    set(flags -fsanitize=thread)
  elseif(san STREQUAL "address")
    set(name asan)
    set(flags -fsanitize=address,undefined)
  elseif(san STREQUAL "helgrind" OR san STREQUAL "drd")
    set(name "${san}")
    set(flags "")
  else()
    message(FATAL_ERROR
      "racebook: RACEBOOK_SANITIZER='${value}' is not one of: none, thread, address, helgrind, "
      "drd (address means AddressSanitizer + UndefinedBehaviorSanitizer; helgrind and drd run "
      "the plain program under Valgrind's tools of those names).")
  endif()
  set(compile "")
  if(flags)
    set(compile ${flags} -g -O0 -fno-omit-frame-pointer)
  elseif(name STREQUAL "helgrind" OR name STREQUAL "drd")
    set(compile -g -O0 -DRACEBOOK_VALGRIND)  # Valgrind unwinds with the DWARF CFI
  endif()
  set(${out_name} "${name}" PARENT_SCOPE)
  set(${out_compile} "${compile}" PARENT_SCOPE)
  set(${out_link} "${flags}" PARENT_SCOPE)
endfunction()

# The compiler's short name, for `expect tsan-clang:` overrides and the harness: gcc or clang.
function(_racebook_compiler_name out)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(${out} gcc PARENT_SCOPE)
  elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(${out} clang PARENT_SCOPE)
  else()
    message(FATAL_ERROR "racebook: the compiler '${CMAKE_CXX_COMPILER_ID}' is not supported; "
      "use g++ or clang++")
  endif()
endfunction()

# Inside a racebook checkout: builds racebook-read-case into the build tree at configure time
# (again only when one of its sources changed).
function(_racebook_build_reader out)
  set(root "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/..")
  set(reader_dir "${CMAKE_BINARY_DIR}/racebook-read-case")
  set(reader "${reader_dir}/racebook-read-case")
  set(sources
    "${root}/harness/tools/read_case.cpp"
    "${root}/harness/src/expectation.cpp"
    "${root}/harness/src/kinds.cpp")
  set(inputs ${sources}
    "${root}/harness/include/racebook/expectation.hpp"
    "${root}/harness/include/racebook/kinds.hpp")
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
      CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${root}/harness/include"
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

# The case-file reader: the installed one (racebook::read_case), or built from the checkout.
function(_racebook_reader out)
  if(TARGET racebook::read_case)
    get_target_property(imported racebook::read_case IMPORTED)
    if(imported)
      get_target_property(reader racebook::read_case LOCATION)
      set(${out} "${reader}" PARENT_SCOPE)
      return()
    endif()
  endif()
  _racebook_build_reader(reader)
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

# The sanitizer's short name (normal, tsan, asan) and the INTERFACE target carrying its flags
# ("" when the project's own flags already carry them). See "The sanitizer" above.
function(_racebook_sanitizer libraries out_name out_flags_target)
  if(DEFINED RACEBOOK_SANITIZER AND NOT RACEBOOK_SANITIZER STREQUAL "")
    _racebook_sanitizer_options("${RACEBOOK_SANITIZER}" name compile link)
    set(flags_target "")
    if(TARGET racebook::sanitizers)
      set(flags_target racebook::sanitizers)  # racebook's own build (cmake/sanitizers.cmake)
    elseif(compile)
      set(flags_target racebook_case_sanitizer_${name})
      if(NOT TARGET ${flags_target})
        add_library(${flags_target} INTERFACE)
        target_compile_options(${flags_target} INTERFACE ${compile})
        target_link_options(${flags_target} INTERFACE ${link})
      endif()
    endif()
    set(${out_name} "${name}" PARENT_SCOPE)
    set(${out_flags_target} "${flags_target}" PARENT_SCOPE)
    return()
  endif()

  # Detected from the project's flags.
  string(TOUPPER "${CMAKE_BUILD_TYPE}" type)
  get_directory_property(dir_options COMPILE_OPTIONS)
  get_directory_property(dir_link_options LINK_OPTIONS)
  set(text "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${type}} ${CMAKE_EXE_LINKER_FLAGS} ${dir_options} ${dir_link_options}")
  foreach(library IN LISTS libraries)
    if(TARGET ${library})
      foreach(property IN ITEMS INTERFACE_COMPILE_OPTIONS INTERFACE_LINK_OPTIONS)
        get_target_property(value ${library} ${property})
        if(value)
          string(APPEND text " ${value}")
        endif()
      endforeach()
    endif()
  endforeach()
  set(thread FALSE)
  set(address FALSE)
  if(text MATCHES "-fsanitize=[^ ;]*thread")
    set(thread TRUE)
  endif()
  if(text MATCHES "-fsanitize=[^ ;]*address")
    set(address TRUE)
  endif()
  if(thread AND address)
    message(FATAL_ERROR
      "racebook: the project's flags ask for ThreadSanitizer and AddressSanitizer together. "
      "They cannot run in one process: configure them as two builds.")
  elseif(thread)
    set(name tsan)
  elseif(address)
    set(name asan)
  else()
    set(name normal)
  endif()
  set(${out_name} "${name}" PARENT_SCOPE)
  set(${out_flags_target} "" PARENT_SCOPE)
endfunction()

# Results of earlier runs are never counted: every CTest run that runs a case test first
# empties the results directory (a fixture CTest adds to any selection, -L and -R included).
# racebook_add_case calls it once per project; calling it again does nothing.
function(racebook_add_results_reset)
  get_property(done GLOBAL PROPERTY "_racebook_results_reset_${PROJECT_BINARY_DIR}")
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY "_racebook_results_reset_${PROJECT_BINARY_DIR}" TRUE)
  set(results "${PROJECT_BINARY_DIR}/results")
  add_test(NAME racebook.results.reset COMMAND "${CMAKE_COMMAND}" -E rm -rf "${results}")
  set_tests_properties(racebook.results.reset PROPERTIES
    FIXTURES_SETUP racebook_results LABELS "case-setup")
endfunction()

# The Catch2 main of the case programs, with the completion sentinel (case_main.cpp): one object
# per build tree, compiled with exactly the case programs' options and sanitizer and linked first
# into every case program. (Compiled plain, its copies of the inline functions both use — the
# standard library's string and shared_ptr code — won at link time over the case's instrumented
# ones: TSan then missed accesses and hand-offs, reported races at the wrong lines and a false
# one in daemon_thread. Measured, not assumed.)
function(racebook_add_case_main flags_target)
  if(TARGET racebook_case_main)
    return()
  endif()
  if(EXISTS "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/case_main.cpp")
    set(main_source "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/case_main.cpp")  # installed
  else()
    set(main_source "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../cases/support/case_main.cpp")
  endif()
  add_library(racebook_case_main OBJECT "${main_source}")
  target_link_libraries(racebook_case_main PUBLIC racebook::case_support)
  if(flags_target)
    target_link_libraries(racebook_case_main PRIVATE ${flags_target})
  endif()
endfunction()

# catch.hpp, precompiled once per build tree with the case programs' options and sanitizer, for
# the cases that link no library of their own (`out` is empty when it cannot be shared: the
# compiler must see exactly the same options in the header's build as in the case's).
function(_racebook_case_pch flags_target out)
  set(pch racebook_case_pch)
  if(NOT TARGET ${pch})
    set(source "${CMAKE_BINARY_DIR}/racebook-case-pch.cpp")
    if(NOT EXISTS "${source}")
      file(WRITE "${source}" "// catch.hpp precompiled for the case programs (racebook_add_case)\n")
    endif()
    add_library(${pch} OBJECT "${source}")
    target_link_libraries(${pch} PRIVATE racebook::case_support ${flags_target})
    target_compile_options(${pch} PRIVATE -Wall -Wextra)
    target_precompile_headers(${pch} PRIVATE <catch2/catch.hpp>)
  endif()
  set(${out} ${pch} PARENT_SCOPE)
endfunction()

function(racebook_add_case)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;TIMEOUT;RETRIES;SOURCE_ROOT" "SOURCES;LIBRARIES")
  if(NOT arg_NAME)
    message(FATAL_ERROR "racebook_add_case: NAME is required, e.g. "
      "racebook_add_case(NAME counter_race SOURCES counter_race.cpp)")
  endif()
  set(name "${arg_NAME}")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "racebook_add_case(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "racebook_add_case(${name}): NAME must be lower_snake_case (a-z, 0-9, _): "
      "it becomes part of the test names")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "racebook_add_case(${name}): SOURCES is required; its first file is the "
      "case file")
  endif()
  set(timeout_given FALSE)
  if(DEFINED arg_TIMEOUT)
    set(timeout_given TRUE)
  else()
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
  if(DEFINED BUILD_TESTING AND NOT BUILD_TESTING)
    return()
  endif()

  set(sources "")
  foreach(file IN LISTS arg_SOURCES)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    list(APPEND sources "${file}")
  endforeach()
  list(GET sources 0 source)
  if(NOT EXISTS "${source}")
    message(FATAL_ERROR "racebook_add_case(${name}): ${source} does not exist")
  endif()
  if(arg_SOURCE_ROOT)
    set(root "${arg_SOURCE_ROOT}")
    cmake_path(ABSOLUTE_PATH root BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
  else()
    cmake_path(GET source PARENT_PATH root)
  endif()
  if(NOT IS_DIRECTORY "${root}")
    message(FATAL_ERROR "racebook_add_case(${name}): SOURCE_ROOT ${root} is not a directory")
  endif()

  _racebook_sanitizer("${arg_LIBRARIES}" sanitizer flags_target)
  _racebook_compiler_name(compiler)
  # Valgrind runs a case program 100-1000 times slower (see "The sanitizers" above).
  if(NOT timeout_given AND sanitizer MATCHES "^(helgrind|drd)$")
    set(arg_TIMEOUT 300)
  endif()

  racebook_add_case_main("${flags_target}")
  set(pch "")
  # Opt-in (racebook's own corpus sets it): a precompiled catch.hpp is included before the case
  # file's first line, so a case that configures Catch2 with #defines of its own must not get
  # it; nor one with LIBRARIES, whose usage requirements may change how catch.hpp compiles.
  if(RACEBOOK_PRECOMPILE_CATCH AND NOT arg_LIBRARIES)
    _racebook_case_pch("${flags_target}" pch)
  endif()

  set(target "case_${name}")
  # The main's object comes first on the link line. Measured with gcc 12's libtsan (whose
  # symbolizer is libbacktrace): linked after the case's objects, the Catch2 main made every
  # function of a class template in the case's translation unit (spsc::Queue<...>::push, the
  # library under test) come out as "<null>" instead of file:line, so no marker could match.
  add_executable(${target} $<TARGET_OBJECTS:racebook_case_main> ${sources})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME "${name}")
  target_link_libraries(${target} PRIVATE ${arg_LIBRARIES} racebook::case_support ${flags_target})
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(pch)
    target_precompile_headers(${target} REUSE_FROM ${pch})
  endif()
  # Inside a racebook checkout whose harness comes from the shared harness build, the program
  # waits for it (the main's object, and the harness its POST_BUILD check runs).
  get_property(shared GLOBAL PROPERTY RACEBOOK_SHARED_HARNESS_TARGET)
  if(shared)
    add_dependencies(${target} ${shared})
  endif()
  # Every case program of the project, to build them alone: `--target racebook_cases`.
  if(NOT TARGET racebook_cases)
    add_custom_target(racebook_cases)
  endif()
  add_dependencies(racebook_cases ${target})

  # Re-run configure when the case's source changes: its variants and verdicts live there.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${source}")
  _racebook_reader(reader)
  execute_process(
    COMMAND "${reader}" "${source}" "${sanitizer}" "${compiler}" "${root}"
    RESULT_VARIABLE status OUTPUT_VARIABLE listing ERROR_VARIABLE problem)
  if(NOT status EQUAL 0)
    string(STRIP "${problem}" problem)
    message(FATAL_ERROR "racebook: ${problem}")
  endif()

  # The binary must have exactly the variants the case file declares (a TEST_CASE the reader
  # could not see would otherwise race untested).
  get_target_property(harness_target racebook::harness ALIASED_TARGET)
  if(harness_target)
    add_dependencies(${target} ${harness_target})
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "$<TARGET_FILE:racebook::harness>" variants --program "$<TARGET_FILE:${target}>"
            --source "${source}" --source-root "${root}"
            --sanitizer "${sanitizer}" --compiler "${compiler}"
    COMMENT "racebook: checking the variants of ${name} against its case file"
    VERBATIM)

  racebook_add_results_reset()
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
    foreach(word IN ITEMS "$<TARGET_FILE:racebook::harness>" run
        --program "$<TARGET_FILE:${target}>" --variant "${variant}" --source "${source}"
        --source-root "${root}"
        --sanitizer "${sanitizer}" --compiler "${compiler}"
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
  LABELS [=[case;${name};${verdict};${sanitizer}]=]
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
