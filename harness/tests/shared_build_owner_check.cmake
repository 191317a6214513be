# The shared harness build is used only by its own checkout (cmake/build-harness.cmake), and
# that check holds for a checkout at any path: with spaces and non-ASCII letters in it (a
# CMakeCache.txt read without ENCODING UTF-8 lost the "é", and every corpus preset of a clone
# at "/tmp/fresh space é" was refused), and it still refuses another checkout's build.
#   cmake -DSCRIPT=<cmake/build-harness.cmake> -DWORK=<dir> -P shared_build_owner_check.cmake
set(checkout "${WORK}/checkout space é")
set(other "${WORK}/another checkout")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${checkout}/build" "${other}")

function(run_script home expect reject)
  file(WRITE "${checkout}/build/CMakeCache.txt"
    "CMAKE_HOME_DIRECTORY:INTERNAL=${home}\nRACEBOOK_PART:STRING=harness\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE=${checkout} -DBUILD=${checkout}/build
                          -DTARGETS=racebook-harness -P "${SCRIPT}"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  string(REGEX REPLACE "[ \n]+" " " said "${out}${err}")
  if(NOT said MATCHES "${expect}" OR said MATCHES "${reject}")
    message(FATAL_ERROR "with the build's home at '${home}': expected /${expect}/, not /${reject}/; "
      "it said: ${said}")
  endif()
endfunction()

# Its own checkout: past the check, to the build (which fails here: the cache is a stand-in).
run_script("${checkout}" "building racebook-harness in the shared harness build" "is not the harness build")
# Another checkout: refused, naming both.
run_script("${other}" "is not the harness build of this checkout" "building racebook-harness")
message(STATUS "the shared harness build's owner check holds at '${checkout}'")
