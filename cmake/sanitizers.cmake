# Sanitizer flags for the case programs only, through one INTERFACE target.
#
# RACEBOOK_SANITIZER picks the instrumentation of the corpus:
#   none     - a plain build (the "normal" presets)
#   thread   - ThreadSanitizer ("tsan")
#   address  - AddressSanitizer + UndefinedBehaviorSanitizer ("asan")
#   helgrind - built plain (-g -O0 -DRACEBOOK_VALGRIND), run under valgrind --tool=helgrind
#   drd      - the same, run under valgrind --tool=drd
# Their flags are the table in cmake/racebook-add-case.cmake (_racebook_sanitizer_options), the
# one racebook_add_case uses in other projects too; it refuses TSan and ASan together.
# The harness and its unit tests never link this target, so they are built plain in every preset.

set(RACEBOOK_SANITIZER "none" CACHE STRING
  "Sanitizer for the case programs: none, thread, address, helgrind or drd")
set_property(CACHE RACEBOOK_SANITIZER PROPERTY STRINGS none thread address helgrind drd)

# The short names the harness, the test labels and the expectations use.
_racebook_sanitizer_options("${RACEBOOK_SANITIZER}" RACEBOOK_SANITIZER_NAME
  _racebook_case_options _racebook_flags)
_racebook_compiler_name(RACEBOOK_COMPILER_NAME)

add_library(racebook_sanitizers INTERFACE)
add_library(racebook::sanitizers ALIAS racebook_sanitizers)

# helgrind and drd: the case programs are plain (compile options only), and the harness runs
# them under Valgrind, found on PATH. Fail at configure time, not at the first test, when
# Valgrind or its client-request header (racebook::StartLine needs it) is missing.
if(RACEBOOK_SANITIZER_NAME MATCHES "^(helgrind|drd)$")
  target_compile_options(racebook_sanitizers INTERFACE ${_racebook_case_options})
  find_program(RACEBOOK_VALGRIND_EXECUTABLE valgrind)
  if(NOT RACEBOOK_VALGRIND_EXECUTABLE)
    message(FATAL_ERROR
      "racebook: RACEBOOK_SANITIZER=${RACEBOOK_SANITIZER} runs the case programs under "
      "valgrind --tool=${RACEBOOK_SANITIZER_NAME}, but there is no valgrind on PATH. Install "
      "it (Debian: sudo apt-get install valgrind) or put it on PATH.")
  endif()
  include(CheckIncludeFileCXX)
  check_include_file_cxx("valgrind/helgrind.h" RACEBOOK_HAVE_VALGRIND_HELGRIND_H)
  if(NOT RACEBOOK_HAVE_VALGRIND_HELGRIND_H)
    message(FATAL_ERROR
      "racebook: RACEBOOK_SANITIZER=${RACEBOOK_SANITIZER} needs <valgrind/helgrind.h> "
      "(racebook::StartLine marks its word untracked with it), and ${CMAKE_CXX_COMPILER} "
      "cannot find it. Install Valgrind's headers (Debian: sudo apt-get install valgrind; "
      "other systems: valgrind-devel or valgrind-dev).")
  endif()
  execute_process(COMMAND "${RACEBOOK_VALGRIND_EXECUTABLE}" --version
    OUTPUT_VARIABLE RACEBOOK_VALGRIND_VERSION RESULT_VARIABLE _racebook_valgrind_status
    ERROR_VARIABLE _racebook_valgrind_error OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _racebook_valgrind_status EQUAL 0)
    message(FATAL_ERROR
      "racebook: ${RACEBOOK_VALGRIND_EXECUTABLE} --version failed (${_racebook_valgrind_status}): "
      "${_racebook_valgrind_error}. Reinstall Valgrind (Debian: sudo apt-get install --reinstall "
      "valgrind).")
  endif()
  message(STATUS "racebook: the case programs run under ${RACEBOOK_VALGRIND_EXECUTABLE} "
    "(${RACEBOOK_VALGRIND_VERSION}) --tool=${RACEBOOK_SANITIZER_NAME}")
endif()
if(_racebook_flags)
  target_compile_options(racebook_sanitizers INTERFACE ${_racebook_case_options})
  target_link_options(racebook_sanitizers INTERFACE ${_racebook_flags})

  # Fail at configure time, not at the first test, when the runtime library is missing.
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS "${_racebook_flags}")
  set(CMAKE_REQUIRED_LINK_OPTIONS "${_racebook_flags}")
  check_cxx_source_compiles("int main() { return 0; }" RACEBOOK_${RACEBOOK_SANITIZER_NAME}_LINKS)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(NOT RACEBOOK_${RACEBOOK_SANITIZER_NAME}_LINKS)
    message(FATAL_ERROR
      "racebook: ${CMAKE_CXX_COMPILER} cannot build a program with '${_racebook_flags}'. "
      "Install the sanitizer runtimes of this compiler (Debian: g++ brings gcc's; "
      "libclang-rt-dev is the default clang's, libclang-rt-N-dev clang-N's) or run "
      "./harness/racebook.sh test, which installs them.")
  endif()
endif()

# What this build is, for the provenance of generated docs (racebook-harness docs).
if(_racebook_flags)
  string(JOIN " " _racebook_flag_text ${_racebook_case_options})
else()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" _racebook_type)
  set(_racebook_flag_text "${CMAKE_CXX_FLAGS_${_racebook_type}}")
endif()
# string(JSON) takes JSON values: each text becomes a JSON string (\ " and control characters
# escaped) before it is set.
set(_racebook_build "{}")
foreach(_racebook_field IN ITEMS compiler=RACEBOOK_COMPILER_NAME
    compiler_version=CMAKE_CXX_COMPILER_VERSION sanitizer=RACEBOOK_SANITIZER_NAME
    case_flags=_racebook_flag_text)
  string(REPLACE "=" ";" _racebook_field "${_racebook_field}")
  list(GET _racebook_field 0 _racebook_key)
  list(GET _racebook_field 1 _racebook_var)
  set(_racebook_text "${${_racebook_var}}")
  string(REPLACE "\\" "\\\\" _racebook_text "${_racebook_text}")
  string(REPLACE "\"" "\\\"" _racebook_text "${_racebook_text}")
  string(REPLACE "\n" "\\n" _racebook_text "${_racebook_text}")
  string(REPLACE "\r" "\\r" _racebook_text "${_racebook_text}")
  string(REPLACE "\t" "\\t" _racebook_text "${_racebook_text}")
  string(JSON _racebook_build SET "${_racebook_build}" "${_racebook_key}" "\"${_racebook_text}\"")
endforeach()
file(WRITE "${PROJECT_BINARY_DIR}/racebook-build.json" "${_racebook_build}\n")
