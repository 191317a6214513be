// Result files (`racebook-harness run --results DIR`) and the tests CTest knows: what the
// summary and the stability record are built from, and checked against.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace racebook {

// A problem with the machine or the build rather than with the command line: exit status 3.
struct EnvironmentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "" if `result` has every field the summary, docs and stability pages read, with the right
// type; else what is wrong ("field \"pass\" must be true or false, not \"yes\"").
std::string result_problem(const nlohmann::json& result);

// Every result file in `dir` by test name ("case.<scenario>.<variant>"). A file that is not a
// result is kept in `unreadable` (path -> why), never silently skipped.
struct ResultSet {
  std::map<std::string, nlohmann::json> by_test;
  std::map<std::string, std::string> unreadable;
};
ResultSet read_results(const std::filesystem::path& dir);

// The case tests ("case.*") CTest knows in a build directory, from `ctest --show-only=json-v1`.
// Throws EnvironmentError when ctest cannot be run or the directory is not a CTest build.
std::vector<std::string> ctest_case_tests(const std::filesystem::path& build_dir);

// The build directory a results directory belongs to: DIR itself when it holds
// CTestTestfile.cmake, else its parent when that does. Throws EnvironmentError otherwise.
std::filesystem::path build_dir_of(const std::filesystem::path& dir);

}  // namespace racebook
