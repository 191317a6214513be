// Unit tests of the sanitizer report parser (harness/src/report.cpp).
//
// Almost every test reads a log captured from a real run by tests/data/capture.sh (never typed
// by hand) and asserts only on fields that are stable from one run to the next: kinds, tools,
// access shapes, thread ids, and the source line of the program's own frame. That line is not
// hard-coded: it is looked up from a `// line:<marker>` comment in the program's source under
// tests/data/programs/, so editing a program and re-running capture.sh keeps the tests valid.

#include <catch2/catch.hpp>

#include "racebook/report.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef RACEBOOK_TEST_DATA
#error "RACEBOOK_TEST_DATA must name the tests/data directory"
#endif

using racebook::Frame;
using racebook::may_start_report;
using racebook::parse_reports;
using racebook::Report;
using racebook::runtime_failed_to_start;
using racebook::Stack;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A captured log: "tsan_data_race", "gcc" -> tests/data/tsan_data_race.gcc.log
std::string read_log(const std::string& program, const std::string& compiler) {
  return read_text(std::string(RACEBOOK_TEST_DATA) + "/" + program + "." + compiler + ".log");
}

// The 1-based line of `// line:<marker>` in tests/data/programs/<program>.cpp.
int marker_line(const std::string& program, const std::string& marker) {
  std::istringstream source(
      read_text(std::string(RACEBOOK_TEST_DATA) + "/programs/" + program + ".cpp"));
  const std::string tag = "// line:" + marker;
  std::string line;
  for (int number = 1; std::getline(source, line); ++number) {
    std::size_t at = line.find(tag);
    // Whole marker only: "line:first" must not match "line:first-lock".
    if (at != std::string::npos) {
      std::size_t after = at + tag.size();
      if (after == line.size() || line[after] == ' ') return number;
    }
  }
  FAIL("no marker '" << tag << "' in " << program << ".cpp");
  return 0;
}

// The 1-based line of the first log line containing `needle` (0 if none).
int log_line_of(const std::string& log, std::string_view needle) {
  std::istringstream in(log);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number)
    if (line.find(needle) != std::string::npos) return number;
  return 0;
}

std::string basename(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The first frame of `stack` that lies in the program's own source file: runtime frames
// (pthread_mutex_lock, operator delete, libstdc++ internals) come before it in many stacks.
const Frame& program_frame(const Stack& stack, const std::string& program) {
  for (const Frame& frame : stack.frames)
    if (basename(frame.file) == program + ".cpp") return frame;
  FAIL("no frame in " << program << ".cpp among " << stack.frames.size() << " frames");
  return stack.frames.front();  // not reached
}

// clang prints line:column, gcc only the line.
void check_column(const Frame& frame, const std::string& compiler) {
  INFO(compiler << " frame " << frame.function << " " << frame.file << ":" << frame.line);
  if (compiler == "clang") {
    CHECK(frame.column > 0);
  } else {
    CHECK(frame.column == 0);
  }
}

bool contains(const std::string& s, std::string_view needle) {
  return s.find(needle) != std::string::npos;
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with_path(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// By value: callers pass the temporary that parse_reports returns.
Report only_report(const std::vector<Report>& reports) {
  REQUIRE(reports.size() == 1);
  return reports.front();
}

// The report of a given tool; some ASan logs also carry a UBSan report from the same build.
const Report& report_of(const std::vector<Report>& reports, std::string_view tool) {
  for (const Report& report : reports)
    if (report.tool == tool) return report;
  FAIL("no " << tool << " report among " << reports.size());
  return reports.front();  // not reached
}

// Every captured log of a normal run (all but the start-up failure).
const std::vector<std::string>& normal_logs() {
  static const std::vector<std::string> names = {
      "asan_double_free", "asan_heap_buffer_overflow", "asan_heap_use_after_free",
      "asan_stack_use_after_return", "lsan_memory_leak", "tsan_data_race",
      "tsan_data_race_atomic", "tsan_destroy_locked", "tsan_double_lock", "tsan_failed_restore",
      "tsan_heap_use_after_free", "tsan_lock_order_inversion", "tsan_race_mutex_held",
      "tsan_signal_unsafe", "tsan_thread_leak", "tsan_two_reports", "tsan_unlock_unlocked",
      "ubsan_division_by_zero", "ubsan_invalid_bool_load", "ubsan_out_of_bounds_index",
      "ubsan_shift_out_of_bounds", "ubsan_signed_integer_overflow"};
  return names;
}

// ---------------------------------------------------------------------------------------
// ThreadSanitizer

void tsan_data_race(const std::string& compiler) {
  const std::string log = read_log("tsan_data_race", compiler);
  const Report r = only_report(parse_reports(log));
  CHECK(r.tool == "ThreadSanitizer");
  CHECK(r.kind == "data-race");
  CHECK(r.first_line == log_line_of(log, "WARNING: ThreadSanitizer: data race"));
  CHECK(starts_with(r.headline, "WARNING: ThreadSanitizer: data race (pid="));
  REQUIRE(r.accesses.size() == 2);
  CHECK_FALSE(r.accesses[0].previous);
  CHECK(r.accesses[1].previous);
  CHECK(r.accesses[1].write);  // the earlier increment's store
  std::set<std::string> threads;
  for (const auto& access : r.accesses) {
    CHECK(access.size == 4);
    CHECK_FALSE(access.atomic);
    CHECK(access.mutexes_held.empty());
    threads.insert(access.thread);
    const Frame& top = access.stack.frames.at(0);
    CHECK(top.index == 0);
    CHECK(contains(top.function, "bump"));
    CHECK(basename(top.file) == "tsan_data_race.cpp");
    CHECK(top.line == marker_line("tsan_data_race", "increment"));
    check_column(top, compiler);
    CHECK(starts_with(top.module, "tsan_data_race." + compiler + "+0x"));
  }
  CHECK(threads == std::set<std::string>{"T1", "T2"});
  REQUIRE(r.location);
  CHECK(starts_with(*r.location, "Location is global 'counter' of size 4"));
  REQUIRE(r.threads.size() == 2);
  for (const auto& thread : r.threads) {
    CHECK(threads.count(thread.thread) == 1);
    CHECK(thread.created_by == "T0");
    CHECK_FALSE(thread.tid.empty());
    CHECK((thread.state == "running" || thread.state == "finished"));
    CHECK(thread.stack.frames.at(0).function == "pthread_create");
  }
  // "#6 <null> <null> (libstdc++.so.6+0xd44a2)": no function, no file, a module.
  const auto& frames = r.accesses[0].stack.frames;
  auto unnamed = std::find_if(frames.begin(), frames.end(),
                              [](const Frame& f) { return f.function == "<null>"; });
  REQUIRE(unnamed != frames.end());
  CHECK(unnamed->file.empty());
  CHECK(unnamed->line == 0);
  CHECK(starts_with(unnamed->module, "libstdc++.so.6+0x"));
  CHECK(starts_with(r.summary, "SUMMARY: ThreadSanitizer: data race"));
  CHECK(starts_with(r.raw, "=================="));
  CHECK(r.raw.size() > 100);
  CHECK(r.raw.substr(r.raw.size() - 18) == "==================");
  CHECK_FALSE(contains(r.raw, "reported 1 warnings"));
}

void tsan_data_race_atomic(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_data_race_atomic", compiler)));
  CHECK(r.kind == "data-race");
  REQUIRE(r.accesses.size() == 2);
  // Which side TSan saw first depends on scheduling, so look each one up.
  auto atomic = std::find_if(r.accesses.begin(), r.accesses.end(),
                             [](const auto& a) { return a.atomic; });
  auto plain = std::find_if(r.accesses.begin(), r.accesses.end(),
                            [](const auto& a) { return !a.atomic; });
  REQUIRE(atomic != r.accesses.end());
  REQUIRE(plain != r.accesses.end());
  CHECK(atomic->write);
  CHECK(plain->write);
  CHECK(atomic->size == 4);
  CHECK(plain->size == 4);
  CHECK(atomic->thread != plain->thread);
  const Frame& atomic_frame = program_frame(atomic->stack, "tsan_data_race_atomic");
  CHECK(contains(atomic_frame.function, "store_atomically"));
  CHECK(atomic_frame.line == marker_line("tsan_data_race_atomic", "atomic-store"));
  check_column(atomic_frame, compiler);
  const Frame& plain_frame = plain->stack.frames.at(0);
  CHECK(contains(plain_frame.function, "store_plainly"));
  CHECK(plain_frame.line == marker_line("tsan_data_race_atomic", "plain-store"));
}

void tsan_race_mutex_held(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_race_mutex_held", compiler)));
  CHECK(r.kind == "data-race");
  REQUIRE(r.accesses.size() == 2);
  REQUIRE(r.mutexes.size() == 1);
  const auto& mutex = r.mutexes[0];
  CHECK(mutex.created);
  CHECK(starts_with(mutex.mutex, "M"));
  CHECK(starts_with(mutex.title, "Mutex " + mutex.mutex + " (0x"));
  for (const auto& access : r.accesses) {
    CHECK(access.size == 8);
    const Frame& top = access.stack.frames.at(0);
    if (contains(top.function, "locked_add") && !contains(top.function, "unlocked_add")) {
      // "(mutexes: write M0)" -> the id of the mutex the section below describes.
      CHECK(access.mutexes_held == std::vector<std::string>{mutex.mutex});
      CHECK(top.line == marker_line("tsan_race_mutex_held", "locked-add"));
    } else {
      CHECK(access.mutexes_held.empty());
      CHECK(top.line == marker_line("tsan_race_mutex_held", "unlocked-add"));
    }
  }
  const Frame& created_in = program_frame(mutex.stack, "tsan_race_mutex_held");
  CHECK(contains(created_in.function, "locked_add"));
  check_column(created_in, compiler);
}

void tsan_heap_use_after_free(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_heap_use_after_free", compiler)));
  CHECK(r.kind == "heap-use-after-free");
  REQUIRE(r.accesses.size() == 2);
  const auto& use = r.accesses[0];
  CHECK(use.write);
  CHECK(use.size == 4);
  CHECK(use.thread == "T1");
  CHECK(use.stack.frames.at(0).line == marker_line("tsan_heap_use_after_free", "use"));
  check_column(use.stack.frames.at(0), compiler);
  const auto& freed = r.accesses[1];  // the free, shown as a write of the whole block
  CHECK(freed.previous);
  CHECK(freed.thread == "T0");  // "by main thread"
  CHECK(contains(freed.stack.frames.at(0).function, "operator delete"));
  CHECK(program_frame(freed.stack, "tsan_heap_use_after_free").line ==
        marker_line("tsan_heap_use_after_free", "free"));
  REQUIRE(r.threads.size() == 1);
  CHECK(r.threads[0].thread == "T1");
}

void tsan_thread_leak(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_thread_leak", compiler)));
  CHECK(r.kind == "thread-leak");
  CHECK(r.accesses.empty());
  CHECK(r.stack.frames.empty());
  REQUIRE(r.threads.size() == 1);
  const auto& leaked = r.threads[0];
  CHECK(leaked.thread == "T1");
  CHECK(leaked.state == "finished");
  CHECK(leaked.created_by == "T0");
  CHECK(leaked.stack.frames.at(0).function == "pthread_create");
  const Frame& created_at = program_frame(leaked.stack, "tsan_thread_leak");
  CHECK(created_at.function == "main");
  CHECK(created_at.line == marker_line("tsan_thread_leak", "create"));
  check_column(created_at, compiler);
}

void tsan_lock_order_inversion(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_lock_order_inversion", compiler)));
  CHECK(r.kind == "lock-order-inversion");
  // With second_deadlock_stack=1: acquired-while-holding, then previously-acquired, per thread.
  REQUIRE(r.mutexes.size() == 4);
  const auto& first = r.mutexes[0];
  const auto& second = r.mutexes[2];
  CHECK_FALSE(first.held.empty());
  CHECK(first.held == r.mutexes[1].mutex);
  CHECK(second.held == first.mutex);
  CHECK(second.mutex == first.held);
  CHECK(first.thread == "T1");
  CHECK(second.thread == "T2");
  CHECK(r.mutexes[1].thread == "T1");  // "by the same thread"
  CHECK(r.mutexes[3].thread == "T2");
  for (const auto& mutex : r.mutexes) {
    CHECK_FALSE(mutex.created);
    CHECK(mutex.stack.frames.at(0).function == "pthread_mutex_lock");
  }
  CHECK(program_frame(first.stack, "tsan_lock_order_inversion").line ==
        marker_line("tsan_lock_order_inversion", "b-while-holding-a"));
  CHECK(program_frame(second.stack, "tsan_lock_order_inversion").line ==
        marker_line("tsan_lock_order_inversion", "a-while-holding-b"));
  check_column(program_frame(first.stack, "tsan_lock_order_inversion"), compiler);
  CHECK(r.threads.size() == 2);
  CHECK(r.sections.empty());  // "Cycle in lock order graph: ..." has no stack
}

void tsan_unlock_unlocked(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_unlock_unlocked", compiler)));
  CHECK(r.kind == "unlock-of-unlocked-mutex");
  CHECK(r.accesses.empty());
  REQUIRE_FALSE(r.stack.frames.empty());
  CHECK(r.stack.frames[0].function == "pthread_mutex_unlock");
  const Frame& site = program_frame(r.stack, "tsan_unlock_unlocked");
  CHECK(site.function == "main");
  CHECK(site.line == marker_line("tsan_unlock_unlocked", "unlock"));
  check_column(site, compiler);
  REQUIRE(r.location);
  CHECK(starts_with(*r.location, "Location is global 'm' of size 40"));
  REQUIRE(r.mutexes.size() == 1);
  CHECK(r.mutexes[0].created);
}

void tsan_double_lock(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_double_lock", compiler)));
  CHECK(r.kind == "double-lock");
  REQUIRE_FALSE(r.stack.frames.empty());
  CHECK(r.stack.frames[0].function == "AnnotateRWLockAcquired");
  CHECK(program_frame(r.stack, "tsan_double_lock").line ==
        marker_line("tsan_double_lock", "second-lock"));
  REQUIRE(r.mutexes.size() == 1);
  CHECK(program_frame(r.mutexes[0].stack, "tsan_double_lock").line ==
        marker_line("tsan_double_lock", "first-lock"));
  REQUIRE(r.location);
  CHECK(*r.location == "Location is stack of main thread.");  // the first of two
}

void tsan_destroy_locked(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("tsan_destroy_locked", compiler)));
  CHECK(r.kind == "destroy-of-locked-mutex");
  CHECK(r.stack.frames.at(0).function == "pthread_mutex_destroy");
  const Frame& site = program_frame(r.stack, "tsan_destroy_locked");
  CHECK(site.line == marker_line("tsan_destroy_locked", "destroy"));
  check_column(site, compiler);
  // "  and:" followed by where the mutex was locked: an untyped titled section.
  REQUIRE(r.sections.size() == 1);
  CHECK(r.sections[0].title == "and:");
  CHECK(r.sections[0].stack.frames.at(0).function == "pthread_mutex_lock");
  REQUIRE(r.mutexes.size() == 1);
  CHECK(r.mutexes[0].stack.frames.at(0).function == "pthread_mutex_init");
}

void tsan_signal_unsafe(const std::string& compiler) {
  const auto reports = parse_reports(read_log("tsan_signal_unsafe", compiler));
  REQUIRE(reports.size() == 2);  // malloc, then free, in the handler
  for (const Report& r : reports) CHECK(r.kind == "signal-unsafe-call");
  CHECK(reports[0].stack.frames.at(0).function == "malloc");
  CHECK(reports[1].stack.frames.at(0).function == "free");
  const Frame& handler = program_frame(reports[0].stack, "tsan_signal_unsafe");
  CHECK(contains(handler.function, "handler"));
  CHECK(handler.line == marker_line("tsan_signal_unsafe", "malloc"));
  check_column(handler, compiler);
  CHECK(reports[0].first_line < reports[1].first_line);
}

void tsan_two_reports(const std::string& compiler) {
  const std::string log = read_log("tsan_two_reports", compiler);
  const auto reports = parse_reports(log);
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].first_line < log_line_of(log, "program: between the races"));
  CHECK(reports[1].first_line > log_line_of(log, "program: between the races"));
  REQUIRE(reports[0].location);
  REQUIRE(reports[1].location);
  CHECK(starts_with(*reports[0].location, "Location is global 'first'"));
  CHECK(starts_with(*reports[1].location, "Location is global 'second'"));
  CHECK(reports[0].accesses.at(0).stack.frames.at(0).line ==
        marker_line("tsan_two_reports", "first"));
  CHECK(reports[1].accesses.at(0).stack.frames.at(0).line ==
        marker_line("tsan_two_reports", "second"));
  for (const Report& r : reports) {
    CHECK(r.kind == "data-race");
    CHECK(r.accesses.size() == 2);
    CHECK_FALSE(contains(r.raw, "program:"));  // program output stays outside the reports
  }
}

// ---------------------------------------------------------------------------------------
// AddressSanitizer and LeakSanitizer

void asan_heap_use_after_free(const std::string& compiler) {
  const std::string log = read_log("asan_heap_use_after_free", compiler);
  const Report r = only_report(parse_reports(log));
  CHECK(r.tool == "AddressSanitizer");
  CHECK(r.kind == "heap-use-after-free");
  CHECK(r.first_line == log_line_of(log, "ERROR: AddressSanitizer"));
  CHECK(contains(r.headline, "==ERROR: AddressSanitizer: heap-use-after-free on address"));
  REQUIRE(r.accesses.size() == 1);
  const auto& read = r.accesses[0];
  CHECK_FALSE(read.write);
  CHECK_FALSE(read.previous);
  CHECK(read.size == 4);
  CHECK(read.thread == "T1");
  const Frame& top = read.stack.frames.at(0);
  CHECK(basename(top.file) == "asan_heap_use_after_free.cpp");
  CHECK(top.line == marker_line("asan_heap_use_after_free", "use"));
  check_column(top, compiler);
  CHECK(top.module.empty());  // ASan prints no module when it has a source location
  REQUIRE(r.location);
  CHECK(contains(*r.location, "is located 0 bytes inside of 4-byte region"));
  REQUIRE(r.sections.size() == 2);
  CHECK(r.sections[0].title == "freed by thread T0 here:");
  CHECK(r.sections[1].title == "previously allocated by thread T0 here:");
  CHECK(program_frame(r.sections[0].stack, "asan_heap_use_after_free").line ==
        marker_line("asan_heap_use_after_free", "free"));
  REQUIRE(r.threads.size() == 1);
  CHECK(r.threads[0].thread == "T1");
  CHECK(r.threads[0].created_by == "T0");
  CHECK(r.threads[0].tid.empty());
  CHECK(starts_with(r.summary, "SUMMARY: AddressSanitizer: heap-use-after-free"));
  CHECK(starts_with(r.raw, "====="));
  CHECK(contains(r.raw, "Shadow bytes around the buggy address"));
  CHECK(r.raw.substr(r.raw.size() - 10) == "==ABORTING");
}

void asan_stack_use_after_return(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("asan_stack_use_after_return", compiler)));
  CHECK(r.kind == "stack-use-after-return");
  REQUIRE(r.accesses.size() == 1);
  CHECK_FALSE(r.accesses[0].write);
  CHECK(r.accesses[0].thread == "T1");
  CHECK(r.accesses[0].stack.frames.at(0).line ==
        marker_line("asan_stack_use_after_return", "use"));
  REQUIRE(r.location);
  CHECK(starts_with(*r.location, "Address 0x"));
  CHECK(contains(*r.location, "is located in stack of thread T1"));
  // The frame that owned the variable, under the location line.
  REQUIRE(r.sections.size() == 1);
  CHECK(r.sections[0].title == *r.location);
  const Frame& owner = r.sections[0].stack.frames.at(0);
  CHECK(contains(owner.function, "keep_local"));
  CHECK(owner.line == marker_line("asan_stack_use_after_return", "keep-local"));
  // "#6 0x7f..  (/lib/x86_64-linux-gnu/libstdc++.so.6+0xd44a2)": no "in", no function.
  const auto& frames = r.accesses[0].stack.frames;
  auto unnamed = std::find_if(frames.begin(), frames.end(),
                              [](const Frame& f) { return f.function == "<null>"; });
  REQUIRE(unnamed != frames.end());
  CHECK(unnamed->file.empty());
  CHECK(contains(unnamed->module, "libstdc++.so.6+0x"));
  REQUIRE(r.threads.size() == 1);
  CHECK(r.threads[0].created_by == "T0");
}

void asan_heap_buffer_overflow(const std::string& compiler) {
  const auto reports = parse_reports(read_log("asan_heap_buffer_overflow", compiler));
  const Report& r = report_of(reports, "AddressSanitizer");
  CHECK(&r == &reports.back());  // gcc's UBSan object-size check reports first
  CHECK(r.kind == "heap-buffer-overflow");
  REQUIRE(r.accesses.size() == 1);
  CHECK(r.accesses[0].write);
  CHECK(r.accesses[0].size == 4);
  CHECK(r.accesses[0].thread == "T0");
  const Frame& top = r.accesses[0].stack.frames.at(0);
  CHECK(top.function == "main");
  CHECK(top.line == marker_line("asan_heap_buffer_overflow", "overflow"));
  check_column(top, compiler);
  REQUIRE(r.location);
  CHECK(contains(*r.location, "0 bytes to the right of 16-byte region"));
  REQUIRE(r.sections.size() == 1);
  CHECK(r.sections[0].title == "allocated by thread T0 here:");
}

void asan_double_free(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("asan_double_free", compiler)));
  CHECK(r.kind == "double-free");  // "attempting double-free on 0x..."
  CHECK(r.accesses.empty());
  CHECK(contains(r.stack.frames.at(0).function, "operator delete"));
  CHECK(program_frame(r.stack, "asan_double_free").line ==
        marker_line("asan_double_free", "second-delete"));
  REQUIRE(r.sections.size() == 2);
  CHECK(r.sections[0].title == "freed by thread T0 here:");
}

void lsan_memory_leak(const std::string& compiler) {
  const Report r = only_report(parse_reports(read_log("lsan_memory_leak", compiler)));
  CHECK(r.tool == "LeakSanitizer");
  CHECK(r.kind == "memory-leak");
  REQUIRE(r.sections.size() == 1);
  CHECK(starts_with(r.sections[0].title, "Direct leak of 7 byte(s) in 1 object(s)"));
  const Frame& site = program_frame(r.sections[0].stack, "lsan_memory_leak");
  CHECK(site.function == "main");
  CHECK(site.line == marker_line("lsan_memory_leak", "leak"));
  check_column(site, compiler);
  CHECK(contains(r.summary, "7 byte(s) leaked in 1 allocation(s)"));
}

// ---------------------------------------------------------------------------------------
// UBSan (built together with ASan, as the harness does)

// The single UBSan report of a log: kind, site and the program frame on marker's line.
void check_ubsan(const std::string& program, const std::string& marker, const std::string& kind,
                 const std::string& compiler) {
  const std::string log = read_log(program, compiler);
  const auto reports = parse_reports(log);
  const Report& r = report_of(reports, "UndefinedBehaviorSanitizer");
  CHECK(r.kind == kind);
  CHECK(r.first_line == log_line_of(log, ": runtime error: "));
  REQUIRE(r.ubsan_site);
  CHECK(basename(r.ubsan_site->file) == program + ".cpp");
  CHECK(r.ubsan_site->line == marker_line(program, marker));
  CHECK(r.ubsan_site->column > 0);  // UBSan prints the column with both compilers
  const Frame& top = r.stack.frames.at(0);
  CHECK(top.function == "main");
  CHECK(top.line == marker_line(program, marker));
  check_column(top, compiler);
  if (compiler == "clang") {
    CHECK(starts_with(r.summary, "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior"));
  } else {
    CHECK(r.summary.empty());  // gcc's runtime prints no UBSan summary
  }
}

void ubsan_signed_integer_overflow(const std::string& compiler) {
  check_ubsan("ubsan_signed_integer_overflow", "overflow", "signed-integer-overflow", compiler);
  // The program prints before and after the report; neither line belongs to it.
  const std::string log = read_log("ubsan_signed_integer_overflow", compiler);
  const Report r = only_report(parse_reports(log));
  CHECK(r.first_line == log_line_of(log, "program: before overflow") + 1);
  CHECK_FALSE(contains(r.raw, "program:"));
}

void ubsan_division_by_zero(const std::string& compiler) {
  check_ubsan("ubsan_division_by_zero", "divide", "integer-divide-by-zero", compiler);
  // UBSan recovers, then the division traps: an ASan FPE report follows.
  const auto reports = parse_reports(read_log("ubsan_division_by_zero", compiler));
  REQUIRE(reports.size() == 2);
  CHECK(reports[1].tool == "AddressSanitizer");
  CHECK(reports[1].kind == "FPE");
  CHECK(reports[1].stack.frames.at(0).line == marker_line("ubsan_division_by_zero", "divide"));
}

void ubsan_shift_out_of_bounds(const std::string& compiler) {
  check_ubsan("ubsan_shift_out_of_bounds", "shift", "invalid-shift-exponent", compiler);
}

void ubsan_out_of_bounds_index(const std::string& compiler) {
  check_ubsan("ubsan_out_of_bounds_index", "index", "out-of-bounds-index", compiler);
  const auto reports = parse_reports(read_log("ubsan_out_of_bounds_index", compiler));
  CHECK(reports.back().kind == "global-buffer-overflow");
}

void ubsan_invalid_bool_load(const std::string& compiler) {
  check_ubsan("ubsan_invalid_bool_load", "load", "invalid-bool-load", compiler);
}

}  // namespace

// One test per log: parser.<program>_gcc and parser.<program>_clang.
#define RACEBOOK_PARSER_TEST(program)                                        \
  TEST_CASE("parser." #program "_gcc", "[parser]") { program("gcc"); }     \
  TEST_CASE("parser." #program "_clang", "[parser]") { program("clang"); }

RACEBOOK_PARSER_TEST(tsan_data_race)
RACEBOOK_PARSER_TEST(tsan_data_race_atomic)
RACEBOOK_PARSER_TEST(tsan_race_mutex_held)
RACEBOOK_PARSER_TEST(tsan_heap_use_after_free)
RACEBOOK_PARSER_TEST(tsan_thread_leak)
RACEBOOK_PARSER_TEST(tsan_lock_order_inversion)
RACEBOOK_PARSER_TEST(tsan_unlock_unlocked)
RACEBOOK_PARSER_TEST(tsan_double_lock)
RACEBOOK_PARSER_TEST(tsan_destroy_locked)
RACEBOOK_PARSER_TEST(tsan_signal_unsafe)
RACEBOOK_PARSER_TEST(tsan_two_reports)
RACEBOOK_PARSER_TEST(asan_heap_use_after_free)
RACEBOOK_PARSER_TEST(asan_stack_use_after_return)
RACEBOOK_PARSER_TEST(asan_heap_buffer_overflow)
RACEBOOK_PARSER_TEST(asan_double_free)
RACEBOOK_PARSER_TEST(lsan_memory_leak)
RACEBOOK_PARSER_TEST(ubsan_signed_integer_overflow)
RACEBOOK_PARSER_TEST(ubsan_division_by_zero)
RACEBOOK_PARSER_TEST(ubsan_shift_out_of_bounds)
RACEBOOK_PARSER_TEST(ubsan_out_of_bounds_index)
RACEBOOK_PARSER_TEST(ubsan_invalid_bool_load)

// Only g++-12's runtime produced "[failed to restore the stack]" (see capture.sh).
TEST_CASE("parser.tsan_failed_restore_gcc", "[parser]") {
  const Report r = only_report(parse_reports(read_log("tsan_failed_restore", "gcc")));
  CHECK(r.kind == "data-race");
  REQUIRE(r.accesses.size() == 2);
  CHECK(r.accesses[0].stack.restored);
  CHECK(r.accesses[0].stack.frames.at(0).line ==
        marker_line("tsan_failed_restore", "new-write"));
  CHECK(r.accesses[1].previous);
  CHECK(r.accesses[1].thread == "T1");
  CHECK_FALSE(r.accesses[1].stack.restored);
  CHECK(r.accesses[1].stack.frames.empty());
  CHECK(r.threads.size() == 2);  // the section after the unrestored stack still parses
}

TEST_CASE("parser.build_id_stripped", "[parser]") {
  // clang's runtime appends "(BuildId: ...)" to frames; it must never reach `module`.
  const std::string log = read_log("tsan_data_race", "clang");
  REQUIRE(contains(log, "(BuildId: "));
  for (const Report& r : parse_reports(log))
    for (const auto& access : r.accesses)
      for (const Frame& frame : access.stack.frames) {
        CHECK_FALSE(contains(frame.module, "BuildId"));
        CHECK_FALSE(contains(frame.module, "("));
      }
}

TEST_CASE("parser.runtime_failed_to_start", "[parser]") {
  // tests/data/tsan_unexpected_memory_mapping.issue1716.log: the text from
  // google/sanitizers issue 1716 (see capture.sh).
  const std::string log = read_text(std::string(RACEBOOK_TEST_DATA) +
                                    "/tsan_unexpected_memory_mapping.issue1716.log");
  std::string what;
  CHECK(runtime_failed_to_start(log, &what));
  CHECK(starts_with(what, "FATAL: ThreadSanitizer: unexpected memory mapping 0x"));
  CHECK(runtime_failed_to_start(log));  // `what` is optional
  CHECK(parse_reports(log).empty());

  // The other start-up failures named in report.hpp, behind program-less noise.
  for (const char* line : {"FATAL: ThreadSanitizer can not mmap the shadow memory",
                           "==7==Shadow memory range interleaves with an existing memory "
                           "mapping. ASan cannot proceed correctly. ABORTING.",
                           "==7==AddressSanitizer: CHECK failed: asan_rtl.cpp:1 \"x\" (0x0, 0x0)",
                           "ThreadSanitizer: failed to allocate 0x1000 bytes"}) {
    std::string got;
    CHECK(runtime_failed_to_start(std::string("LLVMSymbolizer: noise\n") + line + "\n", &got));
    CHECK(got == std::string(line));
  }
}

TEST_CASE("parser.runtime_failed_to_start_layouts", "[parser]") {
  // The first message is the one named, wherever the others are in the log.
  std::string what;
  CHECK(runtime_failed_to_start("a\n==3==AddressSanitizer: CHECK failed: x\n"
                                "FATAL: ThreadSanitizer: unexpected memory mapping\n",
                                &what));
  CHECK(what == "==3==AddressSanitizer: CHECK failed: x");
  // A message after a report is a crash of a program that ran: not a start-up failure. On the
  // same line as a headline, too.
  const std::string report = "==4==ERROR: AddressSanitizer: SEGV on unknown address 0x0\n"
                             "    #0 0x1 in main /x.cpp:1:2\n";
  CHECK_FALSE(runtime_failed_to_start(report + "==4==AddressSanitizer: CHECK failed: y\n"));
  CHECK_FALSE(runtime_failed_to_start("WARNING: ThreadSanitizer: data race FATAL: ThreadSanitizer x\n"));
  // Before the report, it is one.
  CHECK(runtime_failed_to_start("FATAL: ThreadSanitizer: failed to x\n" + report, &what));
  CHECK(what == "FATAL: ThreadSanitizer: failed to x");
  // Colors, "\r\n", a CI timestamp, no final newline, the message at the very start or end.
  CHECK(runtime_failed_to_start("\x1b[1m\x1b[31mFATAL: ThreadSanitizer\x1b[0m: can not mmap\r\n", &what));
  CHECK(what == "FATAL: ThreadSanitizer: can not mmap");
  CHECK(runtime_failed_to_start("2026-11-25T10:00:00.123Z ThreadSanitizer: failed to allocate", &what));
  CHECK(what == "ThreadSanitizer: failed to allocate");
  CHECK(runtime_failed_to_start("x\nASan runtime does not come first in initial library list", &what));
  CHECK(what == "ASan runtime does not come first in initial library list");
  // Part of a message is none; nor is a message split over two lines.
  CHECK_FALSE(runtime_failed_to_start("FATAL: ThreadSanitize\nr: x\nThreadSanitizer: CHECK\n"));
  CHECK_FALSE(runtime_failed_to_start("ThreadSanitizer: CHECK faile"));
}

TEST_CASE("parser.runtime_started_on_normal_logs", "[parser]") {
  for (const std::string& program : normal_logs())
    for (const char* compiler : {"gcc", "clang"}) {
      INFO(program << "." << compiler);
      std::string what = "unchanged";
      CHECK_FALSE(runtime_failed_to_start(read_log(program, compiler), &what));
      CHECK(what == "unchanged");
    }
}

TEST_CASE("parser.every_log_parses", "[parser]") {
  // Broad invariants over every captured log: all reports have a tool, a kind that is a
  // slug, a headline at first_line, and frames numbered from 0.
  for (const std::string& program : normal_logs())
    for (const char* compiler : {"gcc", "clang"}) {
      INFO(program << "." << compiler);
      const std::string log = read_log(program, compiler);
      for (const Report& r : parse_reports(log)) {
        CHECK_FALSE(r.tool.empty());
        CHECK_FALSE(r.kind.empty());
        CHECK(r.kind.find(' ') == std::string::npos);
        CHECK(r.first_line > 0);
        CHECK(contains(log, r.headline));
        CHECK(contains(log, r.raw));
        CHECK(contains(r.raw, r.headline));
        if (!r.stack.frames.empty()) CHECK(r.stack.frames[0].index == 0);
        for (const auto& access : r.accesses)
          if (!access.stack.frames.empty()) CHECK(access.stack.frames[0].index == 0);
      }
    }
}

TEST_CASE("parser.truncated_tsan_log", "[parser]") {
  // A real log cut in the middle of a frame line of the "Previous write" stack.
  const std::string log = read_log("tsan_data_race", "clang");
  std::size_t previous = log.find("Previous write");
  REQUIRE(previous != std::string::npos);
  std::size_t second_frame = log.find("#1 ", previous);
  REQUIRE(second_frame != std::string::npos);
  const std::string cut = log.substr(0, second_frame + 10);
  const Report r = only_report(parse_reports(cut));
  CHECK(r.kind == "data-race");
  REQUIRE(r.accesses.size() == 2);
  CHECK(r.accesses[0].stack.frames.size() == 7);
  REQUIRE(r.accesses[1].stack.frames.size() == 2);  // #0 and the cut-off #1
  CHECK(r.accesses[1].stack.frames[0].line == marker_line("tsan_data_race", "increment"));
  CHECK(r.threads.empty());
  CHECK_FALSE(r.location);
  CHECK(r.summary.empty());
  CHECK(r.raw == cut.substr(cut.find("==================")));
}

TEST_CASE("parser.truncated_asan_log", "[parser]") {
  // Cut right after the "freed by" title: no stack, summary or ABORTING yet.
  const std::string log = read_log("asan_heap_use_after_free", "gcc");
  std::size_t freed = log.find("freed by thread T0 here:");
  REQUIRE(freed != std::string::npos);
  const Report r = only_report(parse_reports(log.substr(0, freed + 24)));
  CHECK(r.kind == "heap-use-after-free");
  REQUIRE(r.accesses.size() == 1);
  CHECK(r.accesses[0].stack.frames.size() == 9);
  REQUIRE(r.location);
  CHECK(r.summary.empty());
}

TEST_CASE("parser.interleaved_output", "[parser]") {
  // Program and Catch2 output written into the middle of a real report (stdout and stderr
  // share the log): between sections, before the headline, and at the top of the log.
  const std::string log = read_log("tsan_race_mutex_held", "gcc");
  std::string mixed;
  std::istringstream in(log);
  std::string line;
  mixed += "Randomness seeded to: 1234\n";
  mixed += "printf without a newline ";  // the delimiter then lands after it on the same line
  while (std::getline(in, line)) {
    mixed += line + "\n";
    if (line.empty()) mixed += "worker 3: progress 50%\n";
    if (starts_with(line, "  Location is")) mixed += "-------------\nfoo.cpp:12: FAILED:\n";
  }
  mixed += "All tests passed (3 assertions in 1 test case)\n";
  const Report clean = only_report(parse_reports(log));
  const Report r = only_report(parse_reports(mixed));
  CHECK(r.kind == clean.kind);
  CHECK(r.accesses.size() == clean.accesses.size());
  CHECK(r.accesses[1].mutexes_held == clean.accesses[1].mutexes_held);
  CHECK(r.accesses[1].stack.frames.size() == clean.accesses[1].stack.frames.size());
  CHECK(r.mutexes.size() == clean.mutexes.size());
  CHECK(r.threads.size() == clean.threads.size());
  CHECK(r.sections.size() == clean.sections.size());
  CHECK(r.summary == clean.summary);
  CHECK(r.first_line == clean.first_line + 1);
}

TEST_CASE("parser.empty_input", "[parser]") {
  CHECK(parse_reports("").empty());
  CHECK(parse_reports("\n\n\n").empty());
  CHECK_FALSE(runtime_failed_to_start(""));
}

TEST_CASE("parser.garbage_input", "[parser]") {
  // Nothing that is not a headline opens a report, however report-like it looks.
  CHECK(parse_reports("hello\nworld\n==================\n==================\n").empty());
  CHECK(parse_reports("    #0 main /x.cpp:1:2 (a.out+0x1)\nRead of size 4 at 0x1 by thread T1:\n")
            .empty());
  CHECK(parse_reports("SUMMARY: ThreadSanitizer: data race\n==1==ABORTING\n").empty());
  // Bare or broken headlines still give a report, never a crash.
  const auto bare = parse_reports("WARNING: ThreadSanitizer: \n#\n#1\n#2 (\n#3 )\n#4 x:y:z\n");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].tool == "ThreadSanitizer");
  // A UBSan headline needs its site: "file:line[:col]" or "<unknown>".
  CHECK(parse_reports(": runtime error: ").empty());
  CHECK(parse_reports("x.cpp:1:2: runtime error: ").size() == 1);
  CHECK(parse_reports("x.cpp:1: runtime error: ").size() == 1);
  CHECK(parse_reports("<unknown>: runtime error: x").size() == 1);
  // Text that merely resembles a report: Go's and Rust's panics, a program quoting a headline.
  CHECK(parse_reports("panic: runtime error: index out of range [5] with length 3\n\n"
                      "goroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:5 +0x1d\n").empty());
  CHECK(parse_reports("thread 'main' panicked at 'attempt to add with overflow', src/main.rs:3:5\n")
            .empty());
  // Deterministic pseudo-random bytes, with report markers sprinkled in.
  std::string noise;
  std::uint32_t state = 12345;
  const std::string_view pieces[] = {"\n", "#", "0x", " in ", "(", ")", ":", "+0x", "<null>",
                                     "WARNING: ThreadSanitizer: data race\n",
                                     "==1==ERROR: AddressSanitizer: SEGV\n", ": runtime error: ",
                                     "Mutex M", "Thread T", "(tid=", "(mutexes: ", "=================="};
  for (int i = 0; i < 20000; ++i) {
    state = state * 1103515245u + 12345u;
    if (state % 3 == 0) {
      noise += pieces[(state >> 8) % std::size(pieces)];
    } else {
      noise += static_cast<char>((state >> 16) & 0xff);
    }
  }
  const auto reports = parse_reports(noise);
  CHECK_FALSE(reports.empty());
  for (const Report& r : reports) CHECK_FALSE(r.kind.empty());
  runtime_failed_to_start(noise);
}

TEST_CASE("parser.frame_formats", "[parser]") {
  // Frame shapes seen in real logs of other runtimes and builds, one per line.
  const std::string log =
      "==9==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 T0)\n"
      "    #0 0x55d4c3 in func(int) /path/file.cpp:12:5\n"
      "    #1 0x7f0000 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x27249)\n"
      "    #2 0x7f0001 in helper+0x12 (/path/lib.so+0x1234)\n"
      "    #3 0x7f0002 in std::map<int, int>::operator[](int&&) /usr/include/c++/12/map:511\n"
      "    #4 0x7f0003 in operator() /src/a b/x.cpp:3 (BuildId: abc)\n"
      "==9==ABORTING\n";
  const Report r = only_report(parse_reports(log));
  CHECK(r.kind == "SEGV");
  const auto& f = r.stack.frames;
  REQUIRE(f.size() == 5);
  CHECK(f[0].function == "func(int)");
  CHECK(f[0].file == "/path/file.cpp");
  CHECK(f[0].line == 12);
  CHECK(f[0].column == 5);
  CHECK(f[1].function == "__libc_start_main");
  CHECK(f[1].file.empty());
  CHECK(f[1].module == "/lib/x86_64-linux-gnu/libc.so.6+0x27249");
  CHECK(f[2].function == "helper");
  CHECK(f[2].module == "/path/lib.so+0x1234");
  CHECK(f[3].function == "std::map<int, int>::operator[](int&&)");
  CHECK(f[3].line == 511);
  CHECK(f[3].column == 0);
  CHECK(f[4].line == 3);
  CHECK(f[4].module.empty());
}

TEST_CASE("parser.kind_slugs", "[parser]") {
  // Headline wordings whose kinds are not among the captured logs.
  auto kind_of = [](const std::string& headline) {
    const auto reports = parse_reports(headline + "\n");
    REQUIRE(reports.size() == 1);
    return reports[0].kind;
  };
  const std::string tsan = "WARNING: ThreadSanitizer: ";
  CHECK(kind_of(tsan + "data race on vptr (ctor/dtor vs virtual call) (pid=1)") ==
        "data-race-vptr");
  CHECK(kind_of(tsan + "heap-use-after-free (virtual call vs free) (pid=1)") ==
        "heap-use-after-free");
  CHECK(kind_of(tsan + "signal handler spoils errno (pid=1)") == "signal-handler-spoils-errno");
  CHECK(kind_of(tsan + "use of an invalid mutex (e.g. uninitialized or destroyed) (pid=1)") ==
        "invalid-mutex");
  CHECK(kind_of(tsan + "read lock of a write locked mutex (pid=1)") ==
        "read-lock-of-write-locked-mutex");
  CHECK(kind_of(tsan + "read unlock of a write locked mutex (pid=1)") ==
        "read-unlock-of-write-locked-mutex");
  const auto held = parse_reports(tsan + "lock-order-inversion (potential deadlock) (pid=1)\n"
                                  "  Mutex M1 acquired here while holding mutex M0 in main thread:\n"
                                  "    #0 pthread_mutex_lock <null> (a.out+0x1)\n");
  REQUIRE(held.size() == 1);
  REQUIRE(held[0].mutexes.size() == 1);
  CHECK(held[0].mutexes[0].thread == "T0");
  CHECK(held[0].mutexes[0].held == "M0");
  CHECK(kind_of(tsan + "mutex held in the wrong context (pid=1)") ==
        "mutex-held-in-the-wrong-context");
  const std::string asan = "==1==ERROR: AddressSanitizer: ";
  CHECK(kind_of(asan + "stack-use-after-scope on address 0x1 at pc 0x2") ==
        "stack-use-after-scope");
  CHECK(kind_of(asan + "attempting free on address which was not malloc()-ed: 0x1") ==
        "bad-free");
  CHECK(kind_of(asan + "alloc-dealloc-mismatch (operator new vs free) on 0x1") ==
        "alloc-dealloc-mismatch");
  const std::string ub = "x.cpp:1:2: runtime error: ";
  CHECK(kind_of(ub + "load of misaligned address 0x1 for type 'int'") == "misaligned-pointer-use");
  CHECK(kind_of(ub + "load of null pointer of type 'int'") == "null-pointer-use");
  CHECK(kind_of(ub + "left shift of negative value -1") == "invalid-shift-base");
  CHECK(kind_of(ub + "some new check: 0x1") == "unknown");
  CHECK(kind_of(ub + "value 12 is bad") == "unknown");
}

// ---------------------------------------------------------------------------------------
// Frames split on their structure, colors, merged processes, may_start_report.
//
// The logs under tests/data/shapes/ were captured by shapes/capture.sh in a directory whose
// path holds a space and an "é", plain (<name>.<cc>.log) and with color=always
// (<name>_color.<cc>.log, same binary).

namespace {

std::string read_shape_log(const std::string& name, const std::string& compiler) {
  return read_text(std::string(RACEBOOK_TEST_DATA) + "/shapes/" + name + "." + compiler + ".log");
}

int shape_marker_line(const std::string& program, const std::string& marker) {
  return marker_line("../shapes/" + program, marker);
}

// Every field of a report, one per line, so that two parses compare field by field and a
// difference shows where it is. `positional` adds first_line and raw, which depend on where
// the report sits in its log.
void describe_frames(std::ostringstream& out, const std::string& what, const Stack& stack) {
  out << what << " restored=" << stack.restored << "\n";
  for (const Frame& f : stack.frames)
    out << "  #" << f.index << " fn=[" << f.function << "] file=[" << f.file << "] line=" << f.line
        << " col=" << f.column << " module=[" << f.module << "]\n";
}

std::string describe(const Report& r, bool positional = true) {
  std::ostringstream out;
  out << "tool=" << r.tool << "\nkind=" << r.kind << "\nheadline=" << r.headline << "\n";
  out << "pid=" << (r.pid ? std::to_string(*r.pid) : "none") << "\n";
  if (positional) out << "first_line=" << r.first_line << "\n";
  describe_frames(out, "stack", r.stack);
  for (const auto& a : r.accesses) {
    out << "access write=" << a.write << " atomic=" << a.atomic << " previous=" << a.previous
        << " size=" << a.size << " address=" << a.address << " thread=" << a.thread
        << " mutexes=";
    for (const auto& m : a.mutexes_held) out << m << ",";
    describe_frames(out, "", a.stack);
  }
  for (const auto& m : r.mutexes)
    describe_frames(out, "mutex " + m.title + " " + m.mutex + " held=" + m.held + " thread=" +
                             m.thread + " created=" + std::to_string(m.created),
                    m.stack);
  for (const auto& t : r.threads)
    describe_frames(out, "thread " + t.thread + " tid=" + t.tid + " state=" + t.state + " by=" +
                             t.created_by,
                    t.stack);
  for (const auto& s : r.sections) describe_frames(out, "section " + s.title, s.stack);
  out << "location=" << r.location.value_or("none") << "\n";
  if (r.ubsan_site)
    out << "site=" << r.ubsan_site->file << ":" << r.ubsan_site->line << ":"
        << r.ubsan_site->column << "\n";
  out << "summary=" << r.summary << "\n";
  if (positional) out << "raw=" << r.raw << "\n";
  return out.str();
}

std::string describe_all(const std::vector<Report>& reports, bool positional = true) {
  std::string out;
  for (const Report& r : reports) out += describe(r, positional) + "----\n";
  return out;
}

// What changes from one run of a binary to the next: hex numbers (addresses), pids, tids.
std::string unstable_parts_masked(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    auto is_dec = [](char c) { return c >= '0' && c <= '9'; };
    if (text.compare(i, 2, "0x") == 0) {
      out += "0x?";
      for (i += 2; i < text.size() && is_hex(text[i]);) ++i;
      continue;
    }
    bool number_follows = false;
    for (std::string_view tag : {"pid=", "tid=", "==", "T"}) {
      if (text.compare(i, tag.size(), tag) == 0 && i + tag.size() < text.size() &&
          is_dec(text[i + tag.size()]) && (tag != "T" || (i > 0 && text[i - 1] == ' '))) {
        out += tag;
        out += "?";
        for (i += tag.size(); i < text.size() && is_dec(text[i]);) ++i;
        number_follows = true;
        break;
      }
    }
    if (!number_follows) out += text[i++];
  }
  return out;
}

// A colored log with its escape sequences taken out the simple way: every "ESC [ ... m".
std::string without_sgr(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      std::size_t m = text.find('m', i);
      if (m != std::string::npos) {
        i = m;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::vector<std::string> split_log_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The pid a real log's process printed: "(pid=N)" in TSan's headline, "==N==" in ASan's.
int pid_of_log(const std::string& log) {
  for (std::string_view tag : {"(pid=", "==ERROR: "}) {
    std::size_t at = log.find(tag);
    if (at == std::string::npos) continue;
    if (tag == "(pid=") return std::stoi(log.substr(at + tag.size()));
    std::size_t open = log.rfind("==", at - 1);
    return std::stoi(log.substr(open + 2, at - open - 2));
  }
  FAIL("no pid in log");
  return 0;
}

// Each line of a real log with its process's "==PID==" prefix, unless the runtime already
// printed one: what several processes writing to one log with per-line prefixes look like.
std::vector<std::string> prefixed_lines(const std::string& log) {
  const std::string prefix = "==" + std::to_string(pid_of_log(log)) + "==";
  std::vector<std::string> lines = split_log_lines(log);
  for (std::string& line : lines)
    if (!starts_with(line, prefix)) line = prefix + line;
  return lines;
}

// Round-robin merge: one line of each log in turn, as concurrent writers produce.
std::string interleave(const std::vector<std::vector<std::string>>& logs) {
  std::string merged;
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (const auto& lines : logs) {
      if (i >= lines.size()) continue;
      merged += lines[i] + "\n";
      any = true;
    }
    if (!any) break;
  }
  return merged;
}

const Report& report_with_pid(const std::vector<Report>& reports, int pid,
                              std::string_view kind) {
  for (const Report& r : reports)
    if (r.pid == pid && r.kind == kind) return r;
  FAIL("no " << kind << " report of pid " << pid);
  return reports.front();
}

// Every *.log under tests/data, recursively.
std::vector<std::string> every_captured_log() {
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(RACEBOOK_TEST_DATA)))
    if (entry.is_regular_file() && entry.path().extension() == ".log")
      paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The report's headline line as the log has it (colors, prefixes and all).
std::string headline_line(const std::string& log, const Report& r) {
  return split_log_lines(log).at(static_cast<std::size_t>(r.first_line) - 1);
}

}  // namespace

TEST_CASE("parser.frame_structure", "[parser]") {
  // One frame per shape, under a headline so that they form the report's own stack.
  const std::string log =
      "WARNING: ThreadSanitizer: data race (pid=1)\n"
      // 0: spaces and é in the file and the module, a function with spaces at depth 0.
      "    #0 Foo::operator bool() const /tmp/my checkout/é/cases/x.cpp:17:5 "
      "(/tmp/my checkout/build/prog+0x1234) (BuildId: 0a1b)\n"
      // 1: spaces inside template brackets, gcc (no column).
      "    #1 std::vector<int, std::allocator<int> >::push_back(int const&) "
      "/tmp/my checkout/é/x.cpp:3 (prog+0x1)\n"
      // 2: unknown file.
      "    #2 operator new(unsigned long) <null> (libtsan.so.2+0x9)\n"
      // 3: clang's file with no line (line 0).
      "    #3 main::{lambda()#1}::operator()() const /src/a.cpp (prog+0x2)\n"
      // 4: nothing known but the pc: module "0x...", no function, no file.
      "    #4 <null> <null> (0x000000000042)\n"
      // 5: addr2line's unknowns.
      "    #5 0x7f01 in ?? ??:0\n"
      "    #6 (anonymous namespace)::f() ??:?\n"
      // 7: a discriminator after the location.
      "    #7 g() /x/y.cpp:12 (discriminator 3) (prog+0x1)\n"
      // 8, 9: relative files, recognised as the last word.
      "    #8 0x55 in helper(int) nptl/pthread_create.c:442\n"
      "    #9 0x55 in h(int) x.cpp:9:2\n"
      // 10: symbolize_vs_style=1.
      "    #10 0x55 in k() /x/y.cpp(12,5)\n"
      // 11: no function, no module.
      "    #11 0x7f02  (<unknown module>)\n"
      // 12: a module with an architecture (RenderModuleLocation).
      "    #12 0x7f03 in m (/lib/x.dylib:x86_64+0x10)\n"
      // 13: "operator< <char>" has a word starting with '<'; it is not a location.
      "    #13 bool std::operator< <char>(std::string const&, char const*) /x/s.h:5 (p+0x3)\n"
      // 14: a pc and a location but no function.
      "    #14 0x55 /src/only file.cpp:7\n"
      // 15: ASan's function+offset with a module path holding parentheses.
      "    #15 0x7f04 in n+0x1f (/opt/a (copy)/lib.so+0x20)\n"
      // 16, 17: Windows paths, with spaces, and a drive with forward slashes.
      "    #16 0x7f05 in w() C:\\src\\my dir\\x.cpp:12:5\n"
      "    #17 0x7f06 in v() D:/build out/y.cpp:4 (prog.exe+0x10)\n"
      // 18: an inlined frame numbered under its caller.
      "    #18.1 0x7f07 in inlined() /x/z.h:8\n";
  const Report r = only_report(parse_reports(log));
  const auto& f = r.stack.frames;
  REQUIRE(f.size() == 19);
  for (std::size_t i = 0; i < f.size(); ++i) CHECK(f[i].index == static_cast<int>(i));
  CHECK(f[16].function == "w()");
  CHECK(f[16].file == "C:\\src\\my dir\\x.cpp");
  CHECK(f[16].line == 12);
  CHECK(f[17].function == "v()");
  CHECK(f[17].file == "D:/build out/y.cpp");
  CHECK(f[17].module == "prog.exe+0x10");
  CHECK(f[18].function == "inlined()");
  CHECK(f[18].file == "/x/z.h");

  CHECK(f[0].function == "Foo::operator bool() const");
  CHECK(f[0].file == "/tmp/my checkout/é/cases/x.cpp");
  CHECK(f[0].line == 17);
  CHECK(f[0].column == 5);
  CHECK(f[0].module == "/tmp/my checkout/build/prog+0x1234");

  CHECK(f[1].function == "std::vector<int, std::allocator<int> >::push_back(int const&)");
  CHECK(f[1].file == "/tmp/my checkout/é/x.cpp");
  CHECK(f[1].line == 3);
  CHECK(f[1].column == 0);

  CHECK(f[2].function == "operator new(unsigned long)");
  CHECK(f[2].file.empty());
  CHECK(f[2].line == 0);
  CHECK(f[2].module == "libtsan.so.2+0x9");

  CHECK(f[3].function == "main::{lambda()#1}::operator()() const");
  CHECK(f[3].file == "/src/a.cpp");
  CHECK(f[3].line == 0);

  CHECK(f[4].function == "<null>");
  CHECK(f[4].file.empty());
  CHECK(f[4].module == "0x000000000042");

  CHECK(f[5].function == "<null>");
  CHECK(f[5].file.empty());
  CHECK(f[5].line == 0);
  CHECK(f[6].function == "(anonymous namespace)::f()");
  CHECK(f[6].file.empty());
  CHECK(f[6].line == 0);

  CHECK(f[7].function == "g()");
  CHECK(f[7].file == "/x/y.cpp");
  CHECK(f[7].line == 12);
  CHECK(f[7].module == "prog+0x1");

  CHECK(f[8].function == "helper(int)");
  CHECK(f[8].file == "nptl/pthread_create.c");
  CHECK(f[8].line == 442);
  CHECK(f[9].function == "h(int)");
  CHECK(f[9].file == "x.cpp");
  CHECK(f[9].line == 9);
  CHECK(f[9].column == 2);

  CHECK(f[10].function == "k()");
  CHECK(f[10].file == "/x/y.cpp");
  CHECK(f[10].line == 12);
  CHECK(f[10].column == 5);

  CHECK(f[11].function == "<null>");
  CHECK(f[11].module.empty());
  CHECK(f[11].file.empty());

  CHECK(f[12].function == "m");
  CHECK(f[12].module == "/lib/x.dylib:x86_64+0x10");

  CHECK(f[13].function == "bool std::operator< <char>(std::string const&, char const*)");
  CHECK(f[13].file == "/x/s.h");
  CHECK(f[13].line == 5);

  CHECK(f[14].function == "<null>");
  CHECK(f[14].file == "/src/only file.cpp");
  CHECK(f[14].line == 7);

  CHECK(f[15].function == "n");
  CHECK(f[15].module == "/opt/a (copy)/lib.so+0x20");
}

void tsan_racy_shapes(const std::string& compiler) {
  // Real frames: "(anonymous namespace)::Flag::operator bool() const /tmp/racebook
  // shapes.XXXXXX/é/tsan_racy_shapes.cpp:11:5 (tsan_racy_shapes.clang+0x..)".
  const Report r = only_report(parse_reports(read_shape_log("tsan_racy_shapes", compiler)));
  CHECK(r.kind == "data-race");
  REQUIRE(r.accesses.size() == 2);
  for (const auto& access : r.accesses) {
    const Frame& top = access.stack.frames.at(0);
    CHECK(contains(top.file, "/racebook shapes."));
    CHECK(ends_with_path(top.file, "/é/tsan_racy_shapes.cpp"));
    CHECK(top.line == shape_marker_line("tsan_racy_shapes", "increment"));
    check_column(top, compiler);
    CHECK(starts_with(top.module, "tsan_racy_shapes." + compiler + "+0x"));
    CHECK(top.function == (compiler == "clang" ? "(anonymous namespace)::Flag::operator bool() const"
                                               : "operator bool"));
    const Frame& bump = access.stack.frames.at(1);
    CHECK(bump.function == (compiler == "clang"
                                ? "void (anonymous namespace)::bump<int>(std::vector<int, "
                                  "std::allocator<int> >&)"
                                : "bump<int>"));
    CHECK(ends_with_path(bump.file, "/é/tsan_racy_shapes.cpp"));
  }
  REQUIRE(r.threads.size() == 2);
  for (const auto& thread : r.threads) {
    const Frame& creator = program_frame(thread.stack, "tsan_racy_shapes");
    CHECK(creator.function == "main");
    CHECK(creator.line > 0);
  }
  CHECK(r.pid.has_value());
}

void asan_shapes(const std::string& compiler) {
  const auto reports = parse_reports(read_shape_log("asan_shapes", compiler));
  REQUIRE(reports.size() == 2);
  const Report& ub = reports[0];
  CHECK(ub.kind == "signed-integer-overflow");
  CHECK(ub.ubsan_site->file == "asan_shapes.cpp");
  CHECK(ub.ubsan_site->line == shape_marker_line("asan_shapes", "overflow"));
  CHECK(ends_with_path(ub.stack.frames.at(0).file, "/é/asan_shapes.cpp"));
  // "#4 0x.. in _start (/tmp/racebook shapes.XXXXXX/é/asan_shapes.gcc+0x1110)": a module path
  // with a space and an é.
  const Frame& start = ub.stack.frames.back();
  CHECK(start.function == "_start");
  CHECK(start.file.empty());
  CHECK(contains(start.module, "/racebook shapes."));
  CHECK(contains(start.module, "/é/asan_shapes." + compiler + "+0x"));

  const Report& uaf = reports[1];
  CHECK(uaf.kind == "heap-use-after-free");
  REQUIRE(uaf.accesses.size() == 1);
  const Frame& use = uaf.accesses[0].stack.frames.at(0);
  CHECK(use.line == shape_marker_line("asan_shapes", "read"));
  CHECK(uaf.accesses[0].stack.frames.at(1).line == shape_marker_line("asan_shapes", "use"));
  CHECK(ends_with_path(use.file, "/é/asan_shapes.cpp"));
  CHECK(use.function == (compiler == "clang" ? "(anonymous namespace)::Box::operator bool() const"
                                             : "operator bool"));
  REQUIRE(uaf.sections.size() == 2);
  const Frame& alloc = uaf.sections[1].stack.frames.at(0);
  CHECK(alloc.function == "operator new(unsigned long)");
  if (compiler == "clang") {
    // No file: "(/tmp/racebook shapes.XXXXXX/é/asan_shapes.clang+0x..) (BuildId: ..)".
    CHECK(alloc.file.empty());
    CHECK(contains(alloc.module, "/é/asan_shapes.clang+0x"));
  } else {
    CHECK(ends_with_path(alloc.file, "asan_new_delete.cpp"));
    CHECK(alloc.module.empty());
  }
  REQUIRE(uaf.pid.has_value());
  CHECK(contains(uaf.headline, "==" + std::to_string(*uaf.pid) + "==ERROR"));
  CHECK_FALSE(ub.pid.has_value());  // UBSan's runtime error line names no process
}

void colored_logs(const std::string& compiler) {
  for (const std::string name : {"tsan_racy_shapes", "asan_shapes", "ubsan_segv"}) {
    INFO(name << "." << compiler);
    const std::string colored = read_shape_log(name + "_color", compiler);
    const std::string plain = read_shape_log(name, compiler);
    if (name != "ubsan_segv" || compiler == "clang") REQUIRE(contains(colored, "\x1b["));
    const auto from_colored = parse_reports(colored);
    REQUIRE_FALSE(from_colored.empty());
    // The same text without its colors parses to exactly the same reports, raw included.
    CHECK(describe_all(from_colored) == describe_all(parse_reports(without_sgr(colored))));
    for (const Report& r : from_colored) CHECK_FALSE(contains(r.raw, "\x1b"));
    // And the uncolored run of the same binary gives the same fields, but for what changes
    // from run to run (addresses, pids, tids).
    CHECK(unstable_parts_masked(describe_all(from_colored)) ==
          unstable_parts_masked(describe_all(parse_reports(plain))));
  }
}

RACEBOOK_PARSER_TEST(tsan_racy_shapes)
RACEBOOK_PARSER_TEST(asan_shapes)
RACEBOOK_PARSER_TEST(colored_logs)

TEST_CASE("parser.color_inside_lines", "[parser]") {
  // What the decorators print (sanitizer_report_decorator.h, tsan_report.cpp): codes around
  // a mutex id in the middle of a title, around UBSan's " runtime error: ", at line starts.
  const std::string log =
      "==================\n"
      "\x1b[1m\x1b[31mWARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) "
      "(pid=7)\n"
      "\x1b[1m\x1b[0m  Mutex \x1b[1m\x1b[35mM1\x1b[1m\x1b[0m acquired here while holding mutex "
      "\x1b[1m\x1b[35mM0\x1b[1m\x1b[0m in \x1b[1m\x1b[36mthread T1\x1b[1m\x1b[0m:\n"
      "\x1b[1m\x1b[0m    #0 pthread_mutex_lock <null> (a.out+0x1)\n"
      "\n"
      "==================\n"
      "\x1b[1mx.cpp:3:5:\x1b[1m\x1b[31m runtime error: \x1b[1m\x1b[0m\x1b[1mdivision by zero"
      "\x1b[1m\x1b[0m\n";
  const auto reports = parse_reports(log);
  REQUIRE(reports.size() == 2);
  REQUIRE(reports[0].mutexes.size() == 1);
  CHECK(reports[0].mutexes[0].mutex == "M1");
  CHECK(reports[0].mutexes[0].held == "M0");
  CHECK(reports[0].mutexes[0].thread == "T1");
  CHECK(reports[0].mutexes[0].stack.frames.at(0).function == "pthread_mutex_lock");
  CHECK(reports[0].headline ==
        "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=7)");
  CHECK(reports[1].kind == "integer-divide-by-zero");
  CHECK(reports[1].headline == "x.cpp:3:5: runtime error: division by zero");
  CHECK(reports[1].ubsan_site->line == 3);
  // A cut-off escape sequence at the very end does not eat anything but itself.
  CHECK(only_report(parse_reports("WARNING: ThreadSanitizer: data race\x1b[1")).headline ==
        "WARNING: ThreadSanitizer: data race");
}

TEST_CASE("parser.ubsan_deadly_signal", "[parser]") {
  // clang++-14 -fsanitize=undefined: the runtime error, then UBSan's own SEGV report.
  const std::string log = read_shape_log("ubsan_segv", "clang");
  const auto reports = parse_reports(log);
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].kind == "null-pointer-use");
  const Report& segv = reports[1];
  CHECK(segv.tool == "UndefinedBehaviorSanitizer");
  CHECK(segv.kind == "SEGV");
  CHECK(segv.first_line == log_line_of(log, "==ERROR: UndefinedBehaviorSanitizer: SEGV"));
  REQUIRE(segv.pid.has_value());
  CHECK(starts_with(segv.headline, "==" + std::to_string(*segv.pid) + "==ERROR:"));
  CHECK(segv.stack.frames.at(0).function == "main");
  CHECK(segv.stack.frames.at(0).line == shape_marker_line("ubsan_segv", "segv"));
  CHECK(starts_with(segv.summary, "SUMMARY: UndefinedBehaviorSanitizer: SEGV"));
  CHECK(segv.raw.substr(segv.raw.size() - 10) == "==ABORTING");
}

TEST_CASE("parser.interleaved_processes", "[parser]") {
  // Three real logs of three processes, every line prefixed with its "==PID==", merged one
  // line of each in turn: two TSan data races and an ASan report.
  const std::vector<std::string> logs = {read_log("tsan_data_race", "clang"),
                                         read_log("tsan_race_mutex_held", "gcc"),
                                         read_log("asan_heap_use_after_free", "clang")};
  std::vector<std::vector<std::string>> prefixed;
  for (const std::string& log : logs) prefixed.push_back(prefixed_lines(log));
  const std::string merged = interleave(prefixed);
  const auto reports = parse_reports(merged);
  REQUIRE(reports.size() == 3);
  for (const std::string& log : logs) {
    const int pid = pid_of_log(log);
    INFO("pid " << pid);
    const Report clean = only_report(parse_reports(log));
    REQUIRE(clean.pid == pid);
    const Report& mixed = report_with_pid(reports, pid, clean.kind);
    // Field by field what the process's own log gives, wherever its lines landed.
    CHECK(describe(mixed, false) == describe(clean, false));
    // Its raw text holds its own lines only.
    for (const std::string& line : split_log_lines(mixed.raw))
      CHECK(starts_with(line, "==" + std::to_string(pid) + "=="));
  }

  // One process's whole report printed in the middle of another's.
  const auto& outer = prefixed[0];
  const auto& inner = prefixed[2];
  std::string nested;
  for (std::size_t i = 0; i < outer.size(); ++i) {
    nested += outer[i] + "\n";
    if (i == 5)
      for (const std::string& line : inner) nested += line + "\n";
  }
  const auto nested_reports = parse_reports(nested);
  REQUIRE(nested_reports.size() == 2);
  CHECK(describe(report_with_pid(nested_reports, pid_of_log(logs[0]), "data-race"), false) ==
        describe(only_report(parse_reports(logs[0])), false));
  CHECK(describe(report_with_pid(nested_reports, pid_of_log(logs[2]), "heap-use-after-free"),
                 false) == describe(only_report(parse_reports(logs[2])), false));
}

TEST_CASE("parser.pid_prefixes", "[parser]") {
  // log_exe_name=1 prints "==prog==PID=="; a process's unprefixed lines stay its own.
  const std::string log =
      "==a.out==41==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000\n"
      "==42==ERROR: LeakSanitizer: detected memory leaks\n"
      "    #0 0x1 in main /src/x.cpp:3:1\n"
      "==a.out==41==    #0 0x2 in crash() /src/y.cpp:9:4\n"
      "==42==\n"
      "==42==Direct leak of 7 byte(s) in 1 object(s) allocated from:\n"
      "==a.out==41==ABORTING\n"
      "==42==    #0 0x3 in malloc (/usr/lib/libasan.so+0x10)\n"
      "==42==SUMMARY: AddressSanitizer: 7 byte(s) leaked in 1 allocation(s).\n";
  const auto reports = parse_reports(log);
  REQUIRE(reports.size() == 2);
  const Report& segv = reports[0];
  CHECK(segv.pid == 41);
  CHECK(segv.kind == "SEGV");
  REQUIRE(segv.stack.frames.size() == 2);  // the unprefixed line is read by every report
  CHECK(segv.stack.frames[1].function == "crash()");
  CHECK(segv.sections.empty());
  const Report& leak = reports[1];
  CHECK(leak.pid == 42);
  REQUIRE(leak.sections.size() == 1);
  CHECK(leak.sections[0].stack.frames.at(0).function == "malloc");
  CHECK(starts_with(leak.summary, "SUMMARY: AddressSanitizer: 7 byte(s)"));
  // "==================" and "=====...=====" are delimiters, not pid prefixes.
  CHECK(only_report(parse_reports("==================\nWARNING: ThreadSanitizer: data race "
                                  "(pid=5)\n==================\n"))
            .pid == 5);
}

TEST_CASE("parser.may_start_report_superset", "[parser]") {
  // For every captured log, plain and colored, and a merged one: every line that parse_reports
  // took as a headline passes may_start_report.
  std::vector<std::string> logs;
  for (const std::string& path : every_captured_log()) logs.push_back(read_text(path));
  REQUIRE(logs.size() > 40);
  logs.push_back(interleave({prefixed_lines(read_log("tsan_two_reports", "gcc")),
                             prefixed_lines(read_log("ubsan_division_by_zero", "clang"))}));
  std::size_t headlines = 0;
  for (const std::string& log : logs) {
    for (const Report& r : parse_reports(log)) {
      INFO(r.headline);
      CHECK(may_start_report(headline_line(log, r)));
      ++headlines;
    }
  }
  CHECK(headlines > 40);

  // Headlines after leftover output, with codes, with prefixes; a code inside a marker.
  for (const char* line : {"partial output WARNING: ThreadSanitizer: data race (pid=1)",
                           "\x1b[1m\x1b[31m==9==ERROR: AddressSanitizer: SEGV on unknown address",
                           "==9====8==x.cpp:1:2: runtime error: load of null pointer",
                           "\x1b[1mx.cpp:1:2:\x1b[1m\x1b[31m runtime error: \x1b[1m\x1b[0mdiv",
                           "WARNING: Thread\x1b[1mSanitizer: data race",
                           "x.cpp:1:2: runtime\x1b[0m error: shift"}) {
    INFO(line);
    REQUIRE(parse_reports(line).size() == 1);
    CHECK(may_start_report(line));
  }
  for (const char* line : {"", "    #0 0x1 in main /src/x.cpp:3:1", "==================",
                           "SUMMARY: done", "program: ok \x1b[1m\x1b[0m"})
    CHECK_FALSE(may_start_report(line));

  // The pseudo-random noise of parser.garbage_input, cut into lines.
  std::string noise;
  std::uint32_t state = 777;
  const std::string_view pieces[] = {"\n", "WARNING: ThreadSanitizer: x\n", "\x1b[1m", "==1==",
                                     "ERROR: AddressSanitizer: y", ": runtime error: ", "\x1b",
                                     "ERROR: UndefinedBehaviorSanitizer: ", "Sanitizer"};
  for (int i = 0; i < 20000; ++i) {
    state = state * 1103515245u + 12345u;
    if (state % 3 == 0) {
      noise += pieces[(state >> 8) % std::size(pieces)];
    } else {
      noise += static_cast<char>((state >> 16) & 0xff);
    }
  }
  for (const Report& r : parse_reports(noise)) CHECK(may_start_report(headline_line(noise, r)));
}

// ---- Valgrind (Helgrind and DRD): layouts the captured logs do not all show. The captured
// logs themselves are asserted report by report in captured_test.cpp.

TEST_CASE("parser.valgrind_frames", "[parser][valgrind]") {
  const std::string log =
      "==7== Possible data race during write of size 4 at 0x10C014 by thread #3\n"
      "==7== Locks held: none\n"
      "==7==    at 0x10919D: (anonymous namespace)::count_up((anonymous namespace)::Counter&, "
      "racebook::StartLine&) (/src/a dir (copy)/counter race.cpp:24)\n"
      "==7==    by 0x10988C: main::{lambda()#1}::operator()() const (x.cpp:61)\n"
      "==7==    by 0x493A4A2: ??? (in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30)\n"
      "==7==    by 0x61896BF: ???\n"
      "==7==    by 0x4B4A1F4: start_thread (pthread_create.c:442)\n"
      "==7==    by 0x109180: operator new(unsigned long) (in /a b/vgpreload_helgrind-amd64-linux.so)\n";
  const Report r = only_report(parse_reports(log));
  CHECK(r.tool == "Helgrind");
  REQUIRE(r.accesses.size() == 1);
  const auto& frames = r.accesses[0].stack.frames;
  REQUIRE(frames.size() == 6);
  CHECK(frames[0].index == 0);
  CHECK(frames[0].function ==
        "(anonymous namespace)::count_up((anonymous namespace)::Counter&, racebook::StartLine&)");
  CHECK(frames[0].file == "/src/a dir (copy)/counter race.cpp");
  CHECK(frames[0].line == 24);
  CHECK(frames[0].column == 0);
  CHECK(frames[0].module.empty());
  CHECK(frames[1].function == "main::{lambda()#1}::operator()() const");
  CHECK(frames[1].file == "x.cpp");  // a basename, without --fullpath-after=
  CHECK(frames[1].line == 61);
  CHECK(frames[2].function == "<null>");
  CHECK(frames[2].file.empty());
  CHECK(frames[2].module == "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30");
  CHECK(frames[3].function == "<null>");
  CHECK(frames[3].module.empty());
  CHECK(frames[4].file == "pthread_create.c");
  CHECK(frames[5].index == 5);
  CHECK(frames[5].function == "operator new(unsigned long)");
  CHECK(frames[5].module == "/a b/vgpreload_helgrind-amd64-linux.so");
}

TEST_CASE("parser.valgrind_text_that_only_resembles_a_report", "[parser][valgrind]") {
  // No "==PID==" prefix, no space after it, or the words inside other text: not a report.
  CHECK(parse_reports("Possible data race during read of size 4 at 0x1 by thread #2\n"
                      "   at 0x1: main (x.cpp:3)\n").empty());
  CHECK(parse_reports("==7==Possible data race during read of size 4 at 0x1 by thread #2\n").empty());
  CHECK(parse_reports("==7== worker: Possible data race during read of size 4 at 0x1 by thread #2\n"
                      "==7==    at 0x1: main (x.cpp:3)\n").empty());
  CHECK(parse_reports("log: ==7== Conflicting load by thread 3 at 0x0010c054 size 4\n").empty());
  CHECK(parse_reports("Thread #1: pthread_mutex_destroy of a locked mutex\n").empty());
  // Valgrind's own warnings, and its debug lines, are no reports.
  CHECK(parse_reports("==7== drd, a thread error detector\n==7== \n"
                      "==7== Warning: noted but unhandled ioctl 0x1234 with no size/direction hints.\n"
                      "==7==    at 0x1: ioctl (syscall-template.S:120)\n"
                      "--7-- warning: evaluate_Dwarf3_Expr: unhandled DW_OP_ 0x9b\n"
                      "==7== \n==7== ERROR SUMMARY: 0 errors from 0 contexts\n").empty());
  // Memcheck's log (another Valgrind tool): "Thread N:" lines and errors with stacks, no report.
  CHECK(parse_reports("==7== Memcheck, a memory error detector\n==7== Command: ./prog\n==7== \n"
                      "==7== Thread 2:\n==7== Invalid read of size 4\n"
                      "==7==    at 0x1091A6: worker(void*) (x.cpp:9)\n"
                      "==7==  Address 0x0 is not stack'd, malloc'd or (recently) free'd\n==7== \n"
                      "==7== Conditional jump or move depends on uninitialised value(s)\n"
                      "==7==    at 0x1091B0: main (x.cpp:14)\n==7== \n"
                      "==7== ERROR SUMMARY: 2 errors from 2 contexts\n").empty());
  // A Helgrind separator with no headline after it, then the end.
  CHECK(parse_reports("==7== ----------------------------------------------------------------\n"
                      "==7== \n==7== ERROR SUMMARY: 0 errors from 0 contexts\n").empty());
}

TEST_CASE("parser.valgrind_program_output_and_other_processes_between_its_lines", "[parser][valgrind]") {
  // The program's own stderr (unprefixed) between every two lines of Valgrind's, and a second
  // Valgrind process's lines merged into the log, change none of the reports.
  for (const char* name : {"vg_heap_race.helgrind.log", "tsan_lock_order_inversion.helgrind.log",
                           "vg_double_lock.helgrind.log", "tsan_two_reports.drd.log",
                           "vg_exit_holding_lock.drd.log"}) {
    INFO(name);
    const std::string log = read_text(std::string(RACEBOOK_TEST_DATA) + "/" + name);
    const auto plain = parse_reports(log);
    REQUIRE(!plain.empty());
    std::string noisy;
    std::size_t n = 0;
    for (std::size_t pos = 0; pos < log.size();) {
      const std::size_t nl = log.find('\n', pos);
      const std::size_t end = nl == std::string::npos ? log.size() : nl + 1;
      noisy.append(log, pos, end - pos);
      noisy += ++n % 2 ? "worker: Possible data race during read, at 0x1 (x.cpp:3)\n"
                       : "   at 0x5: fake (y.cpp:9)\n";
      pos = end;
    }
    const auto with_noise = parse_reports(noisy);
    REQUIRE(with_noise.size() == plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      CHECK(with_noise[i].kind == plain[i].kind);
      CHECK(with_noise[i].headline == plain[i].headline);
      CHECK(with_noise[i].stack.frames.size() == plain[i].stack.frames.size());
      REQUIRE(with_noise[i].accesses.size() == plain[i].accesses.size());
      for (std::size_t a = 0; a < plain[i].accesses.size(); ++a)
        CHECK(with_noise[i].accesses[a].stack.frames.size() == plain[i].accesses[a].stack.frames.size());
      CHECK(with_noise[i].mutexes.size() == plain[i].mutexes.size());
      CHECK(with_noise[i].sections.size() == plain[i].sections.size());
      CHECK(with_noise[i].raw == plain[i].raw);  // only the process's own lines
      CHECK(with_noise[i].raw.find("worker:") == std::string::npos);
    }
    // The same log's lines with another pid, interleaved line by line: twice the reports.
    std::string other = log;
    const std::string pid = "==" + std::to_string(*plain[0].pid) + "==";
    for (std::size_t p = other.find(pid); p != std::string::npos; p = other.find(pid, p + 1))
      other.replace(p, pid.size(), "==99999==");
    const auto merged = parse_reports(interleave({split_log_lines(log), split_log_lines(other)}));
    REQUIRE(merged.size() == 2 * plain.size());
    std::size_t mine = 0;
    for (const Report& r : merged) {
      if (r.pid == plain[0].pid) {
        CHECK(r.kind == plain[mine].kind);
        CHECK(r.raw == plain[mine].raw);
        ++mine;
      }
    }
    CHECK(mine == plain.size());
  }
}
