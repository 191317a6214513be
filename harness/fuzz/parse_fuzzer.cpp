// libFuzzer target for the report parser: any bytes in, reports (and their JSON) out, and the
// invariants below must hold. Built only by the `fuzz` preset (clang, -fsanitize=fuzzer,
// address,undefined), seeded with the real captured logs of harness/tests/data.
//
// The log is parsed twice: whole (parse_reports) and through a ReportStream fed in pieces whose
// sizes come from the input itself (its first byte seeds them, from 0 bytes to whole), keeping
// the reports' text or dropping it (ReportText::Drop, as `parse` reads; also drawn from the
// input), and both must give the same reports, field for field (the text only when kept). The
// JSON `parse` prints (ParseOutputWriter) must never throw and, for a quarter of the small
// inputs (drawn from the input too), must be what nlohmann::json's dump() prints.
//
// This file is the oracle, not the code under test: it is built without coverage counters
// (harness/fuzz/CMakeLists.txt), so that what guides the fuzzer is the parser's own code.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "racebook/json.hpp"
#include "racebook/report.hpp"

namespace {

bool same(const racebook::Frame& a, const racebook::Frame& b) {
  return a.index == b.index && a.function == b.function && a.file == b.file && a.line == b.line &&
         a.column == b.column && a.module == b.module;
}

bool same(const racebook::Stack& a, const racebook::Stack& b) {
  if (a.restored != b.restored || a.frames.size() != b.frames.size()) return false;
  for (std::size_t i = 0; i < a.frames.size(); ++i)
    if (!same(a.frames[i], b.frames[i])) return false;
  return true;
}

bool same(const racebook::Report& a, const racebook::Report& b, bool compare_raw = true) {
  if (a.tool != b.tool || a.kind != b.kind || a.headline != b.headline || a.first_line != b.first_line ||
      !same(a.stack, b.stack) || a.location != b.location || a.summary != b.summary ||
      (compare_raw && a.raw != b.raw) ||
      a.pid != b.pid || a.truncated != b.truncated || a.accesses.size() != b.accesses.size() ||
      a.mutexes.size() != b.mutexes.size() || a.threads.size() != b.threads.size() ||
      a.sections.size() != b.sections.size() || a.ubsan_site.has_value() != b.ubsan_site.has_value())
    return false;
  if (a.ubsan_site && !same(*a.ubsan_site, *b.ubsan_site)) return false;
  for (std::size_t i = 0; i < a.accesses.size(); ++i) {
    const auto& x = a.accesses[i];
    const auto& y = b.accesses[i];
    if (x.write != y.write || x.atomic != y.atomic || x.previous != y.previous || x.size != y.size ||
        x.address != y.address || x.thread != y.thread || x.mutexes_held != y.mutexes_held ||
        !same(x.stack, y.stack))
      return false;
  }
  for (std::size_t i = 0; i < a.mutexes.size(); ++i) {
    const auto& x = a.mutexes[i];
    const auto& y = b.mutexes[i];
    if (x.title != y.title || x.mutex != y.mutex || x.held != y.held || x.thread != y.thread ||
        x.created != y.created || !same(x.stack, y.stack))
      return false;
  }
  for (std::size_t i = 0; i < a.threads.size(); ++i) {
    const auto& x = a.threads[i];
    const auto& y = b.threads[i];
    if (x.thread != y.thread || x.tid != y.tid || x.state != y.state || x.created_by != y.created_by ||
        !same(x.stack, y.stack))
      return false;
  }
  for (std::size_t i = 0; i < a.sections.size(); ++i)
    if (a.sections[i].title != b.sections[i].title || !same(a.sections[i].stack, b.sections[i].stack))
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view log(reinterpret_cast<const char*>(data), size);
  const auto reports = racebook::parse_reports(log);
  for (const auto& r : reports) {
    // A report names its kind and where it starts; its raw text comes from the log.
    if (r.kind.empty() || r.first_line < 1 || r.raw.size() > size) std::abort();
  }

  // The same log through the stream, in pieces of sizes drawn from a generator seeded by the
  // input: up to 16, 256 or 4096 bytes, or a window of up to 160 bytes (a line or two, at a
  // place drawn from the input) fed 0 to 3 bytes at a time and the rest in pieces of up to 256;
  // and keeping the reports' text or dropping it (as `parse` reads), also drawn from the input,
  // so each input is parsed twice, not three times. (Feeding the whole input 0 to 3 bytes at a
  // time, as this did before, cost a quarter of the executions; the window still splits lines
  // into many pieces, and over the executions it falls on every place of every input.)
  std::uint32_t state = size == 0 ? 1u : 0x9e3779b9u ^ data[0] ^ (static_cast<std::uint32_t>(size) << 8);
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  const std::uint32_t scale = next() % 4;  // the window, or pieces up to 16, 256 or 4096 bytes
  const std::size_t max_piece = scale == 1 ? 16u : scale == 3 ? 4096u : 256u;
  std::size_t window_from = size;
  std::size_t window_to = size;
  if (scale == 0 && size > 0) {
    window_from = next() % size;
    window_to = window_from + 1 + next() % 160;
  }
  const bool keep_text = (next() & 8u) != 0;
  std::vector<racebook::Report> streamed;
  streamed.reserve(reports.size());  // (the oracle's own growth would cost as much as the reports)
  {
    racebook::ReportStream stream([&](racebook::Report&& r) { streamed.push_back(std::move(r)); },
                                  keep_text ? racebook::ReportText::Keep : racebook::ReportText::Drop);
    std::size_t pos = 0;
    while (pos < size) {
      const bool in_window = pos >= window_from && pos < window_to;
      std::size_t piece = next() % ((in_window ? 3u : max_piece) + 1);  // 0 too: an empty feed is allowed
      if (pos < window_from) piece = std::min(piece, window_from - pos);  // land on the window
      stream.feed(log.substr(pos, piece));
      pos += piece;
    }
    stream.finish();
  }
  if (streamed.size() != reports.size()) std::abort();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!same(streamed[i], reports[i], keep_text)) std::abort();
    if (!keep_text && !streamed[i].raw.empty()) std::abort();
  }

  // What `racebook-harness parse` prints must never throw, whatever bytes the log holds, and
  // is what parse_output().dump(2) prints. That is checked on inputs of up to 512 bytes,
  // one in four (drawn from the input): building and dumping nlohmann::json values cost more
  // than parsing the input, and took a quarter of the time when every small input was checked.
  std::string out;
  out.reserve(8 * size + 4096);  // the JSON of a real log is 2-3 times its size: rarely grown
  racebook::ParseOutputWriter writer(out);
  for (const auto& r : reports) writer.add(r);
  writer.finish();
  if (size <= 512 && next() % 4 == 0 &&
      out != racebook::parse_output(reports).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n")
    std::abort();
  std::string what;
  (void)racebook::runtime_failed_to_start(log, &what);
  return 0;
}
