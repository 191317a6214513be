// Parses the text that ThreadSanitizer, AddressSanitizer, LeakSanitizer and UBSan print into
// racebook::Report records.
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
//          optional "SUMMARY: UndefinedBehaviorSanitizer: ..." (clang prints it, gcc does not)

#include "racebook/report.hpp"

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace racebook {
namespace {

// ---------------------------------------------------------------------------------------
// Small string helpers. Only the standard library is allowed here, so no regex engine:
// std::regex would also be slow on multi-megabyte logs.

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Case-insensitive prefix test: TSan writes "Atomic write" at the start of a title but
// "Previous atomic write" in the middle of one.
bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != lower(prefix[i])) return false;
  return true;
}

// Removes `prefix` (case-insensitively) from the front of `s` and says whether it was there.
bool consume_ci(std::string_view& s, std::string_view prefix) {
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

int to_int(std::string_view s) {
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
  return s.substr(0, n);
}

// The first whitespace-separated word of `s`.
std::string_view first_word(std::string_view s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  return s.substr(0, end);
}

// The text after the first occurrence of `marker` in `s` (empty if absent; `found` tells an
// absent marker from one at the very end).
std::string_view after(std::string_view s, std::string_view marker, bool* found = nullptr) {
  std::size_t p = s.find(marker);
  if (found) *found = p != std::string_view::npos;
  return p == std::string_view::npos ? std::string_view() : s.substr(p + marker.size());
}

// Turns "Data Race" into "data-race": lowercase, runs of spaces become one '-', and
// characters that cannot appear in a slug are dropped.
std::string slugify(std::string_view text) {
  std::string out;
  for (char c : trim(text)) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += lower(c);
    } else if ((is_space(c) || c == '-' || c == '_') && !out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
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
// The log as lines, remembering where each starts so `raw` can be cut from the original.

struct Line {
  std::string_view text;  // without the newline (and without a trailing '\r')
  std::size_t begin = 0;  // offset of the first character in the log
  std::size_t end = 0;    // offset one past the last character (before the newline)
};

std::vector<Line> split_lines(std::string_view log) {
  std::vector<Line> lines;
  std::size_t pos = 0;
  while (pos < log.size()) {
    std::size_t nl = log.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? log.size() : nl;
    std::size_t text_end = end;
    if (text_end > pos && log[text_end - 1] == '\r') --text_end;  // logs copied from Windows
    lines.push_back({log.substr(pos, text_end - pos), pos, text_end});
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return lines;
}

// ---------------------------------------------------------------------------------------
// Headlines: which line opens a report, for which tool.

enum class Tool { None, TSan, ASan, LSan, UBSan };

struct Headline {
  Tool tool = Tool::None;
  std::string_view text;         // from the marker (or its "==PID==" prefix) to the line end
  std::string_view description;  // what follows "ThreadSanitizer: " / "AddressSanitizer: " ...
};

// If `pos` is preceded by "==<digits>==", moves it back over that prefix so the headline
// keeps the pid marker the runtime printed, but not unrelated program output before it.
std::size_t include_pid_prefix(std::string_view line, std::size_t pos) {
  if (pos < 2 || line.substr(pos - 2, 2) != "==") return pos;
  std::size_t p = pos - 2;
  std::size_t digits_end = p;
  while (p > 0 && is_digit(line[p - 1])) --p;
  if (p == digits_end || p < 2 || line.substr(p - 2, 2) != "==") return pos;
  return p - 2;
}

Headline find_headline(std::string_view line) {
  Headline h;
  // TSan: searched anywhere in the line, because the program may have printed a partial line
  // (no trailing newline) just before the runtime started writing.
  if (std::size_t p = line.find("WARNING: ThreadSanitizer: "); p != std::string_view::npos) {
    h.tool = Tool::TSan;
    h.text = trim(line.substr(p));
    h.description = trim(line.substr(p + std::string_view("WARNING: ThreadSanitizer: ").size()));
    return h;
  }
  for (auto [marker, tool] : {std::pair{std::string_view("ERROR: AddressSanitizer: "), Tool::ASan},
                              std::pair{std::string_view("ERROR: LeakSanitizer: "), Tool::LSan}}) {
    if (std::size_t p = line.find(marker); p != std::string_view::npos) {
      h.tool = tool;
      h.text = trim(line.substr(include_pid_prefix(line, p)));
      h.description = trim(line.substr(p + marker.size()));
      return h;
    }
  }
  // UBSan: "<file>:<line>:<col>: runtime error: <message>" (the site may lack a column, or be
  // "<unknown>" when there is no debug info).
  if (std::size_t p = line.find(": runtime error: "); p != std::string_view::npos) {
    h.tool = Tool::UBSan;
    h.text = trim(line);
    h.description = trim(line.substr(p + std::string_view(": runtime error: ").size()));
    return h;
  }
  return h;
}

const char* tool_name(Tool tool) {
  switch (tool) {
    case Tool::TSan: return "ThreadSanitizer";
    case Tool::ASan: return "AddressSanitizer";
    case Tool::LSan: return "LeakSanitizer";
    case Tool::UBSan: return "UndefinedBehaviorSanitizer";
    case Tool::None: break;
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Kinds: stable slugs that expectations are written against, independent of how a given
// runtime version words its headline.

// "data race (pid=12)" -> "data race"; "heap-use-after-free (virtual call vs free) (pid=1)"
// -> "heap-use-after-free". Everything from the first " (" on is qualification, not kind.
std::string_view drop_parenthesised_suffix(std::string_view s) {
  std::size_t p = s.find(" (");
  return trim(p == std::string_view::npos ? s : s.substr(0, p));
}

std::string tsan_kind(std::string_view description) {
  // Longest/most specific prefixes first: "data race on vptr" before "data race".
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"data race on vptr", "data-race-vptr"},
      {"data race", "data-race"},
      {"heap-use-after-free", "heap-use-after-free"},
      {"thread leak", "thread-leak"},
      {"lock-order-inversion", "lock-order-inversion"},
      {"unlock of an unlocked mutex", "unlock-of-unlocked-mutex"},
      {"double lock of a mutex", "double-lock"},
      {"destroy of a locked mutex", "destroy-of-locked-mutex"},
      {"signal-unsafe call inside of a signal", "signal-unsafe-call"},
      {"signal handler spoils errno", "signal-handler-spoils-errno"},
      {"use of an invalid mutex", "invalid-mutex"},
      {"read lock of a write locked mutex", "read-lock-of-write-locked-mutex"},
      {"read unlock of a write locked mutex", "read-unlock-of-write-locked-mutex"},
  };
  for (auto [prefix, kind] : kTable)
    if (starts_with(description, prefix)) return std::string(kind);
  return slugify(drop_parenthesised_suffix(description));
}

std::string asan_kind(std::string_view description) {
  // "attempting double-free on 0x..." / "attempting free on address which was not malloc()-ed"
  if (std::string_view rest = description; consume_ci(rest, "attempting ")) {
    std::string_view what = first_word(rest);
    return what == "free" ? "bad-free" : slugify(what);
  }
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"requested allocation size exceeds", "allocation-size-too-big"},
      {"calloc parameters overflow", "calloc-overflow"},
      {"allocator is out of memory", "out-of-memory"},
  };
  for (auto [prefix, kind] : kTable)
    if (starts_with(description, prefix)) return std::string(kind);
  // The common case: the first word is already the kind ("heap-use-after-free on address",
  // "SEGV on unknown address", "alloc-dealloc-mismatch (operator new vs free)"). Signal names
  // such as SEGV and FPE keep their case, as the runtime and its documentation spell them.
  std::string_view word = first_word(description);
  bool upper = !word.empty();
  for (char c : word)
    if (!std::isupper(static_cast<unsigned char>(c))) upper = false;
  if (upper) return std::string(word);
  return slugify(word);
}

std::string ubsan_kind(std::string_view message) {
  auto has = [&](std::string_view s) { return contains(message, s); };
  if (starts_with(message, "signed integer overflow") || starts_with(message, "negation of"))
    return "signed-integer-overflow";
  if (starts_with(message, "unsigned integer overflow")) return "unsigned-integer-overflow";
  if (has("division by zero") || has("divide by zero")) return "division-by-zero";
  if (starts_with(message, "shift exponent") || starts_with(message, "left shift of"))
    return "shift-out-of-bounds";
  if (has("misaligned address")) return "misaligned-access";
  if (has("null pointer")) return "null-pointer";
  if (starts_with(message, "index ") && has(" out of bounds")) return "out-of-bounds-index";
  if (has("not a valid value for type 'bool'")) return "invalid-bool-load";
  if (has("not a valid value for type")) return "invalid-enum-load";
  if (has("outside the range of representable values")) return "float-cast-overflow";
  if (starts_with(message, "pointer index expression")) return "pointer-overflow";
  if (has("insufficient space for an object")) return "object-size";
  if (has("reached the end of a value-returning function")) return "missing-return";
  if (has("reached an unreachable program point")) return "unreachable";
  // Fallback: the wording up to the first ':' or digit, which is where the specific values
  // ("2147483647 + 1", "0x1234") begin.
  std::size_t cut = 0;
  while (cut < message.size() && message[cut] != ':' && !is_digit(message[cut])) ++cut;
  return slugify(message.substr(0, cut));
}

// ---------------------------------------------------------------------------------------
// Frames.

bool is_frame_line(std::string_view line) {
  line = trim(line);
  return line.size() >= 2 && line[0] == '#' && is_digit(line[1]);
}

// Finds the '(' matching the ')' that ends `s`, or npos. Module parts such as
// "(libtsan.so.2+0x5e686)" are found this way without being confused by the parentheses of
// "operator()()" or "f(int)" earlier in the line.
std::size_t matching_open_paren(std::string_view s) {
  if (s.empty() || s.back() != ')') return std::string_view::npos;
  int depth = 0;
  for (std::size_t i = s.size(); i-- > 0;) {
    if (s[i] == ')') ++depth;
    if (s[i] == '(' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

// Splits "path/file.cpp:12:5" (clang), "path/file.cpp:12" (gcc) or "<null>" into the frame.
// Returns false if `token` does not look like a source location at all.
bool parse_location(std::string_view token, Frame& frame) {
  if (token == "<null>") return true;  // "file may be <null>": unknown, left empty
  std::size_t last = token.rfind(':');
  if (last == std::string_view::npos || !all_digits(token.substr(last + 1))) return false;
  std::string_view head = token.substr(0, last);
  int first_number = to_int(token.substr(last + 1));
  std::size_t prev = head.rfind(':');
  if (prev != std::string_view::npos && all_digits(head.substr(prev + 1))) {
    frame.file = std::string(head.substr(0, prev));
    frame.line = to_int(head.substr(prev + 1));
    frame.column = first_number;
  } else {
    frame.file = std::string(head);
    frame.line = first_number;
  }
  return !frame.file.empty();
}

// Parses one stack line. TSan:  "#3 func(args) /path/file.cpp:12:5 (prog+0x1234) (BuildId: x)"
// ASan/UBSan: "#0 0x55d4c3 in func /path/file.cpp:12:5", "#1 0x7f.. in func (/lib.so+0x27)",
// "#6 0x7f..  (/lib/libstdc++.so.6+0xd44a2)" (no function at all).
Frame parse_frame(std::string_view line) {
  Frame frame;
  std::string_view s = trim(line);
  s.remove_prefix(1);  // '#'
  std::string_view index = leading_digits(s);
  frame.index = to_int(index);
  s = trim(s.substr(index.size()));

  // "(BuildId: ...)" identifies the binary, not the frame; it is dropped.
  if (std::size_t open = matching_open_paren(s);
      open != std::string_view::npos && starts_with(s.substr(open), "(BuildId:"))
    s = trim(s.substr(0, open));
  // The module is the last parenthesised group, when it is "<module>+0x<offset>".
  if (std::size_t open = matching_open_paren(s);
      open != std::string_view::npos && contains(s.substr(open), "+0x")) {
    frame.module = std::string(trim(s.substr(open + 1, s.size() - open - 2)));
    s = trim(s.substr(0, open));
  }
  // ASan/UBSan put the pc first: "0x55d4c3 in func ..." or just "0x55d4c3" before the module.
  if (starts_with(s, "0x")) {
    s = trim(after(s, " in "));
  }
  // What is left is "<function> <location>" or just "<function>". Function names contain
  // spaces ("std::thread::_M_start_thread(std::unique_ptr<...>, void (*)())"), locations do
  // not, so the location is the last word when it parses as one.
  std::size_t space = s.rfind(' ');
  if (space != std::string_view::npos && parse_location(s.substr(space + 1), frame)) {
    s = trim(s.substr(0, space));
  } else if (!s.empty() && frame.module.empty() && parse_location(s, frame)) {
    s = {};  // a bare location with no function name
  }
  // "func+0x12" (ASan without debug info) names the function plus an offset into it.
  if (std::size_t plus = s.rfind("+0x"); plus != std::string_view::npos && plus > 0)
    s = s.substr(0, plus);
  frame.function = s.empty() ? "<null>" : std::string(s);
  return frame;
}

// ---------------------------------------------------------------------------------------
// Section titles.

// TSan: "[Previous ][atomic ]Read|Write of size N at 0x.. by thread T2[ (mutexes: write M0)]:"
// ASan: "READ|WRITE of size N at 0x.. thread T0"
bool parse_access(std::string_view title, Access& access) {
  std::string_view s = title;
  access.previous = consume_ci(s, "previous ");
  access.atomic = consume_ci(s, "atomic ");
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
  std::string_view address = first_word(s);
  access.address = std::string(address);
  s = trim(s.substr(address.size()));
  if (ends_with(s, ":")) s.remove_suffix(1);

  // "(mutexes: write M0, read M1)": the ids are kept ("M0", "M1"), in order.
  if (std::size_t p = s.find("(mutexes:"); p != std::string_view::npos) {
    std::string_view list = after(s, "(mutexes:");
    if (std::size_t close = list.find(')'); close != std::string_view::npos)
      list = list.substr(0, close);
    s = trim(s.substr(0, p));
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view item = trim(list.substr(0, comma));
      std::size_t space = item.rfind(' ');
      if (!item.empty())
        access.mutexes_held.emplace_back(space == std::string_view::npos ? item
                                                                         : item.substr(space + 1));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  consume_ci(s, "by ");  // TSan says "by thread T2", ASan just "thread T0"
  access.thread = normalize_thread(s);
  return true;
}

// "Mutex M1 acquired here while holding mutex M0 in thread T1:", "Mutex M0 (0x..) created at:",
// "Mutex M0 previously acquired by the same thread here:", "Mutex M10 is already destroyed."
bool parse_mutex(std::string_view title, MutexSection& mutex) {
  std::string_view s = title;
  if (!consume_ci(s, "mutex ")) return false;
  std::string_view id = first_word(s);
  if (id.size() < 2 || id[0] != 'M' || !all_digits(id.substr(1))) return false;
  mutex.title = std::string(title);
  mutex.mutex = std::string(id);
  mutex.created = ends_with(title, "created at:");
  bool found = false;
  if (std::string_view held = after(title, "while holding mutex ", &found); found)
    mutex.held = std::string(first_word(held));
  if (contains(title, " in main thread")) mutex.thread = "T0";
  if (std::string_view who = after(title, " in thread ", &found); found) {
    if (ends_with(who, ":")) who.remove_suffix(1);
    mutex.thread = normalize_thread(who);
  }
  return true;
}

// TSan: "Thread T1 (tid=1779, finished) created by main thread at:" (optionally with a quoted
// name after the id); ASan: "Thread T1 created by T0 here:". Titles such as "Thread T3 ... is a
// GCD worker thread" still parse: the creator is simply left empty.
bool parse_thread(std::string_view title, ThreadSection& thread) {
  std::string_view s = title;
  if (!consume_ci(s, "thread ")) return false;
  std::string_view id = first_word(s);
  if (id.size() < 2 || id[0] != 'T' || !is_digit(id[1])) return false;
  thread.thread = "T" + std::string(leading_digits(id.substr(1)));  // "T1," -> "T1"
  bool found = false;
  if (std::string_view rest = after(title, "(tid=", &found); found) {
    std::string_view tid = leading_digits(rest);
    thread.tid = std::string(tid);
    rest.remove_prefix(tid.size());
    if (starts_with(rest, ", ")) {
      std::size_t close = rest.find(')');
      std::string_view state = rest.substr(2, close == std::string_view::npos ? close : close - 2);
      thread.state = std::string(trim(state));
    }
  }
  if (std::string_view who = after(title, "created by ", &found); found) {
    for (std::string_view tail : {" here:", " at:", ":"}) {
      if (ends_with(who, tail)) {
        who.remove_suffix(tail.size());
        break;
      }
    }
    thread.created_by = normalize_thread(who);
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Report bodies.

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

// Reads the lines after the headline. `body` excludes the headline and the closing lines.
void parse_body(Report& report, const std::vector<Line>& lines, std::size_t begin,
                std::size_t end) {
  // Frames right under the headline (TSan mutex misuse, ASan double-free, UBSan) form the
  // report's own stack.
  Target target{Target::Headline, 0};
  for (std::size_t i = begin; i < end; ++i) {
    std::string_view line = trim(lines[i].text);
    if (line.empty()) {
      target = {};  // a blank line closes the current stack
      continue;
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
      stack->frames.push_back(parse_frame(line));
      continue;
    }
    if (line == "[failed to restore the stack]") {
      if (Stack* stack = resolve(report, target)) stack->restored = false;
      continue;
    }
    if (starts_with(line, "SUMMARY: ")) {
      report.summary = std::string(line);
      target = {};
      continue;
    }
    if (starts_with(line, "Shadow bytes around the buggy address")) break;  // ASan's tail

    Access access;
    if (parse_access(line, access)) {
      report.accesses.push_back(std::move(access));
      target = {Target::Access, report.accesses.size() - 1};
      continue;
    }
    MutexSection mutex;
    if (parse_mutex(line, mutex)) {
      // "Mutex M0 previously acquired by the same thread here:" names no thread; it is the
      // thread of the "acquired here while holding" section just before it.
      if (mutex.thread.empty() && contains(line, "by the same thread") && !report.mutexes.empty())
        mutex.thread = report.mutexes.back().thread;
      report.mutexes.push_back(std::move(mutex));
      target = {Target::Mutex, report.mutexes.size() - 1};
      continue;
    }
    ThreadSection thread;
    if (parse_thread(line, thread)) {
      report.threads.push_back(std::move(thread));
      target = {Target::Thread, report.threads.size() - 1};
      continue;
    }
    // Where the memory is: TSan "Location is global 'c' of size 4 at ...", ASan "0x.. is
    // located 0 bytes inside of 4-byte region", "Address 0x.. is located in stack of thread
    // T1 ... in frame". The first one is the location; TSan sometimes adds a second, vaguer
    // one ("Location is global '<null>' at 0x000000000000"). A following stack gets a Section.
    bool is_location = starts_with(line, "Location is ") || contains(line, " is located ");
    if (is_location && !report.location) report.location = std::string(line);
    bool next_is_frame = i + 1 < end && is_frame_line(lines[i + 1].text);
    if ((is_location && (ends_with(line, ":") || next_is_frame)) ||
        (ends_with(line, ":") && next_is_frame)) {
      // Any other title followed by a stack: ASan "freed by thread T0 here:", TSan "As if
      // synchronized via sleep:", "  and:", LSan "Direct leak of 7 byte(s) ... from:".
      // Titles with no stack after them ("This frame has 1 object(s):") are not sections.
      report.sections.push_back({std::string(line), {}});
      target = {Target::Section, report.sections.size() - 1};
      continue;
    }
    // Anything else (program output, hints, "Cycle in lock order graph", shadow bytes) is
    // left in `raw` only. It does not close the current stack: program output can land in
    // the middle of one.
  }
}

// ---------------------------------------------------------------------------------------
// Report extents: where each tool's report ends.

bool is_tsan_delimiter(std::string_view line) {
  line = trim(line);
  return line.size() >= 10 && line.find_first_not_of('=') == std::string_view::npos;
}

bool is_asan_aborting(std::string_view line) { return ends_with(trim(line), "==ABORTING"); }

// The ASan tail after SUMMARY: the shadow byte dump and its legend, then "==PID==ABORTING".
bool is_shadow_dump_line(std::string_view line) {
  std::string_view t = trim(line);
  return t.empty() || starts_with(t, "Shadow byte") || starts_with(t, "0x") ||
         starts_with(t, "=>0x") || starts_with(line, "  ");
}

// Returns the index one past the report's last line. `start` is the headline's index.
// A report also ends where the next headline begins, so a truncated report never swallows
// the one after it.
std::size_t find_report_end(Tool tool, const std::vector<Line>& lines, std::size_t start) {
  std::size_t n = lines.size();
  switch (tool) {
    case Tool::TSan:
      for (std::size_t i = start + 1; i < n; ++i) {
        if (is_tsan_delimiter(lines[i].text)) return i + 1;
        if (find_headline(lines[i].text).tool != Tool::None) return i;
      }
      return n;
    case Tool::ASan:
    case Tool::LSan: {
      bool after_summary = false;
      for (std::size_t i = start + 1; i < n; ++i) {
        std::string_view text = lines[i].text;
        if (is_asan_aborting(text)) return i + 1;
        if (find_headline(text).tool != Tool::None) return i;
        if (after_summary && !is_shadow_dump_line(text)) return i;
        if (starts_with(trim(text), "SUMMARY: ")) {
          // LSan stops at its summary; ASan goes on with the shadow dump and ABORTING.
          if (tool == Tool::LSan) return i + 1;
          after_summary = true;
        }
      }
      return n;
    }
    case Tool::UBSan: {
      // Notes ("0x..: note: pointer points here", a hex dump, a caret) come first, then the
      // stack, then (clang) a blank line and "SUMMARY: UndefinedBehaviorSanitizer: ...".
      // UBSan does not stop the program, so the first other line is program output again.
      bool in_stack = false;
      for (std::size_t i = start + 1; i < n; ++i) {
        std::string_view text = lines[i].text;
        std::string_view t = trim(text);
        if (find_headline(text).tool != Tool::None) return i;
        if (is_frame_line(t)) {
          in_stack = true;
          continue;
        }
        if (starts_with(t, "SUMMARY: UndefinedBehaviorSanitizer")) return i + 1;
        if (t.empty()) {
          // A blank line ends the report unless the UBSan summary follows it.
          std::size_t j = i + 1;
          while (j < n && trim(lines[j].text).empty()) ++j;
          if (j < n && starts_with(trim(lines[j].text), "SUMMARY: UndefinedBehaviorSanitizer"))
            return j + 1;
          return i;
        }
        if (!in_stack && (contains(t, ": note: ") || starts_with(text, " "))) continue;
        return i;
      }
      return n;
    }
    case Tool::None: break;
  }
  return start + 1;
}

// The site of a UBSan report: "path/file.cpp:9:15" before ": runtime error: ".
Frame ubsan_site(std::string_view headline) {
  Frame site;
  std::string_view location = headline.substr(0, headline.find(": runtime error: "));
  if (!parse_location(trim(location), site)) site.file = std::string(trim(location));
  site.function = "";
  return site;
}

}  // namespace

std::vector<Report> parse_reports(std::string_view log) {
  std::vector<Report> reports;
  std::vector<Line> lines = split_lines(log);
  std::size_t i = 0;
  while (i < lines.size()) {
    Headline headline = find_headline(lines[i].text);
    if (headline.tool == Tool::None) {
      ++i;
      continue;
    }
    Report report;
    report.tool = tool_name(headline.tool);
    report.headline = std::string(headline.text);
    report.first_line = static_cast<int>(i) + 1;
    switch (headline.tool) {
      case Tool::TSan: report.kind = tsan_kind(headline.description); break;
      case Tool::ASan: report.kind = asan_kind(headline.description); break;
      case Tool::LSan: report.kind = "memory-leak"; break;
      case Tool::UBSan:
        report.kind = ubsan_kind(headline.description);
        report.ubsan_site = ubsan_site(headline.text);
        break;
      case Tool::None: break;
    }
    // A headline with nothing usable after the marker (a cut or garbled line) still has a
    // report behind it; "unknown" keeps the kind a non-empty slug.
    if (report.kind.empty()) report.kind = "unknown";

    std::size_t end = find_report_end(headline.tool, lines, i);
    // `raw` starts at the opening "=====" line the runtimes print above TSan/ASan headlines.
    std::size_t raw_begin = i;
    if (i > 0 && is_tsan_delimiter(lines[i - 1].text)) raw_begin = i - 1;
    report.raw = std::string(log.substr(lines[raw_begin].begin,
                                        lines[end - 1].end - lines[raw_begin].begin));
    parse_body(report, lines, i + 1, end);
    reports.push_back(std::move(report));
    i = end;
  }
  return reports;
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
  for (const Line& line : split_lines(log)) {
    if (find_headline(line.text).tool != Tool::None) return false;
    for (std::string_view marker : kMarkers) {
      if (contains(line.text, marker)) {
        if (what) *what = std::string(trim(line.text));
        return true;
      }
    }
  }
  return false;
}

}  // namespace racebook
