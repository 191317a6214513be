#include "racebook/json.hpp"

#include "racebook/ci_output.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace racebook {

using nlohmann::json;

json to_json(const Frame& f) {
  json j{{"index", f.index}, {"function", f.function}};
  j["file"] = f.file.empty() ? json(nullptr) : json(f.file);
  j["line"] = f.line ? json(f.line) : json(nullptr);
  j["column"] = f.column ? json(f.column) : json(nullptr);
  j["module"] = f.module.empty() ? json(nullptr) : json(f.module);
  return j;
}

json to_json(const Stack& s) {
  json frames = json::array();
  for (const auto& f : s.frames) frames.push_back(to_json(f));
  return {{"restored", s.restored}, {"frames", frames}};
}

json to_json(const Report& r, const std::filesystem::path& source_root) {
  json accesses = json::array();
  for (const auto& a : r.accesses) {
    accesses.push_back({{"type", a.write ? "write" : "read"},
                        {"atomic", a.atomic},
                        {"previous", a.previous},
                        {"size", a.size},
                        {"thread", a.thread},
                        {"mutexes_held", a.mutexes_held},
                        {"stack", to_json(a.stack)}});
  }
  json mutexes = json::array();
  for (const auto& m : r.mutexes) {
    mutexes.push_back({{"mutex", m.mutex},
                       {"held", m.held.empty() ? json(nullptr) : json(m.held)},
                       {"thread", m.thread.empty() ? json(nullptr) : json(m.thread)},
                       {"created", m.created},
                       {"title", m.title},
                       {"stack", to_json(m.stack)}});
  }
  json threads = json::array();
  for (const auto& t : r.threads) {
    threads.push_back({{"thread", t.thread},
                       {"tid", t.tid},
                       {"state", t.state},
                       {"created_by", t.created_by},
                       {"stack", to_json(t.stack)}});
  }
  json sections = json::array();
  for (const auto& s : r.sections) sections.push_back({{"title", s.title}, {"stack", to_json(s.stack)}});

  json j{{"tool", r.tool},
         {"kind", r.kind},
         {"headline", r.headline},
         {"log_line", r.first_line},
         {"stack", r.stack.frames.empty() ? json(nullptr) : to_json(r.stack)},
         {"accesses", accesses},
         {"mutexes", mutexes},
         {"threads", threads},
         {"sections", sections}};
  j["location"] = r.location ? json(*r.location) : json(nullptr);
  j["ubsan_site"] = r.ubsan_site ? to_json(*r.ubsan_site) : json(nullptr);
  j["summary"] = r.summary.empty() ? json(nullptr) : json(r.summary);
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
  json j = json::array();
  for (const auto& r : reports) j.push_back(to_json(r, source_root));
  return j;
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
bool has_special(std::uint64_t x) {
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

class Writer {
 public:
  // Writes at p, which the caller has made room for (see bound()).
  // Bytes past the end of what is written that newline() may overwrite.
  static constexpr std::size_t kSlack = 128;
  explicit Writer(char* p) : p_(p) {}
  char* end() const { return p_; }

  void put(char c) { *p_++ = c; }
  [[gnu::always_inline]] void put(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }

  [[gnu::always_inline]] void newline(int depth) {
    // "\n" and two spaces a level; reports nest 7 levels deep at most. The whole indent is
    // copied (a fixed-size copy, no call) and the pointer moved by what is needed: bound()
    // leaves kSlack bytes beyond the end for it.
    static constexpr std::string_view kIndent =
        "\n                                                                ";
    static_assert(kIndent.size() <= kSlack);
    const std::size_t n = 1 + static_cast<std::size_t>(depth) * 2;
    if (n <= kIndent.size()) {
      std::memcpy(p_, kIndent.data(), kIndent.size());
      p_ += n;
    } else {
      put('\n');
      std::memset(p_, ' ', n - 1);
      p_ += n - 1;
    }
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

  void string(std::string_view s) {
    // Printable ASCII with nothing to escape goes as it is; anything else (controls, quotes,
    // non-ASCII letters, invalid UTF-8) as nlohmann::json escapes or replaces it. Copied first
    // and looked at while copied; overwritten in the rare case that it needs escaping.
    char* const start = p_;
    put('"');
    if (copy_plain(s, p_)) {
      p_ += s.size();
      put('"');
    } else {
      p_ = start;
      put(json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace));
    }
  }

  void string_or_null(std::string_view s) {
    if (s.empty()) {
      put("null");
    } else {
      string(s);
    }
  }

  void number(long long value) {
    p_ = std::to_chars(p_, p_ + 24, value).ptr;
  }

  void number_or_null(int value) {
    if (value == 0) {
      put("null");
    } else {
      number(value);
    }
  }

  void boolean(bool value) { put(value ? std::string_view("true") : std::string_view("false")); }

  void frame(const Frame& f, int depth) {
    key("column", depth, true);
    number_or_null(f.column);
    key("file", depth, false);
    string_or_null(f.file);
    key("function", depth, false);
    string(f.function);
    key("index", depth, false);
    number(f.index);
    key("line", depth, false);
    number_or_null(f.line);
    key("module", depth, false);
    string_or_null(f.module);
    close_object(depth);
  }

  void stack(const Stack& s, int depth) {
    key("frames", depth, true);
    if (s.frames.empty()) {
      put("[]");
    } else {
      put('[');
      bool first = true;
      for (const Frame& f : s.frames) {
        if (!first) put(',');
        first = false;
        newline(depth + 2);
        frame(f, depth + 2);
      }
      newline(depth + 1);
      put(']');
    }
    key("restored", depth, false);
    boolean(s.restored);
    close_object(depth);
  }

  // An array of objects at `depth`, each written by `item(element, depth + 1)`.
  template <typename T, typename F>
  void array(const std::vector<T>& items, int depth, F item) {
    if (items.empty()) {
      put("[]");
      return;
    }
    put('[');
    bool first = true;
    for (const T& element : items) {
      if (!first) put(',');
      first = false;
      newline(depth + 1);
      item(element, depth + 1);
    }
    newline(depth);
    put(']');
  }

  void report(const Report& r, std::string_view signature, int depth) {
    const int d = depth;
    key("accesses", d, true);
    array(r.accesses, d + 1, [&](const Access& a, int ad) {
      key("atomic", ad, true);
      boolean(a.atomic);
      key("mutexes_held", ad, false);
      if (a.mutexes_held.empty()) {
        put("[]");
      } else {
        put('[');
        bool first = true;
        for (const std::string& m : a.mutexes_held) {
          if (!first) put(',');
          first = false;
          newline(ad + 2);
          string(m);
        }
        newline(ad + 1);
        put(']');
      }
      key("previous", ad, false);
      boolean(a.previous);
      key("size", ad, false);
      number(a.size);
      key("stack", ad, false);
      stack(a.stack, ad + 1);
      key("thread", ad, false);
      string(a.thread);
      key("type", ad, false);
      string(a.write ? "write" : "read");
      close_object(ad);
    });
    key("headline", d, false);
    string(r.headline);
    key("kind", d, false);
    string(r.kind);
    key("location", d, false);
    if (r.location) {
      string(*r.location);
    } else {
      put("null");
    }
    key("log_line", d, false);
    number(r.first_line);
    key("mutexes", d, false);
    array(r.mutexes, d + 1, [&](const MutexSection& m, int md) {
      key("created", md, true);
      boolean(m.created);
      key("held", md, false);
      string_or_null(m.held);
      key("mutex", md, false);
      string(m.mutex);
      key("stack", md, false);
      stack(m.stack, md + 1);
      key("thread", md, false);
      string_or_null(m.thread);
      key("title", md, false);
      string(m.title);
      close_object(md);
    });
    key("pid", d, false);
    if (r.pid) {
      number(*r.pid);
    } else {
      put("null");
    }
    key("sections", d, false);
    array(r.sections, d + 1, [&](const Section& s, int sd) {
      key("stack", sd, true);
      stack(s.stack, sd + 1);
      key("title", sd, false);
      string(s.title);
      close_object(sd);
    });
    key("signature", d, false);
    string(signature);
    key("stack", d, false);
    if (r.stack.frames.empty()) {
      put("null");
    } else {
      stack(r.stack, d + 1);
    }
    key("summary", d, false);
    string_or_null(r.summary);
    key("threads", d, false);
    array(r.threads, d + 1, [&](const ThreadSection& t, int td) {
      key("created_by", td, true);
      string(t.created_by);
      key("stack", td, false);
      stack(t.stack, td + 1);
      key("state", td, false);
      string(t.state);
      key("thread", td, false);
      string(t.thread);
      key("tid", td, false);
      string(t.tid);
      close_object(td);
    });
    key("tool", d, false);
    string(r.tool);
    if (r.truncated) {
      key("truncated", d, false);
      boolean(true);
    }
    key("ubsan_site", d, false);
    if (r.ubsan_site) {
      frame(*r.ubsan_site, d + 1);
    } else {
      put("null");
    }
    close_object(d);
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
