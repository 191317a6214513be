#include "racebook/docs.hpp"
#include "racebook/options.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "racebook/expectation.hpp"
#include "racebook/picture.hpp"
#include "racebook/report.hpp"
#include "racebook/runner.hpp"
#include "racebook/tables.hpp"
#include "racebook/verdict.hpp"

namespace racebook {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Our own sources, relative to the project: frames there are the ones a reader looks at.
constexpr const char* kOwnPrefix = "cases/";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string cell(const json* result) { return result ? verdict_cell(*result) : "not run"; }

// The variants of a scenario in the order its case file declares them.
std::vector<std::string> variants_of(const fs::path& project_dir, const std::string& scenario) {
  std::vector<std::string> names;
  for (const auto& v : read_case_file((project_dir / "cases" / (scenario + ".cpp")).string()).variants) {
    names.push_back(v.name);
  }
  return names;
}

// The head of a verdict table: a column per preset, in the order of `runs`.
std::string table_header(const std::vector<PresetRun>& runs) {
  std::string head = "| variant |";
  std::string rule = "|---|";
  for (const auto& run : runs) {
    head += " " + run.preset + " |";
    rule += "---|";
  }
  return head + "\n" + rule + "\n";
}

// One row of a verdict table: the label, then the cell of scenario.variant in every preset.
std::string verdict_row(const std::string& label, const std::string& key,
                        const std::vector<PresetRun>& runs, std::vector<std::string>& problems) {
  std::string row = "| " + label + " |";
  for (const auto& run : runs) {
    const json* r = find_result(run, key);
    if (!r) problems.push_back(run.preset + " has no result for " + key);
    row += " " + cell(r) + " |";
  }
  return row + "\n";
}

std::string verdict_table(const fs::path& project_dir, const std::vector<PresetRun>& runs,
                          const std::string& scenario, std::vector<std::string>& problems) {
  std::string out = table_header(runs);
  for (const auto& variant : variants_of(project_dir, scenario)) {
    out += verdict_row("`" + variant + "`", scenario + "." + variant, runs, problems);
  }
  return out;
}

std::string report_block(const PresetRun& run, const std::string& key, const fs::path& project_dir) {
  const json* r = find_result(run, key);
  if (!r || !r->contains("report") || (*r)["report"].get<std::string>().empty()) return "";
  return "```text\n" + excerpt((*r)["report"].get<std::string>(), project_dir) + "```\n";
}

// What an oracle variant measured, per preset: "| tsan | invariant broken in 12 of 100 trials |".
// Empty when some preset has no measurement for it.
std::string measured_table(const std::vector<PresetRun>& runs, const std::string& key) {
  std::string out = "| preset | measured in this run |\n|---|---|\n";
  for (const auto& run : runs) {
    const json* r = find_result(run, key);
    if (!r || !r->contains("measured") || (*r)["measured"].empty()) return "";
    std::string values;
    for (const auto& m : (*r)["measured"]) values += (values.empty() ? "" : "; ") + m.get<std::string>();
    out += "| " + run.preset + " | " + values + " |\n";
  }
  return out;
}

const PresetRun* find_run(const std::vector<PresetRun>& runs, const std::string& preset) {
  for (const auto& r : runs) {
    if (r.preset == preset) return &r;
  }
  return nullptr;
}

// One generated block of a page: its type, its arguments, where it stands, what it holds now.
struct Block {
  std::string type;  // verdicts, report, measured, picture
  std::string args;  // the rest of the opening comment
  std::string where;  // "docs/x.md:12: ", for problems
  std::string current;
};

// The context every block is filled from.
struct PageContext {
  const fs::path& project_dir;
  const std::vector<PresetRun>& runs;
  bool check;
  std::vector<std::string>& problems;
  std::vector<fs::path>& written;  // pictures written (write mode)
};

std::string verdicts_block(const Block& b, PageContext& c) {
  const std::string& scenario = b.args;
  if (!fs::exists(c.project_dir / "cases" / (scenario + ".cpp"))) {
    c.problems.push_back(b.where + "names scenario \"" + scenario + "\", which has no cases/" + scenario + ".cpp");
    return "";
  }
  std::vector<std::string> missing;
  std::string fresh = verdict_table(c.project_dir, c.runs, scenario, missing);
  for (const auto& p : missing) c.problems.push_back(b.where + p);
  if (c.check && b.current != fresh)
    c.problems.push_back(b.where + "the verdict table of " + scenario + " differs from this run");
  return fresh;
}

std::string measured_block(const Block& b, PageContext& c) {
  const std::string& key = b.args;
  std::string fresh = measured_table(c.runs, key);
  if (fresh.empty()) {
    c.problems.push_back(b.where + key + " measured nothing in some preset (an oracle variant prints "
                         "\"measured: ...\" lines in every preset)");
  } else if (c.check && b.current.empty()) {
    c.problems.push_back(b.where + "the measurements of " + key + " have not been generated yet");
  }
  // The numbers themselves differ from run to run by nature: they are shown, never compared.
  return fresh;
}

// The result of `key` in `preset`, or nullptr with a problem said.
const json* block_result(const Block& b, PageContext& c, const std::string& key, const std::string& preset,
                         const PresetRun** run_out = nullptr) {
  const PresetRun* run = find_run(c.runs, preset);
  if (!run) {
    c.problems.push_back(b.where + "names preset \"" + preset + "\", which is not one of the corpus presets");
    return nullptr;
  }
  if (run_out) *run_out = run;
  const json* result = find_result(*run, key);
  if (!result) c.problems.push_back(b.where + "names " + key + ", which has no result in " + preset);
  return result;
}

bool has_report(const json& result) { return result.contains("report") && !result["report"].get<std::string>().empty(); }

// "KEY PRESET" or "KEY PRESET folded": the report excerpt, folded under <details> for a
// second compiler's report of the same variant.
std::string report_block_of(const Block& b, PageContext& c) {
  static const std::regex args_re(R"(([^ ]+) ([^ ]+)( folded)?)");
  std::smatch m;
  if (!std::regex_match(b.args, m, args_re)) {
    c.problems.push_back(b.where + "a report block is <!-- racebook:report SCENARIO.VARIANT PRESET [folded] -->");
    return "";
  }
  const std::string key = m[1], preset = m[2];
  const PresetRun* run = nullptr;
  const json* result = block_result(b, c, key, preset, &run);
  if (!result) return "";
  if (!has_report(*result)) {
    c.problems.push_back(b.where + key + " printed no report in " + preset +
                         " (a report block belongs to a variant that reports)");
    return "";
  }
  if (c.check) {
    const std::string want = signature((*result)["report"].get<std::string>(), c.project_dir);
    const std::string have = signature(b.current, c.project_dir);
    if (want != have) {
      c.problems.push_back(b.where + "the excerpt of " + key + " under " + preset + " does not match this run:\n      docs: " +
                           (have.empty() ? "(no report)" : have) + "\n      run:  " + want);
    }
  }
  std::string fresh = report_block(*run, key, c.project_dir);
  if (m[3].matched) {
    fresh = "<details><summary>the same report under " + preset + " (" + run->build.value("compiler", "?") +
            ")</summary>\n\n" + fresh + "\n</details>\n";
  }
  return fresh;
}

// What a picture was drawn from, kept in the SVG for the check: the report's signature and the
// fix as the block names it (a changed fix or edge makes the picture stale too).
std::string picture_signature_line(const std::string& signature, const std::string& fix, const std::string& edge) {
  return "<!-- racebook signature: " + replace_all(signature + " || fix " + fix + ": " + edge, "--", "- -") + " -->";
}

// "KEY PRESET fix FIX_KEY: EDGE": the picture of KEY's report in PRESET, beside FIX_KEY (a
// variant the same run found clean) with EDGE, the edge it adds. Writes docs/pictures/KEY.svg;
// the check compares the signature of the report the picture was drawn from with the run's.
std::string picture_block(const Block& b, PageContext& c) {
  static const std::regex args_re(R"(([^ ]+)\.([^ .]+) ([^ ]+) fix ([^ ]+): (.+))");
  std::smatch m;
  if (!std::regex_match(b.args, m, args_re)) {
    c.problems.push_back(b.where + "a picture block is <!-- racebook:picture SCENARIO.VARIANT PRESET fix "
                         "SCENARIO.VARIANT: EDGE -->");
    return "";
  }
  const std::string scenario = m[1], key = scenario + "." + m[2].str(), preset = m[3], fix = m[4], edge = m[5];
  const PresetRun* run = nullptr;
  const json* result = block_result(b, c, key, preset, &run);
  const json* fixed = result ? block_result(b, c, fix, preset) : nullptr;
  if (!result || !fixed) return "";
  if (!has_report(*result)) {
    c.problems.push_back(b.where + key + " printed no report in " + preset + ": there is nothing to draw");
    return "";
  }
  if (fixed->value("expected", "") != "clean" || !fixed->value("pass", false)) {
    c.problems.push_back(b.where + "the fix " + fix + " was not found clean in " + preset + " by this run");
    return "";
  }
  const std::string raw = (*result)["report"].get<std::string>();
  const auto reports = parse_reports(raw);
  if (reports.empty()) {
    c.problems.push_back(b.where + "the report of " + key + " in " + preset + " does not parse");
    return "";
  }
  const fs::path file = c.project_dir / "docs" / "pictures" / (key + ".svg");
  const std::string want = picture_signature_line(signature(raw, c.project_dir), fix, edge);
  if (c.check) {
    const std::string have = fs::exists(file) ? read_text(file) : "";
    if (have.find(want) == std::string::npos) {
      c.problems.push_back(b.where + "the picture docs/pictures/" + key + ".svg was not drawn from a report like "
                           "this run's, with this fix (" + (have.empty() ? "it does not exist" : "its signature differs") +
                           "); redraw it with ./harness/racebook.sh docs");
    }
  } else {
    const CaseFile case_file = read_case_file((c.project_dir / "cases" / (scenario + ".cpp")).string());
    const RaceDrawing drawing = draw_race(reports.front(), key, c.project_dir, case_file);
    const std::string provenance = reports.front().tool + " report of the " + preset + " preset (" +
                                   run->build.value("compiler", "?") + " " + run->build.value("compiler_version", "?") +
                                   "), drawn by racebook-harness docs";
    std::string svg = race_svg(drawing, {fix, edge}, provenance);
    svg.insert(svg.find('\n') + 1, want + "\n");
    fs::create_directories(file.parent_path());
    if (!fs::exists(file) || read_text(file) != svg) {
      write_text(file, svg);
      c.written.push_back(file);
    }
  }
  const std::string link = "![" + key + ": " + reports.front().kind + " under " + preset + ", and the fix " + fix +
                           "](pictures/" + key + ".svg)\n";
  if (c.check && b.current != link) c.problems.push_back(b.where + "the picture block should hold: " + link);
  return link;
}

// Rewrites (or checks) every generated block of one markdown page.
std::string process_page(const fs::path& page, const std::string& text, PageContext& c) {
  static const std::regex open_re(R"(^<!-- racebook:(verdicts|report|measured|picture) (.+) -->$)");
  const auto lines = split_lines(text);
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
    std::smatch m;
    if (!std::regex_match(lines[i], m, open_re)) continue;
    Block b{m[1], m[2], "docs/" + page.filename().string() + ":" + std::to_string(i + 1) + ": ", ""};
    const std::string close = "<!-- /racebook:" + b.type + " -->";
    std::size_t end = i + 1;
    while (end < lines.size() && lines[end] != close) ++end;
    if (end == lines.size()) {
      c.problems.push_back(b.where + "block has no closing " + close);
      continue;
    }
    for (std::size_t k = i + 1; k < end; ++k) b.current += lines[k] + "\n";
    std::string fresh;
    if (b.type == "verdicts") fresh = verdicts_block(b, c);
    else if (b.type == "measured") fresh = measured_block(b, c);
    else if (b.type == "report") fresh = report_block_of(b, c);
    else fresh = picture_block(b, c);
    out += c.check || fresh.empty() ? b.current : fresh;
    out += close + "\n";
    i = end;
  }
  return out;
}

// The runtime the case programs really link, as the build recorded it (runtime_text: library,
// Debian package and version; Valgrind for helgrind/drd); builds from before that field name it
// from the compiler.
std::string runtime_of(const json& build) {
  if (build.value("sanitizer", "") == "normal") return "none";
  if (const auto it = build.find("runtime_text"); it != build.end() && it->is_string() &&
                                                  !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  const std::string compiler = build.value("compiler", "?");
  const std::string version = build.value("compiler_version", "?");
  return compiler.rfind("gcc", 0) == 0 ? "libsanitizer of GCC " + version : "compiler-rt " + version;
}

std::string matrix_rows(const fs::path& project_dir, const std::vector<PresetRun>& runs,
                        std::vector<std::string>& problems) {
  std::set<std::string> scenarios;
  for (const auto& run : runs) {
    for (const auto& [key, r] : run.results) scenarios.insert(r.value("scenario", key));
  }
  std::string out = table_header(runs);
  out.replace(0, std::string("| variant |").size(), "| scenario.variant |");
  for (const auto& scenario : scenarios) {
    for (const auto& variant : variants_of(project_dir, scenario)) {
      out += verdict_row("[" + scenario + "](" + scenario + ".md)." + variant,
                         scenario + "." + variant, runs, problems);
    }
  }
  return out;
}

std::string matrix_page(const fs::path& project_dir, const std::vector<PresetRun>& runs,
                        const std::string& rows) {
  std::ostringstream page;
  page << "# Verdict matrix\n\n"
       << "Every variant of the corpus in every preset, as a real run checked it: `✓` means the "
          "harness found exactly the expected verdict (the report kind between the marked lines, "
          "or no report, a finished run and a passed functional check); `✗` shows what was seen "
          "instead. Generated by `./harness/racebook.sh docs`; `./harness/racebook.sh test` "
          "checks it against a fresh run.\n\n";
  page << "<!-- racebook:matrix -->\n" << rows << "<!-- /racebook:matrix -->\n\n";
  // How a report matches: the rule of verdict.cpp's matches(), for readers of the matrix.
  page
       << "## How a report matches an expectation\n"
       << "\n"
       << "A report matches `<kind> @m1 @m2 …` when it has that kind and its key sites — for each of its\n"
       << "key stacks (the accesses of a race, the nested acquisition of each edge of a lock cycle, the\n"
       << "creation of each leaked thread, …, else the stack under its headline) the first frame under\n"
       << "the source root — are the marked lines, as a multiset (harness/src/verdict.cpp, `matches`).\n"
       << "\n"
       << "One exception, for Valgrind only: a `data-race` report of Helgrind or DRD with **one** access\n"
       << "matches `data-race @a @b` when that access is at `@a` or at `@b`. DRD always names one access\n"
       << "(it prints the other thread's segment — the synchronisation points around its code — not its\n"
       << "access), and Helgrind does when its history lost the previous access (\"This conflicts with a\n"
       << "previous …\" missing). A Helgrind or DRD race with two accesses matches as any other, both\n"
       << "markers; a ThreadSanitizer race always has two, and one that lost a stack does not match.\n"
       << "\n"
       << "`any-report` (a detector's expectation, never a truth) matches any report: it is written\n"
       << "where a detector's reports cannot be pinned to marked lines (several contexts, or frames\n"
       << "only inside libstdc++), and asserts that the detector reports and the run ends.\n"
       << "[The detector matrix](detectors.md) classifies every report of those runs all the same.\n"
       << "\n";

  page << "## Provenance\n\n| preset | compiler | sanitizer runtime | flags of the case programs |\n"
       << "|---|---|---|---|\n";
  for (const auto& run : runs) {
    page << "| " << run.preset << " | " << run.build.value("compiler", "?") << " "
         << run.build.value("compiler_version", "?") << " | " << runtime_of(run.build) << " | `"
         << run.build.value("case_flags", "") << "` |\n";
  }
  page << "\nSanitizer options every run gets. A user's own `*_OPTIONS` stand between racebook's "
          "defaults (`history_size=7`) and the options racebook forces, which decide whether a "
          "report reaches the harness (see the README, \"Trust\"):\n\n";
  for (const auto& [name, value] : sanitizer_options({}).env) {
    page << "- `" << name << "=" << value << "`\n";
  }
  page << "\nMachine: Linux " << read_first_line("/proc/sys/kernel/osrelease")
       << ", `vm.mmap_rnd_bits` = " << read_first_line("/proc/sys/vm/mmap_rnd_bits")
       << ". Generated " << utc_now() << " from the project at `" << project_dir.filename().string()
       << "`.\n";
  return page.str();
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const auto a = text.find(open);
  const auto b = text.find(close);
  if (a == std::string::npos || b == std::string::npos || b < a) return "";
  return text.substr(a + open.size() + 1, b - a - open.size() - 1);
}

}  // namespace

std::string excerpt(const std::string& raw_report, const fs::path& project_dir) {
  static const std::regex build_id_re(R"( \(BuildId: [0-9a-fA-F]+\))");
  static const std::regex frame_re(R"(^\s+#\d+ .*)");
  const std::string project_prefix = project_dir.string() + "/";
  std::vector<std::string> lines;
  bool in_shadow = false;  // ASan's shadow-byte dump and its legend: cut to one line
  for (auto line : split_lines(raw_report)) {
    if (line.rfind("Shadow bytes around the buggy address:", 0) == 0) {
      in_shadow = true;
      lines.push_back("Shadow bytes around the buggy address: ... (cut: see docs/README.md)");
      continue;
    }
    if (in_shadow) {
      const bool dump = line.rfind("=>", 0) == 0 || line.rfind("  ", 0) == 0 ||
                        line.rfind("Shadow byte legend", 0) == 0;
      if (dump) continue;
      in_shadow = false;
    }
    line = std::regex_replace(line, build_id_re, "");
    lines.push_back(replace_all(line, project_prefix, ""));
  }
  // A scenario's own frames: cases/<scenario>.cpp, not the shared main in cases/support/.
  auto own = [](const std::string& line) {
    return line.find(std::string(" ") + kOwnPrefix) != std::string::npos &&
           line.find(std::string(" ") + kOwnPrefix + "support/") == std::string::npos;
  };

  std::string out;
  for (std::size_t i = 0; i < lines.size();) {
    if (!std::regex_match(lines[i], frame_re)) {
      out += lines[i++] + "\n";
      continue;
    }
    std::size_t end = i;
    std::size_t last_own = std::string::npos;
    for (; end < lines.size() && std::regex_match(lines[end], frame_re); ++end) {
      if (own(lines[end])) last_own = end;
    }
    // Keep the stack down to its last frame in our sources; Catch2's and the runtime's frames
    // below it say nothing about the case.
    const std::size_t keep_to = last_own != std::string::npos ? last_own + 1 : std::min(end, i + 2);
    for (std::size_t k = i; k < keep_to; ++k) out += lines[k] + "\n";
    if (keep_to < end) {
      out += lines[i].substr(0, lines[i].find('#')) + "...\n";
    }
    i = end;
  }
  return out;
}

std::string signature(const std::string& report_text, const fs::path& project_dir) {
  // Excerpts carry project-relative paths; give them back their place so key_sites() can tell
  // our frames from the rest.
  const std::string text =
      replace_all(report_text, std::string(" ") + kOwnPrefix, " " + (project_dir / kOwnPrefix).string());
  std::vector<std::string> parts;
  for (const auto& report : parse_reports(text)) {
    std::vector<std::string> sites;
    for (const auto& site : key_sites(report, project_dir / "cases")) {
      sites.push_back(site.frame ? site.frame->function + " " +
                                       fs::path(site.frame->file).filename().string() + ":" +
                                       std::to_string(site.frame->line)
                                 : "(" + site.role + ": no frame in cases/)");
    }
    std::sort(sites.begin(), sites.end());
    std::string part = report.kind;
    for (const auto& s : sites) part += " | " + s;
    parts.push_back(part);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " || ") + p;
  return out;
}

DocsOutcome update_docs(const fs::path& project_dir, const std::vector<PresetRun>& runs, bool check) {
  DocsOutcome outcome;
  const fs::path docs = project_dir / "docs";
  std::vector<fs::path> pages;
  for (const auto& entry : fs::directory_iterator(docs)) {
    if (entry.path().extension() == ".md" && entry.path().filename() != "verdicts.md") {
      pages.push_back(entry.path());
    }
  }
  std::sort(pages.begin(), pages.end());
  for (const auto& page : pages) {
    const std::string text = read_text(page);
    PageContext context{project_dir, runs, check, outcome.problems, outcome.written};
    const std::string fresh = process_page(page, text, context);
    if (!check && fresh != text) {
      write_text(page, fresh);
      outcome.written.push_back(page);
    }
  }

  const fs::path matrix = docs / "verdicts.md";
  std::vector<std::string> problems;
  const std::string rows = matrix_rows(project_dir, runs, problems);
  for (auto& p : problems) outcome.problems.push_back("docs/verdicts.md: " + p);
  if (check) {
    const std::string have = fs::exists(matrix) ? between(read_text(matrix), "<!-- racebook:matrix -->",
                                                          "<!-- /racebook:matrix -->")
                                                : "";
    if (have != rows) {
      outcome.problems.push_back("docs/verdicts.md: the matrix differs from this run; refresh it with "
                                 "./harness/racebook.sh docs");
    }
  } else {
    write_text(matrix, matrix_page(project_dir, runs, rows));
    outcome.written.push_back(matrix);
  }
  return outcome;
}

}  // namespace racebook
