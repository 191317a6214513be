// The one reader of the case-file format. CMake asks it too (racebook-read-case, built at
// configure time from this file), so the tests CTest declares and the verdicts the harness
// checks can never disagree about what a case file says.
#include "racebook/expectation.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "racebook/kinds.hpp"

namespace racebook {
namespace {

std::string at(const std::string& path, int line) {
  return path + ":" + std::to_string(line) + ": ";
}

bool is_known_detector(const std::string& name) {
  const auto& all = known_detectors();
  return std::find(all.begin(), all.end(), name) != all.end();
}

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// "gcc", "clang", "gcc11", "clang19": a compiler, optionally with its major version.
bool valid_compiler(const std::string& compiler) {
  for (const std::string family : {"gcc", "clang"}) {
    if (compiler.rfind(family, 0) != 0) continue;
    const std::string major = compiler.substr(family.size());
    if (major.empty()) return true;
    return major.size() <= 3 && major[0] != '0' &&
           std::all_of(major.begin(), major.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  }
  return false;
}

// "gcc" of "gcc11", "clang" of "clang19".
std::string compiler_family(const std::string& compiler) {
  return compiler.rfind("clang", 0) == 0 ? "clang" : compiler.rfind("gcc", 0) == 0 ? "gcc" : "";
}

// "tsan", "tsan-clang", "asan-gcc", "tsan-clang19": the detector, optionally narrowed to one
// compiler and one of its major versions.
bool valid_key(const std::string& key) {
  const auto dash = key.find('-');
  const std::string detector = key.substr(0, dash);
  if (!is_known_detector(detector)) return false;
  if (dash == std::string::npos) return true;
  return valid_compiler(key.substr(dash + 1));
}

bool valid_marker_name(const std::string& s) {
  if (s.empty() || !is_ident_start(s[0])) return false;
  return std::all_of(s.begin(), s.end(), is_ident_char);
}

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

Expectation parse_expectation(const std::string& key, const std::string& verdict, int line,
                              const std::string& path) {
  Expectation e;
  e.key = key;
  e.line = line;
  e.text = verdict;
  if (key != "truth" && !valid_key(key)) {
    throw CaseFileError(at(path, line) + "expectation for unknown detector \"" + key +
                        "\": use normal, tsan, asan, helgrind or drd, optionally with a "
                        "compiler and its major version: tsan-clang, tsan-gcc11, tsan-clang19");
  }
  std::istringstream words(verdict);
  std::string word;
  words >> word;
  if (word == "clean") {
    if (words >> word) {
      throw CaseFileError(at(path, line) + "\"clean\" takes nothing after it, found \"" + word +
                          "\"");
    }
    return e;
  }
  if (word == kAnyReport) {
    if (key == "truth") {
      throw CaseFileError(at(path, line) + "the truth names the bug the variant has (or clean); \"" +
                          std::string(kAnyReport) + "\" is for a detector whose reports cannot be "
                          "pinned to marked lines");
    }
    if (words >> word) {
      throw CaseFileError(at(path, line) + "\"" + std::string(kAnyReport) +
                          "\" takes no kind or marker after it, found \"" + word + "\"");
    }
    e.clean = false;
    e.kind = kAnyReport;
    return e;
  }
  const bool slug_like = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!slug_like) {
    throw CaseFileError(at(path, line) + "expected \"clean\" or a report kind such as "
                        "\"data-race @a @b\", found \"" + verdict + "\"");
  }
  e.clean = false;
  e.kind = word;
  while (words >> word) {
    if (word.size() < 2 || word[0] != '@' || !valid_marker_name(word.substr(1))) {
      throw CaseFileError(at(path, line) + "\"" + word +
                          "\" is not a marker reference; write @name for a line marked // @name");
    }
    e.markers.push_back(word.substr(1));
  }
  const KindInfo* kind = find_kind(e.kind);
  if (kind == nullptr) {
    throw CaseFileError(at(path, line) + "unknown report kind \"" + e.kind +
                        "\"; the kinds are the slugs `racebook-harness parse` prints: " +
                        known_kind_list());
  }
  const int n = static_cast<int>(e.markers.size());
  if (n < kind->min_markers || (kind->max_markers >= 0 && n > kind->max_markers)) {
    std::string need = kind->max_markers == kind->min_markers
                           ? plural(kind->min_markers, "marker")
                           : "at least " + plural(kind->min_markers, "marker");
    throw CaseFileError(at(path, line) + "\"" + e.kind + "\" needs " + need + " (" +
                        std::string(kind->markers) + "), this expectation names " +
                        std::to_string(n) +
                        (n == 0 ? ": add @name for each line the report must point at" : ""));
  }
  return e;
}

// ---- A small C++ lexer: just enough to tell code from comments and string literals ----

struct Token {
  enum class Type { identifier, string, punct, line_comment, block_comment } type;
  std::string text;  // for strings: the contents (escapes kept as written); comments: after //
  int line = 0;
  bool first_on_line = false;  // nothing but whitespace before it on its line
};

std::vector<Token> lex(std::string_view src) {
  std::vector<Token> out;
  int line = 1;
  bool line_has_token = false;
  std::size_t i = 0;
  auto push = [&](Token::Type type, std::string text, int at_line) {
    out.push_back({type, std::move(text), at_line, !line_has_token});
    line_has_token = true;
  };
  auto newline = [&] {
    ++line;
    line_has_token = false;
  };
  while (i < src.size()) {
    const char c = src[i];
    if (c == '\n') {
      newline();
      ++i;
    } else if (is_space(c)) {
      ++i;
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
      std::size_t end = src.find('\n', i);
      if (end == std::string_view::npos) end = src.size();
      push(Token::Type::line_comment, std::string(src.substr(i + 2, end - i - 2)), line);
      i = end;
    } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
      const int start_line = line;
      std::size_t end = src.find("*/", i + 2);
      end = end == std::string_view::npos ? src.size() : end + 2;
      push(Token::Type::block_comment, "", start_line);
      for (std::size_t k = i; k < end; ++k) {
        if (src[k] == '\n') newline();
      }
      i = end;
    } else if (c == 'R' && i + 1 < src.size() && src[i + 1] == '"' &&
               (i == 0 || !is_ident_char(src[i - 1]))) {
      // Raw string R"delim( ... )delim"
      const std::size_t open = src.find('(', i + 2);
      const std::string delim =
          open == std::string_view::npos ? "" : std::string(src.substr(i + 2, open - i - 2));
      const std::string close = ")" + delim + "\"";
      std::size_t end = open == std::string_view::npos ? src.size() : src.find(close, open + 1);
      const int start_line = line;
      std::string body = end == std::string_view::npos || open == std::string_view::npos
                             ? ""
                             : std::string(src.substr(open + 1, end - open - 1));
      end = end == std::string_view::npos ? src.size() : end + close.size();
      push(Token::Type::string, body, start_line);
      for (std::size_t k = i; k < end; ++k) {
        if (src[k] == '\n') newline();
      }
      i = end;
    } else if (c == '"' || c == '\'') {
      std::size_t k = i + 1;
      std::string body;
      while (k < src.size() && src[k] != c && src[k] != '\n') {
        if (src[k] == '\\' && k + 1 < src.size()) {
          body += src[k];
          ++k;
        }
        body += src[k];
        ++k;
      }
      if (c == '"') {
        push(Token::Type::string, body, line);
      } else {
        push(Token::Type::punct, "'", line);
      }
      i = k < src.size() && src[k] == c ? k + 1 : k;
    } else if (is_ident_start(c)) {
      std::size_t k = i;
      while (k < src.size() && is_ident_char(src[k])) ++k;
      push(Token::Type::identifier, std::string(src.substr(i, k - i)), line);
      i = k;
    } else {
      push(Token::Type::punct, std::string(1, c), line);
      ++i;
    }
  }
  return out;
}

// "// truth: data-race @a @b": the verdict after "truth:" (the comment's text after "//").
bool split_truth(const std::string& comment, std::string& verdict) {
  const std::string s = trim(comment);
  if (s.rfind("truth", 0) != 0) return false;
  const std::string rest = trim(s.substr(5));
  if (rest.empty() || rest[0] != ':') return false;
  verdict = trim(rest.substr(1));
  return true;
}

// "truth" followed by nothing that continues a word: a line meant as the truth.
bool looks_like_truth(const std::string& comment) {
  const std::string s = trim(comment);
  return s.rfind("truth", 0) == 0 && (s.size() == 5 || !is_ident_char(s[5]));
}

// "data-race @a @b -- false alarm: ..." -> verdict and reason (empty when there is no " -- ").
void split_reason(std::string& verdict, std::string& reason) {
  const auto dashes = verdict.find("--");
  if (dashes == std::string::npos) return;
  reason = trim(verdict.substr(dashes + 2));
  verdict = trim(verdict.substr(0, dashes));
}

// "// expect tsan: data-race @a @b": the comment's text after "//".
bool split_expectation(const std::string& comment, std::string& key, std::string& verdict) {
  std::string s = trim(comment);
  if (s.rfind("expect", 0) != 0) return false;
  s = s.substr(6);
  if (s.empty() || !is_space(s[0])) return false;
  s = trim(s);
  const auto colon = s.find(':');
  if (colon == std::string::npos) return false;
  key = trim(s.substr(0, colon));
  verdict = trim(s.substr(colon + 1));
  if (key.empty() || verdict.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char ch) { return is_ident_char(ch) || ch == '-'; });
}

// Is the comment an expectation at all (even a malformed one)? "expect" as its first word.
bool looks_like_expectation(const std::string& comment) {
  const std::string s = trim(comment);
  return s.rfind("expect", 0) == 0 && (s.size() == 6 || !is_ident_char(s[6]));
}

// "... @name" at the end of a comment marks its line.
std::string marker_of(const std::string& comment) {
  const std::string s = trim(comment);
  const auto atpos = s.rfind('@');
  if (atpos == std::string::npos) return "";
  const std::string name = s.substr(atpos + 1);
  return valid_marker_name(name) ? name : "";
}

bool valid_variant_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
    return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) ||
           ch == '_';
  });
}

// After TEST_CASE / TEST_CASE_METHOD at tokens[i]: the name's string literal(s). Comments
// and line breaks may stand anywhere in between.
std::string variant_name_after(const std::vector<Token>& tokens, std::size_t i, bool method,
                               const std::string& path) {
  const int line = tokens[i].line;
  auto skip_comments = [&](std::size_t k) {
    while (k < tokens.size() && (tokens[k].type == Token::Type::line_comment ||
                                 tokens[k].type == Token::Type::block_comment))
      ++k;
    return k;
  };
  std::size_t k = skip_comments(i + 1);
  if (k >= tokens.size() || tokens[k].type != Token::Type::punct || tokens[k].text != "(") {
    return "";  // not a use of the macro (its definition, a mention)
  }
  k = skip_comments(k + 1);
  if (method) {  // TEST_CASE_METHOD(Fixture, "name", ...)
    int depth = 0;
    for (; k < tokens.size(); ++k) {
      const auto& t = tokens[k];
      if (t.type != Token::Type::punct) continue;
      if (t.text == "(" || t.text == "<") ++depth;
      if (t.text == ")" || t.text == ">") --depth;
      if (t.text == "," && depth == 0) break;
    }
    k = skip_comments(k + 1);
  }
  std::string name;
  bool any = false;
  while (k < tokens.size() && tokens[k].type == Token::Type::string) {
    name += tokens[k].text;
    any = true;
    k = skip_comments(k + 1);
  }
  if (!any) {
    throw CaseFileError(at(path, line) + "the TEST_CASE's name is not a string literal; racebook "
                        "reads variant names from the source, so write TEST_CASE(\"name\")");
  }
  return name;
}

std::string read_text(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream text;
  if (ok) text << in.rdbuf();
  return text.str();
}

bool is_source_name(const std::filesystem::path& p) {
  static const std::set<std::string> extensions{".h",   ".hh", ".hpp", ".hxx", ".h++", ".c",
                                                ".cc",  ".cpp", ".cxx", ".c++", ".ipp", ".inl",
                                                ".tpp", ".ixx", ".cppm"};
  return extensions.count(p.extension().string()) != 0;
}

// Every marker in the C/C++ files under `root`, except the case file itself and other case
// files: name -> each place it stands.
std::map<std::string, std::vector<MarkerSite>> markers_under(const std::string& root,
                                                             const std::string& case_path) {
  namespace fs = std::filesystem;
  std::map<std::string, std::vector<MarkerSite>> found;
  std::error_code ec;
  const fs::path case_file = fs::weakly_canonical(case_path, ec);
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return found;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path p = it->path();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      const std::string name = p.filename().string();
      if ((!name.empty() && name[0] == '.') || fs::exists(p / "CMakeCache.txt", type_ec)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!it->is_regular_file(type_ec) || !is_source_name(p)) continue;
    std::error_code same_ec;
    if (fs::weakly_canonical(p, same_ec) == case_file) continue;
    bool ok = false;
    const std::string text = read_text(p.string(), ok);
    if (!ok) continue;
    const std::vector<Token> tokens = lex(text);
    const bool other_case = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) {
      return t.type == Token::Type::identifier &&
             (t.text == "TEST_CASE" || t.text == "TEST_CASE_METHOD");
    });
    if (other_case) continue;
    for (const auto& t : tokens) {
      if (t.type != Token::Type::line_comment) continue;
      if (const std::string name = marker_of(t.text); !name.empty()) {
        found[name].push_back({p.lexically_normal().string(), t.line});
      }
    }
  }
  return found;
}

// The expectations a variant writes, and its truth: every one whose markers must exist.
std::vector<Expectation> written_and_truth(const Variant& v) {
  std::vector<Expectation> all = v.expectations;
  if (v.truth) all.push_back(*v.truth);
  return all;
}

}  // namespace

const Variant& CaseFile::variant(std::string_view name) const {
  for (const auto& v : variants) {
    if (v.name == name) return v;
  }
  std::string names;
  for (const auto& v : variants) names += (names.empty() ? "" : ", ") + v.name;
  throw CaseFileError(path + ": has no variant \"" + std::string(name) +
                      "\" (it has: " + names + ")");
}

MarkerSite CaseFile::marker_site(const std::string& marker, const Expectation& where) const {
  if (const auto it = markers.find(marker); it != markers.end()) return {path, it->second};
  if (const auto it = library_markers.find(marker); it != library_markers.end()) return it->second;
  throw CaseFileError(at(path, where.line) + "the expectation names @" + marker +
                      ", but no line of " + path +
                      (source_root.empty() ? std::string()
                                           : " nor of any other source file under " + source_root) +
                      " is marked // @" + marker);
}

int CaseFile::marker_line(const std::string& marker, const Expectation& where) const {
  return marker_site(marker, where).line;
}

CaseFile parse_case_file(std::string_view text, const std::string& path,
                         const std::string& source_root) {
  CaseFile file;
  file.path = path;
  file.source_root = source_root;
  std::vector<Expectation> pending;
  std::optional<Expectation> pending_truth;
  const std::vector<Token> tokens = lex(text);
  std::set<int> test_case_lines;
  std::map<int, std::string> marker_on_line;

  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.type == Token::Type::line_comment) {
      std::string key, verdict, reason;
      // The truth and the expectations are comments on lines of their own.
      if (t.first_on_line && split_truth(t.text, verdict)) {
        split_reason(verdict, reason);
        if (!reason.empty()) {
          throw CaseFileError(at(path, t.line) + "the truth takes no reason (\"-- " + reason +
                              "\"); reasons belong to the detectors' expectations that differ "
                              "from it");
        }
        if (verdict.empty()) {
          throw CaseFileError(at(path, t.line) + "malformed truth \"//" + t.text +
                              "\"; write // truth: <clean | kind @marker...>");
        }
        if (pending_truth) {
          throw CaseFileError(at(path, t.line) + "a second truth (the first is on line " +
                              std::to_string(pending_truth->line) + "); a variant has one");
        }
        pending_truth = parse_expectation("truth", verdict, t.line, path);
        continue;
      }
      if (t.first_on_line && looks_like_truth(t.text)) {
        throw CaseFileError(at(path, t.line) + "malformed truth \"//" + t.text +
                            "\"; write // truth: <clean | kind @marker...>");
      }
      if (t.first_on_line && split_expectation(t.text, key, verdict)) {
        split_reason(verdict, reason);
        if (verdict.empty()) {
          throw CaseFileError(at(path, t.line) + "malformed expectation \"//" + t.text +
                              "\"; write // expect <detector>: <clean | kind @marker...> -- <reason>");
        }
        Expectation e = parse_expectation(key, verdict, t.line, path);
        e.reason = reason;
        for (const auto& p : pending) {
          if (p.key == e.key) {
            throw CaseFileError(at(path, t.line) + "a second expectation for \"" + e.key +
                                "\" (the first is on line " + std::to_string(p.line) + ")");
          }
        }
        pending.push_back(std::move(e));
        continue;
      }
      if (t.first_on_line && looks_like_expectation(t.text)) {
        throw CaseFileError(at(path, t.line) + "malformed expectation \"//" + t.text +
                            "\"; write // expect <detector>: <clean | kind @marker...> -- <reason>");
      }
      if (const std::string name = marker_of(t.text); !name.empty()) {
        const auto [it, inserted] = file.markers.emplace(name, t.line);
        if (!inserted) {
          throw CaseFileError(at(path, t.line) + "marker @" + name + " is already on line " +
                              std::to_string(it->second) + "; each marker names one line");
        }
        marker_on_line[t.line] = name;
      }
      continue;
    }
    if (t.type != Token::Type::identifier) continue;
    const bool method = t.text == "TEST_CASE_METHOD";
    if (t.text != "TEST_CASE" && !method) continue;
    if (i > 0 && tokens[i - 1].type == Token::Type::identifier && tokens[i - 1].text == "define") {
      continue;  // #define TEST_CASE ...
    }
    const std::string name = variant_name_after(tokens, i, method, path);
    if (name.empty()) continue;
    if (!valid_variant_name(name)) {
      throw CaseFileError(at(path, t.line) + "variant name \"" + name +
                          "\" must be lower_snake_case (a-z, 0-9, _): it becomes part of a test name");
    }
    for (const auto& v : file.variants) {
      if (v.name == name) {
        throw CaseFileError(at(path, t.line) + "a second variant named \"" + name +
                            "\" (the first is on line " + std::to_string(v.line) +
                            "); variant names must be unique in a case file");
      }
    }
    Variant v;
    v.name = name;
    v.line = t.line;
    v.expectations = std::move(pending);
    pending.clear();
    v.truth = std::move(pending_truth);
    pending_truth.reset();
    if (v.truth) {
      for (const auto& e : v.expectations) {
        if (e.reason.empty()) {
          throw CaseFileError(at(path, e.line) + "\"expect " + e.key + "\" differs from the truth "
                              "without a reason; add one after \" -- \" in a few words "
                              "(\"-- missed: ...\", \"-- false alarm: ...\"), or delete the line "
                              "if " + e.key + " finds what the truth says");
        }
      }
    }
    test_case_lines.insert(t.line);
    file.variants.push_back(std::move(v));
  }
  if (!pending.empty()) {
    throw CaseFileError(at(path, pending.front().line) +
                        "expectation is followed by no TEST_CASE; put it right above its variant");
  }
  if (pending_truth) {
    throw CaseFileError(at(path, pending_truth->line) +
                        "truth is followed by no TEST_CASE; put it right above its variant");
  }
  for (const int line : test_case_lines) {
    if (const auto it = marker_on_line.find(line); it != marker_on_line.end()) {
      throw CaseFileError(at(path, line) + "marker @" + it->second +
                          " is on a TEST_CASE line; put it on the line the report must point at, "
                          "inside the variant");
    }
  }
  // Markers the case file lacks: in the other sources under the root (read once, and only
  // when some marker is missing), on exactly one line.
  if (!source_root.empty()) {
    std::map<std::string, std::vector<MarkerSite>> elsewhere;
    bool scanned = false;
    for (const auto& v : file.variants) {
      for (const auto& e : written_and_truth(v)) {
        for (const auto& marker : e.markers) {
          if (file.markers.count(marker) || file.library_markers.count(marker)) continue;
          if (!scanned) {
            elsewhere = markers_under(source_root, path);
            scanned = true;
          }
          const auto it = elsewhere.find(marker);
          if (it == elsewhere.end()) continue;  // reported as dangling below
          if (it->second.size() > 1) {
            std::string places;
            for (const auto& s : it->second) {
              places += (places.empty() ? "" : ", ") + s.file + ":" + std::to_string(s.line);
            }
            throw CaseFileError(at(path, e.line) + "the expectation names @" + marker +
                                ", which is not in " + path + " and is marked on more than one "
                                "line under " + source_root + ": " + places +
                                "; each marker names one line");
          }
          file.library_markers.emplace(marker, it->second.front());
        }
      }
    }
  }
  // Every marker an expectation names must exist: checked for the whole file, so a dangling
  // reference fails every variant's test, not only the one that would have used it.
  for (const auto& v : file.variants) {
    for (const auto& e : written_and_truth(v)) {
      for (const auto& marker : e.markers) file.marker_line(marker, e);
    }
  }
  return file;
}

CaseFile read_case_file(const std::string& path, const std::string& source_root) {
  bool ok = false;
  const std::string text = read_text(path, ok);
  if (!ok) {
    throw CaseFileError(path + ": cannot read the case file (does it exist?)");
  }
  return parse_case_file(text, path, source_root);
}

const std::vector<std::string>& known_detectors() {
  static const std::vector<std::string> names{"normal", "tsan", "asan", "helgrind", "drd"};
  return names;
}

bool is_valgrind_detector(const std::string& detector) {
  return detector == "helgrind" || detector == "drd";
}

bool in_scope(const std::string& detector, const std::string& kind) {
  const KindInfo* info = find_kind(kind);
  if (info == nullptr || detector == "normal") return false;
  const std::string_view tool = info->tool;
  const auto names = [&](std::string_view t) { return tool.find(t) != std::string_view::npos; };
  if (detector == "tsan") return names("ThreadSanitizer");
  if (detector == "asan") {
    return names("AddressSanitizer") || names("LeakSanitizer") || names("UndefinedBehaviorSanitizer");
  }
  // Valgrind's tools: the kinds they print (the parser files them under "Helgrind" and "DRD"),
  // and the pthread misuse and races both share with TSan. DRD has no lock-order check.
  static const std::set<std::string> helgrind{"data-race", "lock-order-inversion",
                                              "unlock-of-unlocked-mutex", "destroy-of-locked-mutex",
                                              "double-lock"};
  if (detector == "helgrind") return helgrind.count(kind) > 0 || names("Helgrind");
  if (detector == "drd") {
    return (helgrind.count(kind) > 0 && kind != "lock-order-inversion") || names("DRD");
  }
  return false;
}

void check_detector_and_compiler(const std::string& detector, const std::string& compiler) {
  if (!is_known_detector(detector)) {
    throw std::invalid_argument("--sanitizer must be normal, tsan, asan, helgrind or drd, not \"" +
                                detector + "\"");
  }
  if (!valid_compiler(compiler)) {
    throw std::invalid_argument("--compiler must be gcc or clang, optionally followed by the "
                                "major version (gcc12, clang19), not \"" + compiler + "\"");
  }
}

std::optional<Expectation> find_expectation(const Variant& variant, const std::string& sanitizer,
                                            const std::string& compiler) {
  // The most specific written key: detector-compilerMAJOR, detector-compiler, detector.
  const std::vector<std::string> keys{sanitizer + "-" + compiler,
                                      sanitizer + "-" + compiler_family(compiler), sanitizer};
  for (const auto& key : keys) {
    for (const auto& e : variant.expectations) {
      if (e.key == key) return e;
    }
  }
  if (!variant.truth) return std::nullopt;
  Expectation derived = *variant.truth;
  derived.key = sanitizer;
  if (!derived.clean && !in_scope(sanitizer, derived.kind)) {
    derived.clean = true;
    derived.kind.clear();
    derived.markers.clear();
    derived.text = "clean";
    derived.origin = Expectation::Origin::out_of_scope;
    derived.reason = "out of scope: " + sanitizer + " does not report " + variant.truth->kind;
  } else {
    derived.origin = Expectation::Origin::truth;
  }
  return derived;
}

Expectation expectation_for(const CaseFile& file, const Variant& variant,
                            const std::string& sanitizer, const std::string& compiler) {
  if (auto e = find_expectation(variant, sanitizer, compiler)) return *e;
  throw CaseFileError(at(file.path, variant.line) + "variant \"" + variant.name +
                      "\" has no expectation for " + sanitizer +
                      "; add // truth: ... (the bug it has, or clean) or // expect " + sanitizer +
                      ": ... above its TEST_CASE");
}

}  // namespace racebook
