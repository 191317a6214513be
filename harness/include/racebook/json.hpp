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

}  // namespace racebook
