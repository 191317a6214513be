// Every captured log of harness/tests/data/captured (real runs of the programs in
// data/programs/kinds on gcc 11 and 12 and clang 14, 16 and 19, see data/capture.sh) parses to
// exactly the kind its index says, with a stack, whatever layout the log was given (a CI
// prefix, CRLF, colours).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "racebook/kinds.hpp"
#include "racebook/report.hpp"

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Entry {
  std::string toolchain, program, kind, log;
};

std::vector<Entry> index_entries() {
  std::vector<Entry> out;
  std::istringstream in(read_all(std::string(RACEBOOK_TEST_DATA) + "/captured/index.tsv"));
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Entry e;
    std::getline(fields, e.toolchain, '\t');
    std::getline(fields, e.program, '\t');
    std::getline(fields, e.kind, '\t');
    std::getline(fields, e.log, '\t');
    if (!e.log.empty()) out.push_back(e);
  }
  return out;
}

bool has_frames(const racebook::Report& r) {
  if (!r.stack.frames.empty()) return true;
  for (const auto& a : r.accesses) if (!a.stack.frames.empty()) return true;
  for (const auto& m : r.mutexes) if (!m.stack.frames.empty()) return true;
  for (const auto& t : r.threads) if (!t.stack.frames.empty()) return true;
  for (const auto& s : r.sections) if (!s.stack.frames.empty()) return true;
  return false;
}

}  // namespace

TEST_CASE("captured.every_log_parses_to_its_kind", "[parser][captured]") {
  const auto entries = index_entries();
  REQUIRE(entries.size() > 400);
  std::map<std::string, int> wrong_by_kind;
  int wrong = 0;
  for (const auto& e : entries) {
    const auto reports = racebook::parse_reports(read_all(std::string(RACEBOOK_TEST_DATA) + "/" + e.log));
    std::string seen;
    for (const auto& r : reports) seen += (seen.empty() ? "" : ",") + r.kind;
    const bool ok = !reports.empty() && reports.front().kind == e.kind && has_frames(reports.front()) &&
                    racebook::find_kind(e.kind) != nullptr;
    if (!ok) {
      ++wrong;
      ++wrong_by_kind[e.kind];
      UNSCOPED_INFO(e.log << ": expected " << e.kind << ", parsed [" << seen << "]"
                          << (reports.empty() || has_frames(reports.front()) ? "" : " without frames"));
    }
  }
  CHECK(wrong == 0);
}

TEST_CASE("captured.external_race_has_both_accesses", "[parser][captured]") {
  // "Modifying access of MyLibrary::Object at 0x.. by main thread:" and its previous access.
  for (const char* toolchain : {"gcc-11", "gcc-12", "clang-14", "clang-16", "clang-19"}) {
    const auto reports = racebook::parse_reports(read_all(std::string(RACEBOOK_TEST_DATA) +
                                                          "/captured/" + toolchain +
                                                          "/tsan.external-race.log"));
    REQUIRE(reports.size() >= 1);
    CHECK(reports.front().kind == "race-on-external-object");
    REQUIRE(reports.front().accesses.size() == 2);
    CHECK(reports.front().accesses[1].previous);
    CHECK_FALSE(reports.front().accesses[0].stack.frames.empty());
  }
}

TEST_CASE("captured.ci_prefix_is_not_part_of_the_report", "[parser][captured]") {
  const auto plain = racebook::parse_reports(
      read_all(std::string(RACEBOOK_TEST_DATA) + "/captured/clang-19/tsan.data-race.log"));
  const auto prefixed = racebook::parse_reports(
      read_all(std::string(RACEBOOK_TEST_DATA) + "/captured/clang-19/tsan.data-race.ci-prefix.log"));
  REQUIRE(plain.size() == prefixed.size());
  REQUIRE_FALSE(plain.empty());
  CHECK(prefixed.front().headline == plain.front().headline);
  REQUIRE(prefixed.front().accesses.size() == plain.front().accesses.size());
  CHECK(prefixed.front().accesses[0].stack.frames.size() == plain.front().accesses[0].stack.frames.size());
  // Program text that merely starts like a date is not a prefix.
  CHECK(racebook::parse_reports("2026-11-25 was a Wednesday\n").empty());
}

TEST_CASE("captured.blank_lines_between_frames_keep_one_stack", "[parser][captured]") {
  // Some platforms print a blank line after every frame: the stack must stay one stack.
  for (const char* toolchain : {"gcc-12", "clang-19"}) {
    const std::string log =
        read_all(std::string(RACEBOOK_TEST_DATA) + "/captured/" + toolchain + "/asan.heap-buffer-overflow.log");
    std::string spaced;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
      spaced += line + "\n";
      if (line.rfind("    #", 0) == 0) spaced += "\n";
    }
    const auto plain = racebook::parse_reports(log);
    const auto blank = racebook::parse_reports(spaced);
    REQUIRE(plain.size() == 1);
    REQUIRE(blank.size() == 1);
    CHECK(blank[0].sections.size() == plain[0].sections.size());
    REQUIRE(blank[0].accesses.size() == plain[0].accesses.size());
    CHECK(blank[0].accesses[0].stack.frames.size() == plain[0].accesses[0].stack.frames.size());
  }
}
