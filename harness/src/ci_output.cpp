#include "racebook/ci_output.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

namespace racebook {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[gnu::always_inline]] inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// The module's file name without its "+0x..." offset: "libtsan.so.2+0x5e686" -> "libtsan.so.2".
std::string_view module_name(std::string_view module) {
  const auto plus = module.rfind('+');
  if (plus != std::string_view::npos) module = module.substr(0, plus);
  const auto slash = module.find_last_of("/\\");
  if (slash != std::string_view::npos) module = module.substr(slash + 1);
  return module;
}

bool in_runtime(const Frame& f) {
  // (Each list is looked at only when the first letters could match: this runs for every
  // report `parse` prints.)
  if (starts_with(f.function, "__")) {
    for (std::string_view p : {"__tsan", "__asan", "__lsan", "__ubsan", "__msan", "__sanitizer",
                               "__interceptor", "___interceptor"}) {
      if (starts_with(f.function, p)) return true;
    }
  }
  const std::string_view m = module_name(f.module);
  // Valgrind's interceptors ("??? (in /usr/libexec/valgrind/vgpreload_helgrind-amd64-linux.so)").
  if (starts_with(m, "vgpreload_")) return true;
  if (starts_with(m, "l")) {
    for (std::string_view p : {"libtsan", "libasan", "liblsan", "libubsan", "libclang_rt", "libc.so",
                               "libc-", "libm.so", "libpthread", "libgcc_s", "libstdc++", "libc++",
                               "ld-linux"}) {
      if (starts_with(m, p)) return true;
    }
  }
  if (f.file.empty()) return false;
  std::string copy;  // only for a Windows path, with its '\\' made '/'
  std::string_view file = f.file;
  if (file.find('\\') != std::string_view::npos) {
    copy = f.file;
    std::replace(copy.begin(), copy.end(), '\\', '/');
    file = copy;
  }
  // One pass over the directories: the sanitizers' and glibc's sources wherever they sit.
  for (std::size_t at = 0; at < file.size();) {
    const std::string_view rest = file.substr(at);
    switch (rest.front()) {
      case 'l': if (starts_with(rest, "libsanitizer/")) return true; break;
      case 's': if (starts_with(rest, "sysdeps/") || starts_with(rest, "sanitizer_common/")) return true; break;
      case 'c': if (starts_with(rest, "compiler-rt/lib/")) return true; break;
      default: break;
    }
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) break;
    at += slash + 1;
  }
  // Paths as glibc's debug info and the system's headers and libraries print them.
  switch (file.front()) {
    case '/':
      for (std::string_view p : {"/usr/include/", "/usr/lib/", "/usr/local/include/", "/usr/src/"})
        if (starts_with(file, p)) return true;
      return false;
    case '.':
      for (std::string_view p : {"../csu/", "../nptl/", "./csu/", "./nptl/", "./stdlib/", "./elf/"})
        if (starts_with(file, p)) return true;
      return false;
    default: {
      for (std::string_view p : {"csu/", "nptl/", "elf/"})
        if (starts_with(file, p)) return true;
      // glibc's sources as Valgrind prints them with --fullpath-after=: "stdlib/./stdlib/exit.c",
      // "libio/./libio/iofwrite.c" (the build's own directory, then "./" and it again).
      const std::size_t slash = file.find('/');
      return slash != std::string_view::npos && file.substr(slash + 1, 2) == "./" &&
             file.substr(slash + 3, slash + 1) == file.substr(0, slash + 1);
    }
  }
}

// The source root, prepared once per call: lexically normal and absolute, and resolved.
struct Root {
  fs::path cwd;
  fs::path lexical;
  fs::path resolved;

  explicit Root(const fs::path& root) {
    if (root.empty()) return;
    std::error_code ec;
    cwd = fs::current_path(ec);
    lexical = (root.is_absolute() ? root : cwd / root).lexically_normal();
    fs::path r = fs::weakly_canonical(lexical, ec);
    resolved = ec ? lexical : r.lexically_normal();
  }
  bool empty() const { return lexical.empty(); }

  // For an absolute path with nothing to normalize (as compilers print them), the part after
  // the root by a prefix test ("" when not under it); nullopt for any other path.
  std::optional<std::string_view> relative_plain(std::string_view file) const {
    if (file.empty() || file.front() != '/' || file.find("/.") != std::string_view::npos ||
        file.find("//") != std::string_view::npos)
      return std::nullopt;
    for (const fs::path* r : {&lexical, &resolved}) {
      std::string_view prefix = r->native();
      while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
      if (prefix == "/") return file.substr(1);
      if (file.size() > prefix.size() + 1 && file.compare(0, prefix.size(), prefix) == 0 &&
          file[prefix.size()] == '/')
        return file.substr(prefix.size() + 1);
    }
    return std::string_view();
  }

  bool under(const std::string& file) const {
    if (empty() || file.empty()) return false;
    if (const auto plain = relative_plain(file)) return !plain->empty();
    return !relative(file).empty();
  }

  // The path relative to the root, or empty when not under it.
  std::string relative(const std::string& file) const {
    if (empty() || file.empty()) return {};
    if (const auto plain = relative_plain(file)) return std::string(*plain);
    fs::path p(file);
    p = (p.is_absolute() ? p : cwd / p).lexically_normal();
    for (const fs::path* r : {&lexical, &resolved}) {
      const fs::path rel = p.lexically_relative(*r);
      if (!rel.empty() && rel != "." && *rel.begin() != "..") return rel.generic_string();
    }
    return {};
  }

  std::string display(const std::string& file, bool* under) const {
    std::string rel = relative(file);
    if (under) *under = !rel.empty();
    return rel.empty() ? file : rel;
  }
};

// The Root of the last source root asked for on this thread, for callers that pass one report at
// a time (parse's writer): resolving it costs system calls, so it is not done for every report.
const Root& cached_root(const fs::path& source_root) {
  struct Entry {
    fs::path source_root;
    fs::path cwd;
    Root root;
  };
  thread_local std::optional<Entry> cache;
  if (source_root.empty()) {
    static const Root kNone{fs::path()};
    return kNone;
  }
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!cache || cache->source_root != source_root || cache->cwd != cwd)
    cache.emplace(Entry{source_root, std::move(cwd), Root(source_root)});
  return cache->root;
}

// A key frame as chosen from a report: a pointer into it, and the function to name it by (UBSan's
// site names none; the stack's frame at its file and line does).
struct Choice {
  const Frame* frame = nullptr;
  const std::string* function = nullptr;
};

Choice choose(const Report& report, const KeyStack& k, const Root& root) {
  const Stack* stack = k.stack;
  if (stack == &report.stack && stack->frames.empty() && !k.site) {
    // No stack under the headline where older runtimes printed one: newer ones title it
    // ("Signal 10 handler invoked at:"); the first titled stack with frames stands in.
    for (const Section& s : report.sections) {
      if (!s.stack.frames.empty()) {
        stack = &s.stack;
        break;
      }
    }
  }
  // One pass over the candidates (the site, then the stack from #0), each looked at once: the
  // first one outside the runtimes with a file and line under the root, else the first with
  // a file and line, else the first with a named function.
  const Frame* under_root = nullptr;
  const Frame* with_line = nullptr;
  const Frame* named = nullptr;
  auto consider = [&](const Frame& f) {
    if (in_runtime(f)) return false;
    const bool has_line = !f.file.empty() && f.line > 0;
    if (has_line && !root.empty() && root.under(f.file)) {
      under_root = &f;
      return true;  // nothing can be better
    }
    if (has_line && !with_line) with_line = &f;
    if (!named && !f.function.empty() && f.function != "<null>") named = &f;
    return root.empty() && with_line;  // without a root, the first with a line wins
  };
  if (!k.site || !consider(*k.site)) {
    for (const Frame& f : stack->frames)
      if (consider(f)) break;
  }
  Choice c;
  c.frame = under_root ? under_root : with_line ? with_line : named;
  if (!c.frame) return c;
  c.function = &c.frame->function;
  if (c.frame == k.site && (c.frame->function.empty() || c.frame->function == "<null>")) {
    const std::string& file = c.frame->file;
    for (const Frame& f : stack->frames) {
      if (f.line == c.frame->line && !f.file.empty() && !file.empty() &&
          (f.file == file || (f.file.size() > file.size() &&
                              f.file.compare(f.file.size() - file.size(), std::string::npos, file) == 0 &&
                              f.file[f.file.size() - file.size() - 1] == '/'))) {
        c.function = &f.function;
        break;
      }
    }
  }
  return c;
}

std::vector<KeySite> sites_of(const Report& report, const Root& root) {
  std::vector<KeySite> sites;
  for (KeyStack& k : key_stacks(report)) {
    const Choice c = choose(report, k, root);
    KeySite site{std::move(k.role), std::nullopt};
    if (c.frame) {
      site.frame = *c.frame;
      site.frame->function = *c.function;
    }
    sites.push_back(std::move(site));
  }
  return sites;
}

// The signature from the chosen frames, built without copying a frame: this runs for every
// report `parse` prints.
std::string signature_of(const Report& report, const Root& root) {
  thread_local std::vector<std::string> parts;  // kept between calls for their capacity
  std::size_t n = 0;
  for (const KeyStack& k : key_stacks(report, KeyRoles::Unnamed)) {
    const Choice c = choose(report, k, root);
    if (n == parts.size()) parts.emplace_back();
    std::string& part = parts[n++];
    if (!c.frame) {
      part.assign("?");
    } else if (c.frame->file.empty() || c.frame->line == 0) {
      part.assign(*c.function);
    } else {
      if (root.empty()) part.assign(c.frame->file);
      else part = root.display(c.frame->file, nullptr);
      char digits[16];
      const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, c.frame->line);
      part += ':';
      part.append(digits, end);
      if (!c.function->empty()) {
        part += ' ';
        part += *c.function;
      }
    }
  }
  std::sort(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(n));
  std::size_t size = report.kind.size();
  for (std::size_t i = 0; i < n; ++i) size += 1 + parts[i].size();
  std::string out;
  out.reserve(size);
  out += report.kind;
  for (std::size_t i = 0; i < n; ++i) {
    out += '|';
    out += parts[i];
  }
  return out;
}

// Percent-encodes every byte but unreserved ones (RFC 3986) and '/'.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~' || u == '/') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

bool is_drive(std::string_view p) {
  return p.size() >= 3 && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
         (p[2] == '\\' || p[2] == '/');
}

// A file URI for an absolute path (POSIX, Windows drive or UNC), else the encoded relative path.
std::string file_uri(std::string path) {
  if (is_drive(path)) {
    std::replace(path.begin(), path.end(), '\\', '/');
    return "file:///" + path.substr(0, 2) + percent_encode(path.substr(2));
  }
  if (starts_with(path, "\\\\") || starts_with(path, "//")) {
    std::replace(path.begin(), path.end(), '\\', '/');
    return "file://" + percent_encode(path.substr(2));
  }
  if (starts_with(path, "/")) return "file://" + percent_encode(path);
  return percent_encode(path);
}

json artifact_location(const std::string& file, const Root& root) {
  bool under = false;
  const std::string shown = root.display(file, &under);
  if (under) return {{"uri", percent_encode(shown)}, {"uriBaseId", "SRCROOT"}};
  return {{"uri", file_uri(shown)}};
}

json sarif_location(const Frame& f, const Root& root, const std::string& text) {
  json physical{{"artifactLocation", artifact_location(f.file, root)}};
  if (f.line > 0) {
    json region{{"startLine", f.line}};
    if (f.column > 0) region["startColumn"] = f.column;
    physical["region"] = region;
  }
  json loc{{"physicalLocation", physical}, {"message", {{"text", text}}}};
  if (!f.function.empty() && f.function != "<null>")
    loc["logicalLocations"] = json::array({{{"fullyQualifiedName", f.function}, {"kind", "function"}}});
  return loc;
}

// Every stack of a report with a title for messages.
std::vector<std::pair<std::string, const Stack*>> all_stacks(const Report& r) {
  std::vector<std::pair<std::string, const Stack*>> out;
  out.emplace_back("stack", &r.stack);
  for (const Access& a : r.accesses) {
    std::string t = std::string(a.previous ? "previous " : "") + (a.atomic ? "atomic " : "") +
                    (a.write ? "write" : "read") + (a.thread.empty() ? "" : " by thread " + a.thread);
    out.emplace_back(std::move(t), &a.stack);
  }
  for (const MutexSection& m : r.mutexes) out.emplace_back(m.title, &m.stack);
  for (const ThreadSection& t : r.threads) out.emplace_back("thread " + t.thread + " created", &t.stack);
  for (const Section& s : r.sections) out.emplace_back(s.title, &s.stack);
  return out;
}

bool same_frame(const Frame& a, const Frame& b) {
  return a.file == b.file && a.line == b.line && a.column == b.column && a.function == b.function;
}

std::string site_text(const KeySite& s) {
  std::string t = s.role;
  if (s.frame && !s.frame->function.empty() && s.frame->function != "<null>") t += ": " + s.frame->function;
  return t;
}

std::string rule_description(const Report& r) {
  std::string words = r.kind;
  std::replace(words.begin(), words.end(), '-', ' ');
  return r.tool.empty() ? words : words + " (" + r.tool + ")";
}

}  // namespace

std::vector<KeySite> signature_sites(const Report& report, const fs::path& source_root) {
  return sites_of(report, cached_root(source_root));
}

std::string display_path(const std::string& file, const fs::path& source_root, bool* under_root) {
  return cached_root(source_root).display(file, under_root);
}

std::string report_signature(const Report& report, const fs::path& source_root) {
  return signature_of(report, cached_root(source_root));
}

namespace {

// A SARIF run of the tool "racebook" (its version is the package's).
json sarif_run(json rules, json results, const CiOutputOptions& options) {
  json driver{{"name", "racebook"}, {"version", RACEBOOK_VERSION}, {"rules", std::move(rules)}};
  if (!options.information_uri.empty()) driver["informationUri"] = options.information_uri;
  return {{"tool", {{"driver", std::move(driver)}}}, {"results", std::move(results)}};
}

void write_sarif_log(std::ostream& out, json run) {
  const json sarif{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", json::array({std::move(run)})}};
  out << sarif.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace

void write_sarif(std::ostream& out, const std::vector<Report>& reports, const CiOutputOptions& options) {
  const Root root(options.source_root);
  std::map<std::string, std::string> kinds;  // kind -> description, sorted
  for (const Report& r : reports) kinds.emplace(r.kind, rule_description(r));
  json rules = json::array();
  std::map<std::string, int> rule_index;
  for (const auto& [kind, description] : kinds) {
    rule_index[kind] = static_cast<int>(rules.size());
    rules.push_back({{"id", kind},
                     {"shortDescription", {{"text", description}}},
                     {"defaultConfiguration", {{"level", "error"}}}});
  }

  json results = json::array();
  for (const Report& r : reports) {
    const auto sites = sites_of(r, root);
    json locations = json::array();
    std::vector<const Frame*> key_frames;
    for (const KeySite& s : sites) {
      if (!s.frame || s.frame->file.empty()) continue;
      locations.push_back(sarif_location(*s.frame, root, site_text(s)));
      key_frames.push_back(&*s.frame);
    }
    json related = json::array();
    for (const auto& [title, stack] : all_stacks(r)) {
      for (const Frame& f : stack->frames) {
        if (f.file.empty()) continue;
        if (std::any_of(key_frames.begin(), key_frames.end(), [&](const Frame* k) { return same_frame(*k, f); }))
          continue;
        json loc = sarif_location(f, root, title + ": #" + std::to_string(f.index) + " " + f.function);
        loc["id"] = static_cast<int>(related.size());
        related.push_back(std::move(loc));
      }
    }
    json properties{{"logLine", r.first_line}};
    if (!options.log_name.empty()) properties["log"] = options.log_name;
    json result{{"ruleId", r.kind},
                {"ruleIndex", rule_index[r.kind]},
                {"level", "error"},
                {"message", {{"text", r.kind + ": " + r.headline}}},
                {"partialFingerprints", {{"racebookSignature/v1", signature_of(r, root)}}},
                {"properties", properties}};
    if (!locations.empty()) result["locations"] = std::move(locations);
    if (!related.empty()) result["relatedLocations"] = std::move(related);
    results.push_back(std::move(result));
  }

  json run = sarif_run(std::move(rules), std::move(results), options);
  if (!root.empty()) {
    std::string uri = file_uri(root.lexical.generic_string());
    if (uri.empty() || uri.back() != '/') uri += '/';
    run["originalUriBaseIds"] = {{"SRCROOT", {{"uri", uri}}}};
  }
  write_sarif_log(out, std::move(run));
}

void write_sarif_verdicts(std::ostream& out, const std::vector<VerdictProblem>& problems) {
  static const std::pair<const char*, const char*> kRules[] = {
      {"verdict-failed", "a variant's verdict differs from its expectation"},
      {"no-result", "a variant left no result in the last test run"}};
  json rules = json::array();
  for (const auto& [id, text] : kRules)
    rules.push_back({{"id", id}, {"shortDescription", {{"text", text}}}, {"defaultConfiguration", {{"level", "error"}}}});
  json results = json::array();
  for (const VerdictProblem& p : problems) {
    const int index = p.no_result ? 1 : 0;
    results.push_back({{"ruleId", kRules[index].first},
                       {"ruleIndex", index},
                       {"level", "error"},
                       {"message", {{"text", p.test + ": " + p.message}}},
                       {"properties", {{"test", p.test}}}});
  }
  write_sarif_log(out, sarif_run(std::move(rules), std::move(results), CiOutputOptions{}));
}

std::string github_escape_data(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string github_escape_property(std::string_view s) {
  std::string out;
  for (const char c : github_escape_data(s)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

void write_github(std::ostream& out, const std::vector<Report>& reports, const CiOutputOptions& options) {
  const Root root(options.source_root);
  for (const Report& r : reports) {
    const auto sites = sites_of(r, root);
    const Frame* at = nullptr;
    std::string file;
    for (const KeySite& s : sites) {
      if (!s.frame || s.frame->file.empty()) continue;
      bool under = false;
      std::string shown = root.display(s.frame->file, &under);
      if (under || root.empty()) {
        at = &*s.frame;
        file = std::move(shown);
        break;
      }
    }
    std::string message = r.headline;
    for (const KeySite& s : sites) {
      message += "\n" + s.role + ": ";
      if (!s.frame) {
        message += "(no frame)";
        continue;
      }
      message += s.frame->function;
      if (!s.frame->file.empty()) {
        message += (s.frame->function.empty() ? "at " : " at ") + root.display(s.frame->file, nullptr);
        if (s.frame->line > 0) message += ":" + std::to_string(s.frame->line);
      }
    }
    if (!options.log_name.empty()) message += "\n(" + options.log_name + ", line " + std::to_string(r.first_line) + ")";

    out << "::error ";
    bool first = true;
    auto property = [&](std::string_view name, const std::string& value) {
      out << (first ? "" : ",") << name << '=' << github_escape_property(value);
      first = false;
    };
    if (at) {
      property("file", file);
      if (at->line > 0) property("line", std::to_string(at->line));
      if (at->line > 0 && at->column > 0) property("col", std::to_string(at->column));
    }
    property("title", "racebook: " + r.kind);
    out << "::" << github_escape_data(message) << '\n';
  }
}

std::set<std::string> read_baseline(const fs::path& file) {
  const std::string name = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("baseline " + name + ": cannot be read (missing or not readable)");
  std::stringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = json::parse(text.str());
  } catch (const json::exception& e) {
    throw std::runtime_error("baseline " + name + ": not JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw std::runtime_error("baseline " + name + ": not a JSON object");
  if (!j.contains("format") || j["format"] != "racebook-baseline")
    throw std::runtime_error("baseline " + name + ": \"format\" is not \"racebook-baseline\"");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != 1)
    throw std::runtime_error("baseline " + name + ": \"version\" is not 1 (the only one this racebook reads)");
  if (!j.contains("signatures") || !j["signatures"].is_array())
    throw std::runtime_error("baseline " + name + ": \"signatures\" is not an array");
  std::set<std::string> signatures;
  for (const json& s : j["signatures"]) {
    if (!s.is_string()) throw std::runtime_error("baseline " + name + ": a signature is not a string");
    signatures.insert(s.get<std::string>());
  }
  return signatures;
}

void write_baseline(std::ostream& out, const std::vector<Report>& reports, const fs::path& source_root) {
  const Root root(source_root);
  std::set<std::string> signatures;
  for (const Report& r : reports) signatures.insert(signature_of(r, root));
  write_baseline(out, signatures);
}

void write_baseline(std::ostream& out, const std::set<std::string>& signatures) {
  const json j{{"format", "racebook-baseline"}, {"version", 1}, {"signatures", signatures}};
  out << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

}  // namespace racebook
