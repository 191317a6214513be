// Every captured log of harness/tests/data/captured (real runs of the programs in
// data/programs/kinds on gcc 11 and 12 and clang 14, 16 and 19, see data/capture.sh) parses to
// exactly the kind its index says, with a stack, whatever layout the log was given (a CI
// prefix, CRLF, colours).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "racebook/ci_output.hpp"
#include "racebook/kinds.hpp"
#include "racebook/report.hpp"
#include "racebook/verdict.hpp"

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

// ---- Valgrind: Helgrind's and DRD's logs of data/programs (capture.sh valgrind), each report
// as it must come out: tool, kind, its key sites in the program (verdict.cpp's key_sites,
// basename:line, sorted; "?" for a key stack with no frame in the program) and its accesses
// ("write #3" = a write by Helgrind's thread #3, "previous" = "This conflicts with a previous").
namespace {

struct VgReport {
  std::string tool, kind;
  std::vector<std::string> sites;
  std::string accesses;
};
struct VgLog {
  std::string name;
  std::vector<VgReport> reports;
};

const std::vector<VgLog> kVgLogs = {
    {"tsan_data_race.helgrind.log",
     {{"Helgrind", "data-race", {"tsan_data_race.cpp:7", "tsan_data_race.cpp:7"}, "read #3, write #2 previous"},
      {"Helgrind", "data-race", {"tsan_data_race.cpp:7", "tsan_data_race.cpp:7"}, "write #3, write #2 previous"}}},
    {"tsan_data_race_atomic.helgrind.log",
     {{"Helgrind", "data-race", {"tsan_data_race_atomic.cpp:12", "tsan_data_race_atomic.cpp:8"}, "write #3, read #2 previous"}}},
    {"tsan_destroy_locked.helgrind.log",
     {{"Helgrind", "destroy-of-locked-mutex", {"tsan_destroy_locked.cpp:8"}, ""}}},
    {"tsan_lock_order_inversion.helgrind.log",
     {{"Helgrind", "lock-order-inversion", {"tsan_lock_order_inversion.cpp:12", "tsan_lock_order_inversion.cpp:17"}, ""}}},
    {"tsan_race_mutex_held.helgrind.log",
     {{"Helgrind", "data-race", {"tsan_race_mutex_held.cpp:10", "tsan_race_mutex_held.cpp:14"}, "read #3, write #2 previous"},
      {"Helgrind", "data-race", {"tsan_race_mutex_held.cpp:10", "tsan_race_mutex_held.cpp:14"}, "write #3, write #2 previous"}}},
    {"tsan_thread_leak.helgrind.log",
     {}},
    {"tsan_two_reports.helgrind.log",
     {{"Helgrind", "data-race", {"tsan_two_reports.cpp:9", "tsan_two_reports.cpp:9"}, "read #3, write #2 previous"},
      {"Helgrind", "data-race", {"tsan_two_reports.cpp:9", "tsan_two_reports.cpp:9"}, "write #3, write #2 previous"},
      {"Helgrind", "data-race", {"tsan_two_reports.cpp:13", "tsan_two_reports.cpp:13"}, "read #5, write #4 previous"},
      {"Helgrind", "data-race", {"tsan_two_reports.cpp:13", "tsan_two_reports.cpp:13"}, "write #5, write #4 previous"}}},
    {"tsan_unlock_unlocked.helgrind.log",
     {{"Helgrind", "unlock-of-unlocked-mutex", {"tsan_unlock_unlocked.cpp:7"}, ""}}},
    {"vg_cond_wait_unheld.helgrind.log",
     {{"Helgrind", "pthread-api-misuse", {"vg_cond_wait_unheld.cpp:14"}, ""}}},
    {"vg_double_lock.helgrind.log",
     {{"Helgrind", "double-lock", {"vg_double_lock.cpp:15"}, ""}}},
    {"vg_exit_holding_lock.helgrind.log",
     {{"Helgrind", "mutex-still-locked-at-thread-exit", {"?"}, ""}}},
    {"vg_heap_race.helgrind-history-none.log",
     {{"Helgrind", "data-race", {"vg_heap_race.cpp:11"}, "write #2"}}},
    {"vg_heap_race.helgrind.log",
     {{"Helgrind", "data-race", {"vg_heap_race.cpp:11", "vg_heap_race.cpp:20"}, "write #1, write #2 previous"}}},
    {"vg_lock_after_destroy.helgrind.log",
     {{"Helgrind", "pthread-api-error", {"vg_lock_after_destroy.cpp:11"}, ""}}},
    {"vg_rwlock_unlock.helgrind.log",
     {{"Helgrind", "unlock-of-unlocked-mutex", {"vg_rwlock_unlock.cpp:9"}, ""}}},
    {"vg_unlock_foreign.helgrind.log",
     {{"Helgrind", "unlock-of-unlocked-mutex", {"vg_unlock_foreign.cpp:9"}, ""},
      {"Helgrind", "mutex-still-locked-at-thread-exit", {"?"}, ""}}},
    {"vg_unlock_not_locked.helgrind.log",
     {{"Helgrind", "unlock-of-unlocked-mutex", {"vg_unlock_not_locked.cpp:10"}, ""},
      {"Helgrind", "pthread-api-error", {"vg_unlock_not_locked.cpp:11"}, ""}}},
    {"tsan_data_race.drd.log",
     {{"DRD", "data-race", {"tsan_data_race.cpp:7"}, "read 3"},
      {"DRD", "data-race", {"tsan_data_race.cpp:7"}, "write 3"}}},
    {"tsan_data_race_atomic.drd.log",
     {{"DRD", "data-race", {"tsan_data_race_atomic.cpp:12"}, "write 3"}}},
    {"tsan_destroy_locked.drd.log",
     {{"DRD", "destroy-of-locked-mutex", {"tsan_destroy_locked.cpp:8"}, ""}}},
    {"tsan_lock_order_inversion.drd.log",
     {}},
    {"tsan_race_mutex_held.drd.log",
     {{"DRD", "data-race", {"tsan_race_mutex_held.cpp:14"}, "read 3"},
      {"DRD", "data-race", {"tsan_race_mutex_held.cpp:14"}, "write 3"}}},
    {"tsan_thread_leak.drd.log",
     {}},
    {"tsan_two_reports.drd.log",
     {{"DRD", "data-race", {"tsan_two_reports.cpp:9"}, "read 3"},
      {"DRD", "data-race", {"tsan_two_reports.cpp:9"}, "write 3"},
      {"DRD", "data-race", {"tsan_two_reports.cpp:13"}, "read 5"},
      {"DRD", "data-race", {"tsan_two_reports.cpp:13"}, "write 5"}}},
    {"tsan_unlock_unlocked.drd.log",
     {{"DRD", "invalid-mutex", {"tsan_unlock_unlocked.cpp:7"}, ""}}},
    {"vg_cond_wait_unheld.drd.log",
     {{"DRD", "invalid-mutex", {"vg_cond_wait_unheld.cpp:14"}, ""}}},
    {"vg_double_lock.drd.log",
     {{"DRD", "double-lock", {"vg_double_lock.cpp:15"}, ""}}},
    {"vg_exit_holding_lock.drd.log",
     {{"DRD", "mutex-still-locked-at-thread-exit", {"vg_exit_holding_lock.cpp:15"}, ""}}},
    {"vg_heap_race.drd.log",
     {{"DRD", "data-race", {"vg_heap_race.cpp:11"}, "write 2"}}},
    {"vg_lock_after_destroy.drd.log",
     {}},
    {"vg_rwlock_unlock.drd.log",
     {{"DRD", "unlock-of-unlocked-mutex", {"vg_rwlock_unlock.cpp:9"}, ""}}},
    {"vg_unlock_foreign.drd.log",
     {{"DRD", "unlock-of-unlocked-mutex", {"vg_unlock_foreign.cpp:9"}, ""}}},
    {"vg_unlock_not_locked.drd.log",
     {{"DRD", "unlock-of-unlocked-mutex", {"vg_unlock_not_locked.cpp:10"}, ""}}},
};


// Where capture.sh built and ran the programs (the logs' full paths).
const std::filesystem::path kVgRoot = "/tmp/racebook-capture/valgrind programs \xc3\xa9";

}  // namespace

TEST_CASE("captured.valgrind_logs_parse_to_their_reports", "[parser][captured][valgrind]") {
  std::size_t logs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(RACEBOOK_TEST_DATA)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".helgrind") != std::string::npos || name.find(".drd") != std::string::npos) ++logs;
  }
  CHECK(logs == kVgLogs.size());  // every captured Valgrind log is in the table
  for (const VgLog& log : kVgLogs) {
    INFO(log.name);
    const auto reports =
        racebook::parse_reports(read_all(std::string(RACEBOOK_TEST_DATA) + "/" + log.name));
    REQUIRE(reports.size() == log.reports.size());
    for (std::size_t i = 0; i < reports.size(); ++i) {
      const racebook::Report& r = reports[i];
      const VgReport& want = log.reports[i];
      INFO("report " << i << ": " << r.headline);
      CHECK(r.tool == want.tool);
      CHECK(r.kind == want.kind);
      CHECK(r.pid.has_value());
      CHECK(!r.truncated);
      CHECK(has_frames(r));
      std::vector<std::string> sites;
      for (const auto& site : racebook::key_sites(r, kVgRoot)) {
        sites.push_back(site.frame ? std::filesystem::path(site.frame->file).filename().string() +
                                         ":" + std::to_string(site.frame->line)
                                   : "?");
        // Full paths with a space and a non-ASCII letter, whole.
        if (site.frame) CHECK(site.frame->file.rfind(kVgRoot.string() + "/", 0) == 0);
      }
      std::sort(sites.begin(), sites.end());
      CHECK(sites == want.sites);
      std::string accesses;
      for (const auto& a : r.accesses) {
        accesses += (accesses.empty() ? "" : ", ") + std::string(a.write ? "write " : "read ") +
                    a.thread + (a.previous ? " previous" : "");
        CHECK(a.size > 0);
        // Helgrind's "This conflicts with a previous ..." names no address.
        CHECK(a.address.rfind("0x", 0) == (a.previous ? std::string::npos : 0));
      }
      CHECK(accesses == want.accesses);
      if (r.tool == "Helgrind") {
        // Every thread an access names was announced earlier in the log, with its creation
        // stack (the root thread has none).
        for (const auto& a : r.accesses) {
          const auto t = std::find_if(r.threads.begin(), r.threads.end(),
                                      [&](const racebook::ThreadSection& s) { return s.thread == a.thread; });
          CHECK(t != r.threads.end());
          if (t != r.threads.end() && a.thread != "#1") CHECK(!t->stack.frames.empty());
        }
      }
      if (r.tool == "DRD" && r.kind == "data-race") {
        // The other thread's segment: "Other segment start/end (thread N)".
        CHECK(std::any_of(r.sections.begin(), r.sections.end(), [](const racebook::Section& s) {
          return s.title.rfind("Other segment start (thread ", 0) == 0;
        }));
      }
    }
  }
}

TEST_CASE("captured.valgrind_report_details", "[parser][captured][valgrind]") {
  const auto parse = [](const std::string& name) {
    return racebook::parse_reports(read_all(std::string(RACEBOOK_TEST_DATA) + "/" + name));
  };
  // Helgrind's lock-order report: the two nested acquisitions hold the other lock.
  const auto order = parse("tsan_lock_order_inversion.helgrind.log").at(0);
  REQUIRE(order.mutexes.size() == 6);
  CHECK(order.mutexes[1].held == order.mutexes[0].mutex);
  CHECK(order.mutexes[3].held == order.mutexes[2].mutex);
  CHECK(order.mutexes[1].mutex == order.mutexes[2].mutex);
  // A race where one side held a lock: the lock announced before the headline belongs to it,
  // and the previous access says it held that lock.
  const auto held = parse("tsan_race_mutex_held.helgrind.log").at(0);
  REQUIRE(held.mutexes.size() == 1);
  CHECK(held.mutexes[0].title.find("was first observed") != std::string::npos);
  REQUIRE(held.accesses.size() == 2);
  CHECK(held.accesses[0].mutexes_held.empty());
  CHECK(held.accesses[1].mutexes_held == std::vector<std::string>{held.mutexes[0].mutex});
  CHECK(held.location.value_or("").find("data symbol \"total\"") != std::string::npos);
  // The re-lock and its failed call (EDEADLK) at the same place are one report; the lock taken
  // first is a section.
  const auto relock = parse("vg_double_lock.helgrind.log").at(0);
  REQUIRE(relock.sections.size() == 2);
  CHECK(relock.sections[0].title == "Lock was previously acquired");
  CHECK(relock.sections[1].title.find("'s call to pthread_mutex_lock failed") != std::string::npos);
  CHECK(relock.raw.find("EDEADLK") != std::string::npos);
  // A failed call with nothing before it is a report of its own.
  CHECK(parse("vg_lock_after_destroy.helgrind.log").at(0).kind == "pthread-api-error");
  // Frames: the interceptor "??? (in .../vgpreload_helgrind-amd64-linux.so)" has a module and
  // no file; a glibc frame has its file; no column anywhere.
  const racebook::Frame& interceptor = relock.stack.frames.at(0);
  CHECK(interceptor.function == "<null>");
  CHECK(interceptor.file.empty());
  CHECK(interceptor.module.find("vgpreload_helgrind") != std::string::npos);
  CHECK(relock.stack.frames.at(1).function == "main");
  CHECK(relock.stack.frames.at(1).column == 0);
  // Signatures name the program's line, never Valgrind's interceptor or glibc's sources as
  // Valgrind prints them ("stdlib/./stdlib/exit.c"): a thread's exit has no line of the program.
  CHECK(racebook::report_signature(relock, kVgRoot) == "double-lock|vg_double_lock.cpp:15 main");
  CHECK(racebook::report_signature(parse("vg_exit_holding_lock.helgrind.log").at(0), kVgRoot) ==
        "mutex-still-locked-at-thread-exit|?");
  CHECK(racebook::report_signature(parse("vg_heap_race.drd.log").at(0), kVgRoot) ==
        "data-race|vg_heap_race.cpp:11 writer(void*)");
  // DRD's race: one access, the allocation context as location and a section, the program's
  // stderr between Valgrind's lines left out of the report.
  const auto heap = parse("vg_heap_race.drd.log").at(0);
  CHECK(heap.accesses.size() == 1);
  CHECK(heap.raw.find("writer:") == std::string::npos);
  CHECK(heap.raw.find("main:") == std::string::npos);
}
