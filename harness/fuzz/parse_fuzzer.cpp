// libFuzzer target for the report parser: any bytes in, reports (and their JSON) out, and the
// invariants below must hold. Built only by the `fuzz` preset (clang, -fsanitize=fuzzer,
// address,undefined), seeded with the real captured logs of harness/tests/data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "racebook/json.hpp"
#include "racebook/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view log(reinterpret_cast<const char*>(data), size);
  const auto reports = racebook::parse_reports(log);
  for (const auto& r : reports) {
    // A report names its kind and where it starts; its raw text comes from the log.
    if (r.kind.empty() || r.first_line < 1 || r.raw.size() > size) std::abort();
  }
  // What `racebook-harness parse` prints must never throw, whatever bytes the log holds.
  (void)racebook::to_json(reports).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string what;
  (void)racebook::runtime_failed_to_start(log, &what);
  return 0;
}
