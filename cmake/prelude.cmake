# Guards and defaults that every configure needs before anything else.
if(CMAKE_SOURCE_DIR STREQUAL CMAKE_BINARY_DIR)
  message(FATAL_ERROR
    "racebook: in-source builds are not supported. Use a preset instead, for example\n"
    "  cmake --workflow --preset tsan\n"
    "and remove the CMakeCache.txt and CMakeFiles/ this attempt left in ${CMAKE_SOURCE_DIR}.")
endif()

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
include(GNUInstallDirs)
