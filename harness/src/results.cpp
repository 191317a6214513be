#include "racebook/results.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>

#include "racebook/runner.hpp"

namespace racebook {
namespace fs = std::filesystem;
using nlohmann::json;

std::string result_problem(const json& r) {
  if (!r.is_object()) return "a result is a JSON object, this is " + std::string(r.type_name());
  auto want = [&](const char* field, json::value_t type, const char* what) -> std::string {
    if (!r.contains(field)) return std::string("field \"") + field + "\" is missing";
    const json& v = r.at(field);
    const bool ok = type == json::value_t::number_integer
                        ? v.is_number_integer()
                        : v.type() == type;
    if (!ok) return std::string("field \"") + field + "\" must be " + what + ", not " + v.dump();
    return "";
  };
  using T = json::value_t;
  for (const auto& [field, type, what] :
       {std::tuple{"scenario", T::string, "a string"}, std::tuple{"variant", T::string, "a string"},
        std::tuple{"sanitizer", T::string, "a string"}, std::tuple{"compiler", T::string, "a string"},
        std::tuple{"expected", T::string, "\"racy\" or \"clean\""},
        std::tuple{"kind", T::string, "a string"},
        std::tuple{"expected_text", T::string, "a string"},
        std::tuple{"observed", T::string, "a string"}, std::tuple{"pass", T::boolean, "true or false"}}) {
    if (std::string p = want(field, type, what); !p.empty()) return p;
  }
  if (r["expected"] != "racy" && r["expected"] != "clean") {
    return "field \"expected\" must be \"racy\" or \"clean\", not " + r["expected"].dump();
  }
  if (r.contains("measured")) {
    if (!r["measured"].is_array()) return "field \"measured\" must be a list of strings";
    for (const auto& m : r["measured"]) {
      if (!m.is_string()) return "field \"measured\" must be a list of strings";
    }
  }
  if (r.contains("runs")) {
    const json& n = r["runs"];
    if (!n.is_object()) return "field \"runs\" must be an object";
    for (const char* f : {"total", "matched", "no_report", "mismatch"}) {
      if (!n.contains(f) || !n[f].is_number_integer() || n[f].get<long long>() < 0) {
        return std::string("field \"runs.") + f + "\" must be a whole number";
      }
    }
    if (!n.contains("repeat_mode") || !n["repeat_mode"].is_boolean()) {
      return "field \"runs.repeat_mode\" must be true or false";
    }
  }
  return "";
}

ResultSet read_results(const fs::path& dir) {
  ResultSet set;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return set;
  for (const auto& entry : it) {
    if (entry.path().extension() != ".json") continue;
    const std::string name = entry.path().string();
    std::ifstream in(entry.path(), std::ios::binary);
    json r;
    try {
      r = json::parse(in);
    } catch (const json::exception& e) {
      set.unreadable[name] = std::string("not JSON: ") + e.what();
      continue;
    }
    if (std::string p = result_problem(r); !p.empty()) {
      set.unreadable[name] = "not a racebook result: " + p;
      continue;
    }
    set.by_test["case." + r["scenario"].get<std::string>() + "." + r["variant"].get<std::string>()] = r;
  }
  return set;
}

fs::path build_dir_of(const fs::path& dir) {
  if (fs::exists(dir / "CTestTestfile.cmake")) return dir;
  const fs::path parent = fs::absolute(dir).lexically_normal().parent_path();
  if (fs::exists(parent / "CTestTestfile.cmake")) return parent;
  throw EnvironmentError(dir.string() + " is neither a CTest build directory nor its results/ "
                         "directory; give build/<preset> (configure it with cmake --preset <name>)");
}

namespace {

std::string find_ctest() {
  if (const char* env = std::getenv("RACEBOOK_CTEST"); env && *env) return env;
#ifdef RACEBOOK_CTEST_COMMAND
  if (fs::exists(RACEBOOK_CTEST_COMMAND)) return RACEBOOK_CTEST_COMMAND;
#endif
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');) {
      const fs::path candidate = fs::path(d.empty() ? "." : d) / "ctest";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  throw EnvironmentError("ctest was not found (set RACEBOOK_CTEST to its path, or put it on PATH)");
}

}  // namespace

std::vector<std::string> ctest_case_tests(const fs::path& build_dir) {
  RunRequest request;
  request.program = find_ctest();
  request.args = {"--show-only=json-v1", "--test-dir", build_dir.string()};
  request.timeout = std::chrono::seconds(60);
  const RunResult run = racebook::run(request);
  if (run.outcome != RunResult::Outcome::exited || run.exit_code != 0) {
    throw EnvironmentError("cannot list the tests of " + build_dir.string() + " with " +
                           request.program + ": it " + run.describe() + "\n" + run.err);
  }
  std::vector<std::string> names;
  try {
    const json listing = json::parse(run.out);
    for (const auto& t : listing.at("tests")) {
      const std::string name = t.at("name").get<std::string>();
      if (name.rfind("case.", 0) == 0) names.push_back(name);
    }
  } catch (const json::exception& e) {
    throw EnvironmentError("ctest --show-only=json-v1 printed something racebook cannot read: " +
                           std::string(e.what()));
  }
  return names;
}

namespace {

json read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return json::parse(in);
}

// The results of the tests CTest knows, by scenario then variant; the rest in `v`.
void sort_results(const std::vector<std::string>& known, const ResultSet& set, PresetVerdicts& v) {
  for (const auto& test : known) {
    if (auto it = set.by_test.find(test); it != set.by_test.end()) v.results.push_back(it->second);
    else v.missing.push_back(test);
  }
  for (const auto& [test, r] : set.by_test) {
    if (std::find(known.begin(), known.end(), test) == known.end()) v.unknown.push_back(test);
  }
  std::sort(v.results.begin(), v.results.end(), [](const json& a, const json& b) {
    return std::tie(a["scenario"], a["variant"]) < std::tie(b["scenario"], b["variant"]);
  });
  v.unreadable = set.unreadable;
}

void count_verdicts(PresetVerdicts& v) {
  for (const auto& r : v.results) {
    const bool pass = r["pass"].get<bool>();
    if (pass && r["expected"] == "racy") ++v.raced;
    else if (pass) ++v.clean;
    else ++v.failed;
  }
  v.failed += static_cast<int>(v.missing.size() + v.unreadable.size());
}

// What the build is, from its record (also when no test left a result).
void read_build_record(const fs::path& build, PresetVerdicts& v) {
  try {
    std::ifstream in(build / "racebook-build.json");
    const json record = json::parse(in);
    v.sanitizer = record.value("sanitizer", "?");
    v.compiler = record.value("compiler", "?");
  } catch (const json::exception&) {
    if (!v.results.empty()) {
      v.sanitizer = v.results.front()["sanitizer"].get<std::string>();
      v.compiler = v.results.front()["compiler"].get<std::string>();
    }
  }
}

// The configure presets that inherit, directly or through others, the hidden "corpus" preset.
std::set<std::string> corpus_configure_presets(const json& presets) {
  std::map<std::string, std::vector<std::string>> parents;
  for (const auto& p : presets.value("configurePresets", json::array())) {
    const json inherits = p.value("inherits", json::array());
    auto& list = parents[p.at("name").get<std::string>()];
    if (inherits.is_string()) list.push_back(inherits.get<std::string>());
    else for (const auto& i : inherits) list.push_back(i.get<std::string>());
  }
  std::function<bool(const std::string&, int)> is_corpus = [&](const std::string& name, int depth) {
    if (name == "corpus") return true;
    if (depth > 32 || !parents.count(name)) return false;
    return std::any_of(parents[name].begin(), parents[name].end(),
                       [&](const std::string& parent) { return is_corpus(parent, depth + 1); });
  };
  std::set<std::string> names;
  for (const auto& [name, list] : parents) {
    if (name != "corpus" && is_corpus(name, 0)) names.insert(name);
  }
  return names;
}

}  // namespace

PresetVerdicts read_verdicts(const fs::path& build) {
  PresetVerdicts v;
  v.known = ctest_case_tests(build);
  if (v.known.empty()) {
    throw EnvironmentError("CTest knows no case tests in " + build.string() +
                           "; configure and build it first (cmake --workflow --preset <name>)");
  }
  sort_results(v.known, read_results(build / "results"), v);
  count_verdicts(v);
  read_build_record(build, v);
  return v;
}

std::vector<std::string> corpus_presets(const fs::path& project_dir) {
  const fs::path file = project_dir / "CMakePresets.json";
  std::vector<std::string> names;
  try {
    const json presets = read_json(file);
    const auto corpus = corpus_configure_presets(presets);
    for (const auto& p : presets.value("testPresets", json::array())) {
      if (p.value("hidden", false) || !corpus.count(p.value("configurePreset", ""))) continue;
      names.push_back(p.at("name").get<std::string>());
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(file.string() + " cannot be read as CMake presets: " + e.what());
  }
  if (names.empty()) {
    throw std::runtime_error(file.string() + " has no test preset whose configure preset "
                             "inherits \"corpus\"");
  }
  return names;
}

std::vector<PresetRun> load_runs(const fs::path& build_root, const std::vector<std::string>& presets) {
  std::vector<PresetRun> runs;
  for (const auto& preset : presets) {
    PresetRun run;
    run.preset = preset;
    const fs::path dir = build_root / preset;
    const fs::path build_file = dir / "racebook-build.json";
    if (!fs::exists(build_file)) {
      throw std::runtime_error("preset " + preset + " has not been configured (" +
                               build_file.string() + " is missing): run cmake --workflow --preset " +
                               preset + ", or ./harness/racebook.sh docs for all of them");
    }
    run.build = read_json(build_file);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir / "results", ec)) {
      if (entry.path().extension() != ".json") continue;
      json r = read_json(entry.path());
      run.results[r.at("scenario").get<std::string>() + "." + r.at("variant").get<std::string>()] = r;
    }
    if (run.results.empty()) {
      throw std::runtime_error("preset " + preset + " has no results in " + (dir / "results").string() +
                               ": run ctest --preset " + preset + " first");
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

const json* find_result(const PresetRun& run, const std::string& key) {
  const auto it = run.results.find(key);
  return it == run.results.end() ? nullptr : &it->second;
}

}  // namespace racebook
