// racebook::ReportStream: a log fed in pieces of any size parses exactly as the whole log does,
// reports come out as soon as they end, a report that never ends is cut at the stream's
// bounds, and ParseOutputWriter prints what parse_output(...).dump(2) prints, byte for byte.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "racebook/json.hpp"
#include "racebook/report.hpp"

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every test log: the captured real runs and the hand-made shapes.
std::vector<std::filesystem::path> all_logs() {
  std::vector<std::filesystem::path> logs;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(RACEBOOK_TEST_DATA))
    if (entry.is_regular_file() && entry.path().extension() == ".log") logs.push_back(entry.path());
  std::sort(logs.begin(), logs.end());
  return logs;
}

// Everything a report holds, the fields the JSON leaves out (raw, addresses) included.
std::string describe(const std::vector<racebook::Report>& reports) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : reports) {
    nlohmann::json j = racebook::to_json(r);
    j["raw"] = r.raw;
    j["truncated"] = r.truncated;
    nlohmann::json addresses = nlohmann::json::array();
    for (const auto& a : r.accesses) addresses.push_back(a.address);
    j["addresses"] = addresses;
    all.push_back(j);
  }
  return all.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<racebook::Report> parse_in_pieces(std::string_view log, std::size_t piece) {
  std::vector<racebook::Report> reports;
  racebook::ReportStream stream([&](racebook::Report&& r) { reports.push_back(std::move(r)); });
  for (std::size_t pos = 0; pos < log.size(); pos += piece) stream.feed(log.substr(pos, piece));
  stream.finish();
  return reports;
}

std::vector<racebook::Report> parse_in_random_pieces(std::string_view log, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<racebook::Report> reports;
  racebook::ReportStream stream([&](racebook::Report&& r) { reports.push_back(std::move(r)); });
  std::size_t pos = 0;
  while (pos < log.size()) {
    const std::size_t piece = std::uniform_int_distribution<std::size_t>(0, 300)(rng);
    stream.feed(log.substr(pos, piece));
    pos += piece;
  }
  stream.finish();
  return reports;
}

std::string printed(const std::vector<racebook::Report>& reports) {
  std::string out;
  racebook::ParseOutputWriter writer(out);
  for (const auto& r : reports) writer.add(r);
  writer.finish();
  return out;
}

std::string dumped(const std::vector<racebook::Report>& reports) {
  return racebook::parse_output(reports).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// A report whose stack never ended: cut (truncated) within the stream's bounds, with the
// frames it had before the cut (more than the 1000 fed at once, fewer than the entry bound).
void check_cut_within_bounds(const racebook::Report& cut) {
  CHECK(cut.truncated);
  CHECK(cut.raw.size() <= racebook::ReportStream::kMaxReportBytes);
  REQUIRE(cut.accesses.size() == 1);
  CHECK(cut.accesses[0].stack.frames.size() > 1000);
  CHECK(cut.accesses[0].stack.frames.size() <= racebook::ReportStream::kMaxReportEntries);
}

}  // namespace

TEST_CASE("stream.every_log_in_any_pieces_parses_as_the_whole", "[parser][stream]") {
  const auto logs = all_logs();
  REQUIRE(logs.size() > 500);
  int wrong = 0;
  for (const auto& path : logs) {
    const std::string log = read_all(path);
    const std::string whole = describe(racebook::parse_reports(log));
    for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                              std::size_t{64}, std::size_t{4096}}) {
      if (describe(parse_in_pieces(log, piece)) != whole) {
        ++wrong;
        UNSCOPED_INFO(path.string() << " differs when fed " << piece << " bytes at a time");
      }
    }
    if (describe(parse_in_random_pieces(log, static_cast<unsigned>(log.size()))) != whole) {
      ++wrong;
      UNSCOPED_INFO(path.string() << " differs when fed in random pieces");
    }
  }
  CHECK(wrong == 0);
}

// The same log through a stream that drops the reports' text (what `parse` reads with).
std::vector<racebook::Report> parse_without_text(std::string_view log, std::size_t piece) {
  std::vector<racebook::Report> reports;
  racebook::ReportStream stream([&](racebook::Report&& r) { reports.push_back(std::move(r)); },
                                racebook::ReportText::Drop);
  for (std::size_t pos = 0; pos < log.size(); pos += piece) stream.feed(log.substr(pos, piece));
  stream.finish();
  return reports;
}

std::vector<racebook::Report> without_text(std::vector<racebook::Report> reports) {
  for (auto& r : reports) r.raw.clear();
  return reports;
}

TEST_CASE("stream.dropping_the_text_changes_nothing_else", "[parser][stream]") {
  int wrong = 0;
  for (const auto& path : all_logs()) {
    const std::string log = read_all(path);
    const auto kept = racebook::parse_reports(log);
    const auto dropped = parse_without_text(log, 97);
    for (const auto& r : dropped) CHECK(r.raw.empty());
    if (describe(dropped) != describe(without_text(kept))) {
      ++wrong;
      UNSCOPED_INFO(path.string() << " parses differently when the text is dropped");
    }
  }
  CHECK(wrong == 0);
  // Where a report that never ends is cut does not depend on whether its text is kept.
  std::string endless = "WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size 4 at 0x1 by thread T1:\n";
  // Long lines, so the text bound (not the frame bound) is what cuts it.
  const std::string frame = "    #0 f(int) /src/" + std::string(200, 'd') + "/a.cpp:1:2 (prog+0x1234)\n";
  while (endless.size() < (std::size_t{10} << 20)) endless += frame;
  endless += "WARNING: ThreadSanitizer: thread leak (pid=1)\n";
  const auto kept = racebook::parse_reports(endless);
  const auto dropped = parse_without_text(endless, 65536);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0].truncated);
  CHECK(describe(dropped) == describe(without_text(kept)));
}

TEST_CASE("stream.all_logs_glued_parse_as_each_alone", "[parser][stream]") {
  // One long log of every test log with program output in between: the same reports, in order,
  // with their line numbers moved by the lines before them.
  std::string glued;
  std::vector<racebook::Report> expected;
  int lines = 0;
  for (const auto& path : all_logs()) {
    std::string log = read_all(path);
    if (!log.empty() && log.back() != '\n') log += '\n';
    for (auto& r : racebook::parse_reports(log)) {
      r.first_line += lines;
      expected.push_back(std::move(r));
    }
    glued += log;
    lines += static_cast<int>(std::count(log.begin(), log.end(), '\n'));
    glued += "program: done\n\n";
    lines += 2;
  }
  const auto whole = racebook::parse_reports(glued);
  // A log that ends inside a report (no closing line) takes the program's lines after it, so
  // only kinds, headlines and line numbers are compared here.
  REQUIRE(whole.size() == expected.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    CHECK(whole[i].kind == expected[i].kind);
    CHECK(whole[i].headline == expected[i].headline);
    CHECK(whole[i].first_line == expected[i].first_line);
  }
  CHECK(describe(parse_in_pieces(glued, 65536)) == describe(whole));
  CHECK(describe(parse_in_random_pieces(glued, 1)) == describe(whole));
}

TEST_CASE("stream.reports_come_out_as_they_end", "[parser][stream]") {
  std::vector<std::string> kinds;
  racebook::ReportStream stream([&](racebook::Report&& r) { kinds.push_back(r.kind); });
  stream.feed("==================\nWARNING: ThreadSanitizer: data race (pid=1)\n"
              "  Write of size 4 at 0x1 by thread T1:\n    #0 f /a.cpp:1:2 (p+0x1)\n"
              "==================\n");
  CHECK(kinds == std::vector<std::string>{"data-race"});
  // A report of another process waits for the earlier, still open one: the order is the log's.
  stream.feed("==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n"
              "==8==ERROR: LeakSanitizer: detected memory leaks\n==8==SUMMARY: LeakSanitizer: 4 byte(s)\n");
  CHECK(kinds.size() == 1);
  stream.feed("==7==ABORTING\n");
  CHECK(kinds == std::vector<std::string>{"data-race", "heap-use-after-free", "memory-leak"});
  stream.finish();
  CHECK(kinds.size() == 3);
}

TEST_CASE("stream.a_report_that_never_ends_is_cut", "[parser][stream]") {
  // A TSan report whose closing line never comes, then 24 MiB of frames: the report keeps what
  // fits in the bounds, says it was cut, and the report after it is still found.
  std::vector<racebook::Report> reports;
  racebook::ReportStream stream([&](racebook::Report&& r) { reports.push_back(std::move(r)); });
  stream.feed("WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size 4 at 0x1 by thread T1:\n");
  const std::string frame = "    #0 f(int) /src/a.cpp:1:2 (prog+0x1234)\n";
  std::string block;
  for (int i = 0; i < 1000; ++i) block += frame;
  std::size_t fed = 0;
  while (fed < (std::size_t{24} << 20)) {
    stream.feed(block);
    fed += block.size();
  }
  CHECK(reports.size() == 1);  // cut, so out before the log ends
  stream.feed("WARNING: ThreadSanitizer: thread leak (pid=1)\n");
  stream.finish();
  REQUIRE(reports.size() == 2);
  check_cut_within_bounds(reports[0]);
  CHECK(reports[1].kind == "thread-leak");
  CHECK_FALSE(reports[1].truncated);
  const std::string json = printed(reports);
  CHECK(json == dumped(reports));
  CHECK(json.find("\"truncated\": true") != std::string::npos);
}

TEST_CASE("stream.a_line_that_never_ends_is_cut", "[parser][stream]") {
  std::vector<racebook::Report> reports;
  racebook::ReportStream stream([&](racebook::Report&& r) { reports.push_back(std::move(r)); });
  stream.feed("==3==ERROR: AddressSanitizer: SEGV on unknown address 0x0 ");
  const std::string junk(1 << 16, 'x');
  for (int i = 0; i < 64; ++i) stream.feed(junk);  // 4 MiB of one line
  stream.feed("\n    #0 0x1 in main /a.cpp:3\n==3==ABORTING\n");
  stream.finish();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].truncated);
  CHECK(reports[0].kind == "SEGV");
  CHECK(reports[0].headline.size() <= racebook::ReportStream::kMaxLineBytes);
  REQUIRE(reports[0].stack.frames.size() == 1);
  CHECK(reports[0].stack.frames[0].function == "main");
}

TEST_CASE("stream.writer_prints_what_nlohmann_prints", "[parser][stream][json]") {
  int wrong = 0;
  for (const auto& path : all_logs()) {
    const auto reports = racebook::parse_reports(read_all(path));
    if (printed(reports) != dumped(reports)) {
      ++wrong;
      UNSCOPED_INFO(path.string() << ": ParseOutputWriter differs from parse_output().dump(2)");
    }
  }
  CHECK(wrong == 0);
  CHECK(printed({}) == dumped({}));
  // Strings that need escaping or replacing, and every optional field set.
  racebook::Report r;
  r.tool = "ThreadSanitizer";
  r.kind = "data-race";
  r.headline = "quote \" backslash \\ tab \t bell \x07 del \x7f é invalid \xff\xfe end";
  r.first_line = 12;
  r.pid = -4;
  r.truncated = true;
  r.location = "Location is global 'ü'";
  r.summary = "SUMMARY: x";
  r.ubsan_site = racebook::Frame{0, "<null>", "/a b/ü.cpp", 3, 0, ""};
  r.stack.frames.push_back({1, "operator()", "", 0, 0, "0x1"});
  r.stack.restored = false;
  racebook::Access a;
  a.mutexes_held = {"M0", "M\n1"};
  a.stack.frames.push_back({0, "f", "/a.cpp", 1, 2, "p+0x1"});
  r.accesses = {a, racebook::Access{}};
  r.mutexes.push_back({"Mutex M0 created at:", "M0", "", "T1", true, {}});
  r.threads.push_back({"T1", "5", "finished", "T0", {}});
  r.sections.push_back({"", {}});
  CHECK(printed({r, r}) == dumped({r, r}));
}

TEST_CASE("stream.a_headline_is_found_at_any_position_in_its_line", "[parser][stream]") {
  // The marker search reads lines sixteen bytes at a time: a marker across those blocks, at the
  // very end of a line or in a line shorter than a block is still found.
  for (const std::string marker :
       {"WARNING: ThreadSanitizer: data race (pid=1)", "x.cpp:3:5: runtime error: division by zero",
        "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x0"}) {
    for (std::size_t before = 0; before <= 40; ++before) {
      const std::string text = std::string(before, marker[0] == 'x' ? '/' : 'p') + marker + "\n";
      const auto reports = racebook::parse_reports(text);
      INFO(text);
      REQUIRE(reports.size() == 1);
      CHECK(reports[0].kind != "unknown");
    }
  }
  CHECK(racebook::parse_reports("ThreadSanitizer:\nSanitizer :\nruntime error:\n").empty());
}

TEST_CASE("stream.valgrind_logs_are_among_them", "[parser][stream][valgrind]") {
  // The invariants above hold for Helgrind's and DRD's logs too: they are among all_logs().
  std::size_t helgrind = 0, drd = 0;
  for (const auto& path : all_logs()) {
    const std::string name = path.filename().string();
    if (name.find(".helgrind") != std::string::npos) ++helgrind;
    if (name.find(".drd.") != std::string::npos) ++drd;
  }
  CHECK(helgrind >= 15);
  CHECK(drd >= 15);
}

TEST_CASE("stream.a_valgrind_report_that_never_ends_is_cut", "[parser][stream][valgrind]") {
  // Helgrind: a race whose stack never ends, then the next report; and a separator followed by
  // lock blocks that never reach a headline. Both stay within the bounds.
  for (const bool headline : {true, false}) {
    INFO(headline);
    std::vector<racebook::Report> reports;
    racebook::ReportStream stream([&](racebook::Report&& r) { reports.push_back(std::move(r)); });
    stream.feed("==1== Helgrind, a thread error detector\n"
                "==1== ----------------------------------------------------------------\n");
    stream.feed(headline ? "==1== Possible data race during write of size 4 at 0x1 by thread #2\n"
                         : "==1==  Lock at 0x10C0A0 was first observed\n");
    const std::string frame = "==1==    by 0x10919D: f(int) (/src/a b.cpp:7)\n";
    std::string block;
    for (int i = 0; i < 1000; ++i) block += frame;
    for (std::size_t fed = 0; fed < (std::size_t{12} << 20); fed += block.size()) stream.feed(block);
    CHECK(reports.size() == (headline ? 1u : 0u));  // cut, so out before the log ends
    stream.feed("==1== ----------------------------------------------------------------\n"
                "==1== Thread #1: pthread_mutex_destroy of a locked mutex\n"
                "==1==    at 0x1: main (/src/a b.cpp:9)\n");
    stream.finish();
    REQUIRE(reports.size() == (headline ? 2u : 1u));
    if (headline) check_cut_within_bounds(reports[0]);
    CHECK(reports.back().kind == "destroy-of-locked-mutex");
    CHECK_FALSE(reports.back().truncated);
    CHECK(reports.back().stack.frames.at(0).file == "/src/a b.cpp");
  }
}
