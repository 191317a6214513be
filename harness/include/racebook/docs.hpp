// The generated parts of docs/: verdict tables, real report excerpts and the verdict matrix,
// all taken from the result files that `racebook-harness run --results` writes in each preset.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "racebook/results.hpp"

namespace racebook {

// A report as the docs show it: paths relative to the project, no BuildId, and each stack cut
// after its last frame in our sources.
std::string excerpt(const std::string& raw_report, const std::filesystem::path& project_dir);

// What must stay the same between two runs of a report: its kind and, for each key stack, the
// function, file name and line of its first frame in our sources (sorted: order never matters).
std::string signature(const std::string& report_text, const std::filesystem::path& project_dir);

struct DocsOutcome {
  std::vector<std::string> problems;            // check mode: what is stale or wrong
  std::vector<std::filesystem::path> written;   // write mode: the files changed
};

// Fills (or, with check=true, verifies) every generated block of docs/*.md and the matrix page
// docs/verdicts.md. Blocks:
//   <!-- racebook:verdicts SCENARIO --> ... <!-- /racebook:verdicts -->
//   <!-- racebook:report SCENARIO.VARIANT PRESET [folded] --> ... <!-- /racebook:report -->
//     (folded: under <details>, for a second compiler's report)
//   <!-- racebook:picture SCENARIO.VARIANT PRESET fix SCENARIO.VARIANT: EDGE --> ...
//     <!-- /racebook:picture -->  (writes docs/pictures/SCENARIO.VARIANT.svg from the report; the
//     fix must be clean in the same run; the check compares the report's signature in the SVG)
//   <!-- racebook:measured SCENARIO.VARIANT --> ... <!-- /racebook:measured -->  (an oracle's
//     "measured: " lines per preset: shown, and required to exist, but never compared)
// Verdict tables have a column per run, in the order of `runs` (corpus_presets()' order).
// A block naming a scenario, variant or preset with no result is a problem in both modes.
DocsOutcome update_docs(const std::filesystem::path& project_dir,
                        const std::vector<PresetRun>& runs, bool check);

}  // namespace racebook
