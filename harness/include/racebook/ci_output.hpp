// Reports in the formats CI systems read: SARIF 2.1.0 (code-scanning alerts), GitHub workflow
// commands (pull-request annotations), and a stable signature per report, so a pipeline can
// de-duplicate the same race seen in many tests and gate on new reports only (baselines).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "racebook/report.hpp"

namespace racebook {

// A report's identity across runs: its kind and its key frames' function and file:line (paths
// relative to `source_root` when under it), never addresses, pids, thread numbers or build ids.
// The same race seen by two tests, or by the same test twice, has one signature.
std::string report_signature(const Report& report, const std::filesystem::path& source_root);

struct CiOutputOptions {
  std::filesystem::path source_root;  // file paths under it are written relative to it
  std::string log_name;               // where the reports were read ("-" for standard input)
};

// SARIF 2.1.0: one run of the tool "racebook", one rule per kind met, one result per report
// (ruleId = kind, level error, message = headline); the key frames as locations and the other
// frames of its stacks as relatedLocations; partialFingerprints carry the signature.
void write_sarif(std::ostream& out, const std::vector<Report>& reports, const CiOutputOptions& options);

// GitHub Actions workflow commands: one "::error file=F,line=L,title=T::message" per report, at
// its first key frame under the source root (or without file= when it has none).
void write_github(std::ostream& out, const std::vector<Report>& reports, const CiOutputOptions& options);

// Baselines: a JSON file {"format": "racebook-baseline", "version": 1, "signatures": [...]}.
// read_baseline throws std::runtime_error naming the file on anything else.
std::set<std::string> read_baseline(const std::filesystem::path& file);
void write_baseline(std::ostream& out, const std::vector<Report>& reports,
                    const std::filesystem::path& source_root);

}  // namespace racebook
