// The verdict logic and the case-file reader, on small case files written to a temp directory
// and reports built as the parser would return them.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "racebook/expectation.hpp"
#include "racebook/verdict.hpp"

namespace fs = std::filesystem;
using namespace racebook;

namespace {

// A case file like the corpus's: line 4 and line 5 carry markers.
constexpr const char* kCase = R"(// a case
#include <x>
void f() {
  ++a;  // @write_a
  int b = a;  // @read_a
}
// expect tsan:   data-race @write_a @read_a
// expect asan:   clean
// expect normal: clean
TEST_CASE("racy") {}
// expect tsan: clean
// expect asan: clean
// expect normal: clean
TEST_CASE("quiet") {}
)";

struct TempCase {
  fs::path dir;
  fs::path file;
  explicit TempCase(const std::string& text) {
    dir = fs::temp_directory_path() / ("racebook-verdict-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    file = dir / "case.cpp";
    std::ofstream(file) << text;
  }
  ~TempCase() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Stack stack_at(const fs::path& file, int line) {
  Stack s;
  s.frames.push_back({0, "__tsan_write4", "", 0, 0, "libtsan.so.2+0x1"});  // runtime frame
  s.frames.push_back({1, "f()", file.string(), line, 0, "prog+0x10"});
  s.frames.push_back({2, "main", "/usr/include/c++/12/bits/std_thread.h", 252, 0, "prog+0x20"});
  return s;
}

Report race(const fs::path& file, int line1, int line2) {
  Report r;
  r.tool = "ThreadSanitizer";
  r.kind = "data-race";
  Access a1, a2;
  a1.write = true;
  a1.stack = stack_at(file, line1);
  a2.previous = true;
  a2.stack = stack_at(file, line2);
  r.accesses = {a1, a2};
  return r;
}

RunResult finished(const std::string& variant, bool passed = true, int status = 0) {
  RunResult run;
  run.outcome = RunResult::Outcome::exited;
  run.exit_code = status;
  run.out = "racebook: variant \"" + variant + "\" finished: " + (passed ? "passed" : "failed") + "\n";
  return run;
}

RunVerdict verdict_of(const TempCase& t, const std::string& variant, const std::string& sanitizer,
                      const RunResult& run, const std::vector<Report>& reports) {
  const CaseFile file = read_case_file(t.file.string());
  const Variant& v = file.variant(variant);
  const Expectation& e = expectation_for(file, v, sanitizer, "gcc");
  return judge({file, v, e, run, reports, t.dir});
}

}  // namespace

TEST_CASE("verdict.racy_pair_matches_in_either_order", "[verdict]") {
  TempCase t(kCase);
  CHECK(verdict_of(t, "racy", "tsan", finished("racy", true, 66), {race(t.file, 4, 5)}).status ==
        RunVerdict::Status::matched);
  CHECK(verdict_of(t, "racy", "tsan", finished("racy", true, 66), {race(t.file, 5, 4)}).status ==
        RunVerdict::Status::matched);
}

TEST_CASE("verdict.racy_wrong_lines_is_a_mismatch", "[verdict]") {
  TempCase t(kCase);
  const auto v = verdict_of(t, "racy", "tsan", finished("racy"), {race(t.file, 4, 4)});
  CHECK(v.status == RunVerdict::Status::mismatch);
  REQUIRE(!v.problems.empty());
  CHECK_THAT(v.problems.front(), Catch::Contains("case.cpp:4 and case.cpp:4"));
}

TEST_CASE("verdict.racy_wrong_kind_is_a_mismatch", "[verdict]") {
  TempCase t(kCase);
  Report r = race(t.file, 4, 5);
  r.kind = "heap-use-after-free";
  CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {r}).status == RunVerdict::Status::mismatch);
}

TEST_CASE("verdict.racy_with_an_extra_report_is_a_mismatch", "[verdict]") {
  TempCase t(kCase);
  Report extra;
  extra.tool = "ThreadSanitizer";
  extra.kind = "thread-leak";
  const auto v = verdict_of(t, "racy", "tsan", finished("racy"), {race(t.file, 4, 5), extra});
  CHECK(v.status == RunVerdict::Status::mismatch);
  CHECK_THAT(v.problems.front(), Catch::Contains("thread-leak"));
}

TEST_CASE("verdict.racy_without_report_may_be_retried", "[verdict]") {
  TempCase t(kCase);
  CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {}).status == RunVerdict::Status::no_report);
}

TEST_CASE("verdict.frames_outside_our_sources_do_not_count", "[verdict]") {
  TempCase t(kCase);
  Report r = race(t.file, 4, 5);
  r.accesses[1].stack.frames.erase(r.accesses[1].stack.frames.begin() + 1);  // only system frames
  CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {r}).status == RunVerdict::Status::mismatch);
}

TEST_CASE("verdict.clean_needs_no_report_exit_zero_and_the_sentinel", "[verdict]") {
  TempCase t(kCase);
  CHECK(verdict_of(t, "quiet", "tsan", finished("quiet"), {}).status == RunVerdict::Status::matched);

  SECTION("a report") {
    CHECK(verdict_of(t, "quiet", "tsan", finished("quiet"), {race(t.file, 4, 5)}).status ==
          RunVerdict::Status::mismatch);
  }
  SECTION("a missing sentinel") {
    RunResult run = finished("quiet");
    run.out = "some output\n";
    const auto v = verdict_of(t, "quiet", "tsan", run, {});
    CHECK(v.status == RunVerdict::Status::mismatch);
    CHECK_THAT(v.problems.front(), Catch::Contains("sentinel"));
  }
  SECTION("a sentinel of another variant") {
    CHECK(verdict_of(t, "quiet", "tsan", finished("racy"), {}).status == RunVerdict::Status::mismatch);
  }
  SECTION("a failed functional check") {
    const auto v = verdict_of(t, "quiet", "tsan", finished("quiet", false), {});
    CHECK(v.status == RunVerdict::Status::mismatch);
    CHECK_THAT(v.problems.front(), Catch::Contains("functional check"));
  }
  SECTION("a non-zero exit") {
    CHECK(verdict_of(t, "quiet", "tsan", finished("quiet", true, 1), {}).status ==
          RunVerdict::Status::mismatch);
  }
  SECTION("a timeout") {
    RunResult run = finished("quiet");
    run.outcome = RunResult::Outcome::timed_out;
    CHECK(verdict_of(t, "quiet", "tsan", run, {}).status == RunVerdict::Status::mismatch);
  }
  SECTION("a crash") {
    RunResult run = finished("quiet");
    run.outcome = RunResult::Outcome::signaled;
    run.signal = 11;
    CHECK(verdict_of(t, "quiet", "tsan", run, {}).status == RunVerdict::Status::mismatch);
  }
}

TEST_CASE("expectation.marker_that_does_not_exist_is_an_error", "[expectation]") {
  std::string text = kCase;
  text.replace(text.find("data-race @write_a @read_a"), 26, "data-race @write_a @nowhere");
  try {
    parse_case_file(text, "cases/x.cpp");
    FAIL("a dangling marker was accepted");
  } catch (const CaseFileError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("cases/x.cpp:7: ") && Catch::Contains("@nowhere"));
  }
}

TEST_CASE("expectation.malformed_lines_are_errors_with_file_and_line", "[expectation]") {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      parse_case_file(text, "c.cpp");
    } catch (const CaseFileError& e) {
      return e.what();
    }
    return "accepted";
  };
  CHECK_THAT(error_of("// expect tsan data-race\nTEST_CASE(\"v\") {}\n"), Catch::StartsWith("c.cpp:1: malformed"));
  CHECK_THAT(error_of("// expect msan: clean\nTEST_CASE(\"v\") {}\n"), Catch::Contains("unknown detector"));
  CHECK_THAT(error_of("// expect tsan: clean please\nTEST_CASE(\"v\") {}\n"), Catch::Contains("takes nothing"));
  CHECK_THAT(error_of("// expect tsan: data-race\nTEST_CASE(\"v\") {}\n"), Catch::Contains("\"data-race\" needs 2 markers"));
  CHECK_THAT(error_of("// expect tsan: data-race a b\nTEST_CASE(\"v\") {}\n"), Catch::Contains("not a marker reference"));
  CHECK_THAT(error_of("// expect tsan: clean\n// expect tsan: clean\nTEST_CASE(\"v\") {}\n"),
             Catch::StartsWith("c.cpp:2: a second expectation"));
  CHECK_THAT(error_of("x; // @m\ny; // @m\n"), Catch::StartsWith("c.cpp:2: marker @m is already on line 1"));
  CHECK_THAT(error_of("// expect tsan: clean\n"), Catch::Contains("followed by no TEST_CASE"));
}

TEST_CASE("expectation.compiler_specific_key_wins", "[expectation]") {
  const CaseFile file = parse_case_file(
      "x; // @m\n// expect tsan: data-race @m @m\n// expect tsan-clang: clean\n// expect asan: clean\n"
      "TEST_CASE(\"v\") {}\n",
      "c.cpp");
  const Variant& v = file.variant("v");
  CHECK_FALSE(expectation_for(file, v, "tsan", "gcc").clean);
  CHECK(expectation_for(file, v, "tsan", "clang").clean);
  CHECK_THROWS_AS(expectation_for(file, v, "normal", "gcc"), CaseFileError);
  CHECK_THROWS_WITH(file.variant("nope"), Catch::Contains("has no variant \"nope\" (it has: v)"));
}

// ---- Markers in the library under test, under the case's source root ----

namespace {

constexpr const char* kLibraryCase = R"(// a case whose racing lines are in lib/queue.hpp
#include "lib/queue.hpp"
// expect tsan:   data-race @push_write @pop_read
// expect normal: clean
TEST_CASE("racy") {}
)";

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("expectation.markers_in_library_files_under_the_source_root", "[expectation]") {
  TempCase t(kLibraryCase);
  const fs::path header = t.dir / "lib" / "queue.hpp";
  write_file(header, "// a queue\nvoid push() {\n  slot = 1;  // @push_write\n}\n"
                     "int pop() {\n  return slot;  // @pop_read\n}\n");
  // Another case file's markers and build trees are not the library's.
  write_file(t.dir / "other_case.cpp", "int x;  // @pop_read\nTEST_CASE(\"other\") {}\n");
  write_file(t.dir / "build" / "CMakeCache.txt", "");
  write_file(t.dir / "build" / "copy.hpp", "int y;  // @push_write\n");

  const CaseFile file = read_case_file(t.file.string(), t.dir.string());
  const Variant& v = file.variant("racy");
  const Expectation& e = expectation_for(file, v, "tsan", "gcc");
  CHECK(fs::equivalent(file.marker_site("push_write", e).file, header));
  CHECK(file.marker_site("push_write", e).line == 3);
  CHECK(file.marker_line("pop_read", e) == 6);
  CHECK_THAT(describe_expected(file, e), Catch::Contains("queue.hpp:3 (@push_write)"));

  // A report at the library's lines matches; at the same line numbers of the case file, not.
  CHECK(judge({file, v, e, finished("racy", true, 66), {race(header, 3, 6)}, t.dir}).status ==
        RunVerdict::Status::matched);
  CHECK(judge({file, v, e, finished("racy", true, 66), {race(t.file, 3, 6)}, t.dir}).status ==
        RunVerdict::Status::mismatch);

  // Without a source root the markers dangle, with file and line.
  try {
    read_case_file(t.file.string());
    FAIL("a marker outside the case file was found without a source root");
  } catch (const CaseFileError& error) {
    CHECK_THAT(error.what(), Catch::Contains("case.cpp:3: ") && Catch::Contains("@push_write"));
  }
}

TEST_CASE("expectation.library_marker_on_two_lines_is_an_error", "[expectation]") {
  TempCase t(kLibraryCase);
  write_file(t.dir / "lib" / "queue.hpp", "int a;  // @push_write\nint b;  // @pop_read\n");
  write_file(t.dir / "lib" / "copy.hpp", "int c;  // @push_write\n");
  try {
    read_case_file(t.file.string(), t.dir.string());
    FAIL("an ambiguous marker was accepted");
  } catch (const CaseFileError& error) {
    CHECK_THAT(error.what(), Catch::Contains("case.cpp:3: ") &&
                                 Catch::Contains("more than one line") &&
                                 Catch::Contains("queue.hpp:1") && Catch::Contains("copy.hpp:1"));
  }
}

TEST_CASE("verdict.valgrind_race_with_one_access_matches_either_marker", "[verdict]") {
  // DRD names one access of a race (the other thread's segment, not its access); Helgrind too
  // when its history lost the previous one. Such a record matches `data-race @a @b` when its
  // access is at @a or at @b.
  TempCase t(kCase);
  for (const char* tool : {"DRD", "Helgrind"}) {
    INFO(tool);
    for (int line : {4, 5}) {
      Report r = race(t.file, line, line);
      r.tool = tool;
      r.accesses.pop_back();
      CHECK(verdict_of(t, "racy", "tsan", finished("racy", true, 66), {r}).status ==
            RunVerdict::Status::matched);
    }
    Report elsewhere = race(t.file, 6, 6);
    elsewhere.tool = tool;
    elsewhere.accesses.pop_back();
    CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {elsewhere}).status ==
          RunVerdict::Status::mismatch);
    // Two accesses: both markers, as for TSan.
    Report both = race(t.file, 5, 4);
    both.tool = tool;
    CHECK(verdict_of(t, "racy", "tsan", finished("racy", true, 66), {both}).status ==
          RunVerdict::Status::matched);
    Report twice = race(t.file, 4, 4);
    twice.tool = tool;
    CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {twice}).status ==
          RunVerdict::Status::mismatch);
  }
}

TEST_CASE("verdict.tsan_race_with_one_access_still_does_not_match", "[verdict]") {
  // The one-access rule is Valgrind's only: a TSan record that lost an access (a garbled log)
  // must not pass where it did not before.
  TempCase t(kCase);
  Report r = race(t.file, 4, 5);
  r.accesses.pop_back();
  CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {r}).status == RunVerdict::Status::mismatch);
  r.tool = "AddressSanitizer";
  CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {r}).status == RunVerdict::Status::mismatch);
  // Nor a Valgrind race whose access lines were lost: its one place is the headline's stack.
  for (const char* tool : {"DRD", "Helgrind"}) {
    INFO(tool);
    Report lost = race(t.file, 4, 5);
    lost.tool = tool;
    lost.stack = lost.accesses[0].stack;
    lost.accesses.clear();
    CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {lost}).status ==
          RunVerdict::Status::mismatch);
  }
  // Nor another Valgrind kind with one stack.
  Report misuse = race(t.file, 4, 5);
  misuse.tool = "DRD";
  misuse.kind = "double-lock";
  misuse.accesses.pop_back();
  CHECK(verdict_of(t, "racy", "tsan", finished("racy"), {misuse}).status ==
        RunVerdict::Status::mismatch);
}
