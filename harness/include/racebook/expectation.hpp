// What a case file promises: its markers (`// @name` on a line) and, above each variant's
// TEST_CASE, one expectation per sanitizer (`// expect tsan: data-race @a @b`).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace racebook {

// A problem in a case file, with the place it was found: "cases/x.cpp:12: ...".
class CaseFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Expectation {
  std::string key;                   // "tsan", or "tsan-clang" for a compiler-specific one
  bool clean = true;                 // no report at all
  std::string kind;                  // report kind slug when not clean: "data-race"
  std::vector<std::string> markers;  // marker names, in the order written
  int line = 0;                      // where it is written
  std::string text;                  // the verdict as written: "data-race @a @b"
};

struct Variant {
  std::string name;                    // the TEST_CASE's name
  int line = 0;                        // line of its TEST_CASE
  std::vector<Expectation> expectations;
};

struct CaseFile {
  std::string path;
  std::map<std::string, int> markers;  // marker name -> line
  std::vector<Variant> variants;

  // The variant by name; throws CaseFileError naming the file and the variants it has.
  const Variant& variant(std::string_view name) const;
  // The marker's line; throws CaseFileError naming the file and the expectation's line.
  int marker_line(const std::string& marker, const Expectation& where) const;
};

// Reads a case file's markers, variants and expectations: the one reader of the format (CMake
// asks it through racebook-read-case). A variant is a TEST_CASE("name") or
// TEST_CASE_METHOD(Fixture, "name") in code, wherever its parts are broken across lines or
// comments. Throws CaseFileError, with file and line, for: a marker written twice or on a
// TEST_CASE line, an expectation that is malformed, names an unknown kind, the wrong number of
// markers for its kind or a marker that does not exist, two expectations for the same key on
// one variant, expectations followed by no TEST_CASE, a variant name that is not
// lower_snake_case or is used twice.
CaseFile read_case_file(const std::string& path);
CaseFile parse_case_file(std::string_view text, const std::string& path);

// The expectation that applies to a sanitizer ("normal", "tsan", "asan") and compiler ("gcc",
// "clang"): "tsan-clang" over "tsan". Throws CaseFileError when the variant has none.
// The same, or nullptr when the variant has none for that sanitizer.
const Expectation* find_expectation(const Variant& variant, const std::string& sanitizer,
                                    const std::string& compiler);
const Expectation& expectation_for(const CaseFile& file, const Variant& variant,
                                   const std::string& sanitizer, const std::string& compiler);

}  // namespace racebook
