# Brings the shared harness build up to date: configures BUILD with the preset `harness` when it
# has no cache yet, then builds TARGETS there. Holds a lock for the while, so that corpus builds
# of several presets at once do not run two builds in one tree.
#   cmake -DSOURCE=<checkout> -DBUILD=<dir> -DTARGETS=<t1,t2,...> -P build-harness.cmake
foreach(var SOURCE BUILD TARGETS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "build-harness.cmake needs -D${var}=...")
  endif()
endforeach()
string(REPLACE "," ";" TARGETS "${TARGETS}")
file(MAKE_DIRECTORY "${BUILD}")
file(LOCK "${BUILD}/.racebook-build.lock" GUARD PROCESS TIMEOUT 3600 RESULT_VARIABLE locked)
if(NOT locked EQUAL 0)
  message(FATAL_ERROR "racebook: could not lock the shared harness build ${BUILD} within an hour "
    "(${locked}); is another build stuck there?")
endif()
# A build tree of another checkout, or of another part, would hand this corpus a harness built
# from other sources: refused, never used.
if(EXISTS "${BUILD}/CMakeCache.txt")
  file(STRINGS "${BUILD}/CMakeCache.txt" home ENCODING UTF-8 REGEX "^CMAKE_HOME_DIRECTORY:INTERNAL=")
  file(STRINGS "${BUILD}/CMakeCache.txt" part ENCODING UTF-8 REGEX "^RACEBOOK_PART:STRING=")
  string(REGEX REPLACE "^[^=]*=" "" home "${home}")
  string(REGEX REPLACE "^[^=]*=" "" part "${part}")
  file(REAL_PATH "${SOURCE}" source_real)
  if(home)
    file(REAL_PATH "${home}" home)
  endif()
  if(NOT home STREQUAL source_real OR NOT part STREQUAL "harness")
    message(FATAL_ERROR "racebook: ${BUILD} is not the harness build of this checkout (it was "
      "configured from '${home}' as RACEBOOK_PART='${part}'; this checkout is ${source_real}). "
      "Point RACEBOOK_HARNESS_BUILD at a directory of its own, or remove that one.")
  endif()
endif()
if(NOT EXISTS "${BUILD}/CMakeCache.txt")
  message(STATUS "racebook: configuring the shared harness build in ${BUILD} (preset 'harness')")
  execute_process(COMMAND "${CMAKE_COMMAND}" --preset harness -B "${BUILD}"
    WORKING_DIRECTORY "${SOURCE}" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    file(REMOVE "${BUILD}/CMakeCache.txt")  # configured afresh next time
    message(FATAL_ERROR "racebook: configuring the shared harness build ${BUILD} failed (above)")
  endif()
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD}" --target ${TARGETS} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "racebook: building ${TARGETS} in the shared harness build ${BUILD} failed (above)")
endif()
