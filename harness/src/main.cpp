// racebook-harness: runs a case variant and asserts its verdict, parses sanitizer logs into
// JSON, and summarises a preset's results.
//
//   racebook-harness run --program P --variant V --source S --sanitizer tsan --compiler gcc
//                        [--timeout SEC] [--retries N] [--results DIR] [--source-root DIR]
//   racebook-harness parse [FILE | -]
//   racebook-harness summary DIR
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "racebook/docs.hpp"
#include "racebook/expectation.hpp"
#include "racebook/json.hpp"
#include "racebook/report.hpp"
#include "racebook/runner.hpp"
#include "racebook/verdict.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kPass = 0;
constexpr int kFail = 1;
constexpr int kUsage = 2;
constexpr int kEnvironment = 3;
constexpr int kMaxRetries = 10;

const char* const kUsageText =
    "usage:\n"
    "  racebook-harness run --program BIN --variant NAME --source CASE.cpp\n"
    "                       --sanitizer normal|tsan|asan --compiler gcc|clang\n"
    "                       [--timeout SECONDS] [--retries N (1..10)] [--results DIR]\n"
    "                       [--source-root DIR] [--repeat N]\n"
    "      --repeat N (or RACEBOOK_REPEAT=N): run N times, no retries, and pass only if every\n"
    "      run matched; the result file records how many did\n"
    "  racebook-harness parse [LOG | -]     print every sanitizer report in LOG as JSON\n"
    "  racebook-harness summary DIR         summarise the verdicts written by `run --results`\n"
    "  racebook-harness docs PROJECT [--check]\n"
    "                                       fill docs/ from PROJECT/build/<preset>/results of all\n"
    "                                       six presets, or check that docs/ matches them\n"
    "  racebook-harness env                 print the sanitizer options a run gets\n"
    "  racebook-harness stability PROJECT PRESET...\n"
    "                                       write docs/stability.{md,json} from --repeat results\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --name value pairs, each allowed once; anything else is a usage error.
std::map<std::string, std::string> options(int argc, char** argv, int first,
                                           const std::vector<std::string>& allowed) {
  std::map<std::string, std::string> out;
  for (int i = first; i < argc; ++i) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || std::find(allowed.begin(), allowed.end(), name.substr(2)) == allowed.end()) {
      throw UsageError("unknown argument \"" + name + "\"");
    }
    if (i + 1 >= argc) throw UsageError(name + " needs a value");
    if (!out.emplace(name.substr(2), argv[++i]).second) throw UsageError(name + " given twice");
  }
  return out;
}

std::string required(const std::map<std::string, std::string>& opts, const std::string& name) {
  const auto it = opts.find(name);
  if (it == opts.end() || it->second.empty()) throw UsageError("--" + name + " is required");
  return it->second;
}

int number(const std::map<std::string, std::string>& opts, const std::string& name, int fallback,
           int lo, int hi) {
  const auto it = opts.find(name);
  if (it == opts.end()) return fallback;
  try {
    std::size_t used = 0;
    const int value = std::stoi(it->second, &used);
    if (used == it->second.size() && value >= lo && value <= hi) return value;
  } catch (const std::exception&) {
  }
  throw UsageError("--" + name + " must be a whole number from " + std::to_string(lo) + " to " +
                   std::to_string(hi) + ", not \"" + it->second + "\"");
}

std::string last_lines(const std::string& text, std::size_t count) {
  std::size_t pos = text.size();
  for (std::size_t n = 0; n <= count && pos > 0; ++n) {
    const auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
    if (n == count) return text.substr(pos + 1);
  }
  return text;
}

int repeat_from_environment() {
  const char* value = std::getenv("RACEBOOK_REPEAT");
  if (!value || !*value) return 0;
  try {
    return std::max(0, std::stoi(value));
  } catch (const std::exception&) {
    throw UsageError(std::string("RACEBOOK_REPEAT must be a whole number, not \"") + value + "\"");
  }
}

// Runs the variant once. When the sanitizer runtime cannot start — notably "FATAL:
// ThreadSanitizer: unexpected memory mapping" on kernels whose vm.mmap_rnd_bits is above 28
// (google/sanitizers#1716) — says so, names the fix, and runs it again with address
// randomisation disabled for the child (as `setarch -R` does), which the rest of the runs keep.
// Returns false when even that run cannot start: no verdict is possible here.
// `in_child` accumulates the time spent running the child, for the overhead measurement.
bool run_once(racebook::RunRequest& request, const std::string& title, racebook::RunResult& run,
              std::vector<racebook::Report>& reports, std::chrono::steady_clock::duration& in_child) {
  for (;;) {
    const auto before = std::chrono::steady_clock::now();
    run = racebook::run(request);
    in_child += std::chrono::steady_clock::now() - before;
    const std::string log = run.out + run.err;
    std::string fatal;
    if (!racebook::runtime_failed_to_start(log, &fatal)) {
      reports = racebook::parse_reports(log);
      return true;
    }
    std::cout << "racebook: " << title << ": the sanitizer runtime could not start:\n  " << fatal
              << "\n";
    if (request.disable_address_randomization) {
      std::cout << "  It failed with address randomisation disabled too, so no verdict is possible "
                   "in this environment.\n  Check that the sanitizer runtime matches the compiler, "
                   "and see the log above.\n";
      return false;
    }
    std::cout << "  This kernel randomises mmap addresses more than the runtime's shadow layout "
                 "allows\n  (vm.mmap_rnd_bits = " << racebook::read_first_line("/proc/sys/vm/mmap_rnd_bits")
              << "; google/sanitizers#1716). Fix the machine with:\n"
                 "    sudo sysctl vm.mmap_rnd_bits=28\n"
                 "  Meanwhile racebook runs the variant with address randomisation disabled "
                 "(personality ADDR_NO_RANDOMIZE, as setarch -R does).\n";
    request.disable_address_randomization = true;
  }
}

void write_result(const fs::path& dir, const json& result) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path file = dir / (result["scenario"].get<std::string>() + "." +
                               result["variant"].get<std::string>() + ".json");
  std::ofstream(file) << result.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

int cmd_run(int argc, char** argv) {
  // The harness's own cost per run (the benchmark reads it): all it does outside the child.
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  clock::duration in_child{0};
  const auto opts = options(argc, argv, 2,
                            {"program", "variant", "source", "sanitizer", "compiler", "timeout",
                             "retries", "results", "source-root", "repeat"});
  const std::string program = required(opts, "program");
  const std::string variant_name = required(opts, "variant");
  const std::string source = required(opts, "source");
  const std::string sanitizer = required(opts, "sanitizer");
  const std::string compiler = required(opts, "compiler");
  if (sanitizer != "normal" && sanitizer != "tsan" && sanitizer != "asan") {
    throw UsageError("--sanitizer must be normal, tsan or asan, not \"" + sanitizer + "\"");
  }
  const int timeout_s = number(opts, "timeout", 60, 1, 3600);
  const int retries = number(opts, "retries", kMaxRetries, 1, kMaxRetries);
  const fs::path source_root =
      opts.count("source-root") ? fs::path(opts.at("source-root")) : fs::path(source).parent_path();

  const std::string scenario = fs::path(source).stem().string();
  const std::string title = scenario + "." + variant_name + " [" + sanitizer + ", " + compiler + "]";

  // A case file problem (dangling marker, malformed expectation) is a failure of this test,
  // reported with file and line — never a pass.
  racebook::CaseFile file;
  const racebook::Variant* variant = nullptr;
  const racebook::Expectation* expected = nullptr;
  try {
    file = racebook::read_case_file(source);
    variant = &file.variant(variant_name);
    expected = &racebook::expectation_for(file, *variant, sanitizer, compiler);
  } catch (const racebook::CaseFileError& e) {
    std::cout << "racebook: FAIL " << title << ": the case file is wrong:\n  " << e.what()
              << '\n';
    return kFail;
  }

  racebook::RunRequest request;
  request.program = program;
  // --warn NoTests makes Catch2 fail when the name selects no variant.
  request.args = {variant_name, "--warn", "NoTests"};
  request.timeout = std::chrono::seconds(timeout_s);
  request.env = racebook::sanitizer_environment(racebook::current_environment());

  // --repeat N (or RACEBOOK_REPEAT=N): the stability mode. Every one of N runs is judged on
  // its own, with no retry, and the test passes only if all N matched.
  const int repeat = number(opts, "repeat", repeat_from_environment(), 0, 100000);
  const int attempts_allowed = repeat > 0 ? repeat : expected->clean ? 1 : retries;
  racebook::RunResult run;
  std::vector<racebook::Report> reports;
  racebook::RunVerdict verdict;
  racebook::RunVerdict first_failure;
  racebook::RunResult first_failure_run;
  std::vector<racebook::Report> first_failure_reports;
  int attempt = 0;
  int matched = 0, no_report = 0, mismatch = 0;
  while (attempt < attempts_allowed) {
    ++attempt;
    if (!run_once(request, title, run, reports, in_child)) return kEnvironment;
    verdict = racebook::judge({file, *variant, *expected, run, reports, source_root});
    switch (verdict.status) {
      case racebook::RunVerdict::Status::matched: ++matched; break;
      case racebook::RunVerdict::Status::no_report: ++no_report; break;
      case racebook::RunVerdict::Status::mismatch: ++mismatch; break;
    }
    if (repeat > 0) {
      if (verdict.status != racebook::RunVerdict::Status::matched && first_failure.problems.empty()) {
        first_failure = verdict;
        first_failure_run = run;
        first_failure_reports = reports;
      }
      continue;
    }
    if (verdict.status != racebook::RunVerdict::Status::no_report) break;
  }
  if (repeat > 0 && matched != repeat) {
    // Show the first run that went wrong, not the last one.
    verdict = first_failure;
    run = first_failure_run;
    reports = first_failure_reports;
    verdict.status = racebook::RunVerdict::Status::mismatch;
    verdict.problems.insert(verdict.problems.begin(),
                            "stability: matched in " + std::to_string(matched) + " of " +
                                std::to_string(repeat) + " runs (" + std::to_string(no_report) +
                                " without the report, " + std::to_string(mismatch) + " wrong)");
  }

  const std::string expected_text = racebook::describe_expected(file, *expected);
  std::string observed_text;
  for (const auto& r : reports) {
    observed_text += (observed_text.empty() ? "" : "; ") + racebook::describe_observed(r, source_root);
  }
  if (observed_text.empty()) observed_text = "no report";

  const bool pass = verdict.status == racebook::RunVerdict::Status::matched;
  // The first report of the run, as printed, and what an oracle variant measured ("measured: "
  // lines of its stdout): the docs show both (racebook-harness docs).
  const std::string first_report = reports.empty() ? "" : reports.front().raw;
  std::vector<std::string> measured;
  {
    std::istringstream out(run.out);
    for (std::string line; std::getline(out, line);) {
      if (line.rfind("measured: ", 0) == 0) measured.push_back(line.substr(10));
    }
  }
  if (opts.count("results")) {
    write_result(opts.at("results"),
                 {{"scenario", scenario},
                  {"variant", variant_name},
                  {"sanitizer", sanitizer},
                  {"compiler", compiler},
                  {"expected", expected->clean ? "clean" : "racy"},
                  {"kind", expected->clean ? "clean" : expected->kind},
                  {"expected_text", expected_text},
                  {"observed", observed_text},
                  {"pass", pass},
                  {"attempts", attempt},
                  {"run", run.describe()},
                  {"elapsed_ms", run.elapsed.count()},
                  {"harness_overhead_us_per_run",
                   std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started - in_child)
                           .count() / std::max(attempt, 1)},
                  {"report", first_report},
                  {"measured", measured},
                  {"runs", {{"total", attempt}, {"matched", matched}, {"no_report", no_report},
                            {"mismatch", mismatch}, {"repeat_mode", repeat > 0}}},
                  {"address_randomization_disabled", request.disable_address_randomization}});
  }

  if (pass) {
    std::cout << "racebook: PASS " << title << ": " << expected_text;
    if (repeat > 0) {
      std::cout << " (matched in all " << repeat << " runs)";
    } else if (!expected->clean) {
      std::cout << " (seen on attempt " << attempt << " of " << attempts_allowed << ")";
    }
    std::cout << "; the program " << run.describe() << '\n';
    return kPass;
  }

  std::cout << "racebook: FAIL " << title << '\n'
            << "  expected: " << expected_text << "  [" << file.path << ":" << expected->line << "]\n"
            << "  observed: " << observed_text;
  if (!expected->clean) std::cout << " (after " << attempt << " run(s))";
  std::cout << '\n';
  for (const auto& p : verdict.problems) std::cout << "  - " << p << '\n';
  for (const auto& r : reports) std::cout << "\n---- raw report (log line " << r.first_line << ") ----\n" << r.raw << '\n';
  std::cout << "\n---- program stdout (last 30 lines) ----\n" << last_lines(run.out, 30);
  if (run.out_dropped) std::cout << "\n[" << run.out_dropped << " bytes dropped]";
  if (reports.empty()) std::cout << "\n---- program stderr (last 30 lines) ----\n" << last_lines(run.err, 30);
  std::cout << '\n';
  return kFail;
}

int cmd_parse(int argc, char** argv) {
  if (argc > 3) throw UsageError("parse takes one log file (or - for stdin)");
  std::string log;
  const std::string name = argc == 3 ? argv[2] : "-";
  if (name == "-") {
    log.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(name, std::ios::binary);
    if (!in) {
      std::cerr << "racebook-harness: cannot read " << name << '\n';
      return kUsage;
    }
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Logs are bytes: invalid UTF-8 is printed as U+FFFD rather than failing the whole parse.
  std::cout << racebook::to_json(racebook::parse_reports(log)).dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  return kPass;
}

int cmd_docs(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::string(argv[3]) != "--check")) {
    throw UsageError("docs takes the project directory and optionally --check");
  }
  const fs::path project = fs::weakly_canonical(fs::absolute(argv[2]));
  const bool check = argc == 4;
  racebook::DocsOutcome outcome;
  try {
    outcome = racebook::update_docs(project, racebook::load_runs(project / "build"), check);
  } catch (const std::exception& e) {
    std::cerr << "racebook-harness docs: " << e.what() << '\n';
    return kUsage;
  }
  for (const auto& p : outcome.problems) std::cout << "  - " << p << '\n';
  if (check) {
    std::cout << (outcome.problems.empty()
                      ? "racebook: docs match this run (report excerpts, verdict tables, matrix)\n"
                      : "racebook: docs do not match this run; refresh them with ./harness/racebook.sh docs\n");
  } else {
    for (const auto& f : outcome.written) std::cout << "racebook: wrote " << f.string() << '\n';
  }
  return outcome.problems.empty() ? kPass : kFail;
}

int cmd_stability(int argc, char** argv) {
  if (argc < 4) throw UsageError("stability takes the project directory and the presets it ran");
  const fs::path project = fs::weakly_canonical(fs::absolute(argv[2]));
  const std::vector<std::string> presets(argv + 3, argv + argc);
  std::vector<std::string> inexact;
  try {
    inexact = racebook::write_stability(project, racebook::load_runs(project / "build", presets));
  } catch (const std::exception& e) {
    std::cerr << "racebook-harness stability: " << e.what() << '\n';
    return kUsage;
  }
  std::cout << "racebook: wrote " << (project / "docs" / "stability.md").string() << " and stability.json\n";
  for (const auto& x : inexact) std::cout << "  not exact: " << x << '\n';
  return inexact.empty() ? kPass : kFail;
}

int cmd_summary(int argc, char** argv) {
  if (argc != 3) throw UsageError("summary takes the results directory");
  const fs::path dir = argv[2];
  std::vector<json> results;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    try {
      results.push_back(json::parse(in));
    } catch (const json::exception& e) {
      std::cerr << "racebook-harness: " << entry.path().string() << " is not a result file: " << e.what() << '\n';
      return kUsage;
    }
  }
  if (ec || results.empty()) {
    std::cerr << "racebook-harness: no results in " << dir.string()
              << " — run the case tests first (ctest --preset <name> -L case)\n";
    return kUsage;
  }
  std::sort(results.begin(), results.end(), [](const json& a, const json& b) {
    return std::tie(a["scenario"], a["variant"]) < std::tie(b["scenario"], b["variant"]);
  });
  int raced = 0, clean = 0, failed = 0;
  std::size_t width = 8;
  for (const auto& r : results) {
    width = std::max(width, r["scenario"].get<std::string>().size() + r["variant"].get<std::string>().size() + 1);
  }
  // The same cells as docs/verdicts.md, one column: this preset's.
  std::ostringstream table;
  for (const auto& r : results) {
    const bool pass = r["pass"].get<bool>();
    if (!pass) ++failed;
    else if (r["expected"] == "racy") ++raced;
    else ++clean;
    std::string name = r["scenario"].get<std::string>() + "." + r["variant"].get<std::string>();
    name.resize(width, ' ');
    table << "  " << name << "  " << racebook::verdict_cell(r);
    if (pass && r["expected"] == "racy") table << "  (" << r["observed"].get<std::string>() << ")";
    if (!pass) table << "   (expected " << r["expected_text"].get<std::string>() << ")";
    for (const auto& m : r.value("measured", json::array())) table << "  [measured: " << m.get<std::string>() << "]";
    table << '\n';
  }
  const json& first = results.front();
  std::cout << "racebook verdicts: " << first["sanitizer"].get<std::string>() << " with "
            << first["compiler"].get<std::string>() << " — " << results.size() << " variants: "
            << raced << " raced as expected, " << clean << " clean as expected, " << failed
            << " failed\n"
            << table.str();
  return failed ? kFail : kPass;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "run") return cmd_run(argc, argv);
    if (command == "parse") return cmd_parse(argc, argv);
    if (command == "summary") return cmd_summary(argc, argv);
    if (command == "docs") return cmd_docs(argc, argv);
    if (command == "stability") return cmd_stability(argc, argv);
    if (command == "env") {
      // The sanitizer options every run gets, as KEY=VALUE lines (for scripts that run the
      // case programs without the harness, such as the benchmark).
      for (const auto& [name, value] : racebook::sanitizer_environment(racebook::current_environment())) {
        std::cout << name << "=" << value << '\n';
      }
      return kPass;
    }
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << kUsageText;
      return kPass;
    }
    throw UsageError(command.empty() ? "no command given" : "unknown command \"" + command + "\"");
  } catch (const UsageError& e) {
    std::cerr << "racebook-harness: " << e.what() << "\n" << kUsageText;
    return kUsage;
  }
}
