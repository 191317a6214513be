// The JSON form of parsed reports: what `racebook-harness parse` prints (fields in README.md).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "racebook/report.hpp"

namespace racebook {

nlohmann::json to_json(const Frame& frame);
nlohmann::json to_json(const Stack& stack);
// A report's "signature" is report_signature(report, source_root) (ci_output.hpp); an empty
// root leaves the frames' paths as printed.
nlohmann::json to_json(const Report& report, const std::filesystem::path& source_root = {});
nlohmann::json to_json(const std::vector<Report>& reports, const std::filesystem::path& source_root = {});

// The version of `parse`'s output format (docs/parse.schema.json); raised whenever a field
// changes meaning or goes away.
constexpr int kParseFormatVersion = 1;

// What `racebook-harness parse` prints: {"format": "racebook-parse", "version": 1,
// "reports": [...]}.
nlohmann::json parse_output(const std::vector<Report>& reports,
                            const std::filesystem::path& source_root = {});

// Appends to `out` what to_json(report, source_root).dump(2, ' ', false, error_handler_t::replace) prints
// for a report nested `depth` levels deep (its first line unindented: the caller writes that
// indentation), byte for byte, without building the nlohmann::json value: several times faster,
// for logs of gigabytes.
void append_json(std::string& out, const Report& report, int depth,
                 const std::filesystem::path& source_root = {});

// Writes parse_output(reports, source_root).dump(2, ' ', false, error_handler_t::replace) followed by a
// newline, byte for byte, one report at a time as a ReportStream finishes them: the head with
// the first report (or at finish()), each report with add(), the tail at finish(). Appends to
// `out`, which the caller may write out and clear at any time.
class ParseOutputWriter {
 public:
  explicit ParseOutputWriter(std::string& out, std::filesystem::path source_root = {})
      : out_(out), source_root_(std::move(source_root)) {}
  void add(const Report& report);
  void finish();

 private:
  std::string& out_;
  std::filesystem::path source_root_;
  bool any_ = false;
};

}  // namespace racebook
