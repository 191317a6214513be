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

// Where a marker stands: the case file, or a file under the case's source root (the racing
// line is often in the library under test, not in the test).
struct MarkerSite {
  std::string file;
  int line = 0;
};

struct CaseFile {
  std::string path;
  std::string source_root;             // where markers the case file lacks are looked for ("" = nowhere)
  std::map<std::string, int> markers;  // the case file's own markers: name -> line
  std::map<std::string, MarkerSite> library_markers;  // markers its expectations name, found
                                                      // in other files under source_root
  std::vector<Variant> variants;

  // The variant by name; throws CaseFileError naming the file and the variants it has.
  const Variant& variant(std::string_view name) const;
  // The marker's file and line: the case file's own marker, or else the one under source_root.
  // Throws CaseFileError naming the file and the expectation's line.
  MarkerSite marker_site(const std::string& marker, const Expectation& where) const;
  // The marker's line (in whichever file marker_site finds it).
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
//
// A marker an expectation names is looked for in the case file first; when it is not there and
// `source_root` is given, in the other C/C++ files under source_root (recursively; hidden
// directories, build trees (a CMakeCache.txt) and other case files (a TEST_CASE) are skipped).
// It must then stand on exactly one line of one file, or the expectation is refused naming
// every place it was found.
CaseFile read_case_file(const std::string& path, const std::string& source_root = "");
CaseFile parse_case_file(std::string_view text, const std::string& path,
                         const std::string& source_root = "");

// The expectation that applies to a sanitizer ("normal", "tsan", "asan") and compiler ("gcc",
// "clang"): "tsan-clang" over "tsan". Throws CaseFileError when the variant has none.
// The same, or nullptr when the variant has none for that sanitizer.
const Expectation* find_expectation(const Variant& variant, const std::string& sanitizer,
                                    const std::string& compiler);
const Expectation& expectation_for(const CaseFile& file, const Variant& variant,
                                   const std::string& sanitizer, const std::string& compiler);

}  // namespace racebook
