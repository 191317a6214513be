// The detector matrix (docs/detectors.md): every variant's truth against what each detector —
// one build directory each: TSan per toolchain, ASan+UBSan, Helgrind, DRD — reported in a real
// run, with precision, recall and F1 counted at line level and per variant.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "racebook/expectation.hpp"

namespace racebook {

// What one detector did on one variant, against the variant's truth.
enum class Finding {
  found,         // a report of the truth's kind at the truth's marked lines
  other_lines,   // reports, but none of the truth's kind at its lines
  missed,        // no report, though the detector reports the truth's kind
  false_alarm,   // a report on a variant whose truth is clean
  out_of_scope,  // no report, and the detector does not report the truth's kind at all
  clean,         // no report on a clean variant
  not_run,       // no result (or one older than the observed_reports field)
};
std::string_view finding_name(Finding f);

// A report as a result file keeps it (the "observed_reports" field of `racebook-harness run`).
struct ObservedReport {
  std::string kind;
  std::string tool;
  std::vector<std::pair<std::string, int>> sites;  // file (relative to the source root), line
  bool one_access = false;  // its one site is the race's one access ("access 1"), not a fallback
};
std::vector<ObservedReport> observed_reports(const nlohmann::json& result);

// The truth's kind and marked sites, and the detector whose run is judged.
struct TruthSites {
  bool clean = true;
  std::string kind;
  std::vector<std::pair<std::string, int>> sites;
};

// The finding, and whether a report was not at the truth's lines (line-level false positive)
// even where another one was.
struct Classified {
  Finding finding = Finding::not_run;
  bool stray_report = false;
};
Classified classify(const TruthSites& truth, const std::string& detector,
                    const std::vector<ObservedReport>& reports);

// Precision, recall and F1 of one detector, counted two ways.
struct Score {
  int tp = 0, fp = 0, fn = 0, tn = 0;
};
void add_line_level(Score& s, const TruthSites& truth, const Classified& c);
void add_per_variant(Score& s, const TruthSites& truth, const Classified& c);

// Reads the case files under PROJECT/cases and the results of each build directory (its
// racebook-build.json and results/), and returns docs/detectors.md's text. Throws
// std::runtime_error naming a build directory that is not one.
std::string detectors_page(const std::filesystem::path& project_dir,
                           const std::vector<std::filesystem::path>& build_dirs);

// The cells of `fresh`'s verdict table that `committed` (the page in docs/) has otherwise, for
// the columns both have, one line each ("counter_race.unlocked, TSan · gcc 12.2.0: the page says
// found, this run other lines"), and each column of `fresh` the page lacks. Empty: they agree.
// A run of some toolchains checks their columns and leaves the others alone.
std::vector<std::string> detectors_differences(const std::string& committed, const std::string& fresh);

}  // namespace racebook
