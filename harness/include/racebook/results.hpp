// Result files (`racebook-harness run --results DIR`), the tests CTest knows and the corpus's
// presets: what the summary, the docs and the stability record are built from, and checked
// against.
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

// One preset's verdicts as `racebook-harness summary` reports them.
struct PresetVerdicts {
  std::string sanitizer = "?";  // from the build's racebook-build.json (else its first result)
  std::string compiler = "?";
  std::vector<std::string> known;                 // the case tests CTest knows
  std::vector<nlohmann::json> results;            // theirs, by scenario then variant
  std::vector<std::string> missing;               // tests CTest knows that left no result
  std::map<std::string, std::string> unreadable;  // file -> why it is not a result
  std::vector<std::string> unknown;               // results of tests CTest does not know
  int raced = 0;   // racy variants that reported as expected
  int clean = 0;   // clean variants that stayed clean
  int failed = 0;  // failed results, missing results and unreadable files
};

// Reads the results of a build directory (build/<preset>) against the tests CTest knows there.
// Throws EnvironmentError when CTest knows no case test in it.
PresetVerdicts read_verdicts(const std::filesystem::path& build_dir);

// The corpus presets: the test presets of PROJECT/CMakePresets.json whose configure preset
// inherits the hidden "corpus" preset (not "harness" or "fuzz"), in the order the file lists
// them, which is the order of the columns in docs/. Throws std::runtime_error when the file
// cannot be read or lists none.
std::vector<std::string> corpus_presets(const std::filesystem::path& project_dir);

// One preset's build: what racebook-build.json says of it and its results by
// "scenario.variant".
struct PresetRun {
  std::string preset;
  nlohmann::json build;
  std::map<std::string, nlohmann::json> results;
};

// Loads build/<preset>/racebook-build.json and build/<preset>/results/*.json for each preset.
// Throws std::runtime_error naming the preset and the command that produces what is missing.
std::vector<PresetRun> load_runs(const std::filesystem::path& build_root,
                                 const std::vector<std::string>& presets);

// The result of "scenario.variant" in a run, or nullptr.
const nlohmann::json* find_result(const PresetRun& run, const std::string& key);

}  // namespace racebook
