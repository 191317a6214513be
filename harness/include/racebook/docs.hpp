// The generated parts of docs/: verdict tables, real report excerpts and the verdict matrix,
// all taken from the result files that `racebook-harness run --results` writes in each preset.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace racebook {

// The six presets, in the order the docs show them.
const std::vector<std::string>& all_presets();

// The first line of a small file such as /proc/sys/vm/mmap_rnd_bits, or "unknown".
std::string read_first_line(const std::filesystem::path& path);

// A result's cell in every verdict table: "data-race ✓", "clean ✓", or "✗ <what was seen>".
std::string verdict_cell(const nlohmann::json& result);

// One preset's build: what racebook-build.json says of it and its results by
// "scenario.variant".
struct PresetRun {
  std::string preset;
  nlohmann::json build;
  std::map<std::string, nlohmann::json> results;
};

// Loads build/<preset>/racebook-build.json and build/<preset>/results/*.json for every preset.
// Throws std::runtime_error naming the preset and the command that produces what is missing.
std::vector<PresetRun> load_runs(const std::filesystem::path& build_root,
                                 const std::vector<std::string>& presets = all_presets());

// The stability run's record: from results written with --repeat in `presets`, writes
// docs/stability.json (every variant's runs and matches per preset) and docs/stability.md.
// Returns the variants that were not exact (racy not detected in every run, or clean reported).
std::vector<std::string> write_stability(const std::filesystem::path& project_dir,
                                         const std::vector<PresetRun>& runs);

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
//   <!-- racebook:report SCENARIO.VARIANT PRESET --> ... <!-- /racebook:report -->
//   <!-- racebook:measured SCENARIO.VARIANT --> ... <!-- /racebook:measured -->  (an oracle's
//     "measured: " lines per preset: shown, and required to exist, but never compared)
// A block naming a scenario, variant or preset with no result is a problem in both modes.
DocsOutcome update_docs(const std::filesystem::path& project_dir,
                        const std::vector<PresetRun>& runs, bool check);

}  // namespace racebook
