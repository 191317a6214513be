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
  check_ubsan("ubsan_division_by_zero", "divide", "division-by-zero", compiler);
  // UBSan recovers, then the division traps: an ASan FPE report follows.
  const auto reports = parse_reports(read_log("ubsan_division_by_zero", compiler));
  REQUIRE(reports.size() == 2);
  CHECK(reports[1].tool == "AddressSanitizer");
  CHECK(reports[1].kind == "FPE");
  CHECK(reports[1].stack.frames.at(0).line == marker_line("ubsan_division_by_zero", "divide"));
}

void ubsan_shift_out_of_bounds(const std::string& compiler) {
  check_ubsan("ubsan_shift_out_of_bounds", "shift", "shift-out-of-bounds", compiler);
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
  CHECK(parse_reports(": runtime error: ").size() == 1);
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
  CHECK(kind_of(ub + "load of misaligned address 0x1 for type 'int'") == "misaligned-access");
  CHECK(kind_of(ub + "load of null pointer of type 'int'") == "null-pointer");
  CHECK(kind_of(ub + "left shift of negative value -1") == "shift-out-of-bounds");
  CHECK(kind_of(ub + "some new check: 0x1") == "some-new-check");
  CHECK(kind_of(ub + "value 12 is bad") == "value");
}
