// Report kinds: the stable slug of a report, taken from the runtime's own vocabulary (the names
// it prints in its headline and SUMMARY line), never made from program text. A headline a rule
// does not know gives "unknown". Every slug these functions return is listed in kinds.cpp and in
// README.md's kind table.
#pragma once

#include <string>
#include <string_view>

namespace racebook {

// The slug of any headline the runtimes print but no rule knows.
inline constexpr std::string_view kUnknownKind = "unknown";

// `description` is what follows "WARNING: ThreadSanitizer: " ("data race (pid=12)").
std::string tsan_kind(std::string_view description);

// `description` is what follows "ERROR: AddressSanitizer: " ("heap-use-after-free on address
// 0x... at pc ...", "SEGV on unknown address ...").
std::string asan_kind(std::string_view description);

// `description` is what follows "ERROR: LeakSanitizer: " ("detected memory leaks").
std::string lsan_kind(std::string_view description);

// `description` is what follows "ERROR: UndefinedBehaviorSanitizer: ": the UBSan runtime's own
// deadly-signal reports ("SEGV on unknown address ...").
std::string ubsan_error_kind(std::string_view description);

// `message` is what follows "file:line:col: runtime error: " ("signed integer overflow: ...").
// `summary` is the report's "SUMMARY: UndefinedBehaviorSanitizer: <kind> ..." line, or empty: with
// report_error_type=1 it names the check exactly, and wins over the message, which for a few
// checks (float vs integer division by zero, which implicit-conversion check) is ambiguous.
std::string ubsan_kind(std::string_view message, std::string_view summary = {});

// The kind a UBSan SUMMARY line names exactly (with report_error_type=1), or empty: what
// ubsan_kind takes from `summary` before it looks at the message.
std::string ubsan_summary_kind(std::string_view summary);

// Valgrind. `headline` is the report's first line after its "==PID== " prefix, trimmed.
// Helgrind (helgrind/hg_errors.c, hg_main.c): "Possible data race during write of size 4 at 0x..
// by thread #2", "Thread #1: lock order \"0x.. before 0x..\" violated", "Thread #2 unlocked a
// not-locked lock at 0x..", "Thread #1's call to pthread_mutex_destroy failed", "Thread #1:
// pthread_mutex_destroy of a locked mutex", ... Only the fixed words decide; "unknown" otherwise.
std::string helgrind_kind(std::string_view headline);

// DRD (drd/drd_error.c and the error strings of drd_mutex.c, drd_rwlock.c, ...): "Conflicting
// load by thread 3 at 0x0010c054 size 4", "Destroying locked mutex: mutex 0x.., ...", "The object
// at address 0x.. is not a mutex.", ...; "unknown" for a line no rule knows.
std::string drd_kind(std::string_view headline);

}  // namespace racebook
