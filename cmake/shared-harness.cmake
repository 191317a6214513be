# A corpus build (RACEBOOK_PART=corpus) takes its harness from the shared harness build,
# RACEBOOK_HARNESS_BUILD (the preset `harness`, build/harness): the harness, the case-file
# reader and the plain test fixture are compiled there once, for every preset. (The case
# programs' Catch2 main is not: it must be compiled with their sanitizer, see
# racebook_add_case_main.) This file configures that build when it is missing and builds the reader (which
# configure needs now); every build of this tree then brings the shared one up to date first, so
# no corpus build ever uses a harness older than its sources.
if(NOT RACEBOOK_HARNESS_BUILD)
  message(FATAL_ERROR "racebook: RACEBOOK_PART=corpus needs RACEBOOK_HARNESS_BUILD, the shared "
    "harness build (the presets set it to build/harness)")
endif()
cmake_path(ABSOLUTE_PATH RACEBOOK_HARNESS_BUILD BASE_DIRECTORY "${PROJECT_BINARY_DIR}" NORMALIZE
  OUTPUT_VARIABLE _racebook_shared)

set(_racebook_shared_script "${PROJECT_SOURCE_DIR}/cmake/build-harness.cmake")
set(_racebook_shared_args -DSOURCE=${PROJECT_SOURCE_DIR} -DBUILD=${_racebook_shared})

execute_process(
  COMMAND "${CMAKE_COMMAND}" ${_racebook_shared_args} -DTARGETS=racebook-read-case
          -P "${_racebook_shared_script}"
  RESULT_VARIABLE _racebook_status)
if(NOT _racebook_status EQUAL 0)
  message(FATAL_ERROR "racebook: the shared harness build in ${_racebook_shared} failed (its "
    "messages are above). Fix it, or remove that directory to have it configured afresh.")
endif()

set(_racebook_bin "${_racebook_shared}/bin")
# Two targets: what every case program needs (the harness its POST_BUILD check runs), and the
# plain fixture only the harness's own checks need (harness/tests/sanitized), so that building
# the case programs alone (`--target racebook_cases`, as `racebook.sh check` does) compiles no
# test fixture.
add_custom_target(racebook_shared_harness ALL
  COMMAND "${CMAKE_COMMAND}" ${_racebook_shared_args} -DTARGETS=racebook-harness,racebook-read-case
          -P "${_racebook_shared_script}"
  BYPRODUCTS "${_racebook_bin}/racebook-harness" "${_racebook_bin}/racebook-read-case"
  COMMENT "racebook: bringing the shared harness build ${_racebook_shared} up to date"
  USES_TERMINAL
  VERBATIM)
add_custom_target(racebook_shared_fixture
  COMMAND "${CMAKE_COMMAND}" ${_racebook_shared_args} -DTARGETS=racebook_failure_fixture
          -P "${_racebook_shared_script}"
  BYPRODUCTS "${_racebook_bin}/racebook_failure_fixture"
  COMMENT "racebook: the plain test fixture in the shared harness build ${_racebook_shared}"
  USES_TERMINAL
  VERBATIM)
add_dependencies(racebook_shared_fixture racebook_shared_harness)
set_property(GLOBAL PROPERTY RACEBOOK_SHARED_HARNESS_TARGET racebook_shared_harness)
set_property(GLOBAL PROPERTY RACEBOOK_SHARED_FIXTURE_TARGET racebook_shared_fixture)

add_executable(racebook::harness IMPORTED GLOBAL)
set_target_properties(racebook::harness PROPERTIES IMPORTED_LOCATION "${_racebook_bin}/racebook-harness")
add_executable(racebook::read_case IMPORTED GLOBAL)
set_target_properties(racebook::read_case PROPERTIES IMPORTED_LOCATION "${_racebook_bin}/racebook-read-case")
add_executable(racebook::failure_fixture IMPORTED GLOBAL)
set_target_properties(racebook::failure_fixture PROPERTIES
  IMPORTED_LOCATION "${_racebook_bin}/racebook_failure_fixture")
