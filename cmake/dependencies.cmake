# Every dependency comes from a Debian package; nothing is downloaded at build time.
# The README's commands install them (apt-get install catch2 nlohmann-json3-dev libcli11-dev).
find_package(Catch2 2 QUIET CONFIG)
if(NOT Catch2_FOUND)
  message(FATAL_ERROR
    "racebook: Catch2 (v2) was not found. Install Debian's package:\n"
    "  apt-get install catch2\n"
    "or run ./racebook.sh test, which installs what is missing.")
endif()
include(Catch)

find_package(nlohmann_json 3 QUIET CONFIG)
if(NOT nlohmann_json_FOUND)
  message(FATAL_ERROR
    "racebook: nlohmann_json was not found. Install Debian's package:\n"
    "  apt-get install nlohmann-json3-dev\n"
    "or run ./racebook.sh test, which installs what is missing.")
endif()
find_package(CLI11 2 QUIET CONFIG)
if(NOT CLI11_FOUND)
  message(FATAL_ERROR
    "racebook: CLI11 (the harness's command line) was not found. Install Debian's package:\n"
    "  apt-get install libcli11-dev\n"
    "or run ./harness/racebook.sh test, which installs what is missing.")
endif()
find_package(Threads REQUIRED)
