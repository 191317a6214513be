#include "racebook/expectation.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace racebook {
namespace {

std::string at(const std::string& path, int line) {
  return path + ":" + std::to_string(line) + ": ";
}

const std::set<std::string>& known_sanitizers() {
  static const std::set<std::string> names{"normal", "tsan", "asan"};
  return names;
}

// "tsan", "tsan-clang", "asan-gcc": the sanitizer, optionally narrowed to one compiler.
bool valid_key(const std::string& key) {
  const auto dash = key.find('-');
  const std::string sanitizer = key.substr(0, dash);
  if (!known_sanitizers().count(sanitizer)) return false;
  if (dash == std::string::npos) return true;
  const std::string compiler = key.substr(dash + 1);
  return compiler == "gcc" || compiler == "clang";
}

Expectation parse_expectation(const std::string& key, const std::string& verdict, int line,
                              const std::string& path) {
  Expectation e;
  e.key = key;
  e.line = line;
  e.text = verdict;
  if (!valid_key(key)) {
    throw CaseFileError(at(path, line) + "expectation for unknown sanitizer \"" + key +
                        "\": use normal, tsan or asan, optionally with -gcc or -clang");
  }
  std::istringstream words(verdict);
  std::string word;
  words >> word;
  if (word == "clean") {
    if (words >> word) {
      throw CaseFileError(at(path, line) + "\"clean\" takes nothing after it, found \"" + word +
                          "\"");
    }
    return e;
  }
  static const std::regex kind_re("[a-z][a-z0-9-]*");
  if (!std::regex_match(word, kind_re)) {
    throw CaseFileError(at(path, line) + "expected \"clean\" or a report kind such as "
                        "\"data-race @a @b\", found \"" + verdict + "\"");
  }
  e.clean = false;
  e.kind = word;
  static const std::regex marker_re("@([A-Za-z_][A-Za-z0-9_]*)");
  while (words >> word) {
    std::smatch m;
    if (!std::regex_match(word, m, marker_re)) {
      throw CaseFileError(at(path, line) + "\"" + word +
                          "\" is not a marker reference; write @name for a line marked // @name");
    }
    e.markers.push_back(m[1]);
  }
  if (e.markers.empty()) {
    throw CaseFileError(at(path, line) + "\"" + e.kind +
                        "\" names no marked line; add @name for each line the report must point at");
  }
  return e;
}

}  // namespace

const Variant& CaseFile::variant(std::string_view name) const {
  for (const auto& v : variants) {
    if (v.name == name) return v;
  }
  std::string names;
  for (const auto& v : variants) names += (names.empty() ? "" : ", ") + v.name;
  throw CaseFileError(path + ": has no variant \"" + std::string(name) +
                      "\" (it has: " + names + ")");
}

int CaseFile::marker_line(const std::string& marker, const Expectation& where) const {
  const auto it = markers.find(marker);
  if (it == markers.end()) {
    throw CaseFileError(at(path, where.line) + "the expectation names @" + marker +
                        ", but no line of " + path + " is marked // @" + marker);
  }
  return it->second;
}

CaseFile parse_case_file(std::string_view text, const std::string& path) {
  // A marker is "// @name" at the end of a code line or comment; an expectation is a whole
  // comment line "// expect <key>: <verdict>" above a TEST_CASE.
  static const std::regex expect_re(R"(^\s*//\s*expect\s+([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$)");
  static const std::regex expect_like_re(R"(^\s*//\s*expect\b.*)");
  static const std::regex marker_re(R"(//.*@([A-Za-z_][A-Za-z0-9_]*)\s*$)");
  static const std::regex test_case_re(R"re(\bTEST_CASE\s*\(\s*"([^"]*)")re");

  CaseFile file;
  file.path = path;
  std::vector<Expectation> pending;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::smatch m;
    if (std::regex_match(line, m, expect_re)) {
      Expectation e = parse_expectation(m[1], m[2], number, path);
      for (const auto& p : pending) {
        if (p.key == e.key) {
          throw CaseFileError(at(path, number) + "a second expectation for \"" + e.key +
                              "\" (the first is on line " + std::to_string(p.line) + ")");
        }
      }
      pending.push_back(std::move(e));
    } else if (std::regex_match(line, expect_like_re)) {
      throw CaseFileError(at(path, number) + "malformed expectation \"" + line +
                          "\"; write // expect <normal|tsan|asan>: <clean | kind @marker...>");
    } else if (std::regex_search(line, m, marker_re)) {
      const std::string name = m[1];
      const auto [it, inserted] = file.markers.emplace(name, number);
      if (!inserted) {
        throw CaseFileError(at(path, number) + "marker @" + name + " is already on line " +
                            std::to_string(it->second) + "; each marker names one line");
      }
    } else if (std::regex_search(line, m, test_case_re)) {
      Variant v;
      v.name = m[1];
      v.line = number;
      v.expectations = std::move(pending);
      pending.clear();
      file.variants.push_back(std::move(v));
    }
  }
  if (!pending.empty()) {
    throw CaseFileError(at(path, pending.front().line) +
                        "expectation is followed by no TEST_CASE; put it right above its variant");
  }
  // Every marker an expectation names must exist: checked for the whole file, so a dangling
  // reference fails every variant's test, not only the one that would have used it.
  for (const auto& v : file.variants) {
    for (const auto& e : v.expectations) {
      for (const auto& marker : e.markers) file.marker_line(marker, e);
    }
  }
  return file;
}

CaseFile read_case_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw CaseFileError(path + ": cannot read the case file (does it exist?)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_case_file(text.str(), path);
}

const Expectation& expectation_for(const CaseFile& file, const Variant& variant,
                                   const std::string& sanitizer, const std::string& compiler) {
  const Expectation* general = nullptr;
  for (const auto& e : variant.expectations) {
    if (e.key == sanitizer + "-" + compiler) return e;
    if (e.key == sanitizer) general = &e;
  }
  if (general) return *general;
  throw CaseFileError(at(file.path, variant.line) + "variant \"" + variant.name +
                      "\" has no expectation for " + sanitizer +
                      "; add // expect " + sanitizer + ": ... above its TEST_CASE");
}

}  // namespace racebook
