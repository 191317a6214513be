// Structured sanitizer reports: what ThreadSanitizer, AddressSanitizer and UBSan print, and
// Valgrind's Helgrind and DRD, parsed into records that the verdict logic compares and the
// `parse` command prints as JSON.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace racebook {

// One line of a symbolized stack: "#3 main /src/x.cpp:12:5 (prog+0x1234) (BuildId: ...)".
// File and module paths may contain spaces and non-ASCII letters; function names may contain
// spaces ("operator new(unsigned long)", "Foo::operator bool() const").
struct Frame {
  int index = 0;
  std::string function;  // "<null>" when the runtime could not name it ("<null>" or "??")
  std::string file;      // empty when unknown ("<null>", "<unknown>", "??" in the log)
  int line = 0;          // 0 when unknown, or when the runtime printed a file with no line
  int column = 0;        // 0 when the compiler printed none (gcc)
  std::string module;    // "prog+0x1234", "libtsan.so.2+0x5e686", "/a b/prog+0x10", or the bare
                         // pc "0x000000000042" when the runtime knew no module; may be empty
};

// A stack under a titled section of a report. `restored` is false for TSan's
// "[failed to restore the stack]".
struct Stack {
  std::vector<Frame> frames;
  bool restored = true;
};

// A memory access named by a report: TSan's "Read of size 4 at 0x.. by thread T2:" /
// "Previous atomic write of size 8 ...", ASan's "READ of size 4 at 0x.. thread T0".
struct Access {
  bool write = false;
  bool atomic = false;
  bool previous = false;  // TSan "Previous ..." access
  int size = 0;
  std::string address;    // "0x7b0400000010" (unstable, never compared)
  std::string thread;     // "T2", "main thread" -> "T0"
  std::vector<std::string> mutexes_held;  // TSan "(mutexes: write M0, read M1)"
  Stack stack;
};

// A mutex section: "Mutex M0 (0x...) created at:" or
// "Mutex M1 acquired here while holding mutex M0 in thread T1:".
struct MutexSection {
  std::string title;      // the whole title line, trimmed
  std::string mutex;      // "M1"
  std::string held;       // "M0" for "acquired here while holding", else empty
  std::string thread;     // "T1" where named
  bool created = false;   // "created at:"
  Stack stack;
};

// "Thread T1 (tid=1779, finished) created by main thread at:"
struct ThreadSection {
  std::string thread;     // "T1"
  std::string tid;        // "1779"
  std::string state;      // "running", "finished", ... (may be empty)
  std::string created_by; // "T0" for "main thread"
  Stack stack;
};

// Any other titled stack: ASan "freed by thread T0 here:", "previously allocated by ...",
// TSan "Location is heap block ... by main thread:" with its stack.
struct Section {
  std::string title;
  Stack stack;
};

// Helgrind and DRD (valgrind 3.19) fill the same records: Frame.module is the "in OBJECT" of a
// frame with no file ("??? (in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30)"), its column is
// always 0; an Access's thread is the tool's own number as printed ("#3" for Helgrind, "3" for
// DRD; "#1"/"1" is the main thread) and its mutexes_held Helgrind's lock addresses ("Locks held:
// 1, at address 0x.."); a DRD race has one access and the other thread's "Other segment
// start/end (thread U)" stacks as sections; a Helgrind race has the access and the "This
// conflicts with a previous ..." one (previous), or the first only when history lost it; the
// locks Helgrind announces (" Lock at 0x.. was first observed") are mutexes (mutex = the
// address; in a lock-order report the two "followed by a later acquisition" ones have `held`);
// Helgrind's announcements of the threads a report names are its threads (thread "#3", the
// creation stack).
struct Report {
  std::string tool;       // "ThreadSanitizer", "AddressSanitizer", "UndefinedBehaviorSanitizer",
                          // "LeakSanitizer", "Helgrind", "DRD"
  std::string kind;       // a stable slug, every one in kinds.cpp (classified by classify.cpp): "data-race", "thread-leak",
                          // "heap-use-after-free", "stack-use-after-return",
                          // "lock-order-inversion", "unlock-of-unlocked-mutex", "double-lock",
                          // "destroy-of-locked-mutex", "signal-unsafe-call",
                          // "signed-integer-overflow", ...
  std::string headline;   // the WARNING / ERROR / runtime error line, trimmed (Helgrind/DRD:
                          // the line after its "==PID==" prefix, trimmed)
  int first_line = 0;     // 1-based line of the headline in the log
  Stack stack;            // the untitled stack right after the headline, if any
                          // (TSan mutex misuse, signal-unsafe call, UBSan with print_stacktrace)
  std::vector<Access> accesses;
  std::vector<MutexSection> mutexes;
  std::vector<ThreadSection> threads;
  std::vector<Section> sections;
  std::optional<std::string> location;   // "Location is global 'c' of size 4 at ..." trimmed
  std::optional<Frame> ubsan_site;       // UBSan "file:line:col: runtime error:" site
  std::string summary;                   // "SUMMARY: ..." line, if printed
  std::string raw;                       // the report's text, for diagnostics: as printed, minus
                                         // ANSI color codes; for a report whose process shared
                                         // the log with others, only that process's lines
  std::optional<int> pid;                // the process that printed it: the "==1234==" prefix of
                                         // its headline, else TSan's "(pid=1234)"; empty if none
  bool truncated = false;                // the report went on past what the parser keeps of one
                                         // report (ReportStream::kMaxReportBytes of text, its
                                         // lines counted with two bytes of line end each;
                                         // kMaxReportEntries frames and sections, or a line
                                         // longer than kMaxLineBytes): it holds what came before
};

// Parses a log fed in pieces of any size, in one pass and in memory bounded by the largest
// report (not the log; plus a few MiB at most of handed-out reports' frames, kept to be reused
// for the next ones): each finished report goes to `on_report` as soon as its end is seen,
// in the order parse_reports() returns them (by headline). Feeding a log in any chunking gives
// exactly what parse_reports() gives for the whole of it: parse_reports is this class fed once.
//
// Bounds, so a report that never ends (a runaway process, a garbage log) cannot exhaust memory:
// a line is read up to kMaxLineBytes (the rest of it is skipped); a report keeps at most
// kMaxReportBytes of text and kMaxReportEntries frames and titled sections, and is finished,
// `truncated`, when it would exceed them; at most kMaxOpenReports reports (of different
// processes) are open at once, and when finished reports wait behind an open one of another
// process for more than kMaxWaitingBytes, the open one is finished early (truncated). Real logs
// come nowhere near these.
enum class ReportText { Keep, Drop };

class ReportStream {
 public:
  static constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
  static constexpr std::size_t kMaxReportBytes = std::size_t{8} << 20;
  static constexpr std::size_t kMaxReportEntries = 100'000;
  static constexpr std::size_t kMaxOpenReports = 64;
  static constexpr std::size_t kMaxWaitingBytes = std::size_t{64} << 20;

  using Callback = std::function<void(Report&&)>;
  // `text`: ReportText::Drop leaves every Report::raw empty and is otherwise exactly the same
  // (the same reports, fields and bounds): for a reader that does not print the text, as
  // `racebook-harness parse` does not, it saves copying every report's lines.
  explicit ReportStream(Callback on_report, ReportText text = ReportText::Keep);
  ~ReportStream();
  ReportStream(const ReportStream&) = delete;
  ReportStream& operator=(const ReportStream&) = delete;

  // Reads the next bytes of the log (a piece may end anywhere, even inside a line or a UTF-8
  // character).
  void feed(std::string_view bytes);
  // The end of the log: finishes its last line and every report still open. Nothing may be fed
  // after it.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses every TSan/ASan/LSan/UBSan/Helgrind/DRD report in a log, in the order they appear. Tolerant of
// interleaved program output, gcc and clang formats, columns or none, "(BuildId: ...)" suffixes,
// "<null>" frames, ANSI color codes (color=always) and truncated logs (a cut-off report is
// returned with what was read). When lines carry "==PID==" prefixes, the lines of different
// processes are kept apart: a report only reads lines of its own process (and unprefixed ones).
// A ReportStream fed the whole log (so the same bounds hold).
std::vector<Report> parse_reports(std::string_view log);

// True when `line` may be (part of) a sanitizer report's first line: whenever
// parse_reports could take a line as a headline, this is true for it (and more is fine).
// Cheap: a couple of substring searches ("Sanitizer", "runtime error", and "== " for a Valgrind
// line at the margin, "==PID== text": any of those may open a Helgrind or DRD report), plus a
// search of the line with its ANSI codes removed when it has any. Meant for keeping, out of a huge output,
// the lines that a report may start on.
bool may_start_report(std::string_view line);

// True when the log shows a sanitizer runtime that could not start at all (for example
// "FATAL: ThreadSanitizer: unexpected memory mapping"); `what` gets that line.
bool runtime_failed_to_start(std::string_view log, std::string* what = nullptr);

}  // namespace racebook
