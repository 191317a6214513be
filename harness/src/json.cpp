#include "racebook/json.hpp"

#include <charconv>
#include <string>
#include <string_view>

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

json to_json(const Report& r) {
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
  // Only a report cut short by the parser's bounds has it (true), so every other report prints
  // as it did before the field existed.
  if (r.truncated) j["truncated"] = true;
  return j;
}

json to_json(const std::vector<Report>& reports) {
  json j = json::array();
  for (const auto& r : reports) j.push_back(to_json(r));
  return j;
}

json parse_output(const std::vector<Report>& reports) {
  return {{"format", "racebook-parse"}, {"version", kParseFormatVersion}, {"reports", to_json(reports)}};
}


// ---------------------------------------------------------------------------------------
// The same JSON, written directly. nlohmann::json's pretty printer (indent 2) writes an object
// as "{", then each member on its own line, indented one level deeper, as "\"key\": value",
// separated by ",", then the closing "}" on its own line at the object's level; arrays alike;
// empty ones as "{}" and "[]". Members come sorted by key (nlohmann::json's std::map), so the
// keys below are written in that order.

namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void newline(int depth) {
    out_ += '\n';
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
  }

  // A member of an object at `depth` (the first one opens it).
  void key(std::string_view name, int depth, bool first) {
    if (first) {
      out_ += '{';
    } else {
      out_ += ',';
    }
    newline(depth + 1);
    out_ += '"';
    out_.append(name);
    out_ += "\": ";
  }

  void close_object(int depth) {
    newline(depth);
    out_ += '}';
  }

  void string(std::string_view s) {
    // Printable ASCII with nothing to escape goes as it is; anything else (controls, quotes,
    // non-ASCII letters, invalid UTF-8) as nlohmann::json escapes or replaces it.
    bool plain = true;
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    if (plain) {
      out_ += '"';
      out_.append(s);
      out_ += '"';
    } else {
      out_ += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }

  void string_or_null(std::string_view s) {
    if (s.empty()) {
      out_ += "null";
    } else {
      string(s);
    }
  }

  void number(long long value) {
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, result.ptr);
  }

  void number_or_null(int value) {
    if (value == 0) {
      out_ += "null";
    } else {
      number(value);
    }
  }

  void boolean(bool value) { out_ += value ? "true" : "false"; }

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
      out_ += "[]";
    } else {
      out_ += '[';
      bool first = true;
      for (const Frame& f : s.frames) {
        if (!first) out_ += ',';
        first = false;
        newline(depth + 2);
        frame(f, depth + 2);
      }
      newline(depth + 1);
      out_ += ']';
    }
    key("restored", depth, false);
    boolean(s.restored);
    close_object(depth);
  }

  // An array of objects at `depth`, each written by `item(element, depth + 1)`.
  template <typename T, typename F>
  void array(const std::vector<T>& items, int depth, F item) {
    if (items.empty()) {
      out_ += "[]";
      return;
    }
    out_ += '[';
    bool first = true;
    for (const T& element : items) {
      if (!first) out_ += ',';
      first = false;
      newline(depth + 1);
      item(element, depth + 1);
    }
    newline(depth);
    out_ += ']';
  }

  void report(const Report& r, int depth) {
    const int d = depth;
    key("accesses", d, true);
    array(r.accesses, d + 1, [&](const Access& a, int ad) {
      key("atomic", ad, true);
      boolean(a.atomic);
      key("mutexes_held", ad, false);
      if (a.mutexes_held.empty()) {
        out_ += "[]";
      } else {
        out_ += '[';
        bool first = true;
        for (const std::string& m : a.mutexes_held) {
          if (!first) out_ += ',';
          first = false;
          newline(ad + 2);
          string(m);
        }
        newline(ad + 1);
        out_ += ']';
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
      out_ += "null";
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
      out_ += "null";
    }
    key("sections", d, false);
    array(r.sections, d + 1, [&](const Section& s, int sd) {
      key("stack", sd, true);
      stack(s.stack, sd + 1);
      key("title", sd, false);
      string(s.title);
      close_object(sd);
    });
    key("stack", d, false);
    if (r.stack.frames.empty()) {
      out_ += "null";
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
      out_ += "null";
    }
    close_object(d);
  }

 private:
  std::string& out_;
};

}  // namespace

void append_json(std::string& out, const Report& report, int depth) {
  Writer(out).report(report, depth);
}

void ParseOutputWriter::add(const Report& report) {
  // parse_output's members, sorted: "format", "reports", "version".
  out_ += any_ ? ",\n    " : "{\n  \"format\": \"racebook-parse\",\n  \"reports\": [\n    ";
  any_ = true;
  append_json(out_, report, 2);
}

void ParseOutputWriter::finish() {
  out_ += any_ ? "\n  ],\n" : "{\n  \"format\": \"racebook-parse\",\n  \"reports\": [],\n";
  out_ += "  \"version\": ";
  out_ += std::to_string(kParseFormatVersion);
  out_ += "\n}\n";
}

}  // namespace racebook
