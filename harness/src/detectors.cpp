#include "racebook/detectors.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "racebook/verdict.hpp"

namespace racebook {
namespace fs = std::filesystem;
using nlohmann::json;

std::string_view finding_name(Finding f) {
  switch (f) {
    case Finding::found: return "found";
    case Finding::other_lines: return "other lines";
    case Finding::missed: return "missed";
    case Finding::false_alarm: return "false alarm";
    case Finding::out_of_scope: return "out of scope";
    case Finding::clean: return "clean";
    case Finding::not_run: return "not run";
  }
  return "?";
}

std::vector<ObservedReport> observed_reports(const json& result) {
  std::vector<ObservedReport> out;
  for (const auto& r : result.at("observed_reports")) {
    ObservedReport o;
    o.kind = r.at("kind").get<std::string>();
    o.tool = r.at("tool").get<std::string>();
    for (const auto& s : r.at("sites")) {
      o.sites.emplace_back(s.at("file").get<std::string>(), s.at("line").get<int>());
    }
    // key_stacks names a race's accesses "access N"; any other role is the headline's stack.
    const auto& sites = r.at("sites");
    o.one_access = sites.size() == 1 && sites[0].value("role", "") == "access 1";
    out.push_back(std::move(o));
  }
  return out;
}

namespace {

// The report is the truth's bug at the truth's lines, by the verdicts' own rule.
bool at_truth(const TruthSites& truth, const ObservedReport& r) {
  return r.kind == truth.kind && places_match(r.tool, r.kind, r.sites, truth.sites, r.one_access);
}

}  // namespace

Classified classify(const TruthSites& truth, const std::string& detector,
                    const std::vector<ObservedReport>& reports) {
  Classified c;
  if (truth.clean) {
    c.finding = reports.empty() ? Finding::clean : Finding::false_alarm;
    c.stray_report = !reports.empty();
    return c;
  }
  bool found = false;
  for (const auto& r : reports) {
    if (at_truth(truth, r)) {
      found = true;
    } else {
      c.stray_report = true;
    }
  }
  if (found) {
    c.finding = Finding::found;
  } else if (!reports.empty()) {
    c.finding = Finding::other_lines;
  } else {
    c.finding = in_scope(detector, truth.kind) ? Finding::missed : Finding::out_of_scope;
  }
  return c;
}

// Line level: a true positive needs the right kind at the right lines; every variant with a
// report elsewhere counts a false positive, and a racy variant not found at its lines a false
// negative (so "other lines" counts both).
void add_line_level(Score& s, const TruthSites& truth, const Classified& c) {
  if (c.finding == Finding::not_run || c.finding == Finding::out_of_scope) return;
  if (c.stray_report) ++s.fp;
  if (truth.clean) {
    if (!c.stray_report) ++s.tn;
    return;
  }
  if (c.finding == Finding::found) {
    ++s.tp;
  } else {
    ++s.fn;
  }
}

// Per variant (DataRaceBench's way): any report on a racy variant is a true positive, any
// report on a clean one a false positive, wherever the reports point.
void add_per_variant(Score& s, const TruthSites& truth, const Classified& c) {
  if (c.finding == Finding::not_run || c.finding == Finding::out_of_scope) return;
  const bool reported = c.finding == Finding::found || c.finding == Finding::other_lines ||
                        c.finding == Finding::false_alarm;
  if (truth.clean) {
    ++(reported ? s.fp : s.tn);
  } else {
    ++(reported ? s.tp : s.fn);
  }
}

namespace {

std::string ratio(int num, int den) {
  if (den == 0) return "–";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(num) / den);
  return buf;
}

std::string f1(const Score& s) {
  const int den = 2 * s.tp + s.fp + s.fn;
  return ratio(2 * s.tp, den);
}

std::string display_name(const std::string& detector) {
  if (detector == "tsan") return "TSan";
  if (detector == "asan") return "ASan+UBSan";
  if (detector == "helgrind") return "Helgrind";
  if (detector == "drd") return "DRD";
  if (detector == "normal") return "plain";
  return detector;
}

std::string text_of(const json& build, const char* key) {
  const auto it = build.find(key);
  if (it == build.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// One build directory: a detector built by one toolchain, and its results.
struct Column {
  fs::path dir;
  json build;
  std::string detector;
  std::string compiler;  // "gcc12", "clang19" (or "gcc" from builds before versioned names)
  std::string version;   // "12.2.0"
  std::string label;     // "TSan · gcc 12.2.0"
  std::map<std::string, json> results;  // by "scenario.variant"
};

std::string family_of(const std::string& compiler) {
  return compiler.rfind("clang", 0) == 0 ? "clang" : "gcc";
}

// "12.2.0" < "19.1.7" by numbers.
std::vector<int> version_numbers(const std::string& v) {
  std::vector<int> out;
  std::stringstream in(v);
  for (std::string part; std::getline(in, part, '.');) {
    try {
      out.push_back(std::stoi(part));
    } catch (const std::exception&) {
      out.push_back(0);
    }
  }
  return out;
}

Column read_column(const fs::path& dir) {
  Column c;
  c.dir = dir;
  const fs::path build_file = dir / "racebook-build.json";
  std::ifstream in(build_file);
  if (!in) {
    throw std::runtime_error(dir.string() + " has no racebook-build.json: it is not a configured "
                             "corpus build (cmake --preset <preset>, or racebook.sh check)");
  }
  try {
    c.build = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(build_file.string() + " is not JSON: " + e.what());
  }
  c.detector = text_of(c.build, "sanitizer");
  c.compiler = text_of(c.build, "compiler");
  c.version = text_of(c.build, "compiler_version");
  if (c.detector.empty() || c.compiler.empty()) {
    throw std::runtime_error(build_file.string() + " names no sanitizer or compiler");
  }
  c.label = display_name(c.detector) + " · " + family_of(c.compiler) + " " + c.version;
  const fs::path results = dir / "results";
  if (fs::is_directory(results)) {
    for (const auto& entry : fs::directory_iterator(results)) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream r(entry.path());
      try {
        json result = json::parse(r);
        const std::string key = result.at("scenario").get<std::string>() + "." +
                                result.at("variant").get<std::string>();
        c.results[key] = std::move(result);
      } catch (const json::exception&) {
        // Not a result: the summary names such files; the table shows the variant as not run.
      }
    }
  }
  if (c.results.empty()) {
    throw std::runtime_error(dir.string() + " has no results of case tests (" + results.string() +
                             "): run its tests first (ctest -L case, or racebook.sh check)");
  }
  return c;
}

int detector_rank(const std::string& detector) {
  const auto& all = known_detectors();
  // The table's order: TSan, ASan, Helgrind, DRD, then the plain build.
  static const std::vector<std::string> order{"tsan", "asan", "helgrind", "drd", "normal"};
  const auto it = std::find(order.begin(), order.end(), detector);
  return it == order.end() ? static_cast<int>(order.size() + all.size()) : static_cast<int>(it - order.begin());
}

struct Row {
  std::string key;  // "scenario.variant"
  std::string scenario;
  const Variant* variant = nullptr;
  const CaseFile* file = nullptr;
  TruthSites truth;
  std::string truth_text;
};

TruthSites truth_sites(const CaseFile& file, const Expectation& truth, const fs::path& root) {
  TruthSites t;
  t.clean = truth.clean;
  t.kind = truth.kind;
  for (const auto& m : truth.markers) {
    const MarkerSite site = file.marker_site(m, truth);
    const fs::path relative = fs::path(site.file).lexically_normal().lexically_relative(root);
    t.sites.emplace_back(relative.generic_string(), site.line);
  }
  return t;
}

// The options a column's runs had, from its first result: Valgrind's own options (the command
// up to the program), or the sanitizer's *_OPTIONS variables that apply to the detector.
std::string run_options(const Column& c) {
  if (c.results.empty()) return "";
  const json& r = c.results.begin()->second;
  std::string out;
  if (const auto v = r.find("valgrind"); v != r.end() && v->contains("command")) {
    const auto& words = (*v)["command"];
    for (std::size_t i = 1; i < words.size(); ++i) {
      const std::string word = words[i].get<std::string>();
      if (word.rfind("-", 0) != 0) break;  // the program: its arguments are not Valgrind's
      out += (out.empty() ? "`" : " ") + word;
    }
    return out.empty() ? "" : out + "`";
  }
  const auto env = r.find("sanitizer_options");
  if (env == r.end() || !env->is_object()) return "";
  std::vector<std::string> names;
  if (c.detector == "tsan") names = {"TSAN_OPTIONS"};
  if (c.detector == "asan") names = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
  for (const auto& name : names) {
    if (const auto it = env->find(name); it != env->end() && it->is_string()) {
      out += (out.empty() ? "" : "<br>") + name + "=`" + it->get<std::string>() + "`";
    }
  }
  return out;
}

std::string cell_text(const Classified& c, const json* result) {
  std::string text(finding_name(c.finding));
  if (c.finding == Finding::found && c.stray_report) text += " (+ other lines)";
  // The detector did not do what its case-file line expects: a regression or an improvement
  // (the test of that preset fails too).
  if (result && !result->value("pass", false)) text += " ⚠ not as expected";
  return text;
}

std::string escape_cell(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n') out += ' ';
    else out += ch;
  }
  return out;
}

}  // namespace

std::string detectors_page(const fs::path& project_dir, const std::vector<fs::path>& build_dirs) {
  const fs::path cases_dir = (project_dir / "cases").lexically_normal();
  std::vector<Column> columns;
  for (const auto& dir : build_dirs) columns.push_back(read_column(fs::absolute(dir).lexically_normal()));
  std::stable_sort(columns.begin(), columns.end(), [](const Column& a, const Column& b) {
    if (detector_rank(a.detector) != detector_rank(b.detector)) {
      return detector_rank(a.detector) < detector_rank(b.detector);
    }
    if (family_of(a.compiler) != family_of(b.compiler)) return family_of(a.compiler) > family_of(b.compiler);
    return version_numbers(a.version) < version_numbers(b.version);
  });
  for (std::size_t i = 1; i < columns.size(); ++i) {
    if (columns[i].label == columns[i - 1].label) {
      throw std::runtime_error(columns[i - 1].dir.string() + " and " + columns[i].dir.string() +
                               " are the same detector and toolchain (" + columns[i].label +
                               "); give each once");
    }
  }

  // The case files, by scenario name.
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(cases_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".cpp") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<CaseFile> files;
  files.reserve(paths.size());
  for (const auto& p : paths) files.push_back(read_case_file(p.string(), cases_dir.string()));
  std::vector<Row> rows;
  for (const auto& file : files) {
    const std::string scenario = fs::path(file.path).stem().string();
    for (const auto& v : file.variants) {
      if (!v.truth) continue;  // a case in the old format states no truth to score against
      Row row;
      row.scenario = scenario;
      row.key = scenario + "." + v.name;
      row.variant = &v;
      row.file = &file;
      row.truth = truth_sites(file, *v.truth, cases_dir);
      row.truth_text = v.truth->text;
      rows.push_back(std::move(row));
    }
  }

  std::ostringstream md;
  md << "# Detectors: who finds which bug, at which lines\n\n"
        "<!-- Generated by `racebook-harness detectors` (./harness/racebook.sh matrix) from the "
        "results of real runs; do not edit. -->\n\n"
        "Every variant states its truth once in its case file: the bug it really has, at its "
        "marked lines, or none. Each column is one detector built by one toolchain, and each cell "
        "what that detector reported in its run, against the truth:\n\n"
        "- **found**: a report of the truth's kind at the truth's marked lines (for Valgrind's "
        "one-access race reports: at one of them); **(+ other lines)**: reports elsewhere besides "
        "(a line-level false positive), which may differ from run to run where a tool also "
        "reports inside libstdc++'s primitives (DRD in `latch::wait`);\n"
        "- **other lines**: reports, but none of the truth's kind at its lines;\n"
        "- **missed**: no report, though the detector does report bugs of this kind;\n"
        "- **false alarm**: a report on a variant that has no bug;\n"
        "- **out of scope**: no report, and the detector does not report this kind at all "
        "(ASan and a data race);\n"
        "- **clean**: no report on a variant that has no bug;\n"
        "- **⚠ not as expected**: the detector did not do what its case-file line says, so that "
        "preset's test failed: a regression or an improvement of the detector.\n\n"
        "Why a detector differs from the truth is written in the case file, beside its `expect` "
        "line, and listed under the table.\n\n";

  md << "## Verdicts\n\n| variant | truth |";
  for (const auto& c : columns) md << ' ' << c.label << " |";
  md << "\n|---|---|";
  for (std::size_t i = 0; i < columns.size(); ++i) md << "---|";
  md << '\n';
  std::vector<Score> line_level(columns.size()), per_variant(columns.size());
  for (const auto& row : rows) {
    md << "| [" << row.key << "](" << row.scenario << ".md) | " << escape_cell(row.truth_text) << " |";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto it = columns[i].results.find(row.key);
      Classified c;
      const json* result = nullptr;
      if (it != columns[i].results.end() && it->second.contains("observed_reports")) {
        result = &it->second;
        c = classify(row.truth, columns[i].detector, observed_reports(*result));
      }
      add_line_level(line_level[i], row.truth, c);
      add_per_variant(per_variant[i], row.truth, c);
      md << ' ' << escape_cell(cell_text(c, result)) << " |";
    }
    md << '\n';
  }

  md << "\n## Scores\n\n"
        "Counted over the variants each detector can report at all (out of scope and not run "
        "are left out). **Line level**: a true positive needs the truth's kind at the truth's "
        "lines; a report anywhere else is a false positive, and a bug not reported at its lines a "
        "false negative. **Per variant** (DataRaceBench's way): any report on a variant with a "
        "bug counts as found, wherever it points.\n\n"
        "| detector | line level: TP | FP | FN | precision | recall | F1 | per variant: TP | FP "
        "| FN | precision | recall | F1 |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const Score& l = line_level[i];
    const Score& v = per_variant[i];
    md << "| " << columns[i].label << " | " << l.tp << " | " << l.fp << " | " << l.fn << " | "
       << ratio(l.tp, l.tp + l.fp) << " | " << ratio(l.tp, l.tp + l.fn) << " | " << f1(l) << " | "
       << v.tp << " | " << v.fp << " | " << v.fn << " | " << ratio(v.tp, v.tp + v.fp) << " | "
       << ratio(v.tp, v.tp + v.fn) << " | " << f1(v) << " |\n";
  }

  md << "\n## Why they differ\n\nThe reasons written beside each `expect` line of the case "
        "files: where a detector misses, cries wolf or points elsewhere, and why.\n\n";
  bool any_reason = false;
  for (const auto& row : rows) {
    for (const auto& e : row.variant->expectations) {
      if (e.reason.empty()) continue;
      any_reason = true;
      md << "- `" << row.key << "`, **" << e.key << "**: " << escape_cell(e.text) << " — "
         << escape_cell(e.reason) << '\n';
    }
  }
  if (!any_reason) md << "No detector differs from the truth.\n";

  md << "\n## Provenance\n\nEach column's build, as its `racebook-build.json` records it, and "
        "the options its runs had (from a result: the Valgrind command's options, or the "
        "sanitizer's `*_OPTIONS`).\n\n"
        "| column | build | run options |\n|---|---|---|\n";
  for (const auto& c : columns) {
    std::string fields;
    for (const auto& [key, value] : c.build.items()) {
      if (key == "runtime" && c.build.contains("runtime_text")) continue;  // the same, in one line
      fields += (fields.empty() ? "" : "<br>") + key + ": `" +
                (value.is_string() ? value.get<std::string>() : value.dump()) + "`";
    }
    md << "| " << c.label << " | " << escape_cell(fields) << " | " << escape_cell(run_options(c))
       << " |\n";
  }
  return md.str();
}

namespace {

// The verdict table's cells by (variant, column label): the rows under "## Verdicts".
struct Table {
  std::vector<std::string> labels;
  std::map<std::pair<std::string, std::string>, std::string> cells;
};

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      const auto b = cell.find_first_not_of(' ');
      const auto e = cell.find_last_not_of(' ');
      out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return out;
}

Table read_table(const std::string& page) {
  Table t;
  std::istringstream in(page);
  bool inside = false;
  bool header = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) {
      inside = line == "## Verdicts";
      header = inside;
      continue;
    }
    if (!inside || line.empty() || line[0] != '|') continue;
    const auto cells = split_row(line);
    if (header) {
      t.labels.assign(cells.begin() + std::min<std::size_t>(2, cells.size()), cells.end());
      header = false;
      continue;
    }
    if (cells.empty() || cells[0].rfind("---", 0) == 0) continue;
    for (std::size_t i = 2; i < cells.size() && i - 2 < t.labels.size(); ++i) {
      t.cells[{cells[0], t.labels[i - 2]}] = cells[i];
    }
  }
  return t;
}

}  // namespace

std::vector<std::string> detectors_differences(const std::string& committed, const std::string& fresh) {
  const Table old_table = read_table(committed);
  const Table new_table = read_table(fresh);
  std::vector<std::string> out;
  std::set<std::string> old_labels(old_table.labels.begin(), old_table.labels.end());
  for (const auto& label : new_table.labels) {
    if (!old_labels.count(label)) out.push_back("the page has no column " + label);
  }
  // In Helgrind's and DRD's columns, "(+ other lines)" is left out of the comparison: their
  // reports besides a find may come and go (DRD reports inside libstdc++'s latch in some runs);
  // the finding itself may not. A sanitizer's extra report is compared like any other cell.
  const auto valgrind_column = [](const std::string& label) {
    return label.starts_with(display_name("helgrind") + " ") || label.starts_with(display_name("drd") + " ");
  };
  const auto finding = [&](std::string cell, const std::string& label) {
    const std::string extra = " (+ other lines)";
    if (!valgrind_column(label)) return cell;
    if (const auto at = cell.find(extra); at != std::string::npos) cell.erase(at, extra.size());
    return cell;
  };
  for (const auto& [at, cell] : new_table.cells) {
    if (!old_labels.count(at.second)) continue;
    const auto it = old_table.cells.find(at);
    const std::string was = it == old_table.cells.end() ? "nothing (no such row)" : it->second;
    if (finding(was, at.second) != finding(cell, at.second)) out.push_back(at.first + ", " + at.second + ": the page says " + was + ", this run " + cell);
  }
  return out;
}

}  // namespace racebook
