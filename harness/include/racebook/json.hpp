// The JSON form of parsed reports: what `racebook-harness parse` prints (fields in README.md).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "racebook/report.hpp"

namespace racebook {

nlohmann::json to_json(const Frame& frame);
nlohmann::json to_json(const Stack& stack);
nlohmann::json to_json(const Report& report);
nlohmann::json to_json(const std::vector<Report>& reports);

// The version of `parse`'s output format (docs/parse.schema.json); raised whenever a field
// changes meaning or goes away.
constexpr int kParseFormatVersion = 1;

// What `racebook-harness parse` prints: {"format": "racebook-parse", "version": 1,
// "reports": [...]}.
nlohmann::json parse_output(const std::vector<Report>& reports);

}  // namespace racebook
