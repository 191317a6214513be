#include "racebook/results.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

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

}  // namespace racebook
