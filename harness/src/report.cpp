// Parses the text that ThreadSanitizer, AddressSanitizer, LeakSanitizer and UBSan print, and
// Valgrind's Helgrind and DRD (see "Valgrind" below), into racebook::Report records.
//
// The parser works line by line. It first looks for a headline (the line that opens a
// report), then decides where that report ends using each tool's own framing, then reads the
// lines in between as titled sections followed by stacks. Anything it does not recognise is
// skipped, because the program under test prints freely into the same log and because a
// report may be cut short (a killed process, a truncated capture): a partial report is still
// returned with whatever it had.
//
// Log shapes handled (all captured under harness/tests/data/):
//   TSan:  "==================" / "WARNING: ThreadSanitizer: data race (pid=1)" / sections /
//          "SUMMARY: ThreadSanitizer: ..." / "=================="
//   ASan:  "==1==ERROR: AddressSanitizer: heap-use-after-free on address ..." / sections /
//          "SUMMARY: AddressSanitizer: ..." / shadow byte dump / "==1==ABORTING"
//   LSan:  "==1==ERROR: LeakSanitizer: detected memory leaks" / leak sections / "SUMMARY: ..."
//   UBSan: "file.cpp:9:15: runtime error: <message>" / optional notes and stack /
//          optional "SUMMARY: UndefinedBehaviorSanitizer: ..." (clang prints it, gcc does not);
//          a deadly signal: "==1==ERROR: UndefinedBehaviorSanitizer: SEGV ..." framed like ASan
//          (tests/data/shapes/)
// Before any of that, ANSI color codes (color=always) are removed from each line. Lines
// that start with "==PID==" belong to that process: a report reads only its own process's
// lines and unprefixed ones, so logs of several processes merged line by line stay apart.
//
// The log is read once, as a stream (ReportStream): each line is looked at as it comes, by
// every report still open that it belongs to (at most one per process), and a report is
// handed out as soon as its end is seen. Where a whole-log reading would look ahead (is this
// title followed by a stack? does a UBSan summary follow these blank lines?), the decision
// waits for the next line. So memory is bounded by the largest report, and by the stream's
// caps for a report that never ends (plus the frames kept for reuse, see Spares).

#include "racebook/report.hpp"

#include "racebook/classify.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <utility>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace racebook {
namespace {

// ---------------------------------------------------------------------------------------
// Small string helpers. Only the standard library is allowed here, so no regex engine:
// std::regex would also be slow on multi-megabyte logs.

[[gnu::always_inline]] inline bool is_space(char c) {
  // The first test rejects nearly every character that is not one; the second looks the
  // others up as bits of one mask.
  constexpr std::uint64_t kSpaces = (std::uint64_t{1} << ' ') | (std::uint64_t{1} << '\t') |
                                    (std::uint64_t{1} << '\r') | (std::uint64_t{1} << '\n');
  const auto u = static_cast<unsigned char>(c);
  return u <= ' ' && ((kSpaces >> u) & 1) != 0;
}
[[gnu::always_inline]] inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[gnu::always_inline]] inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Inlined, so that comparing with a literal is a fixed-size compare rather than a call.
[[gnu::always_inline]] inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

[[gnu::always_inline]] inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         std::memcmp(s.data() + s.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
}

// std::string_view::substr without the exception it throws for a start past the end (the start
// is clamped instead; no caller passes one) and always inlined: the parser's hot path calls it
// on every line, and GCC stops inlining substr once this file's inlining budget is spent.
// In the fuzzer's build (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, as OSS-Fuzz names it) a start
// past the end aborts instead: it is a bug in the caller, which clamping would hide.
[[gnu::always_inline]] inline std::string_view sub(std::string_view s, std::size_t pos,
                                                   std::size_t n = std::string_view::npos) {
  if (pos > s.size()) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    std::abort();
#endif
    pos = s.size();
  }
  const std::size_t rest = s.size() - pos;
  return std::string_view(s.data() + pos, n < rest ? n : rest);
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

// ASCII only (no locale lookup): the words compared are the runtimes' English.
[[gnu::always_inline]] inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive prefix test: TSan writes "Atomic write" at the start of a title but
// "Previous atomic write" in the middle of one.
[[gnu::always_inline]] inline bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != lower(prefix[i])) return false;
  return true;
}

// Removes `prefix` (case-insensitively) from the front of `s` and says whether it was there.
[[gnu::always_inline]] inline bool consume_ci(std::string_view& s, std::string_view prefix) {
  if (!starts_with_ci(s, prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

[[gnu::always_inline]] inline int to_int(std::string_view s) {
  int value = 0;
  for (char c : s) {
    if (!is_digit(c)) break;
    if (value > 100'000'000) break;  // a garbage run of digits must not overflow
    value = value * 10 + (c - '0');
  }
  return value;
}

// The leading run of digits of `s` ("1779, finished)" -> "1779").
std::string_view leading_digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  return sub(s, 0, n);
}

// The first whitespace-separated word of `s`.
std::string_view first_word(std::string_view s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  return sub(s, 0, end);
}

// The text after the first occurrence of `marker` in `s`, if there is one.
std::optional<std::string_view> after(std::string_view s, std::string_view marker) {
  std::size_t p = s.find(marker);
  if (p == std::string_view::npos) return std::nullopt;
  return sub(s, p + marker.size());
}

// Thread names as the runtimes print them -> the ids that reports are compared by.
// "main thread" is T0 in both TSan and ASan numbering.
std::string normalize_thread(std::string_view who) {
  who = trim(who);
  if (starts_with(who, "main thread")) return "T0";
  consume_ci(who, "thread ");
  std::string_view id = first_word(who);
  if (!id.empty() && id.back() == ',') id.remove_suffix(1);
  return std::string(id);
}

// ---------------------------------------------------------------------------------------
// ANSI color codes. With color=always the runtimes wrap parts of lines in SGR sequences (see
// sanitizer_report_decorator.h: "\x1b[1m\x1b[31m" turns red on, "\x1b[1m\x1b[0m" resets), even
// in the middle of a line: "Mutex \x1b[1m\x1b[35mM1\x1b[1m\x1b[0m acquired here ...", and
// UBSan's "x.cpp:1:2:\x1b[1m\x1b[31m runtime error: ". They are removed from the whole log
// before anything else is looked at, so a colored log parses exactly like an uncolored one.

// Length of the escape sequence at the start of `s` (s[0] is ESC). A CSI sequence is
// "ESC [ <parameter bytes 0x30-0x3F> <intermediate bytes 0x20-0x2F> <final byte 0x40-0x7E>"
// (ECMA-48). Any other ESC is dropped alone; a CSI cut short (a truncated log) is dropped up to
// where it stops, so a newline is never swallowed.
std::size_t escape_length(std::string_view s) {
  if (s.size() < 2 || s[1] != '[') return 1;
  std::size_t i = 2;
  while (i < s.size() && s[i] >= 0x30 && s[i] <= 0x3F) ++i;
  while (i < s.size() && s[i] >= 0x20 && s[i] <= 0x2F) ++i;
  if (i < s.size() && s[i] >= 0x40 && s[i] <= 0x7E) ++i;
  return i;
}

bool has_escape(std::string_view s) { return s.find('\x1b') != std::string_view::npos; }

// `s` without its escape sequences, into `out` (whose memory is reused).
void strip_ansi(std::string_view s, std::string& out) {
  // Written through a pointer into room for all of `s`, then cut to what was written: the
  // pieces between codes are short, and appending each would cost a call.
  out.resize(s.size());
  char* const begin = out.data();
  char* end = begin;
  std::size_t pos = 0;
  while (pos < s.size()) {
    if (s[pos] == '\x1b') {
      pos += escape_length(sub(s, pos));
    } else {
      *end++ = s[pos++];
    }
  }
  out.resize(static_cast<std::size_t>(end - begin));
}

std::string strip_ansi(std::string_view s) {
  std::string out;
  strip_ansi(s, out);
  return out;
}

// ---------------------------------------------------------------------------------------
// "==PID==" prefixes. The runtimes' Report() (sanitizer_printf.cpp) starts a line with
// "==1234==", or "==prog==1234==" with log_exe_name=1; ASan's headline and "ABORTING" lines
// have one, and logs of several processes merged line by line carry one on every line.

// The length of the "==PID==" prefix at the very start of `s` (0 if none); sets `pid`.
std::size_t pid_prefix_length_of(std::string_view s, int* pid) {
  std::size_t p = 2;
  // "==prog==1234==": an executable name first (not empty, no spaces), then its "==".
  if (p < s.size() && !is_digit(s[p])) {
    std::size_t close = s.find("==", p);
    if (close == std::string_view::npos || close == p) return 0;
    for (std::size_t i = p; i < close; ++i)
      if (is_space(s[i])) return 0;
    p = close + 2;
  }
  std::string_view digits = leading_digits(sub(s, p));
  if (digits.empty() || sub(s, p + digits.size(), 2) != "==") return 0;
  *pid = to_int(digits);
  return p + digits.size() + 2;
}

// Inlined, so that the many lines without "==" at their start cost no call.
[[gnu::always_inline]] inline std::size_t pid_prefix_length(std::string_view s, int* pid) {
  return starts_with(s, "==") ? pid_prefix_length_of(s, pid) : 0;
}

// ---------------------------------------------------------------------------------------
// The log as lines (for runtime_failed_to_start; parse_reports streams, see ReportStream).

struct Line {
  std::string_view text;  // without the newline (and without a trailing '\r')
  std::string_view body;  // `text` after its "==PID==" prefix, if it has one
  int pid = 0;            // that prefix's pid; 0 for a line without one
  std::size_t begin = 0;  // offset of the first character in the log
  std::size_t end = 0;    // offset one past the last character (before the newline)
};

// A timestamp a CI system writes before every line of a job's log ("2026-11-25T10:00:00.123Z "
// in GitHub Actions, "[2026-11-25T10:00:00Z] " or "2026-11-25 10:00:00.123 " elsewhere): the
// length to skip, or 0. Only an ISO 8601 date and time qualifies, so program text is left alone.
std::size_t ci_prefix_length_of(std::string_view s) {
  std::size_t i = 0;
  const bool bracket = i < s.size() && s[i] == '[';
  if (bracket) ++i;
  auto digits = [&](std::size_t n) {
    for (std::size_t k = 0; k < n; ++k, ++i)
      if (i >= s.size() || !is_digit(s[i])) return false;
    return true;
  };
  auto one_of = [&](std::string_view chars) {
    // (A loop over one or two characters, not chars.find(), which calls memchr.)
    if (i < s.size())
      for (char c : chars)
        if (s[i] == c) return ++i, true;
    return false;
  };
  if (!(digits(4) && one_of("-") && digits(2) && one_of("-") && digits(2) && one_of("T ") &&
        digits(2) && one_of(":") && digits(2) && one_of(":") && digits(2)))
    return 0;
  if (one_of(".,")) {
    if (!digits(1)) return 0;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (!one_of("Z") && i < s.size() && (s[i] == '+' || s[i] == '-')) {
    ++i;
    if (!digits(2)) return 0;
    one_of(":");
    if (!digits(2)) return 0;
  }
  if (bracket && !one_of("]")) return 0;
  return one_of(" \t") ? i : 0;
}

// Inlined, so that most lines are turned away without a call.
[[gnu::always_inline]] inline std::size_t ci_prefix_length(std::string_view s) {
  if (s.empty() || (s[0] != '[' && !is_digit(s[0]))) return 0;  // most lines
  return ci_prefix_length_of(s);
}

std::vector<Line> split_lines(std::string_view log) {
  std::vector<Line> lines;
  std::size_t pos = 0;
  while (pos < log.size()) {
    std::size_t nl = log.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? log.size() : nl;
    std::size_t text_end = end;
    if (text_end > pos && log[text_end - 1] == '\r') --text_end;  // logs copied from Windows
    Line line;
    line.text = sub(log, pos, text_end - pos);
    line.text.remove_prefix(ci_prefix_length(line.text));
    line.body = sub(line.text, pid_prefix_length(line.text, &line.pid));
    line.begin = pos;
    line.end = text_end;
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return lines;
}

// Whether a line of process `line_pid` (0: unprefixed) may be read by a report of process
// `owner`. Lines of another process never are: that keeps merged logs apart. Unprefixed lines
// cannot be attributed, so every report reads them (a single process's log has mostly those),
// and a report whose process is unknown (0) reads everything, as in a log of one process.
bool belongs(int line_pid, int owner) { return owner == 0 || line_pid == 0 || line_pid == owner; }

// ---------------------------------------------------------------------------------------
// Headlines: which line opens a report, for which tool.

// UBSanError is UBSan's own runtime reporting a deadly signal the way ASan does
// ("==1==ERROR: UndefinedBehaviorSanitizer: SEGV on unknown address ...", then "==1==ABORTING").
// Helgrind and DRD are Valgrind's thread checkers: their reports are framed by Valgrind's own
// rules (see "Valgrind" below), not by a headline marker.
enum class Tool { None, TSan, ASan, LSan, UBSan, UBSanError, Helgrind, Drd };

struct Headline {
  Tool tool = Tool::None;
  std::string_view text;         // from the marker (or its "==PID==" prefix) to the line end
  std::string_view description;  // what follows "ThreadSanitizer: " / "AddressSanitizer: " ...
};

// If `pos` is preceded by "==<digits>==", moves it back over that prefix so the headline
// keeps the pid marker the runtime printed, but not unrelated program output before it.
std::size_t include_pid_prefix(std::string_view line, std::size_t pos) {
  if (pos < 2 || sub(line, pos - 2, 2) != "==") return pos;
  std::size_t p = pos - 2;
  std::size_t digits_end = p;
  while (p > 0 && is_digit(line[p - 1])) --p;
  if (p == digits_end || p < 2 || sub(line, p - 2, 2) != "==") return pos;
  return p - 2;
}

// Every marker below contains "Sanitizer" or "runtime error": may_start_report relies on it.
// "file.cpp:12:5", "file.cpp:12" or "<unknown>" at the end of `before`: the location UBSan
// prints before ": runtime error: ".
bool is_ubsan_site(std::string_view before) {
  if (ends_with(before, "<unknown>")) return true;
  auto strip_number = [&](std::string_view& s) {
    std::size_t n = 0;
    while (n < s.size() && is_digit(s[s.size() - 1 - n])) ++n;
    if (n == 0 || n == s.size() || s[s.size() - 1 - n] != ':') return false;
    s.remove_suffix(n + 1);
    return true;
  };
  if (!strip_number(before)) return false;  // the line
  strip_number(before);                      // and the column, when one is printed
  // A file name is left, which is not empty and does not end in a space.
  return !before.empty() && before.back() != ' ';
}

Headline find_headline(std::string_view line) {
  Headline h;
  // TSan: searched anywhere in the line, because the program may have printed a partial line
  // (no trailing newline) just before the runtime started writing.
  if (std::size_t p = line.find("WARNING: ThreadSanitizer: "); p != std::string_view::npos) {
    h.tool = Tool::TSan;
    h.text = trim(sub(line, p));
    h.description = trim(sub(line, p + std::string_view("WARNING: ThreadSanitizer: ").size()));
    return h;
  }
  for (auto [marker, tool] :
       {std::pair{std::string_view("ERROR: AddressSanitizer: "), Tool::ASan},
        std::pair{std::string_view("ERROR: LeakSanitizer: "), Tool::LSan},
        std::pair{std::string_view("ERROR: UndefinedBehaviorSanitizer: "), Tool::UBSanError}}) {
    if (std::size_t p = line.find(marker); p != std::string_view::npos) {
      h.tool = tool;
      h.text = trim(sub(line, include_pid_prefix(line, p)));
      h.description = trim(sub(line, p + marker.size()));
      return h;
    }
  }
  // UBSan: "<file>:<line>:<col>: runtime error: <message>" (the site may lack a column, or be
  // "<unknown>" when there is no debug info).
  // What stands before it must be such a site (ubsan_diag.cpp's RenderLocation), so Go's
  // "panic: runtime error: index out of range" and other programs' messages are no report.
  if (std::size_t p = line.find(": runtime error: ");
      p != std::string_view::npos && is_ubsan_site(sub(line, 0, p))) {
    h.tool = Tool::UBSan;
    h.text = trim(line);
    h.description = trim(sub(line, p + std::string_view(": runtime error: ").size()));
    return h;
  }
  return h;
}

// The process a report belongs to: the "==PID==" prefix of its line, else one right before
// the marker (after leftover program output), else TSan's "(pid=1234)". 0 when none is known.
int report_pid(int line_pid, const Headline& headline) {
  if (line_pid != 0) return line_pid;
  int pid = 0;
  if (pid_prefix_length(headline.text, &pid) > 0) return pid;
  if (const auto rest = after(headline.description, "(pid=")) {
    std::string_view digits = leading_digits(*rest);
    if (!digits.empty() && rest->substr(digits.size(), 1) == ")") return to_int(digits);
  }
  return 0;
}

const char* tool_name(Tool tool) {
  switch (tool) {
    case Tool::TSan: return "ThreadSanitizer";
    case Tool::ASan: return "AddressSanitizer";
    case Tool::LSan: return "LeakSanitizer";
    case Tool::UBSan:
    case Tool::UBSanError: return "UndefinedBehaviorSanitizer";
    case Tool::Helgrind: return "Helgrind";
    case Tool::Drd: return "DRD";
    case Tool::None: break;
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Frames.
//
// A frame line is "#N [0xPC in ]FUNCTION [LOCATION] [(MODULE+0xOFF)] [(BuildId: hex)]" (an
// inlined frame may be numbered "#N.M" under its caller's N):
//   TSan prints "    #%n %f %S %M": "#3 f(int) /src/x.cpp:12:5 (prog+0x12) (BuildId: ..)", with
//     "<null>" for an unknown function or file, and the bare pc "(0x0000004)" for an unknown
//     module;
//   ASan/UBSan/LSan print "    #%n %p %F %L": "#0 0x55 in f(int) /src/x.cpp:12:5", or with no
//     file "#1 0x7f in f+0x12 (/lib/x.so+0x27) (BuildId: ..)", "#6 0x7f  (/lib/x.so+0x27)" with
//     no function, "(<unknown module>)" with no module.
// (sanitizer_stacktrace_printer.cpp, RenderFrame.) LOCATION is "FILE:LINE[:COL]", "FILE" alone
// (the runtime prints no line for line 0), "FILE(LINE,COL)" with symbolize_vs_style=1, or a
// marker for an unknown file ("<null>", "??:0"); addr2line-based symbolizers may add
// " (discriminator N)". Files and modules may contain spaces and any letters; function names
// contain spaces too, inside brackets ("std::map<int, int>::at(int const&)") and outside them
// ("operator new(unsigned long)", "Foo::operator bool() const"). So a frame is split on its
// structure, never on its last space: first the parenthesised groups at its end, then the pc,
// then the location as the first word that starts a path.

// Whether a trimmed line is a frame: "#" and a digit.
bool is_frame_line(std::string_view trimmed) {
  return trimmed.size() >= 2 && trimmed[0] == '#' && is_digit(trimmed[1]);
}

// Finds the '(' matching the ')' that ends `s`, or npos. Module parts such as
// "(libtsan.so.2+0x5e686)" are found this way without being confused by the parentheses of
// "operator()()" or "f(int)" earlier in the line, or of "(copy)" inside a module's path.
std::size_t matching_open_paren(std::string_view s) {
  if (s.empty() || s.back() != ')') return std::string_view::npos;
  int depth = 0;
  // The parentheses, from the last backwards ('(' is 0x28 and ')' 0x29: with bit 0 set, both
  // are ')', and no other character is).
  auto paren = [&](std::size_t i) {
    if (s[i] == ')') {
      ++depth;
      return false;
    }
    return --depth == 0;
  };
  std::size_t i = s.size();
#if defined(__SSE2__)
  // Sixteen bytes at a time where SSE2 is there: a group's text (a module path, a build id)
  // has no parentheses, and is passed over a block at once.
  for (; i >= 16; i -= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i - 16));
    auto found = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(x, _mm_set1_epi8(0x01)), _mm_set1_epi8(')'))));
    while (found != 0) {
      const int last = 31 - __builtin_clz(found);
      if (paren(i - 16 + static_cast<std::size_t>(last))) return i - 16 + static_cast<std::size_t>(last);
      found &= ~(1u << last);
    }
  }
#endif
  while (i-- > 0)
    if ((s[i] | 1) == ')' && paren(i)) return i;
  return std::string_view::npos;
}

constexpr auto kHexDigits = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("0123456789abcdefABCDEF")) table[c] = true;
  return table;
}();

[[gnu::always_inline]] inline bool is_hex_digit(char c) { return kHexDigits[static_cast<unsigned char>(c)]; }

// "0x" followed by at least one hex digit, and nothing else.
bool is_hex_number(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || s[1] != 'x') return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (!is_hex_digit(s[i])) return false;
  return true;
}

// Where `s` ends in "+0x" and hex digits, not at its start ("f+0x12", "prog+0x1234"): the
// position of that '+', else npos. (The same as an rfind of "+0x" followed by is_hex_number of
// the rest, since hex digits hold no '+'; but read backwards over the digits only.)
std::size_t hex_offset_suffix(std::string_view s) {
  std::size_t i = s.size();
  while (i > 0 && is_hex_digit(s[i - 1])) --i;
  if (i == s.size() || i < 4 || s[i - 1] != 'x' || s[i - 2] != '0' || s[i - 3] != '+')
    return std::string_view::npos;
  return i - 3;
}

// What a parenthesised group at the end of a frame line holds.
enum class Group { Other, BuildId, Discriminator, Module };

Group classify_group(std::string_view inside) {
  if (starts_with(inside, "BuildId:")) return Group::BuildId;
  if (std::string_view n = inside; consume_ci(n, "discriminator ") && all_digits(trim(n)))
    return Group::Discriminator;
  // "prog+0x1234", "/a b/lib.so+0x27", "lib.dylib:x86_64+0x10" (RenderModuleLocation); the bare
  // pc "0x0000004" (TSan's %M without a module); "<unknown module>" (ASan's %L without one).
  if (hex_offset_suffix(inside) != std::string_view::npos || is_hex_number(inside) ||
      inside == "<unknown module>")
    return Group::Module;
  return Group::Other;
}

// Removes the "(BuildId: ..)", "(MODULE+0xOFF)" and "(discriminator N)" groups from the end of
// `s`, keeping the module in `frame`. A group counts only after a space, so the parentheses
// of a function's own "f(int)" never do, nor does a second module-like group.
std::string_view strip_suffix_groups(std::string_view s, Frame& frame) {
  bool have_module = false;
  for (;;) {
    std::size_t open = matching_open_paren(s);
    if (open == std::string_view::npos || (open > 0 && s[open - 1] != ' ')) break;
    std::string_view inside = sub(s, open + 1, s.size() - open - 2);
    Group group = classify_group(inside);
    if (group == Group::Other || (group == Group::Module && have_module)) break;
    if (group == Group::Module) {
      have_module = true;
      if (inside != "<unknown module>") frame.module.append(inside);  // empty until here
    }
    s = trim(sub(s, 0, open));
  }
  return s;
}

// Removes a trailing ":<digits>" (or addr2line's ":?" for an unknown line) from `s`; returns
// the number (0 for "?"), or -1 and leaves `s` alone when there is none.
int take_number_suffix(std::string_view& s) {
  // Backwards over the digits only (not the whole path, as an rfind of ':' would).
  std::size_t i = s.size();
  while (i > 0 && is_digit(s[i - 1])) --i;
  std::string_view number = sub(s, i);
  if (number.empty()) {
    if (s.size() < 2 || s[s.size() - 2] != ':' || s.back() != '?') return -1;
    s.remove_suffix(2);
    return 0;
  }
  if (i == 0 || s[i - 1] != ':') return -1;
  s = sub(s, 0, i - 1);
  return to_int(number);
}

// Words that stand for an unknown file: TSan's "<null>", UBSan's "<unknown>", addr2line's "??".
bool is_unknown_file(std::string_view file) {
  return file == "<null>" || file == "<unknown>" || file == "??";
}

// Splits a location into `frame`: "path/x.cpp:12:5", "path/x.cpp:12", "path/x.cpp" (no line),
// "path/x.cpp(12,5)" (symbolize_vs_style=1); "<null>", "??:0", "??:?" leave the file empty.
void split_location(std::string_view location, Frame& frame) {
  std::string_view file = trim(location);
  int line = 0;
  int column = 0;
  bool vs_style = false;
  if (std::size_t open = matching_open_paren(file); open != std::string_view::npos && open > 0) {
    std::string_view inside = sub(file, open + 1, file.size() - open - 2);
    std::size_t comma = inside.find(',');
    std::string_view first = sub(inside, 0, comma);
    std::string_view second = comma == std::string_view::npos ? "0" : sub(inside, comma + 1);
    if (all_digits(first) && all_digits(second)) {
      vs_style = true;
      line = to_int(first);
      column = to_int(second);
      file = sub(file, 0, open);
    }
  }
  if (int last = vs_style ? -1 : take_number_suffix(file); last >= 0) {
    int before = take_number_suffix(file);
    line = before >= 0 ? before : last;
    column = before >= 0 ? last : 0;
  }
  // Cleared and appended to: cheaper than assign(), which allows for `file` lying inside it.
  frame.file.clear();
  if (!is_unknown_file(file)) frame.file.append(file);
  frame.line = line;
  frame.column = column;
}

// Whether a word (at bracket depth 0, after the function's first word) starts a path. Function
// names never have a word that starts this way: C++ names do not begin with '/', '.' or '\\',
// nor with a letter, ':' and a slash (a Windows drive; a name's colons come in pairs).
bool starts_path(std::string_view word) {
  const std::size_t n = word.size();
  if (n == 0) return false;
  if (word[0] == '/') return true;
  // Windows: "C:\src\x.cpp", "C:/src/x.cpp", "\\server\share\x.cpp".
  const auto letter = static_cast<unsigned char>(word[0] | 0x20);
  if (n >= 3 && letter >= 'a' && letter <= 'z' && word[1] == ':' && (word[2] == '\\' || word[2] == '/'))
    return true;
  if (n >= 3 && word[0] == '\\' && word[1] == '\\') return true;
  if (word[0] != '.' || n < 2) return false;
  return word[1] == '/' || (word[1] == '.' && n >= 3 && word[2] == '/');
}

// The characters that is_location_word does not accept in a file.
constexpr auto kNotInLocationWord = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view(" ()<>[]{},")) table[c] = true;
  return table;
}();

// Whether the last word of a frame, on its own, is a location that does not start a path: an
// unknown file ("<null>", "??:0"), a compiler's pseudo file ("<stdin>"), or a relative file
// with a line or a directory ("x.cpp:12:5", "nptl/pthread_create.c:442", "csu/libc-start.c").
// Relative paths with spaces are not recognised: nothing tells them from a function's words.
bool is_location_word(std::string_view word) {
  std::string_view file = word;
  bool has_line = take_number_suffix(file) >= 0;
  if (has_line) take_number_suffix(file);
  if (is_unknown_file(file) || file == "<stdin>" || file == "<built-in>") return true;
  // (A table, not find_first_of, which calls memchr on the set for every character.)
  if (file.empty() || std::any_of(file.begin(), file.end(), [](char c) {
        return kNotInLocationWord[static_cast<unsigned char>(c)];
      }))
    return false;
  std::size_t slash = file.rfind('/');
  std::string_view base = slash == std::string_view::npos ? file : sub(file, slash + 1);
  std::size_t dot = base.rfind('.');
  bool has_extension = dot != std::string_view::npos && dot > 0 && dot + 1 < base.size();
  return has_extension && (has_line || slash != std::string_view::npos);
}

// The characters split_function_and_location acts on; all others are skipped in one test.
enum : unsigned char { kPlain = 0, kSpace = 1, kOpen = 2, kClose = 3 };
constexpr auto kFrameChars = [] {
  std::array<unsigned char, 256> table{};
  table[static_cast<unsigned char>(' ')] = kSpace;
  for (char c : {'(', '[', '{'}) table[static_cast<unsigned char>(c)] = kOpen;
  for (char c : {')', ']', '}'}) table[static_cast<unsigned char>(c)] = kClose;
  return table;
}();

// The first position at or after `i` of a character in kFrameChars, or s.size(). Sixteen bytes
// at a time where SSE2 is there (every x86-64): names and paths are mostly long runs of plain
// characters.
std::size_t next_frame_char(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  // Seven characters in four comparisons: ' ' (0x20) as it is; '(' and ')' (0x28, 0x29) are
  // both ')' with bit 0 set; '[' and '{' (0x5B, 0x7B) are both '{' with bit 5 set, ']' and '}'
  // (0x5D, 0x7D) both '}'. No other byte becomes one of these.
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i bit0 = _mm_or_si128(x, _mm_set1_epi8(0x01));
    const __m128i bit5 = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(bit0, _mm_set1_epi8(')'))),
        _mm_or_si128(_mm_cmpeq_epi8(bit5, _mm_set1_epi8('{')), _mm_cmpeq_epi8(bit5, _mm_set1_epi8('}'))));
    if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits)); mask != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  while (i < s.size() && kFrameChars[static_cast<unsigned char>(s[i])] == kPlain) ++i;
  return i;
}

// Splits "FUNCTION [LOCATION]", what is left of a frame once its pc and groups are gone. The
// location starts at the first word, after the first, that is at bracket depth 0 and starts a
// path, and runs to the end (paths may contain spaces). Words inside (), [] or {} are skipped:
// "f(char const*, void (*)())". Angle brackets are not counted, because "operator<" and
// "operator->" are unbalanced, and no word inside a template argument list starts a path.
// Failing that, the last word at depth 0 is the location if it looks like one on its own.
// Returns FUNCTION (as printed: parse_frame makes it final); LOCATION goes into `frame`.
std::string_view split_function_and_location(std::string_view s, Frame& frame) {
  int depth = 0;
  std::size_t last_word = std::string_view::npos;
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (;;) {
    i = next_frame_char(s, i);
    if (i == n) break;
    const unsigned char kind = kFrameChars[static_cast<unsigned char>(s[i])];
    if (kind == kSpace) {
      while (i < n && s[i] == ' ') ++i;
      if (i == n) break;
      if (depth == 0) {
        // A word starts at i (it may itself start with a bracket: looked at next).
        if (starts_path(sub(s, i))) {
          split_location(sub(s, i), frame);
          return trim(sub(s, 0, i));
        }
        last_word = i;
      }
      continue;
    }
    if (kind == kOpen) {
      ++depth;
    } else if (depth > 0) {
      --depth;
    }
    ++i;
  }
  if (last_word != std::string_view::npos && depth == 0 &&
      is_location_word(sub(s, last_word))) {
    split_location(sub(s, last_word), frame);
    return trim(sub(s, 0, last_word));
  }
  return s;
}

// The length of the pc at the start of `s`: a first word that is a hex number ("0x55" followed
// by a space or the end); 0 if there is none.
std::size_t pc_length(std::string_view s) {
  if (!starts_with(s, "0x")) return 0;
  std::size_t end = 2;
  while (end < s.size() && is_hex_digit(s[end])) ++end;
  return end > 2 && (end == s.size() || is_space(s[end])) ? end : 0;
}

// Parses one stack line, trimmed (see the formats above), into `frame`: every field of it, so
// that a frame whose strings are reused keeps only their memory. Unknown parts are empty/0; an
// unknown function is "<null>".
void parse_frame(std::string_view line, Frame& frame) {
  frame.function.clear();
  frame.file.clear();
  frame.line = 0;
  frame.column = 0;
  frame.module.clear();
  std::string_view s = line;
  s.remove_prefix(1);  // '#'
  std::string_view index = leading_digits(s);
  frame.index = to_int(index);
  s.remove_prefix(index.size());
  // An inlined frame numbered under its caller ("#1.1", "#1.2"): the caller's number is kept.
  if (s.size() >= 2 && s[0] == '.' && is_digit(s[1])) s.remove_prefix(1 + leading_digits(sub(s, 1)).size());
  s = trim(s);
  s = strip_suffix_groups(s, frame);

  // ASan/UBSan put the pc first. "0x55 in f ..." names a function; "0x55" alone, or followed
  // by a location, does not.
  if (const std::size_t pc = pc_length(s); pc != 0) {
    s = trim(sub(s, pc));
    if (!consume_ci(s, "in ")) {
      if (!s.empty()) split_location(s, frame);
      frame.function = "<null>";
      return;
    }
    s = trim(s);
  }
  std::string_view function = split_function_and_location(s, frame);

  // "f+0x12": ASan names the function plus an offset into it when it has no file.
  if (std::size_t plus = hex_offset_suffix(function); plus != std::string_view::npos)
    function = sub(function, 0, plus);
  if (function.empty() || function == "??") function = "<null>";
  frame.function.append(function);  // empty until here
}

// ---------------------------------------------------------------------------------------
// Section titles.

// TSan: "[Previous ][atomic ]Read|Write of size N at 0x.. by thread T2[ (mutexes: write M0)]:"
// ASan: "READ|WRITE of size N at 0x.. thread T0"
bool parse_access(std::string_view title, Access& access) {
  std::string_view s = title;
  access.previous = consume_ci(s, "previous ");
  access.atomic = consume_ci(s, "atomic ");
  // An access to an external object (__tsan_external_read/write): "Modifying access of <tag>
  // at 0x.. by thread T1:" / "Read-only access of <tag> at ...". The tag is program text; it
  // ends at the last " at 0x". No size is printed.
  const bool modifying = consume_ci(s, "modifying access of ");
  if (modifying || consume_ci(s, "read-only access of ")) {
    const std::size_t at = s.rfind(" at 0x");
    if (at == std::string_view::npos) return false;
    access.write = modifying;
    s.remove_prefix(at + 4);
  } else {
    if (consume_ci(s, "write of size ")) {
      access.write = true;
    } else if (!consume_ci(s, "read of size ")) {
      return false;
    }
    std::string_view size = leading_digits(s);
    if (size.empty()) return false;
    access.size = to_int(size);
    s.remove_prefix(size.size());
    if (!consume_ci(s, " at ")) return false;
  }
  std::string_view address = first_word(s);
  access.address = std::string(address);
  s = trim(sub(s, address.size()));
  if (ends_with(s, ":")) s.remove_suffix(1);

  // "(mutexes: write M0, read M1)": the ids are kept ("M0", "M1"), in order.
  constexpr std::string_view kMutexes = "(mutexes:";
  if (std::size_t p = s.find(kMutexes); p != std::string_view::npos) {
    std::string_view list = sub(s, p + kMutexes.size());
    if (std::size_t close = list.find(')'); close != std::string_view::npos)
      list = sub(list, 0, close);
    s = trim(sub(s, 0, p));
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view item = trim(sub(list, 0, comma));
      std::size_t space = item.rfind(' ');
      if (!item.empty())
        access.mutexes_held.emplace_back(space == std::string_view::npos ? item
                                                                         : sub(item, space + 1));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  consume_ci(s, "by ");  // TSan says "by thread T2", ASan just "thread T0"
  access.thread = normalize_thread(s);
  return true;
}

// The id that follows `word` at the start of a title ("Mutex M12 ...", "Thread T1, ..."):
// `letter` and a digit, then anything up to a space ("M12", "T1,"); empty when there is none.
std::string_view numbered_id(std::string_view title, std::string_view word, char letter) {
  if (!consume_ci(title, word)) return {};
  std::string_view id = first_word(title);
  return id.size() >= 2 && id[0] == letter && is_digit(id[1]) ? id : std::string_view();
}

// The thread named by the end of a title ("main thread at:", "T1:"), without the first of
// `tails` that it ends with.
std::string thread_named(std::string_view who, std::initializer_list<std::string_view> tails) {
  for (std::string_view tail : tails) {
    if (ends_with(who, tail)) {
      who.remove_suffix(tail.size());
      break;
    }
  }
  return normalize_thread(who);
}

// "Mutex M1 acquired here while holding mutex M0 in thread T1:", "Mutex M0 (0x..) created at:",
// "Mutex M0 previously acquired by the same thread here:", "Mutex M10 is already destroyed."
bool parse_mutex(std::string_view title, MutexSection& mutex) {
  std::string_view id = numbered_id(title, "mutex ", 'M');
  if (id.empty() || !all_digits(sub(id, 1))) return false;
  mutex.title = std::string(title);
  mutex.mutex = std::string(id);
  mutex.created = ends_with(title, "created at:");
  if (const auto held = after(title, "while holding mutex ")) mutex.held = std::string(first_word(*held));
  if (contains(title, " in main thread")) mutex.thread = "T0";
  if (const auto who = after(title, " in thread ")) mutex.thread = thread_named(*who, {":"});
  return true;
}

// TSan: "Thread T1 (tid=1779, finished) created by main thread at:" (optionally with a quoted
// name after the id); ASan: "Thread T1 created by T0 here:". Titles such as "Thread T3 ... is a
// GCD worker thread" still parse: the creator is simply left empty.
bool parse_thread(std::string_view title, ThreadSection& thread) {
  std::string_view id = numbered_id(title, "thread ", 'T');
  if (id.empty()) return false;
  thread.thread = "T" + std::string(leading_digits(sub(id, 1)));  // "T1," -> "T1"
  if (auto tid_and_state = after(title, "(tid=")) {
    std::string_view& rest = *tid_and_state;
    std::string_view tid = leading_digits(rest);
    thread.tid = std::string(tid);
    rest.remove_prefix(tid.size());
    if (starts_with(rest, ", ")) {
      std::size_t close = rest.find(')');
      std::string_view state = sub(rest, 2, close == std::string_view::npos ? close : close - 2);
      thread.state = std::string(trim(state));
    }
  }
  if (const auto who = after(title, "created by "))
    thread.created_by = thread_named(*who, {" here:", " at:", ":"});
  return true;
}

// ---------------------------------------------------------------------------------------
// Report bodies, extents and text, read one line at a time as the log streams in.

// Which stack the next frame lines belong to. Indices, not pointers: the vectors grow.
struct Target {
  enum Kind { None, Headline, Access, Mutex, Thread, Section } kind = None;
  std::size_t index = 0;
};

Stack* resolve(Report& report, Target target) {
  switch (target.kind) {
    case Target::Headline: return &report.stack;
    case Target::Access: return &report.accesses[target.index].stack;
    case Target::Mutex: return &report.mutexes[target.index].stack;
    case Target::Thread: return &report.threads[target.index].stack;
    case Target::Section: return &report.sections[target.index].stack;
    case Target::None: break;
  }
  return nullptr;
}

bool has_sections(const Report& r) {
  return !r.accesses.empty() || !r.mutexes.empty() || !r.threads.empty() || !r.sections.empty();
}

// Whether a trimmed line is TSan's "==================".
bool is_tsan_delimiter(std::string_view trimmed) {
  return trimmed.size() >= 10 && trimmed.front() == '=' &&
         trimmed.find_first_not_of('=') == std::string_view::npos;
}

bool is_asan_aborting(std::string_view line) {
  // Only the end is looked at, so only the spaces there are trimmed.
  while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
  return ends_with(line, "==ABORTING");
}

// The ASan tail after SUMMARY: the shadow byte dump and its legend, then "==PID==ABORTING".
bool is_shadow_dump_line(std::string_view line) {
  std::string_view t = trim(line);
  return t.empty() || starts_with(t, "Shadow byte") || starts_with(t, "0x") ||
         starts_with(t, "=>0x") || starts_with(line, "  ");
}

// The site of a UBSan report: "path/file.cpp:9:15" before ": runtime error: ".
Frame ubsan_site(std::string_view headline) {
  Frame site;
  int pid = 0;
  headline.remove_prefix(pid_prefix_length(headline, &pid));
  split_location(sub(headline, 0, headline.find(": runtime error: ")), site);
  return site;
}

// One line of the log as the stream reads it (views valid while the line is handled).
struct LineView {
  std::string_view full;   // the line minus its colors, its newline and one '\r' before it
  bool cr = false;         // that '\r' was there
  std::string_view text;   // `full` after a CI timestamp prefix
  std::string_view body;   // `text` after its "==PID==" prefix, if it has one
  std::string_view trimmed;  // `body` without the spaces around it (what most tests look at)
  bool delimiter = false;    // `trimmed` is TSan's "=================="
  int pid = 0;             // that prefix's pid; 0 for a line without one
  std::size_t number = 0;  // 0-based
  bool cut = false;        // the line was longer than kMaxLineBytes; this is its start
};

// Frames of reports already handed out, and their stacks' emptied vectors, for the reports
// that follow: a frame's strings and a stack's vector then reuse memory instead of allocating
// it anew (a log has far more frames than reports). The frames' contents are stale: parse_frame
// overwrites every field. Bounded, whatever the log: at most kMaxFrames frames of at most
// kMaxFrameBytes of strings each and kMaxVectors vectors of at most kMaxVectorFrames frames
// (under 7 MiB in all); what is larger goes back to the allocator. Whatever on_report moved out
// of a report is simply not there to keep.
class Spares {
 public:
  // Appends a frame to `frames`, reusing a spare one and, for a stack's first frame, a spare
  // vector.
  // Flattened: its vector and string moves were inlined only while this file's inlining budget
  // lasted (a call per frame otherwise).
  [[gnu::flatten]] Frame& add_frame(std::vector<Frame>& frames) {
    if (frames.capacity() == 0 && !vectors_.empty()) {
      frames = std::move(vectors_.back());
      vectors_.pop_back();
    }
    if (frames_.empty()) return frames.emplace_back();
    frames.push_back(std::move(frames_.back()));
    frames_.pop_back();
    return frames.back();
  }

  // Takes what may be reused out of a report that is no longer needed.
  void keep(Report& report) {
    keep(report.stack);
    for (Access& a : report.accesses) keep(a.stack);
    for (MutexSection& m : report.mutexes) keep(m.stack);
    for (ThreadSection& t : report.threads) keep(t.stack);
    for (Section& s : report.sections) keep(s.stack);
    if (report.ubsan_site) keep(*report.ubsan_site);
  }

 private:
  static constexpr std::size_t kMaxFrames = 4096;
  static constexpr std::size_t kMaxFrameBytes = 1024;  // a frame's strings' capacity
  static constexpr std::size_t kMaxVectors = 256;
  static constexpr std::size_t kMaxVectorFrames = 64;

  void keep(Frame& frame) {
    if (frames_.size() < kMaxFrames &&
        frame.function.capacity() + frame.file.capacity() + frame.module.capacity() <= kMaxFrameBytes)
      frames_.push_back(std::move(frame));
  }

  void keep(Stack& stack) {
    for (Frame& frame : stack.frames) keep(frame);
    stack.frames.clear();
    if (stack.frames.capacity() != 0 && stack.frames.capacity() <= kMaxVectorFrames &&
        vectors_.size() < kMaxVectors)
      vectors_.push_back(std::move(stack.frames));
  }

  std::vector<Frame> frames_;
  std::vector<std::vector<Frame>> vectors_;  // empty, with room
};

// A report between its headline and its end: the lines after the headline that belong to its
// process (see belongs()) go through extent() (does the report end here?), into `raw` and into
// body_line() (sections, stacks), exactly as a whole-log reading would treat them.
struct OpenReport {
  Report report;
  Spares* spares = nullptr;  // the stream's
  Tool tool = Tool::None;
  int owner = 0;
  bool done = false;
  bool keep_raw = true;        // ReportText::Keep: raw is built; else it stays empty
  std::size_t text_bytes = 0;  // the report's lines so far, two bytes of line end each: what
                               // kMaxReportBytes bounds (raw is never longer), in both modes
  bool external_access = false;  // TSan: a "Modifying/Read-only access of <tag>" section
  // raw: as printed from the first line to the last (CI prefixes and inner '\r's kept), or,
  // once a line of another process came in between, the report's own lines' text joined.
  bool joined = false;
  bool foreign = false;  // another process's line came after the last line in raw
  bool last_cr = false;  // the last line in raw had a '\r' (printed when a line follows)
  // extent
  bool after_summary = false;  // ASan: the shadow dump follows
  bool in_stack = false;       // UBSan: its stack began
  bool blank_pending = false;  // UBSan: blank lines came; the report ends at the first unless
                               // "SUMMARY: UndefinedBehaviorSanitizer" follows them
  struct Held {
    std::string full;
    bool cr = false;
    bool foreign = false;
  };
  std::vector<Held> held;  // those blank lines, for raw
  std::size_t held_bytes = 0;
  bool held_overflow = false;
  // body
  Target target{Target::Headline, 0};
  bool body_done = false;      // ASan's shadow dump began: nothing after it is read
  bool title_pending = false;  // `title` is a section if the next line is a frame
  bool after_blank = false;    // a blank line came: the current stack ends unless its next
                               // frame follows
  std::string title;
  std::size_t entries = 0;  // frames and titled sections, against kMaxReportEntries
  // Valgrind: the process state's pointer to this report, cleared when the report is done
  // (whoever closes it), so that the state never holds a report that was handed out.
  OpenReport** vg_slot = nullptr;
};

void convert_to_joined(OpenReport& o) {
  // raw holds whole lines ("\r" kept before each inner newline); make it their texts joined.
  const std::string& raw = o.report.raw;
  std::string joined;
  joined.reserve(raw.size());
  std::size_t pos = 0;
  for (;;) {
    const std::size_t nl = raw.find('\n', pos);
    std::string_view piece(raw.data() + pos, (nl == std::string::npos ? raw.size() : nl) - pos);
    if (nl != std::string::npos && !piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    piece.remove_prefix(ci_prefix_length(piece));
    if (pos != 0) joined += '\n';
    joined.append(piece);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  o.report.raw = std::move(joined);
  o.joined = true;
}

// Adds an own line's text to raw (ReportText::Keep).
void add_raw(OpenReport& o, std::string_view full, bool cr) {
  std::string& raw = o.report.raw;
  if (o.foreign && !o.joined) convert_to_joined(o);
  o.foreign = false;
  if (o.joined) {
    raw += '\n';
    raw.append(sub(full, ci_prefix_length(full)));
  } else {
    if (o.last_cr) raw += '\r';
    raw += '\n';
    raw.append(full);
    o.last_cr = cr;
  }
}

// The room a report's text starts with: a short report fits, a long one grows from there.
// (4096 made every report, even of one line, take 4 KB, which ASan fills on every allocation:
// a fifth of the bytes the fuzz target allocated. Parsing with the text dropped, as `parse`
// does, reserves nothing.)
constexpr std::size_t kRawReserve = 1024;

// Adds an own line to raw; false (nothing added) when the report would outgrow kMaxReportBytes.
// Inlined: with ReportText::Drop it only counts.
[[gnu::always_inline]] inline bool append_raw(OpenReport& o, std::string_view full, bool cr) {
  if (o.text_bytes + full.size() + 2 > ReportStream::kMaxReportBytes) return false;
  o.text_bytes += full.size() + 2;
  if (o.keep_raw) add_raw(o, full, cr);
  return true;
}

// Adds a titled section (access, mutex, thread or other) to the report: the frames that follow
// go to its stack. It counts against kMaxReportEntries.
template <typename T>
void open_section(OpenReport& o, std::vector<T>& sections, T&& section, Target::Kind kind) {
  sections.push_back(std::move(section));
  o.target = {kind, sections.size() - 1};
  ++o.entries;
}

// One line of the report after its headline, without its "==PID==" prefix and trimmed (only
// that is looked at): titles open sections, frames go to the current stack.
void body_line(OpenReport& o, std::string_view line) {
  if (o.body_done) return;
  Report& report = o.report;
  Target& target = o.target;
  if (o.title_pending) {
    // A title is a section only when a stack follows it.
    o.title_pending = false;
    if (is_frame_line(line)) {
      open_section(o, report.sections, Section{std::move(o.title), {}}, Target::Section);
    }
  }
  if (line.empty()) {
    o.after_blank = true;
    return;
  }
  if (o.after_blank) {
    // A blank line closes the current stack, unless the next frame of that same stack
    // follows it: some platforms print a blank line between frames.
    o.after_blank = false;
    const Stack* open = resolve(report, target);
    const bool continues = open && !open->frames.empty() && is_frame_line(line) &&
                           to_int(leading_digits(sub(line, 1))) == open->frames.back().index + 1;
    if (!continues) target = {};
  }
  if (is_frame_line(line)) {
    Stack* stack = resolve(report, target);
    if (!stack) {
      // Frames with no title of their own: the headline's, if nothing came before them.
      if (has_sections(report) || !report.stack.frames.empty()) {
        report.sections.push_back({"", {}});
        target = {Target::Section, report.sections.size() - 1};
      } else {
        target = {Target::Headline, 0};
      }
      stack = resolve(report, target);
    }
    parse_frame(line, o.spares->add_frame(stack->frames));
    ++o.entries;
    return;
  }
  if (line == "[failed to restore the stack]") {
    if (Stack* stack = resolve(report, target)) stack->restored = false;
    return;
  }
  if (starts_with(line, "SUMMARY: ")) {
    report.summary = std::string(line);
    target = {};
    return;
  }
  if (starts_with(line, "Shadow bytes around the buggy address")) {  // ASan's tail
    o.body_done = true;
    return;
  }

  Access access;
  if (parse_access(line, access)) {
    if (o.tool == Tool::TSan &&
        (contains(line, "odifying access of ") || contains(line, "ead-only access of ")))
      o.external_access = true;
    open_section(o, report.accesses, std::move(access), Target::Access);
    return;
  }
  MutexSection mutex;
  if (parse_mutex(line, mutex)) {
    // "Mutex M0 previously acquired by the same thread here:" names no thread; it is the
    // thread of the "acquired here while holding" section just before it.
    if (mutex.thread.empty() && contains(line, "by the same thread") && !report.mutexes.empty())
      mutex.thread = report.mutexes.back().thread;
    open_section(o, report.mutexes, std::move(mutex), Target::Mutex);
    return;
  }
  ThreadSection thread;
  if (parse_thread(line, thread)) {
    open_section(o, report.threads, std::move(thread), Target::Thread);
    return;
  }
  // Where the memory is: TSan "Location is global 'c' of size 4 at ...", ASan "0x.. is
  // located 0 bytes inside of 4-byte region", "Address 0x.. is located in stack of thread
  // T1 ... in frame". The first one is the location; TSan sometimes adds a second, vaguer
  // one ("Location is global '<null>' at 0x000000000000"). A following stack gets a Section.
  const bool is_location = starts_with(line, "Location is ") || contains(line, " is located ");
  if (is_location && !report.location) report.location = std::string(line);
  if (is_location && ends_with(line, ":")) {
    open_section(o, report.sections, Section{std::string(line), {}}, Target::Section);
    return;
  }
  // Any other title followed by a stack: ASan "freed by thread T0 here:", TSan "As if
  // synchronized via sleep:", "  and:", LSan "Direct leak of 7 byte(s) ... from:". Titles with
  // no stack after them ("This frame has 1 object(s):") are not sections: decided by the next
  // line of the report.
  if (is_location || ends_with(line, ":")) {
    o.title_pending = true;
    o.title.assign(line);
  }
  // Anything else (program output, hints, "Cycle in lock order graph", shadow bytes) is
  // left in `raw` only. It does not close the current stack: program output can land in
  // the middle of one.
}

// What an own line means for where the report ends.
enum class Extent { Continue, EndBefore, EndAfter, Hold, Release };

// Each tool's own framing. A report also ends where the next headline of its process begins,
// so a truncated report never swallows the one after.
Extent extent(OpenReport& o, const LineView& line, bool is_headline) {
  switch (o.tool) {
    case Tool::TSan:
      if (line.delimiter) return Extent::EndAfter;
      if (is_headline) return Extent::EndBefore;
      return Extent::Continue;
    case Tool::ASan:
    case Tool::LSan:
    case Tool::UBSanError:
      if (is_asan_aborting(line.text)) return Extent::EndAfter;
      if (is_headline) return Extent::EndBefore;
      if (o.after_summary && !is_shadow_dump_line(line.body)) return Extent::EndBefore;
      if (starts_with(line.trimmed, "SUMMARY: ")) {
        // LSan stops at its summary; ASan goes on with the shadow dump and ABORTING.
        if (o.tool == Tool::LSan) return Extent::EndAfter;
        o.after_summary = true;
      }
      return Extent::Continue;
    case Tool::UBSan: {
      // Notes ("0x..: note: pointer points here", a hex dump, a caret) come first, then the
      // stack, then (clang) a blank line and "SUMMARY: UndefinedBehaviorSanitizer: ...".
      // UBSan does not stop the program, so the first other line is program output again.
      const std::string_view t = line.trimmed;
      if (o.blank_pending) {
        // A blank line ends the report unless the UBSan summary follows it.
        if (t.empty()) return Extent::Hold;
        if (starts_with(t, "SUMMARY: UndefinedBehaviorSanitizer")) return Extent::Release;
        return Extent::EndBefore;
      }
      if (is_headline) return Extent::EndBefore;
      if (is_frame_line(t)) {
        o.in_stack = true;
        return Extent::Continue;
      }
      if (starts_with(t, "SUMMARY: UndefinedBehaviorSanitizer")) return Extent::EndAfter;
      if (t.empty()) {
        o.blank_pending = true;
        return Extent::Hold;
      }
      if (!o.in_stack && (contains(t, ": note: ") || starts_with(line.body, " ")))
        return Extent::Continue;
      return Extent::EndBefore;
    }
    case Tool::Helgrind:
    case Tool::Drd:  // framed by the stream's Valgrind state, never through here
    case Tool::None: break;
  }
  return Extent::EndBefore;
}

// The report is complete: what depends on all of it.
void close_report(OpenReport& o) {
  Report& report = o.report;
  o.done = true;
  if (o.vg_slot) {
    if (*o.vg_slot == &o) *o.vg_slot = nullptr;
    o.vg_slot = nullptr;
  }
  o.held.clear();
  o.held.shrink_to_fit();
  o.title.clear();
  // ReportTypeExternalRace under a header the library registered itself (program text, so
  // not matched by tsan_kind): its accesses are the runtime's "Modifying access of <tag>" /
  // "Read-only access of <tag>" (tsan_report.cpp's PrintMop for external tags).
  if (o.tool == Tool::TSan && report.kind == kUnknownKind && o.external_access)
    report.kind = "race-on-external-object";
  // With report_error_type=1, UBSan's SUMMARY line names the check exactly.
  // (The message alone gave the kind at the headline; only the summary can make it exact.)
  if (o.tool == Tool::UBSan && !report.summary.empty()) {
    if (std::string exact = ubsan_summary_kind(report.summary); !exact.empty())
      report.kind = std::move(exact);
  }
}

void truncate_report(OpenReport& o) {
  o.report.truncated = true;
  close_report(o);
}

// A line of the report's own process, after its headline.
void own_line(OpenReport& o, const LineView& line, bool is_headline) {
  if (line.cut) o.report.truncated = true;
  const Extent step = extent(o, line, is_headline);
  if (step == Extent::EndBefore) {
    close_report(o);
    return;
  }
  if (step == Extent::Hold) {
    // Kept aside from raw until it is known whether the report goes on past it.
    if (o.held_bytes + line.full.size() > ReportStream::kMaxReportBytes) {
      o.held_overflow = true;
    } else {
      o.held.push_back({std::string(line.full), line.cr, o.foreign});
      o.held_bytes += line.full.size() + 1;
    }
    o.foreign = false;
    body_line(o, line.trimmed);  // a blank line: it only closes the current stack
    return;
  }
  if (step == Extent::Release) {
    const bool foreign = o.foreign;
    for (const OpenReport::Held& held : o.held) {
      o.foreign = held.foreign;
      if (!append_raw(o, held.full, held.cr)) o.held_overflow = true;
    }
    o.foreign = foreign;
    if (o.held_overflow) {
      truncate_report(o);
      return;
    }
  }
  if (o.entries >= ReportStream::kMaxReportEntries || !append_raw(o, line.full, line.cr)) {
    truncate_report(o);
    return;
  }
  body_line(o, line.trimmed);
  if (step == Extent::EndAfter || step == Extent::Release) close_report(o);
}

// The last line seen of some process (or of any): whether it is a "=====" delimiter, which a
// report starting right after it includes in its raw text.
struct PreviousLine {
  bool seen = false;
  std::size_t number = 0;
  bool delimiter = false;
  std::string full;  // only for a delimiter
  bool cr = false;
};

void remember(PreviousLine& previous, const LineView& line, bool delimiter) {
  previous.seen = true;
  previous.number = line.number;
  previous.delimiter = delimiter;
  if (delimiter) {
    previous.full.assign(line.full);
    previous.cr = line.cr;
  }
}

// First-pass filter: every headline marker contains "Sanitizer: " or ": runtime error: ".
// Both have a colon followed by a space, which few lines have (C++ names have "::", locations
// ":12:5"): those pairs are found sixteen bytes at a time where SSE2 is there, and only they
// are looked at closely.
bool is_marker_at(std::string_view text, std::size_t colon) {
  constexpr std::string_view kTool = "Sanitizer";
  constexpr std::string_view kUbsan = ": runtime error: ";
  return (colon >= kTool.size() && sub(text, colon - kTool.size(), kTool.size()) == kTool) ||
         sub(text, colon, kUbsan.size()) == kUbsan;
}

bool may_hold_headline(std::string_view text) {
  const std::size_t n = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i colon = _mm_set1_epi8(':');
  const __m128i space = _mm_set1_epi8(' ');
  auto block = [&](std::size_t at) {
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
    const auto colons = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(here, colon)));
    if (colons == 0) return false;  // most blocks: the spaces after are not looked at
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at + 1));
    auto pairs = colons & static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(next, space)));
    for (; pairs != 0; pairs &= pairs - 1)
      if (is_marker_at(text, at + static_cast<std::size_t>(__builtin_ctz(pairs)))) return true;
    return false;
  };
  if (n >= 17) {
    for (; i + 17 <= n; i += 16)
      if (block(i)) return true;
    // The rest as one more block that overlaps the last (a pair found twice is harmless).
    return i + 1 < n && block(n - 17);
  }
#endif
  for (; i + 1 < n; ++i)
    if (text[i] == ':' && text[i + 1] == ' ' && is_marker_at(text, i)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------
// What every Valgrind function is (see below); clang knows no optimize attribute.
#if defined(__clang__)
#define RACEBOOK_VG_COLD [[gnu::cold, gnu::noinline]]
#else
#define RACEBOOK_VG_COLD [[gnu::cold, gnu::noinline, gnu::optimize("no-inline")]]
#endif

// Out-of-line forms of four always-inlined helpers above, for the Valgrind code only (see below).
[[gnu::noinline]] bool vg_starts(std::string_view s, std::string_view prefix) { return starts_with(s, prefix); }
[[gnu::noinline]] bool vg_ends(std::string_view s, std::string_view suffix) { return ends_with(s, suffix); }
[[gnu::noinline]] bool vg_consume(std::string_view& s, std::string_view prefix) { return consume_ci(s, prefix); }
[[gnu::noinline]] std::string_view vg_trim(std::string_view s) { return trim(s); }

// Valgrind: Helgrind and DRD (valgrind 3.19; docs in README.md's parse section).
//
// Every function of it is cold and never inlined, and inlines nothing but the always_inline
// helpers of a few instructions (sub, to_int, is_digit, ...: optimize("no-inline") does not
// override always_inline); the longer starts_with, ends_with, consume_ci and trim are called
// through the out-of-line vg_* forms above. It instantiates no container template of its own
// beyond vectors: inlined, or inlining into it, it used up GCC's inlining budget for this file
// (--param inline-unit-growth), and the sanitizer logs' own path (string_view::substr, to_int,
// the frame moves) was no longer inlined: 9 % more instructions on a TSan/ASan log (callgrind,
// 20 MB). With this, sub(), the always_inline on to_int and after_line and the flattened
// Spares::add_frame: 0.6 % more than before Valgrind was read.
//
// Every line Valgrind writes is "==PID== text" (a blank one "==PID== "); its debug lines are
// "--PID-- text" and are skipped. So only lines with a "==PID==" prefix and a space after it
// are looked at here, which the sanitizers' lines never are (theirs have no space after the
// prefix, or are indented under it): a TSan or ASan log costs one test per line. A process is
// Valgrind's once its preamble ("Helgrind, a thread error detector", "drd, a thread error
// detector"), a Helgrind separator or announcement, a DRD "Thread N:" line or a headline of one
// of the two forms was seen; its lines then go through its own state below, never to the
// sanitizer reports. The program's own output (unprefixed lines) is not part of any Valgrind
// report: it may come between any two of its lines.
//
// Helgrind: "---Thread-Announcement---…" + "Thread #3 was created" + stack (remembered per
// process: a report gets the announcements of the threads it names, as `threads`), then
// "----…" (64 dashes) before every report, then for a race the " Lock at 0x.. was first
// observed" blocks of the locks held, then the headline and its body. A report ends at the next
// announcement or separator, or at the end lines ("Use --history-level…", "For lists of
// detected…", "ERROR SUMMARY:…", "Process terminating…"). The line after a separator that is
// not indented is the headline, whatever it says: one no rule knows is kind "unknown".
// DRD: "Thread N:" before the first report of each thread in a row, then the headline and its
// body; a report ends at the next headline or "Thread N:" line, at a line that is not a frame
// after a blank line, or at the end lines. A line no rule knows, after a blank or "Thread N:"
// line and right before an "at 0x.." frame, is an unknown headline (not "Warning:" lines, and
// only after DRD's preamble: Memcheck's logs have "Thread N:" lines and stacks too, and give no
// report at all).

// What a Valgrind line ("==PID==" and a space, then this) is.
enum class VgForm : unsigned char {
  Other,         // any other line at the left margin
  Indented,      // a line indented under the margin (not a frame)
  Blank,
  Frame,         // "   at 0x..: f (x.cpp:7)" / "   by 0x..: ..."
  Preamble,      // "Helgrind, a thread error detector" / "drd, a thread error detector"
  Separator,     // Helgrind's 64 dashes
  Announcement,  // Helgrind's "---Thread-Announcement---…"
  End,           // the lines after the last report, and "Process terminating …"
  DrdThread,     // DRD's "Thread 3:" / "Thread 3 (name):"
  Headline,      // a headline of a form the rules know; `tool` says whose
};

struct VgLine {
  VgForm form = VgForm::Other;
  Tool tool = Tool::None;
  std::string_view text;  // trimmed
};

// Valgrind's debug and warning lines: "--1234-- text".
RACEBOOK_VG_COLD bool is_valgrind_debug_line(std::string_view text) {
  const std::string_view digits = leading_digits(sub(text, 2));
  return !digits.empty() && sub(text, 2 + digits.size(), 2) == "--";
}

// "at 0x" / "by 0x" at the start of a trimmed line.
bool is_vg_frame_line(std::string_view t) {
  return t.size() > 5 && ((t[0] == 'a' && t[1] == 't') || (t[0] == 'b' && t[1] == 'y')) &&
         t[2] == ' ' && t[3] == '0' && t[4] == 'x';
}

// "Thread 3:" or "Thread 3 (name):" (drd_error.c's preamble of a thread's first report).
RACEBOOK_VG_COLD bool is_drd_thread_line(std::string_view t) {
  if (!vg_starts(t, "Thread ") || t.size() < 9 || !is_digit(t[7]) || t.back() != ':') return false;
  std::string_view rest = sub(t, 7 + leading_digits(sub(t, 7)).size());
  return rest == ":" || (vg_starts(rest, " (") && vg_ends(rest, "):"));
}

// `body` is the line after its "==PID==" prefix and starts with a space.
RACEBOOK_VG_COLD VgLine classify_vg_line(std::string_view body) {
  VgLine v;
  v.text = vg_trim(body);
  const std::string_view t = v.text;
  if (t.empty()) {
    v.form = VgForm::Blank;
    return v;
  }
  if (body.size() > 1 && is_space(body[1])) {
    v.form = is_vg_frame_line(t) ? VgForm::Frame : VgForm::Indented;
    return v;
  }
  switch (t[0]) {
    case '-':
      if (vg_starts(t, "---Thread-Announcement---")) {
        v.form = VgForm::Announcement;
      } else if (t.size() == 64 && t.find_first_not_of('-') == std::string_view::npos) {
        v.form = VgForm::Separator;
      }
      return v;
    case 'H':
      if (t == "Helgrind, a thread error detector") v.form = VgForm::Preamble, v.tool = Tool::Helgrind;
      return v;
    case 'd':
      if (t == "drd, a thread error detector") v.form = VgForm::Preamble, v.tool = Tool::Drd;
      return v;
    case 'E':
    case 'F':
    case 'U':
      if (vg_starts(t, "ERROR SUMMARY: ") || vg_starts(t, "For lists of detected") ||
          vg_starts(t, "For counts of detected") || vg_starts(t, "Use --history-level="))
        v.form = VgForm::End;
      else if (drd_kind(t) != kUnknownKind)
        v.form = VgForm::Headline, v.tool = Tool::Drd;
      return v;
    case 'P':
      if (vg_starts(t, "Process terminating with default action")) {
        v.form = VgForm::End;
        return v;
      }
      break;
    case 'T':
      if (is_drd_thread_line(t)) {
        v.form = VgForm::DrdThread;
        v.tool = Tool::Drd;
        return v;
      }
      if (vg_starts(t, "Thread #")) {
        if (helgrind_kind(t) != kUnknownKind) v.form = VgForm::Headline, v.tool = Tool::Helgrind;
        return v;
      }
      break;
    default:
      // Every headline starts with a capital, but DRD's "pthread_join(): invalid thread ID".
      if (!(t[0] >= 'A' && t[0] <= 'Z') && t[0] != 'p') return v;
      break;
  }
  if (helgrind_kind(t) != kUnknownKind) {
    v.form = VgForm::Headline;
    v.tool = Tool::Helgrind;
  } else if (drd_kind(t) != kUnknownKind) {
    v.form = VgForm::Headline;
    v.tool = Tool::Drd;
  }
  return v;
}

// Parses a Valgrind frame ("at 0x10919D: bump() (/src/x.cpp:7)", "by 0x4B4A1F4: ??? (in
// /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30)", "by 0x61896BF: ???"), trimmed, into every
// field of `frame`. The location is the last parenthesised group after a space: function names
// hold spaces and parentheses ("(anonymous namespace)::f(int&) const"), paths may hold spaces.
// Valgrind prints no column; "in OBJECT" is the module when it knows no file.
RACEBOOK_VG_COLD void parse_vg_frame(std::string_view t, int index, Frame& frame) {
  frame.function.clear();
  frame.file.clear();
  frame.line = 0;
  frame.column = 0;
  frame.module.clear();
  frame.index = index;
  std::string_view s = sub(t, 3);  // "at " / "by "
  const std::size_t colon = s.find(": ");
  if (colon == std::string_view::npos) {
    frame.function = "<null>";
    return;
  }
  s = vg_trim(sub(s, colon + 2));
  if (const std::size_t open = matching_open_paren(s);
      open != std::string_view::npos && open > 0 && s[open - 1] == ' ') {
    const std::string_view inside = sub(s, open + 1, s.size() - open - 2);
    if (vg_starts(inside, "in ")) {
      frame.module.append(sub(inside, 3));
    } else {
      split_location(inside, frame);
    }
    s = vg_trim(sub(s, 0, open));
  }
  if (s.empty() || s == "???") s = "<null>";
  frame.function.append(s);
}

// The word after `marker` in `s` ("0x10C0A0" after "lock at "), or empty.
RACEBOOK_VG_COLD std::string_view word_after(std::string_view s, std::string_view marker) {
  const std::size_t p = s.find(marker);
  if (p == std::string_view::npos) return {};
  return first_word(sub(s, p + marker.size()));
}

// Helgrind "Possible data race during write of size 4 at 0x10C014 by thread #3" / "This
// conflicts with a previous read of size 4 by thread #2"; DRD "Conflicting store by thread 3
// at 0x0010c054 size 4". False for any other line (Helgrind's --history-level=approx "This
// conflicts with a previous access by thread #2, after" names no access).
RACEBOOK_VG_COLD bool parse_vg_access(std::string_view t, Access& access) {
  std::string_view s = t;
  if (vg_consume(s, "Possible data race during ") || (access.previous = vg_consume(s, "This conflicts with a previous "))) {
    if (vg_consume(s, "write of size ")) {
      access.write = true;
    } else if (!vg_consume(s, "read of size ")) {
      return false;
    }
    access.size = to_int(leading_digits(s));
    access.address = std::string(word_after(s, " at "));
    access.thread = std::string(word_after(s, " by thread "));
    return true;
  }
  if (vg_consume(s, "Conflicting ")) {
    if (vg_consume(s, "store by thread ")) {
      access.write = true;
    } else if (!vg_consume(s, "load by thread ")) {
      return false;
    }
    access.thread = std::string(first_word(s));
    access.address = std::string(word_after(s, " at "));
    access.size = to_int(word_after(s, " size "));
    return true;
  }
  return false;
}

// One line of a Valgrind report after its headline (or of the lock blocks before a Helgrind
// race's headline), trimmed.
RACEBOOK_VG_COLD void vg_body_line(OpenReport& o, std::string_view t) {
  Report& report = o.report;
  if (t.empty()) {
    o.after_blank = true;
    return;
  }
  if (is_vg_frame_line(t)) {
    if (o.title_pending) {
      o.title_pending = false;
      open_section(o, report.sections, Section{std::move(o.title), {}}, Target::Section);
    }
    o.after_blank = false;
    Stack* stack = resolve(report, o.target);
    // "at" starts a stack: one that already has frames is not continued by it.
    if (stack && t[0] == 'a' && !stack->frames.empty()) stack = nullptr;
    if (!stack) {
      if (has_sections(report) || !report.stack.frames.empty()) {
        report.sections.push_back({"", {}});
        o.target = {Target::Section, report.sections.size() - 1};
        ++o.entries;
      } else {
        o.target = {Target::Headline, 0};
      }
      stack = resolve(report, o.target);
    }
    Frame& frame = o.spares->add_frame(stack->frames);
    parse_vg_frame(t, static_cast<int>(stack->frames.size() - 1), frame);
    ++o.entries;
    return;
  }
  if (o.after_blank) {
    o.after_blank = false;
    o.target = {};
  }
  // A stack Valgrind no longer has: DRD "(thread finished, call stack no longer available)",
  // Helgrind "(stack unavailable)", "(the start of the thread)", "(the end of the thread)".
  if (t.front() == '(' && t.back() == ')') {
    if (o.title_pending) {
      o.title_pending = false;
      open_section(o, report.sections, Section{std::move(o.title), {}}, Target::Section);
      report.sections.back().stack.restored = false;
      o.target = {};
    } else if (Stack* stack = resolve(report, o.target)) {
      stack->restored = false;
    }
    return;
  }
  o.title_pending = false;
  // Helgrind's "   with error code 16 (EBUSY: Device or resource busy)" under a pthread-api-error
  // headline: part of the headline, the stack under it follows.
  if (vg_starts(t, "with error code ")) return;
  if (vg_starts(t, "Locks held: ")) {
    // "Locks held: none" / "Locks held: 2, at addresses 0x4E0B040 0x4E0B0A0": of the access above.
    if (!report.accesses.empty()) {
      std::string_view list = sub(t, 12);
      const std::size_t at = list.find(" at address");
      list = at == std::string_view::npos ? std::string_view() : sub(list, at + 11);
      if (vg_starts(list, "es")) list.remove_prefix(2);
      for (;;) {
        list = vg_trim(list);
        const std::string_view word = first_word(list);
        if (word.empty()) break;
        report.accesses.back().mutexes_held.emplace_back(word);
        list.remove_prefix(word.size());
      }
    }
    return;
  }
  if (Access access; vg_starts(t, "This conflicts with a previous ") && parse_vg_access(t, access)) {
    open_section(o, report.accesses, std::move(access), Target::Access);
    return;
  }
  // Helgrind's lock-order report: the observed (incorrect) order and the required one, each an
  // acquisition "followed by a later acquisition" (the nested one, held = the first lock), then
  // " Lock at 0x.. was first observed" for each lock (also before a race's headline).
  const bool followed = vg_starts(t, "followed by a later acquisition of lock at ");
  if (followed || vg_starts(t, "Observed (incorrect) order is: acquisition of lock at ") ||
      vg_starts(t, "Required order was established by acquisition of lock at ") ||
      (vg_starts(t, "Lock at ") && vg_ends(t, " was first observed"))) {
    MutexSection mutex;
    mutex.title = std::string(t);
    mutex.mutex = std::string(vg_starts(t, "Lock at ") ? first_word(sub(t, 8)) : word_after(t, "lock at "));
    if (followed && !report.mutexes.empty()) mutex.held = report.mutexes.back().mutex;
    open_section(o, report.mutexes, std::move(mutex), Target::Mutex);
    return;
  }
  // Where the memory of a race is: Helgrind " Address 0x.. is 0 bytes inside data symbol "c"",
  // " Location 0x.. is ..." (--read-var-info=yes); DRD "Allocation context: BSS section of
  // /x/prog", "Address 0x.. is at offset 0 from 0x... Allocation context:" (a stack follows).
  // Not the address of a lock announced before the headline or in a lock report.
  if (!report.accesses.empty() && !report.location &&
      (vg_starts(t, "Address 0x") || vg_starts(t, "Location 0x") ||
       vg_starts(t, "Allocation context: "))) {
    report.location = std::string(t);
  }
  // Anything else titles the stack that follows it, if one does ("Other segment start (thread
  // 2)", " Lock was previously acquired", "mutex 0x.. was first observed at:", "Address .. is 0
  // bytes inside a block of size 4 alloc'd").
  o.title_pending = true;
  o.title.assign(t);
}

// Helgrind and DRD reports of one process, as its lines come.
struct VgProc {
  int pid = 0;
  Tool tool = Tool::None;
  bool preamble = false;  // the tool's preamble was seen (DRD's unknown headlines need it)
  enum class State : unsigned char { Idle, Announcement, Pre, Report } state = State::Idle;
  OpenReport* current = nullptr;            // the open report (in the stream's queue), or null
  bool current_awaits_companion = false;    // Helgrind: a destroy-of-locked-mutex or double-lock
                                            // report kept open past its end: see resolve_companion
  std::unique_ptr<OpenReport> pending;      // Helgrind: after a separator, before its headline;
                                            // or the pthread-api-error that may be a companion
  bool pending_is_companion = false;
  // Helgrind's thread announcements: thread "#3" and where it was created (bounded: kMaxThreads,
  // kMaxThreadFrames frames each). A vector, not a map: few threads, and every template this file
  // instantiates takes from GCC's inlining budget for the parser's hot path.
  std::vector<ThreadSection> threads;
  ThreadSection* announcing = nullptr;
  // DRD: a line that may be an unknown headline (see above), and whether the line before the
  // current one was blank or "Thread N:".
  std::string candidate;      // trimmed
  std::string candidate_raw;  // as printed (its "==PID==" prefix kept)
  std::size_t candidate_number = 0;
  bool has_candidate = false;
  bool after_break = false;

  static constexpr std::size_t kMaxThreads = 1024;
  static constexpr std::size_t kMaxThreadFrames = 64;
};

// The "#3" thread numbers a Helgrind report names: in its headline and its accesses.
RACEBOOK_VG_COLD std::vector<std::string> hg_threads_named(const Report& report) {
  std::vector<std::string> ids;
  auto add = [&](std::string_view id) {
    if (id.size() >= 2 && id[0] == '#' && std::find(ids.begin(), ids.end(), id) == ids.end())
      ids.emplace_back(id);
  };
  std::string_view h = report.headline;
  for (std::size_t p = h.find('#'); p != std::string_view::npos; p = h.find('#', p + 1)) {
    std::size_t n = p + 1;
    while (n < h.size() && is_digit(h[n])) ++n;
    if (n > p + 1 && (n == h.size() || !is_digit(h[n]))) add(sub(h, p, n - p));
  }
  for (const Access& a : report.accesses) add(a.thread);
  return ids;
}

// Whether a Helgrind pthread-api-error is the companion of the report before it: a
// "pthread_mutex_destroy of a locked mutex" or "Attempt to re-lock ..." is followed by the
// failed call's own report ("Thread #1's call to pthread_mutex_destroy failed / with error code
// 16 (EBUSY ...)") at the same place: the same thread, and the same stack below the first frame
// (Helgrind's interceptor, whose pc differs).
RACEBOOK_VG_COLD bool is_companion(const Report& held, const Report& api) {
  const auto thread_of = [](std::string_view h) { return word_after(h, "Thread "); };
  std::string_view t1 = thread_of(held.headline);
  std::string_view t2 = thread_of(api.headline);
  if (!t1.empty() && t1.back() == ':') t1.remove_suffix(1);
  if (const std::size_t q = t2.find('\''); q != std::string_view::npos) t2 = sub(t2, 0, q);
  if (t1.empty() || t1 != t2) return false;
  const auto& a = held.stack.frames;
  const auto& b = api.stack.frames;
  if (a.size() != b.size() || a.size() < 2) return false;
  for (std::size_t i = 1; i < a.size(); ++i)
    if (a[i].function != b[i].function || a[i].file != b[i].file || a[i].line != b[i].line ||
        a[i].module != b[i].module)
      return false;
  return true;
}

}  // namespace

struct ReportStream::Impl {
  Callback on_report;
  ReportText text = ReportText::Keep;
  std::string carry;  // the start of a line whose newline has not come yet
  bool carry_cut = false;
  std::string uncolored;  // scratch for a line with ANSI codes
  std::size_t line_count = 0;
  bool finished = false;

  std::deque<std::unique_ptr<OpenReport>> queue;  // by headline; open or done, not yet emitted
  std::vector<OpenReport*> open;
  std::size_t waiting_bytes = 0;  // estimated size of done reports waiting in `queue`

  PreviousLine last_any;
  PreviousLine last_unprefixed;
  std::unordered_map<int, PreviousLine> last_of_pid;  // the last prefixed line of each pid
  Spares spares;  // of the reports handed out
  int cached_pid = 0;                      // last_of_pid[cached_pid] is *cached_previous
  PreviousLine* cached_previous = nullptr;  // (element pointers survive rehashing)

  // ---- Valgrind (see "Valgrind" above): one VgProc per process that printed Valgrind's lines.
  static constexpr std::size_t kMaxVgProcs = 256;
  std::vector<std::unique_ptr<VgProc>> vg_procs;  // in the order they appeared
  int vg_cached_pid = 0;
  VgProc* vg_cached = nullptr;  // vg_procs[vg_cached_pid], or null when it has none
  bool vg_cache_valid = false;

  RACEBOOK_VG_COLD VgProc* vg_find(int pid) {
    if (vg_cache_valid && pid == vg_cached_pid) return vg_cached;
    vg_cached_pid = pid;
    vg_cached = nullptr;
    for (const auto& p : vg_procs)
      if (p->pid == pid) vg_cached = p.get();
    vg_cache_valid = true;
    return vg_cached;
  }

  RACEBOOK_VG_COLD VgProc& vg_make(int pid, Tool tool) {
    if (vg_procs.size() >= kMaxVgProcs) {  // a garbage log naming any number of pids
      vg_end_all();
      vg_procs.clear();
      vg_cache_valid = false;
    }
    vg_procs.push_back(std::make_unique<VgProc>());
    VgProc& p = *vg_procs.back();
    p.pid = pid;
    p.tool = tool;
    vg_cached_pid = pid;
    vg_cached = &p;
    vg_cache_valid = true;
    return p;
  }

  RACEBOOK_VG_COLD void vg_end_all() {
    for (const auto& p : vg_procs) vg_end(*p);
  }

  // A report's first line (a Helgrind separator, a headline): its raw text and bounds.
  RACEBOOK_VG_COLD std::unique_ptr<OpenReport> vg_new(Tool tool, const LineView& line, std::string_view raw_text) {
    auto owned = std::make_unique<OpenReport>();
    OpenReport& o = *owned;
    o.spares = &spares;
    o.tool = tool;
    o.report.tool = tool_name(tool);
    o.owner = line.pid;
    o.report.pid = line.pid;
    o.keep_raw = text == ReportText::Keep;
    o.joined = true;  // only its own process's lines, never the program's output between them
    o.text_bytes = raw_text.size() + 2;
    if (o.keep_raw) {
      o.report.raw.reserve(kRawReserve);
      o.report.raw.assign(raw_text);
    }
    if (line.cut) o.report.truncated = true;
    o.target = {};
    return owned;
  }

  // Makes `o` the report of the headline `text` on `line` (whose raw text it already has).
  RACEBOOK_VG_COLD static void vg_headline(OpenReport& o, Tool tool, std::size_t number, std::string_view text) {
    o.tool = tool;
    o.report.tool = tool_name(tool);
    o.report.headline = std::string(text);
    o.report.first_line = static_cast<int>(number) + 1;
    o.report.kind = tool == Tool::Helgrind ? helgrind_kind(text) : drd_kind(text);
    o.target = {Target::Headline, 0};
    o.title_pending = false;
    o.after_blank = false;
    if (Access access; parse_vg_access(text, access) && !access.previous)
      open_section(o, o.report.accesses, std::move(access), Target::Access);
  }

  RACEBOOK_VG_COLD void vg_push(VgProc& p, std::unique_ptr<OpenReport> owned) {
    OpenReport* o = owned.get();
    queue.push_back(std::move(owned));
    p.current = o;
    o->vg_slot = &p.current;
  }

  // A line into a report: false (nothing read) when it would outgrow the report's bounds.
  RACEBOOK_VG_COLD static bool vg_feed(OpenReport& o, const LineView& line) {
    if (line.cut) o.report.truncated = true;
    if (o.entries >= kMaxReportEntries || !append_raw(o, line.full, line.cr)) return false;
    vg_body_line(o, line.trimmed);
    return true;
  }

  RACEBOOK_VG_COLD void vg_feed_current(VgProc& p, const LineView& line) {
    if (p.pending_is_companion) {
      if (!vg_feed(*p.pending, line)) p.pending->report.truncated = true;
      return;
    }
    if (OpenReport* o = p.current; o && !vg_feed(*o, line)) {
      truncate_report(*o);  // clears p.current
      on_done(*o);
    }
  }

  RACEBOOK_VG_COLD void vg_close_current(VgProc& p) {
    p.current_awaits_companion = false;
    OpenReport* o = p.current;
    if (!o) return;
    if (o->tool == Tool::Helgrind) {
      for (const std::string& id : hg_threads_named(o->report)) {
        for (const ThreadSection& thread : p.threads) {
          if (thread.thread != id) continue;
          ThreadSection& copy = o->report.threads.emplace_back();
          copy.thread = thread.thread;
          for (const Frame& frame : thread.stack.frames) {
            o->spares->add_frame(copy.stack.frames) = frame;  // (a spare's strings keep their capacity)
          }
          break;
        }
      }
    }
    close_report(*o);  // clears p.current
    on_done(*o);
  }

  RACEBOOK_VG_COLD void vg_drop_pending(VgProc& p) {
    if (p.pending) spares.keep(p.pending->report);
    p.pending.reset();
    p.pending_is_companion = false;
  }

  // Helgrind's pthread-api-error after a destroy-of-locked-mutex or double-lock report: folded
  // into that report as a section titled with its headline when it is that report's failed call
  // (is_companion), else a report of its own.
  RACEBOOK_VG_COLD void vg_resolve_companion(VgProc& p) {
    if (!p.pending_is_companion) return;
    p.pending_is_companion = false;
    std::unique_ptr<OpenReport> api = std::move(p.pending);
    if (OpenReport* held = p.current; held && is_companion(held->report, api->report)) {
      Report& r = held->report;
      r.sections.push_back({api->report.headline, std::move(api->report.stack)});
      if (held->text_bytes + api->text_bytes > kMaxReportBytes) {
        r.truncated = true;
      } else {
        held->text_bytes += api->text_bytes;
        if (held->keep_raw) {
          r.raw += '\n';
          r.raw += api->report.raw;
        }
      }
      if (api->report.truncated) r.truncated = true;
      vg_close_current(p);
      spares.keep(api->report);
      return;
    }
    vg_close_current(p);
    vg_push(p, std::move(api));
    vg_close_current(p);
  }

  // The process's reports end here (an announcement, the end lines, the end of the log).
  RACEBOOK_VG_COLD void vg_end(VgProc& p) {
    if (p.pending_is_companion) {
      vg_resolve_companion(p);
    } else {
      vg_close_current(p);
    }
    vg_drop_pending(p);
    p.state = VgProc::State::Idle;
    p.has_candidate = false;
  }

  RACEBOOK_VG_COLD void hg_line(VgProc& p, const LineView& line, const VgLine& v) {
    using State = VgProc::State;
    switch (v.form) {
      case VgForm::Announcement:
        vg_end(p);
        p.state = State::Announcement;
        p.announcing = nullptr;
        return;
      case VgForm::Separator:
        if (p.pending_is_companion) {
          vg_resolve_companion(p);
        } else if (p.current && !p.current_awaits_companion &&
                   (p.current->report.kind == "destroy-of-locked-mutex" ||
                    p.current->report.kind == "double-lock")) {
          p.current_awaits_companion = true;  // until the next report's headline
        } else {
          vg_close_current(p);
        }
        vg_drop_pending(p);
        p.pending = vg_new(Tool::Helgrind, line, line.text);
        p.state = State::Pre;
        return;
      case VgForm::End:
      case VgForm::Preamble:
        vg_end(p);
        return;
      default:
        break;
    }
    switch (p.state) {
      case State::Idle:
        // A headline with no separator before it: a log cut just there.
        if (v.form == VgForm::Headline && v.tool == Tool::Helgrind) {
          auto owned = vg_new(Tool::Helgrind, line, line.text);
          vg_headline(*owned, Tool::Helgrind, line.number, v.text);
          vg_push(p, std::move(owned));
          p.state = State::Report;
        }
        return;
      case State::Announcement:
        if (v.form == VgForm::Frame) {
          if (p.announcing && p.announcing->stack.frames.size() < VgProc::kMaxThreadFrames) {
            Frame& frame = p.announcing->stack.frames.emplace_back();
            parse_vg_frame(v.text, static_cast<int>(p.announcing->stack.frames.size() - 1), frame);
          }
        } else if (v.form == VgForm::Other && vg_starts(v.text, "Thread #")) {
          // "Thread #3 was created" / "Thread #1 is the program's root thread"
          const std::string_view id = first_word(sub(v.text, 7));
          ThreadSection* thread = nullptr;
          for (ThreadSection& t : p.threads)
            if (t.thread == id) thread = &t;
          if (!thread) {
            if (p.threads.size() >= VgProc::kMaxThreads) p.threads.clear();
            thread = &p.threads.emplace_back();
            thread->thread = std::string(id);
          }
          thread->stack.frames.clear();
          p.announcing = thread;
        }
        return;
      case State::Pre: {
        OpenReport& o = *p.pending;
        if (v.form == VgForm::Blank || v.form == VgForm::Frame || v.form == VgForm::Indented) {
          // " Lock at 0x.. was first observed", its stack and " Address 0x.. is ...".
          if (!vg_feed(o, line)) o.report.truncated = true;
          return;
        }
        // The headline, whatever it says.
        if (!append_raw(o, line.full, line.cr)) o.report.truncated = true;
        vg_headline(o, Tool::Helgrind, line.number, v.text);
        p.state = State::Report;
        if (p.current && p.current_awaits_companion && o.report.kind == "pthread-api-error") {
          p.pending_is_companion = true;
        } else {
          vg_close_current(p);
          vg_push(p, std::move(p.pending));
        }
        return;
      }
      case State::Report:
        vg_feed_current(p, line);
        return;
    }
  }

  RACEBOOK_VG_COLD void drd_line(VgProc& p, const LineView& line, const VgLine& v) {
    const bool after_break = p.after_break;
    p.after_break = v.form == VgForm::Blank || v.form == VgForm::DrdThread;
    const bool had_candidate = p.has_candidate;
    p.has_candidate = false;
    switch (v.form) {
      case VgForm::End:
      case VgForm::Preamble:
      case VgForm::Separator:
      case VgForm::Announcement:
      case VgForm::DrdThread:
        vg_end(p);
        return;
      case VgForm::Headline:
        if (v.tool != Tool::Drd) break;
        vg_end(p);
        {
          auto owned = vg_new(Tool::Drd, line, line.text);
          vg_headline(*owned, Tool::Drd, line.number, v.text);
          vg_push(p, std::move(owned));
        }
        return;
      case VgForm::Frame:
        if (!p.current && had_candidate && vg_starts(v.text, "at ")) {
          // The line before was a headline no rule knows.
          auto owned = vg_new(Tool::Drd, line, p.candidate_raw);
          vg_headline(*owned, Tool::Drd, p.candidate_number, p.candidate);
          vg_push(p, std::move(owned));
        }
        break;
      default:
        break;
    }
    if (v.form != VgForm::Frame && v.form != VgForm::Blank && v.form != VgForm::Indented &&
        after_break) {
      // A line at the margin after a blank line: the report ended at the blank. The line may be
      // a headline no rule knows, if a stack follows it.
      vg_close_current(p);
      // Only in a log whose preamble says DRD (not Memcheck's, which has "Thread N:" lines and
      // errors with stacks too); not Valgrind's warnings, nor DRD's "Acquired at:" (+ stack)
      // that comes before a "Lock on mutex 0x.. was held during N ms" headline
      // (--exclusive-threshold).
      if (p.preamble && !vg_starts(v.text, "Warning: ") && !vg_starts(v.text, "WARNING: ") &&
          v.text != "Acquired at:") {
        p.candidate.assign(v.text);
        p.candidate_raw.assign(line.text);
        p.candidate_number = line.number;
        p.has_candidate = true;
      }
      return;
    }
    vg_feed_current(p, line);
  }

  // A line of a "==PID==" prefix and a space: true when it is a Valgrind process's (and handled).
  RACEBOOK_VG_COLD bool vg_line(const LineView& line) {
    VgProc* p = vg_find(line.pid);
    const VgLine v = classify_vg_line(line.body);
    if (!p) {
      Tool tool = v.tool;
      if (v.form == VgForm::Separator || v.form == VgForm::Announcement) tool = Tool::Helgrind;
      // Not a "Thread N:" line alone: Memcheck prints those too.
      if (tool == Tool::None || (v.form != VgForm::Preamble && v.form != VgForm::Headline &&
                                 v.form != VgForm::Separator && v.form != VgForm::Announcement))
        return false;
      p = &vg_make(line.pid, tool);
    }
    if (v.form == VgForm::Preamble && v.tool == p->tool) p->preamble = true;
    if (p->tool == Tool::Helgrind) {
      hg_line(*p, line, v);
    } else {
      drd_line(*p, line, v);
    }
    return true;
  }

  static std::size_t estimate(const OpenReport& o) {
    return o.text_bytes + 256 * o.entries + 1024;
  }

  void on_done(OpenReport& o) { waiting_bytes += estimate(o); }

  void emit_ready() {
    for (;;) {
      while (!queue.empty() && queue.front()->done) {
        waiting_bytes -= std::min(waiting_bytes, estimate(*queue.front()));
        Report report = std::move(queue.front()->report);
        queue.pop_front();
        on_report(std::move(report));
        spares.keep(report);  // what on_report left in it
      }
      if (queue.empty() || waiting_bytes <= kMaxWaitingBytes) return;
      // Finished reports of other processes wait behind an open one: end it here.
      close_open(queue.front().get(), true);
    }
  }

  void close_open(OpenReport* o, bool truncated) {
    if (!o->done) {
      if (truncated) {
        truncate_report(*o);
      } else {
        close_report(*o);
      }
      on_done(*o);
    }
    std::erase(open, o);
  }

  void line(std::string_view bytes, bool cut) {
    if (bytes.size() > kMaxLineBytes) {
      bytes = sub(bytes, 0, kMaxLineBytes);
      cut = true;
    }
    // Colors go first; CI prefixes, "\r" and "==PID==" are looked for in the uncolored text.
    if (has_escape(bytes)) {
      strip_ansi(bytes, uncolored);
      bytes = uncolored;
    }
    const bool cr = !cut && !bytes.empty() && bytes.back() == '\r';  // logs copied from Windows
    if (cr) bytes.remove_suffix(1);
    const std::string_view text = sub(bytes, ci_prefix_length(bytes));
    int pid = 0;
    const std::string_view body = sub(text, pid_prefix_length(text, &pid));
    const std::string_view trimmed = trim(body);
    // Made whole, every member given: a LineView default-made and then filled in was zeroed
    // first, with a slow "rep stos", on every line.
    const LineView line{bytes, cr,  text,          body, trimmed, is_tsan_delimiter(trimmed),
                        pid,   line_count++, cut};

    // Valgrind's lines: "==PID== " (a space after the prefix, which no sanitizer line has
    // unindented) and its debug lines "--PID-- ", skipped.
    if (line.pid != 0) {
      if (!line.body.empty() && line.body[0] == ' ' && vg_line(line)) {
        after_line(line);
        return;
      }
    } else if (text.size() > 4 && text[0] == '-' && text[1] == '-' && is_digit(text[2]) &&
               is_valgrind_debug_line(text)) {
      return;
    }

    const Headline headline = may_hold_headline(line.text) ? find_headline(line.text) : Headline{};
    const bool is_headline = headline.tool != Tool::None;

    if (!open.empty()) {
      bool closed = false;
      for (OpenReport* o : open) {
        if (belongs(line.pid, o->owner)) {
          own_line(*o, line, is_headline);
          if (o->done) {
            on_done(*o);
            closed = true;
          }
        } else {
          o->foreign = true;
        }
      }
      if (closed) std::erase_if(open, [](const OpenReport* o) { return o->done; });
    }

    if (is_headline) start_report(line, headline);
    after_line(line);
  }

  // What every line leaves for the next ones.
  [[gnu::always_inline]] void after_line(const LineView& line) {
    const bool delimiter = line.delimiter;
    remember(last_any, line, delimiter);
    if (line.pid == 0) {
      remember(last_unprefixed, line, delimiter);
    } else {
      if (line.pid != cached_pid || !cached_previous) {
        // Bounded: a garbage log may name any number of pids.
        if (last_of_pid.size() >= 4096 && !last_of_pid.contains(line.pid)) last_of_pid.clear();
        cached_previous = &last_of_pid[line.pid];
        cached_pid = line.pid;
      }
      remember(*cached_previous, line, delimiter);
    }
    // (emit_ready has nothing to do unless one of these holds: tested here, without a call.)
    if (!queue.empty() && (queue.front()->done || waiting_bytes > kMaxWaitingBytes)) emit_ready();
  }

  // The line before the headline that a report of `owner` would read, if any.
  const PreviousLine* previous_own(int owner) const {
    if (owner == 0) return last_any.seen ? &last_any : nullptr;
    const PreviousLine* best = last_unprefixed.seen ? &last_unprefixed : nullptr;
    if (auto it = last_of_pid.find(owner); it != last_of_pid.end() && it->second.seen &&
                                           (!best || it->second.number > best->number))
      best = &it->second;
    return best;
  }

  void start_report(const LineView& line, const Headline& headline) {
    if (open.size() >= kMaxOpenReports) close_open(open.front(), true);
    auto owned = std::make_unique<OpenReport>();
    OpenReport& o = *owned;
    o.spares = &spares;
    Report& report = o.report;
    o.tool = headline.tool;
    report.tool = tool_name(headline.tool);
    report.headline = std::string(headline.text);
    report.first_line = static_cast<int>(line.number) + 1;
    // Kinds come from classify.cpp: the runtime's own words, or "unknown" (also for a cut or
    // garbled headline, which still has a report behind it).
    switch (headline.tool) {
      case Tool::TSan: report.kind = tsan_kind(headline.description); break;
      case Tool::ASan: report.kind = asan_kind(headline.description); break;
      case Tool::UBSanError: report.kind = ubsan_error_kind(headline.description); break;
      case Tool::LSan: report.kind = lsan_kind(headline.description); break;
      case Tool::UBSan:
        report.kind = ubsan_kind(headline.description);
        report.ubsan_site = ubsan_site(headline.text);
        break;
      case Tool::Helgrind:
      case Tool::Drd:
      case Tool::None: report.kind = std::string(kUnknownKind); break;
    }
    o.owner = report_pid(line.pid, headline);
    if (o.owner != 0) report.pid = o.owner;
    if (line.cut) report.truncated = true;

    // The report's text starts at the "=====" line the runtimes print above TSan/ASan
    // headlines, when that is the process's line right before it.
    o.keep_raw = text == ReportText::Keep;
    const PreviousLine* previous = previous_own(o.owner);
    const bool after_delimiter = previous && previous->delimiter;
    o.text_bytes = (after_delimiter ? previous->full.size() + 2 : 0) + line.full.size() + 2;
    if (!o.keep_raw) {
      // Nothing to build.
    } else if (after_delimiter) {
      report.raw.reserve(kRawReserve);
      if (previous->number + 1 == line.number) {
        report.raw = previous->full;
        o.last_cr = previous->cr;
        o.text_bytes = previous->full.size() + 2;  // append_raw counts the headline's line
        append_raw(o, line.full, line.cr);
      } else {
        o.joined = true;
        std::string_view full = previous->full;
        report.raw.assign(sub(full, ci_prefix_length(full)));
        report.raw += '\n';
        report.raw.append(line.text);
      }
    } else {
      report.raw.reserve(kRawReserve);
      report.raw.assign(line.full);
      o.last_cr = line.cr;
    }
    open.push_back(owned.get());
    queue.push_back(std::move(owned));
  }

  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const void* found = std::memchr(bytes.data(), '\n', bytes.size());
      if (!found) {
        const std::size_t room = kMaxLineBytes + 1 - std::min(carry.size(), kMaxLineBytes + 1);
        carry.append(sub(bytes, 0, room));
        if (bytes.size() > room) carry_cut = true;
        return;
      }
      const std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(found) - bytes.data());
      if (carry.empty() && !carry_cut) {
        line(sub(bytes, 0, nl), false);
      } else {
        const std::size_t room = kMaxLineBytes + 1 - std::min(carry.size(), kMaxLineBytes + 1);
        carry.append(sub(bytes, 0, std::min(nl, room)));
        if (nl > room) carry_cut = true;
        line(carry, carry_cut);
        carry.clear();
        carry_cut = false;
      }
      bytes.remove_prefix(nl + 1);
    }
  }

  void finish() {
    if (finished) return;
    finished = true;
    if (!carry.empty() || carry_cut) {
      line(carry, carry_cut);
      carry.clear();
      carry_cut = false;
    }
    // The end of the log ends every report (a cut-off one is returned with what it had).
    vg_end_all();
    while (!open.empty()) close_open(open.front(), false);
    emit_ready();
  }
};

ReportStream::ReportStream(Callback on_report, ReportText text) : impl_(std::make_unique<Impl>()) {
  impl_->on_report = std::move(on_report);
  impl_->text = text;
}

ReportStream::~ReportStream() = default;

void ReportStream::feed(std::string_view bytes) { impl_->feed(bytes); }

void ReportStream::finish() { impl_->finish(); }

std::vector<Report> parse_reports(std::string_view log) {
  std::vector<Report> reports;
  ReportStream stream([&](Report&& report) { reports.push_back(std::move(report)); });
  stream.feed(log);
  stream.finish();
  return reports;
}

bool may_start_report(std::string_view line) {
  // Every headline marker (find_headline) contains one of these two words, which color codes
  // never split: the runtimes color whole phrases. A Valgrind report may start at any line of
  // Valgrind's that is not indented: "==PID== " and a character that is not a space.
  auto has_marker = [](std::string_view s) {
    if (contains(s, "Sanitizer") || contains(s, "runtime error")) return true;
    for (std::size_t p = s.find("== "); p != std::string_view::npos; p = s.find("== ", p + 1)) {
      std::size_t d = p;
      while (d > 0 && is_digit(s[d - 1])) --d;
      if (d < p && d >= 2 && s[d - 1] == '=' && s[d - 2] == '=' && p + 3 < s.size() &&
          !is_space(s[p + 3]))
        return true;
    }
    return false;
  };
  if (has_marker(line)) return true;
  // parse_reports strips colors before looking for headlines; so must this, in case a code
  // ever lands inside a marker. Only lines with an ESC pay for it.
  return has_escape(line) && has_marker(strip_ansi(line));
}

bool runtime_failed_to_start(std::string_view log, std::string* what) {
  // Messages a runtime prints when it dies before main(): the program never ran, so its
  // verdict is "could not test", never "no race". A message that comes after a report was
  // printed is a crash during the run instead, so scanning stops at the first report.
  static constexpr std::string_view kMarkers[] = {
      "FATAL: ThreadSanitizer",  // "unexpected memory mapping", "can not mmap the shadow memory"
      "ThreadSanitizer: failed to",
      "Shadow memory range interleaves with an existing memory mapping",
      "AddressSanitizer: CHECK failed",
      "ThreadSanitizer: CHECK failed",
      "LeakSanitizer: CHECK failed",
      "ASan runtime does not come first in initial library list",
      "FATAL: AddressSanitizer",
  };
  std::string uncolored;
  if (has_escape(log)) {
    uncolored = strip_ansi(log);
    log = uncolored;
  }
  // The first marker in the log, by one memmem per marker: most logs hold none and are not
  // read line by line (that took as long as parsing the log's reports). A marker holds no
  // newline, so the line holding the earliest one is the first line that holds any.
  if (log.empty()) return false;  // (memmem's arguments must not be null)
  std::size_t first = std::string_view::npos;
  for (std::string_view marker : kMarkers) {
    if (const void* found = memmem(log.data(), log.size(), marker.data(), marker.size()))
      first = std::min(first, static_cast<std::size_t>(static_cast<const char*>(found) - log.data()));
  }
  if (first == std::string_view::npos) return false;
  const std::size_t newline = log.find('\n', first);
  const std::string_view upto = sub(log, 0, newline == std::string_view::npos ? log.size() : newline);
  const std::vector<Line> lines = split_lines(upto);
  // A report before the marker, or on its line, means the program ran: a crash, not this.
  // (may_hold_headline first, as the stream does.)
  for (const Line& line : lines)
    if (may_hold_headline(line.text) && find_headline(line.text).tool != Tool::None) return false;
  if (what) *what = std::string(trim(lines.back().text));
  return true;
}

}  // namespace racebook
