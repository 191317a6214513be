// What a case file promises: its markers (`// @name` on a line) and, above each variant's
// TEST_CASE, its ground truth once (`// truth: data-race @a @b`) and each detector's expected
// verdict where it differs from the truth (`// expect helgrind: clean -- missed: ...`). A
// variant without a truth line states one expectation per detector instead (`// expect tsan:`).
#pragma once

#include <map>
#include <optional>
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

// The expected verdict of a detector whose reports cannot be pinned to marked lines (several
// contexts, frames only inside libstdc++): at least one report, of any kind at any lines, and a
// run that ends. Never a truth.
inline constexpr const char* kAnyReport = "any-report";

struct Expectation {
  // Where the expectation comes from: written for this detector, or derived from the truth
  // (the truth itself when the detector reports its kind at all, else clean: out of scope).
  enum class Origin { written, truth, out_of_scope };

  std::string key;                   // "tsan", "tsan-clang", "tsan-clang19"; "truth" for the truth
  bool clean = true;                 // no report at all
  std::string kind;                  // report kind slug when not clean: "data-race"
  std::vector<std::string> markers;  // marker names, in the order written
  int line = 0;                      // where it is written (a derived one: the truth's line)
  std::string text;                  // the verdict as written: "data-race @a @b"
  std::string reason;                // after " -- ": why the detector differs from the truth
  Origin origin = Origin::written;
};

struct Variant {
  std::string name;                    // the TEST_CASE's name
  int line = 0;                        // line of its TEST_CASE
  std::vector<Expectation> expectations;  // as written, in order
  std::optional<Expectation> truth;       // the bug the variant really has, or clean
};

// The detectors an expectation key may name, in the order the docs list them: normal, tsan,
// asan, helgrind, drd.
const std::vector<std::string>& known_detectors();

// Does `detector` report `kind` at all? normal: nothing; tsan: ThreadSanitizer's kinds; asan:
// AddressSanitizer's, LeakSanitizer's and UBSan's; helgrind and drd: the kinds Valgrind's tools
// print (drd has no lock-order check).
bool in_scope(const std::string& detector, const std::string& kind);

// helgrind and drd: the detectors that are Valgrind tools (a plain build run under valgrind).
bool is_valgrind_detector(const std::string& detector);

// Throws std::invalid_argument unless `detector` is one of known_detectors() and `compiler` is
// gcc or clang, optionally followed by a major version ("clang19"); the message names the value.
void check_detector_and_compiler(const std::string& detector, const std::string& compiler);

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

// The expectation that applies to a detector ("normal", "tsan", "asan", "helgrind", "drd") built
// by a compiler ("gcc", "clang", or with its major version: "gcc11", "clang19"). The most
// specific written key wins: "tsan-clang19" over "tsan-clang" over "tsan"; then, for a variant
// with a truth, the truth (kind in the detector's scope) or clean (out of scope).
// find_expectation gives nullptr when nothing applies (a variant without truth nor expectation
// for the detector); expectation_for throws CaseFileError then. The result lives as long as
// `variant` (a derived expectation is kept in a per-variant cache).
std::optional<Expectation> find_expectation(const Variant& variant, const std::string& sanitizer,
                                            const std::string& compiler);
Expectation expectation_for(const CaseFile& file, const Variant& variant,
                            const std::string& sanitizer, const std::string& compiler);

}  // namespace racebook
