// The verdict tables racebook prints and writes from result files: the `summary` command's
// table of one preset, the cell every verdict table shares with docs/, and the stability page
// (docs/stability.{md,json}) of the --repeat runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "racebook/results.hpp"

namespace racebook {

// A result's cell in every verdict table: "data-race ✓", "clean ✓", or "✗ <what was seen>".
std::string verdict_cell(const nlohmann::json& result);

// What `racebook-harness summary` prints for one preset: a headline with the counts, then one
// line per variant with its verdict cell, then the tests without a result and the files that
// are not results.
std::string summary_text(const PresetVerdicts& verdicts);

// The stability run's record: from results written with --repeat in `runs`, writes
// docs/stability.json (every variant's runs and matches per preset) and docs/stability.md (a
// column per preset, each cell the verdict expected in that preset and its matched runs).
// Returns the variants that were not exact (racy not detected in every run, or clean reported).
std::vector<std::string> write_stability(const std::filesystem::path& project_dir,
                                         const std::vector<PresetRun>& runs);

// Where and when a generated page was made: the first line of a small file such as
// /proc/sys/vm/mmap_rnd_bits (or "unknown"), and the time now ("2026-11-24 20:45 UTC").
std::string read_first_line(const std::filesystem::path& path);
std::string utc_now();

}  // namespace racebook
