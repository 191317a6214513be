#include "racebook/json.hpp"

#include "racebook/ci_output.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace racebook {

using nlohmann::json;

namespace {

// An empty string (or 0) as null, as the fields below print "none".
json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
json or_null(int n) { return n ? json(n) : json(nullptr); }

// A JSON array of `items`, each converted by `convert`.
template <typename T, typename F>
json array_of(const std::vector<T>& items, F convert) {
  json out = json::array();
  for (const T& item : items) out.push_back(convert(item));
  return out;
}

}  // namespace

json to_json(const Frame& f) {
  return {{"index", f.index},          {"function", f.function}, {"file", or_null(f.file)},
          {"line", or_null(f.line)},   {"column", or_null(f.column)},
          {"module", or_null(f.module)}};
}

json to_json(const Stack& s) {
  return {{"restored", s.restored},
          {"frames", array_of(s.frames, [](const Frame& f) { return to_json(f); })}};
}

json to_json(const Report& r, const std::filesystem::path& source_root) {
  json j{{"tool", r.tool},
         {"kind", r.kind},
         {"headline", r.headline},
         {"log_line", r.first_line},
         {"stack", r.stack.frames.empty() ? json(nullptr) : to_json(r.stack)},
         {"accesses", array_of(r.accesses, [](const Access& a) {
            return json{{"type", a.write ? "write" : "read"}, {"atomic", a.atomic},
                        {"previous", a.previous},                {"size", a.size},
                        {"thread", a.thread},                    {"mutexes_held", a.mutexes_held},
                        {"stack", to_json(a.stack)}};
          })},
         {"mutexes", array_of(r.mutexes, [](const MutexSection& m) {
            return json{{"mutex", m.mutex},      {"held", or_null(m.held)},
                        {"thread", or_null(m.thread)}, {"created", m.created},
                        {"title", m.title},      {"stack", to_json(m.stack)}};
          })},
         {"threads", array_of(r.threads, [](const ThreadSection& t) {
            return json{{"thread", t.thread},         {"tid", t.tid},
                        {"state", t.state},           {"created_by", t.created_by},
                        {"stack", to_json(t.stack)}};
          })},
         {"sections", array_of(r.sections, [](const Section& s) {
            return json{{"title", s.title}, {"stack", to_json(s.stack)}};
          })}};
  j["location"] = r.location ? json(*r.location) : json(nullptr);
  j["ubsan_site"] = r.ubsan_site ? to_json(*r.ubsan_site) : json(nullptr);
  j["summary"] = or_null(r.summary);
  // The ==PID== of the process whose report it is, where the log says (several processes may
  // write to one log).
  j["pid"] = r.pid ? json(*r.pid) : json(nullptr);
  // Stable across runs and machines (ci_output.hpp), for de-duplicating and baselines.
  j["signature"] = report_signature(r, source_root);
  // Only a report cut short by the parser's bounds has it (true), so every other report prints
  // as it did before the field existed.
  if (r.truncated) j["truncated"] = true;
  return j;
}

json to_json(const std::vector<Report>& reports, const std::filesystem::path& source_root) {
  return array_of(reports, [&](const Report& r) { return to_json(r, source_root); });
}

json parse_output(const std::vector<Report>& reports, const std::filesystem::path& source_root) {
  return {{"format", "racebook-parse"}, {"version", kParseFormatVersion}, {"reports", to_json(reports, source_root)}};
}


// ---------------------------------------------------------------------------------------
// The same JSON, written directly. nlohmann::json's pretty printer (indent 2) writes an object
// as "{", then each member on its own line, indented one level deeper, as "\"key\": value",
// separated by ",", then the closing "}" on its own line at the object's level; arrays alike;
// empty ones as "{}" and "[]". Members come sorted by key (nlohmann::json's std::map), so the
// keys below are written in that order.

namespace {

// Whether eight bytes hold one that nlohmann::json does not print as it is: a byte < 0x20,
// >= 0x7F (high bit or 0x7F), '"' (0x22) or '\\' (0x5C).
[[gnu::always_inline]] inline bool has_special(std::uint64_t x) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t lt20 = (x - kOnes * 0x20) & ~x;
  const std::uint64_t ge7f = (x + kOnes * 0x01) | x;  // 0x7F + 1 sets the high bit
  const std::uint64_t q = x ^ (kOnes * 0x22);
  const std::uint64_t b = x ^ (kOnes * 0x5C);
  const std::uint64_t zq = (q - kOnes) & ~q;
  const std::uint64_t zb = (b - kOnes) & ~b;
  return ((lt20 | ge7f | zq | zb) & kHigh) != 0;
}

bool is_special(unsigned char u) { return u < 0x20 || u >= 0x7F || u == '"' || u == '\\'; }

// Copies `s` to `out` and says whether it is printable ASCII without '"' or '\\': what
// nlohmann::json prints as it is. Checked while copied, in blocks of sixteen bytes (SSE2, which
// every x86-64 has) or eight; the last block overlaps the one before it rather than going
// byte by byte, so nothing is read or written outside `s` and out[0, s.size()).
bool copy_plain(std::string_view s, char* out) {
  const char* in = s.data();
  const std::size_t n = s.size();
#if defined(__SSE2__)
  if (n >= 16) {
    // A byte is special if, as a signed byte, it is below 0x20 (controls, and every byte
    // >= 0x80), or is 0x7F, '"' or '\\'.
    __m128i special = _mm_setzero_si128();
    auto block = [&](std::size_t at) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + at));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at), x);
      special = _mm_or_si128(
          special, _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                                             _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F))),
                                _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                             _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))));
    };
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) block(i);
    if (i < n) block(n - 16);
    return _mm_movemask_epi8(special) == 0;
  }
#endif
  if (n >= 8) {
    bool special = false;
    auto block = [&](std::size_t at) {
      std::uint64_t x;
      std::memcpy(&x, in + at, 8);
      std::memcpy(out + at, &x, 8);
      special |= has_special(x);
    };
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) block(i);
    if (i < n) block(n - 8);
    return !special;
  }
  if (n >= 4) {
    // Two four-byte halves, overlapping when n < 8; the bytes above them are 'A', plain.
    std::uint32_t a;
    std::uint32_t b;
    std::memcpy(&a, in, 4);
    std::memcpy(&b, in + n - 4, 4);
    std::memcpy(out, &a, 4);
    std::memcpy(out + n - 4, &b, 4);
    constexpr std::uint64_t kPad = 0x4141414100000000ULL;
    return !has_special(a | kPad) && !has_special(b | kPad);
  }
  bool special = false;
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = in[i];
    special |= is_special(static_cast<unsigned char>(in[i]));
  }
  return !special;
}

// Room enough for a report's JSON: a string prints in at most 6 bytes a byte (\u00XX) plus
// its quotes, and every frame or section, with its keys and indentation, in under 1 KiB.
std::size_t bound(const Stack& s) {
  std::size_t n = 1024;
  for (const Frame& f : s.frames)
    n += 1024 + 6 * (f.function.size() + f.file.size() + f.module.size());
  return n;
}

std::size_t bound(const Report& r) {
  std::size_t n = 4096 + 6 * (r.tool.size() + r.kind.size() + r.headline.size() + r.summary.size()) +
                  bound(r.stack);
  if (r.location) n += 6 * r.location->size();
  for (const Access& a : r.accesses) {
    n += 1024 + 6 * a.thread.size() + bound(a.stack);
    for (const std::string& m : a.mutexes_held) n += 64 + 6 * m.size();
  }
  for (const MutexSection& m : r.mutexes)
    n += 1024 + 6 * (m.title.size() + m.mutex.size() + m.held.size() + m.thread.size()) + bound(m.stack);
  for (const ThreadSection& t : r.threads)
    n += 1024 + 6 * (t.thread.size() + t.tid.size() + t.state.size() + t.created_by.size()) +
         bound(t.stack);
  for (const Section& s : r.sections) n += 1024 + 6 * s.title.size() + bound(s.stack);
  return n;
}

// A member of an object, for Writer::object: its key and its value, referred to, not copied (a
// temporary made for it lives until the end of the statement that writes the object).
template <typename V>
struct Member {
  std::string_view key;
  const V& value;
};

template <typename V>
[[gnu::always_inline]] inline Member<V> member(std::string_view key, const V& value) {
  return {key, value};
}

// Values that print as null when they are empty (no frames, for a stack) or 0.
struct StringOrNull {
  std::string_view text;
};
struct NumberOrNull {
  int number;
};
struct StackOrNull {
  const Stack& stack;
};
// A member that is left out unless it is true (a report's "truncated").
struct OnlyIfTrue {
  bool value;
};

class Writer {
 public:
  // Writes at p, which the caller has made room for (see bound()).
  // Bytes past the end of what is written that newline() may overwrite.
  static constexpr std::size_t kSlack = 128;
  explicit Writer(char* p) : p_(p) {}
  char* end() const { return p_; }

  // Each way of writing reads p_ once, writes the bytes, then stores p_: bytes are chars, which
  // may alias anything, so p_ moved first and then written through would be loaded again
  // after every byte, a store-to-load round trip each time (measured with perf).
  void put(char c) {
    char* const p = p_;
    *p = c;
    p_ = p + 1;
  }
  [[gnu::always_inline]] void put(std::string_view s) {
    char* const p = p_;
    std::memcpy(p, s.data(), s.size());
    p_ = p + s.size();
  }

  [[gnu::always_inline]] void newline(int depth) {
    // "\n" and two spaces a level; reports nest 7 levels deep at most. The whole indent is
    // copied (a fixed-size copy, no call) and the pointer moved by what is needed: bound()
    // leaves kSlack bytes beyond the end for it.
    static constexpr std::string_view kIndent =
        "\n                                                                ";
    static_assert(kIndent.size() <= kSlack);
    const std::size_t n = 1 + static_cast<std::size_t>(depth) * 2;
    char* const p = p_;
    if (n <= 16) {  // depth 7 or less, as in every report: a quarter of the copy
      std::memcpy(p, kIndent.data(), 16);
    } else if (n <= kIndent.size()) {
      std::memcpy(p, kIndent.data(), kIndent.size());
    } else {
      *p = '\n';
      std::memset(p + 1, ' ', n - 1);
    }
    p_ = p + n;
  }

  // A member of an object at `depth` (the first one opens it).
  [[gnu::always_inline]] void key(std::string_view name, int depth, bool first) {
    if (first) {
      put('{');
    } else {
      put(',');
    }
    newline(depth + 1);
    put('"');
    put(name);
    put("\": ");
  }

  void close_object(int depth) {
    newline(depth);
    put('}');
  }

  [[gnu::always_inline]] void string(std::string_view s) {
    // Printable ASCII with nothing to escape goes as it is; anything else (controls, quotes,
    // non-ASCII letters, invalid UTF-8) as nlohmann::json escapes or replaces it. Copied first
    // and looked at while copied; overwritten in the rare case that it needs escaping (out of
    // line: this part is inlined).
    char* p = p_;
    *p++ = '"';
    if (copy_plain(s, p)) {
      p += s.size();
      *p++ = '"';
      p_ = p;
    } else {
      escaped(s);  // at p_, where the quote was
    }
  }

  [[gnu::noinline]] void escaped(std::string_view s) {
    put(json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void string_or_null(std::string_view s) {
    if (s.empty()) {
      put("null");
    } else {
      string(s);
    }
  }

  void number(long long value) {
    // Line and column numbers, indices and sizes are mostly below 10000: written digit by
    // digit without std::to_chars's general path.
    char* const p = p_;
    if (value >= 0 && value < 10000) {
      const auto v = static_cast<unsigned>(value);
      const int digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : 4;
      unsigned rest = v;
      for (int i = digits - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + rest % 10);
        rest /= 10;
      }
      p_ = p + digits;
      return;
    }
    p_ = std::to_chars(p, p + 24, value).ptr;
  }

  void number_or_null(int value) {
    if (value == 0) {
      put("null");
    } else {
      number(value);
    }
  }

  void boolean(bool value) { put(value ? std::string_view("true") : std::string_view("false")); }

  // An object at `depth`: its members, in the order given (nlohmann::json's, by key). Inlined,
  // so that each key is written as a constant (a fixed-size copy, no call).
  template <typename... V>
  [[gnu::always_inline]] void object(int depth, const Member<V>&... members) {
    bool first = true;
    (add(members, depth, first), ...);
    close_object(depth);
  }

  template <typename V>
  [[gnu::always_inline]] void add(const Member<V>& m, int depth, bool& first) {
    if constexpr (std::is_same_v<V, OnlyIfTrue>) {
      if (!m.value.value) return;
    }
    key(m.key, depth, first);
    value(m.value, depth);
    first = false;
  }

  // The value of a member of an object at `depth`.
  void value(bool b, int) { boolean(b); }
  void value(int n, int) { number(n); }
  void value(std::string_view s, int) { string(s); }
  void value(const std::string& s, int) { string(s); }
  void value(StringOrNull s, int) { string_or_null(s.text); }
  void value(NumberOrNull n, int) { number_or_null(n.number); }
  void value(OnlyIfTrue, int) { boolean(true); }
  void value(const Stack& s, int depth) { element(s, depth + 1); }
  void value(StackOrNull s, int depth) {
    if (s.stack.frames.empty()) {
      put("null");
    } else {
      value(s.stack, depth);
    }
  }
  void value(const Frame& f, int depth) { element(f, depth + 1); }
  template <typename T>
  void value(const std::optional<T>& v, int depth) {
    if (v) {
      value(*v, depth);
    } else {
      put("null");
    }
  }
  template <typename T>
  void value(const std::vector<T>& items, int depth) {
    // An array: "[]", or each element on its own line, one level deeper than the member.
    if (items.empty()) {
      put("[]");
      return;
    }
    put('[');
    bool first = true;
    for (const T& item : items) {
      if (!first) put(',');
      first = false;
      newline(depth + 2);
      element(item, depth + 2);
    }
    newline(depth + 1);
    put(']');
  }

  // An element of an array (or a nested object) at `depth`.
  void element(const std::string& s, int) { string(s); }

  void element(const Frame& f, int depth) {
    object(depth, member("column", NumberOrNull{f.column}), member("file", StringOrNull{f.file}),
           member("function", f.function), member("index", f.index),
           member("line", NumberOrNull{f.line}), member("module", StringOrNull{f.module}));
  }

  void element(const Stack& s, int depth) {
    object(depth, member("frames", s.frames), member("restored", s.restored));
  }

  void element(const Access& a, int depth) {
    object(depth, member("atomic", a.atomic), member("mutexes_held", a.mutexes_held),
           member("previous", a.previous), member("size", a.size), member("stack", a.stack),
           member("thread", a.thread),
           member("type", std::string_view(a.write ? "write" : "read")));
  }

  void element(const MutexSection& m, int depth) {
    object(depth, member("created", m.created), member("held", StringOrNull{m.held}),
           member("mutex", m.mutex), member("stack", m.stack),
           member("thread", StringOrNull{m.thread}), member("title", m.title));
  }

  void element(const ThreadSection& t, int depth) {
    object(depth, member("created_by", t.created_by), member("stack", t.stack),
           member("state", t.state), member("thread", t.thread), member("tid", t.tid));
  }

  void element(const Section& s, int depth) {
    object(depth, member("stack", s.stack), member("title", s.title));
  }

  void report(const Report& r, std::string_view signature, int depth) {
    object(depth, member("accesses", r.accesses), member("headline", r.headline),
           member("kind", r.kind), member("location", r.location),
           member("log_line", r.first_line), member("mutexes", r.mutexes), member("pid", r.pid),
           member("sections", r.sections), member("signature", signature),
           member("stack", StackOrNull{r.stack}), member("summary", StringOrNull{r.summary}),
           member("threads", r.threads), member("tool", r.tool),
           member("truncated", OnlyIfTrue{r.truncated}), member("ubsan_site", r.ubsan_site));
  }

 private:
  char* p_;
};

}  // namespace

void append_json(std::string& out, const Report& report, int depth,
                 const std::filesystem::path& source_root) {
  const std::string signature = report_signature(report, source_root);
  // Written into a scratch buffer that is never cleared (std::string::resize would zero the
  // whole bound first), then appended.
  thread_local std::unique_ptr<char[]> scratch;
  thread_local std::size_t capacity = 0;
  const std::size_t need = bound(report) + 6 * signature.size() + Writer::kSlack;
  if (need > capacity) {
    capacity = std::max(need, 2 * capacity);
    scratch = std::make_unique_for_overwrite<char[]>(capacity);
  }
  Writer writer(scratch.get());
  writer.report(report, signature, depth);
  out.append(scratch.get(), static_cast<std::size_t>(writer.end() - scratch.get()));
}

void ParseOutputWriter::add(const Report& report) {
  // parse_output's members, sorted: "format", "reports", "version".
  out_ += any_ ? ",\n    " : "{\n  \"format\": \"racebook-parse\",\n  \"reports\": [\n    ";
  any_ = true;
  append_json(out_, report, 2, source_root_);
}

void ParseOutputWriter::finish() {
  out_ += any_ ? "\n  ],\n" : "{\n  \"format\": \"racebook-parse\",\n  \"reports\": [],\n";
  out_ += "  \"version\": ";
  out_ += std::to_string(kParseFormatVersion);
  out_ += "\n}\n";
}

}  // namespace racebook
