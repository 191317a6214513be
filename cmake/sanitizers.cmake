# Sanitizer flags for the case programs only, through one INTERFACE target.
#
# RACEBOOK_SANITIZER picks the instrumentation of the corpus:
#   none     - a plain build (the "normal" presets)
#   thread   - ThreadSanitizer ("tsan")
#   address  - AddressSanitizer + UndefinedBehaviorSanitizer ("asan")
# The harness and its unit tests never link this target, so they are built plain in every preset.
# TSan and ASan cannot share a process; asking for both is refused here with a message.

set(RACEBOOK_SANITIZER "none" CACHE STRING "Sanitizer for the case programs: none, thread or address")
set_property(CACHE RACEBOOK_SANITIZER PROPERTY STRINGS none thread address)

string(TOLOWER "${RACEBOOK_SANITIZER}" _racebook_san)
if(_racebook_san MATCHES "thread" AND _racebook_san MATCHES "address")
  message(FATAL_ERROR
    "racebook: RACEBOOK_SANITIZER='${RACEBOOK_SANITIZER}' asks for ThreadSanitizer and "
    "AddressSanitizer together. They cannot run in one process: configure them as two "
    "builds, e.g. the presets 'tsan' and 'asan'.")
endif()

# The short name the harness, the test labels and the expectations use.
if(_racebook_san STREQUAL "none" OR _racebook_san STREQUAL "")
  set(RACEBOOK_SANITIZER_NAME normal)
  set(_racebook_flags "")
elseif(_racebook_san STREQUAL "thread")
  set(RACEBOOK_SANITIZER_NAME tsan)
  set(_racebook_flags -fsanitize=thread)
elseif(_racebook_san STREQUAL "address")
  set(RACEBOOK_SANITIZER_NAME asan)
  set(_racebook_flags -fsanitize=address,undefined)
else()
  message(FATAL_ERROR
    "racebook: RACEBOOK_SANITIZER='${RACEBOOK_SANITIZER}' is not one of: none, thread, "
    "address (address means AddressSanitizer + UndefinedBehaviorSanitizer).")
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(RACEBOOK_COMPILER_NAME gcc)
elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(RACEBOOK_COMPILER_NAME clang)
else()
  message(FATAL_ERROR
    "racebook: the compiler '${CMAKE_CXX_COMPILER_ID}' is not supported; use g++ or clang++ "
    "(the presets pick them).")
endif()

add_library(racebook_sanitizers INTERFACE)
add_library(racebook::sanitizers ALIAS racebook_sanitizers)
if(_racebook_flags)
  # -O0 keeps every access of the source in the binary, at the line the source has it. Measured
  # on counter_locked: at -O1 gcc files the accesses of an inlined function under its caller's
  # line, and clang 14 leaves main's read of the shared Counter uninstrumented, so TSan misses
  # the race. Frame pointers give the runtime full stacks cheaply.
  set(_racebook_case_options ${_racebook_flags} -g -O0 -fno-omit-frame-pointer)
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
      "Install the sanitizer runtimes (Debian: libtsan2 libasan8 libubsan1 for gcc, "
      "libclang-rt-14-dev for clang) or run ./harness/racebook.sh test, which installs them.")
  endif()
endif()

# What this build is, for the provenance of generated docs (racebook-harness docs).
if(_racebook_flags)
  string(JOIN " " _racebook_flag_text ${_racebook_case_options})
else()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" _racebook_type)
  set(_racebook_flag_text "${CMAKE_CXX_FLAGS_${_racebook_type}}")
endif()
file(WRITE "${PROJECT_BINARY_DIR}/racebook-build.json" "{
  \"compiler\": \"${RACEBOOK_COMPILER_NAME}\",
  \"compiler_version\": \"${CMAKE_CXX_COMPILER_VERSION}\",
  \"sanitizer\": \"${RACEBOOK_SANITIZER_NAME}\",
  \"case_flags\": \"${_racebook_flag_text}\"
}
")
