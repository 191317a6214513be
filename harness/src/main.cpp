// racebook-harness: runs a case variant and asserts its verdict, parses sanitizer logs into
// JSON, and summarises a preset's results.
//
//   racebook-harness run --program P --variant V --source S --sanitizer tsan --compiler gcc
//                        [--timeout SEC] [--retries N] [--results DIR] [--source-root DIR]
//   racebook-harness parse [FILE | -]
//   racebook-harness summary BUILD_DIR
//   racebook-harness variants --program P --source S --sanitizer tsan --compiler gcc
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
#include "racebook/instrumentation.hpp"
#include "racebook/options.hpp"
#include "racebook/results.hpp"
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
constexpr int kInternal = 4;
constexpr int kMaxRetries = 10;
constexpr int kMaxRepeat = 100000;

const char* const kUsageText =
    "usage:\n"
    "  racebook-harness run --program BIN --variant NAME --source CASE.cpp\n"
    "                       --sanitizer normal|tsan|asan --compiler gcc|clang\n"
    "                       [--timeout SECONDS] [--retries N (1..10)] [--results DIR]\n"
    "                       [--source-root DIR] [--repeat N]\n"
    "      --repeat N (or RACEBOOK_REPEAT=N): run N times, no retries, and pass only if every\n"
    "      run matched; the result file records how many did\n"
    "  racebook-harness parse [LOG | -]     print every sanitizer report in LOG as JSON\n"
    "  racebook-harness summary BUILD_DIR   summarise build/<preset>/results against the tests\n"
    "                                       CTest knows there (a test without a result fails)\n"
    "  racebook-harness variants --program BIN --source CASE.cpp --sanitizer S --compiler C\n"
    "                                       check that BIN has exactly the case file's variants\n"
    "  racebook-harness docs PROJECT [--check]\n"
    "                                       fill docs/ from PROJECT/build/<preset>/results of all\n"
    "                                       six presets, or check that docs/ matches them\n"
    "  racebook-harness env                 print the sanitizer options a run gets\n"
    "  racebook-harness stability PROJECT PRESET...\n"
    "                                       write docs/stability.{md,json} from --repeat results\n"
    "exit status: 0 pass, 1 a verdict failed, 2 usage or bad input, 3 environment (the build or\n"
    "the machine cannot give a verdict), 4 internal error\n";

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

// A whole number in [lo, hi] written in plain decimal digits: "5abc", "1e3", "-5", "" and
// "+5" are refused, never read as something else.
bool whole_number(const std::string& text, int lo, int hi, int& out) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const long value = std::stol(text);
  if (value < lo || value > hi) return false;
  out = static_cast<int>(value);
  return true;
}

int number(const std::map<std::string, std::string>& opts, const std::string& name, int fallback,
           int lo, int hi) {
  const auto it = opts.find(name);
  if (it == opts.end()) return fallback;
  int value = 0;
  if (whole_number(it->second, lo, hi, value)) return value;
  throw UsageError("--" + name + " must be a whole number from " + std::to_string(lo) + " to " +
                   std::to_string(hi) + ", not \"" + it->second + "\"");
}

// RACEBOOK_REPEAT, validated like --repeat: unset or empty means no repeat mode.
int repeat_from_environment() {
  const char* value = std::getenv("RACEBOOK_REPEAT");
  if (!value || !*value) return 0;
  int n = 0;
  if (whole_number(value, 1, kMaxRepeat, n)) return n;
  throw UsageError(std::string("RACEBOOK_REPEAT must be a whole number from 1 to ") +
                   std::to_string(kMaxRepeat) + ", not \"" + value + "\"");
}

// An absolute, normalised path: what a path given relative to the working directory means.
fs::path absolute_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : p;
}

// Runs the variant once. When the sanitizer runtime cannot start — notably "FATAL:
// ThreadSanitizer: unexpected memory mapping" on kernels whose vm.mmap_rnd_bits is above 28
// (google/sanitizers#1716) — says so, names the fix, and runs it again with address
// randomisation disabled for the child (as `setarch -R` does), which the rest of the runs keep.
// Returns false when even that run cannot start: no verdict is possible here.
// `in_child` accumulates the time spent running the child, for the overhead measurement.
bool run_once(racebook::RunRequest& request, const std::string& title, racebook::RunResult& run,
              std::vector<racebook::Report>& reports, std::chrono::steady_clock::duration& in_child,
              std::string& why_not, std::ostream& say = std::cout) {
  for (;;) {
    const auto before = std::chrono::steady_clock::now();
    run = racebook::run(request);
    in_child += std::chrono::steady_clock::now() - before;
    if (run.outcome == racebook::RunResult::Outcome::interrupted) {
      // SIGINT, SIGTERM or SIGHUP: the program and everything it started are gone; the
      // harness dies of the same signal so that its caller sees why.
      std::cout << "racebook: " << title << ": " << run.describe() << std::endl;
      racebook::die_of(run.signal);
    }
    const std::string log = run.out + run.err;
    std::string fatal;
    if (!racebook::runtime_failed_to_start(log, &fatal)) {
      reports = racebook::parse_reports(log);
      return true;
    }
    say << "racebook: " << title << ": the sanitizer runtime could not start:\n  " << fatal
              << "\n";
    if (request.disable_address_randomization) {
      why_not = "the sanitizer runtime could not start, even with address randomisation "
                "disabled: " + fatal;
      say << "  It failed with address randomisation disabled too, so no verdict is possible "
                   "in this environment.\n  Check that the sanitizer runtime matches the compiler, "
                   "and see the log above.\n";
      return false;
    }
    say << "  This kernel randomises mmap addresses more than the runtime's shadow layout "
                 "allows\n  (vm.mmap_rnd_bits = " << racebook::read_first_line("/proc/sys/vm/mmap_rnd_bits")
              << "; google/sanitizers#1716). Fix the machine with:\n"
                 "    sudo sysctl vm.mmap_rnd_bits=28\n"
                 "  Meanwhile racebook runs the variant with address randomisation disabled "
                 "(personality ADDR_NO_RANDOMIZE, as setarch -R does).\n";
    request.disable_address_randomization = true;
  }
}

// The TEST_CASE names a case program has (Catch2's --list-test-names-only).
std::vector<std::string> binary_variants(const std::string& program, std::string& problem) {
  racebook::RunRequest request;
  request.program = program;
  request.args = {"--list-test-names-only"};
  request.report_line = racebook::may_start_report;
  request.timeout = std::chrono::seconds(60);
  request.env = racebook::sanitizer_options(racebook::current_environment()).env;
  racebook::RunResult run;
  std::vector<racebook::Report> reports;
  std::chrono::steady_clock::duration unused{};
  std::vector<std::string> names;
  std::ostringstream quiet;  // the ASLR diagnosis is for the runs themselves, not for listing
  const bool ran = run_once(request, program, run, reports, unused, problem, quiet);
  if (!ran) return names;
  if (run.outcome != racebook::RunResult::Outcome::exited) {
    problem = program + " --list-test-names-only " + run.describe();
    return names;
  }
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

std::string joined(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// Where the result of one run goes (--results DIR): checked writable before anything runs, and
// written on every path out of `run`, failures before the program started included, so the
// summary never mistakes a missing result for a pass.
class ResultFile {
 public:
  ResultFile() = default;
  ResultFile(const fs::path& dir, const std::string& scenario, const std::string& variant)
      : file_(dir / (scenario + "." + variant + ".json")) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    const fs::path probe = dir / (".racebook-write-test-" + std::to_string(::getpid()));
    {
      std::ofstream out(probe);
      if (!out || !(out << "x") || !out.flush()) {
        throw racebook::EnvironmentError("cannot write results to " + dir.string() + ": " +
                                         (ec ? ec.message() : std::strerror(errno)) +
                                         " (choose a writable --results directory)");
      }
    }
    fs::remove(probe, ec);
    // A result of an earlier run must not stand in for this one, whatever happens next.
    fs::remove(file_, ec);
  }
  bool enabled() const { return !file_.empty(); }
  void write(const json& result) const {
    if (!enabled()) return;
    std::ofstream out(file_);
    out << result.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    out.flush();
    if (!out) {
      throw racebook::EnvironmentError("cannot write the result " + file_.string() + ": " +
                                       std::strerror(errno));
    }
  }

 private:
  fs::path file_;
};

// The fields every result has, for a test that failed before it could run the program.
json early_failure(const std::string& scenario, const std::string& variant,
                   const std::string& sanitizer, const std::string& compiler,
                   const std::string& problem) {
  return {{"scenario", scenario}, {"variant", variant}, {"sanitizer", sanitizer},
          {"compiler", compiler}, {"expected", "clean"}, {"kind", "unknown"},
          {"expected_text", "unknown: " + problem}, {"observed", "not run"},
          {"pass", false}, {"problems", {problem}}, {"attempts", 0}, {"measured", json::array()}};
}

int cmd_variants(int argc, char** argv) {
  const auto opts = options(argc, argv, 2, {"program", "source", "sanitizer", "compiler", "source-root"});
  const std::string program = absolute_path(required(opts, "program")).string();
  const std::string source = absolute_path(required(opts, "source")).string();
  racebook::CaseFile file;
  try {
    file = racebook::read_case_file(source, opts.count("source-root") ? absolute_path(opts.at("source-root")).string() : "");
  } catch (const racebook::CaseFileError& e) {
    std::cerr << "racebook: " << e.what() << '\n';
    return kFail;
  }
  std::string problem;
  const auto names = binary_variants(program, problem);
  if (!problem.empty()) {
    std::cerr << "racebook: cannot list the variants of " << program << ": " << problem << '\n';
    return kEnvironment;
  }
  int errors = 0;
  for (const auto& n : names) {
    bool declared = false;
    for (const auto& v : file.variants) declared = declared || v.name == n;
    if (!declared) {
      std::cerr << "racebook: " << source << ": the program has the variant \"" << n
                << "\", but the case file declares no TEST_CASE(\"" << n
                << "\") racebook can read, so it would never be tested. Write it as "
                   "TEST_CASE(\"" << n << "\") in this file, with its expectations above it.\n";
      ++errors;
    }
  }
  for (const auto& v : file.variants) {
    if (std::find(names.begin(), names.end(), v.name) == names.end()) {
      std::cerr << "racebook: " << source << ":" << v.line << ": the variant \"" << v.name
                << "\" is not in " << program << " (it has: " << joined(names) << ")\n";
      ++errors;
    }
  }
  return errors ? kFail : kPass;
}

struct RunOptions {
  std::string program, variant, source, sanitizer, compiler;
  fs::path source_root;
  int timeout_s = 60, retries = kMaxRetries, repeat = 0;
};

int cmd_run(int argc, char** argv) {
  // The harness's own cost per run (the benchmark reads it): all it does outside the child.
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  clock::duration in_child{0};
  const auto opts = options(argc, argv, 2,
                            {"program", "variant", "source", "sanitizer", "compiler", "timeout",
                             "retries", "results", "source-root", "repeat"});
  RunOptions o;
  o.variant = required(opts, "variant");
  o.source = absolute_path(required(opts, "source")).string();
  o.sanitizer = required(opts, "sanitizer");
  o.compiler = required(opts, "compiler");
  const std::string scenario = fs::path(o.source).stem().string();
  const std::string title = scenario + "." + o.variant + " [" + o.sanitizer + ", " + o.compiler + "]";
  ResultFile result_file;
  if (opts.count("results")) result_file = ResultFile(absolute_path(opts.at("results")), scenario, o.variant);

  // From here on, every way out writes a result.
  auto fail_early = [&](int status, const std::string& problem) {
    result_file.write(early_failure(scenario, o.variant, o.sanitizer, o.compiler, problem));
    std::cout << "racebook: FAIL " << title << ":\n  " << problem << '\n';
    return status;
  };
  try {
    o.program = absolute_path(required(opts, "program")).string();
    if (o.sanitizer != "normal" && o.sanitizer != "tsan" && o.sanitizer != "asan") {
      throw UsageError("--sanitizer must be normal, tsan or asan, not \"" + o.sanitizer + "\"");
    }
    if (o.compiler != "gcc" && o.compiler != "clang") {
      throw UsageError("--compiler must be gcc or clang, not \"" + o.compiler + "\"");
    }
    o.timeout_s = number(opts, "timeout", 60, 1, 3600);
    o.retries = number(opts, "retries", kMaxRetries, 1, kMaxRetries);
    o.repeat = opts.count("repeat") ? number(opts, "repeat", 0, 1, kMaxRepeat) : repeat_from_environment();
  } catch (const UsageError& e) {
    fail_early(kUsage, e.what());
    throw;
  }
  o.source_root = opts.count("source-root") ? absolute_path(opts.at("source-root"))
                                            : fs::path(o.source).parent_path();

  // A case file problem (dangling marker, malformed expectation) is a failure of this test,
  // reported with file and line — never a pass.
  racebook::CaseFile file;
  const racebook::Variant* variant = nullptr;
  const racebook::Expectation* expected = nullptr;
  try {
    file = racebook::read_case_file(o.source, o.source_root.string());
    variant = &file.variant(o.variant);
    expected = &racebook::expectation_for(file, *variant, o.sanitizer, o.compiler);
  } catch (const racebook::CaseFileError& e) {
    return fail_early(kFail, std::string("the case file is wrong: ") + e.what());
  }

  // The program: it must exist, be newer than its case file, and carry the runtime it claims.
  {
    std::error_code ec;
    const auto program_time = fs::last_write_time(o.program, ec);
    if (ec) {
      return fail_early(kEnvironment, o.program + (ec == std::errc::no_such_file_or_directory
                                                       ? " does not exist"
                                                       : " cannot be read (" + ec.message() + ")") +
                                          " \u2014 build the preset first: cmake --build --preset <name>");
    }
    const auto source_time = fs::last_write_time(o.source, ec);
    if (!ec && source_time > program_time) {
      return fail_early(kEnvironment, o.program + " is older than its case file " + o.source +
                                          ": rebuild it (cmake --build --preset <name>) so the "
                                          "verdict is about the code as it is now");
    }
    if (const std::string mismatch = racebook::instrumentation_mismatch(o.program, o.sanitizer);
        !mismatch.empty()) {
      return fail_early(kEnvironment, mismatch);
    }
  }

  racebook::RunRequest request;
  request.program = o.program;
  // --warn NoTests makes Catch2 fail when the name selects no variant.
  request.args = {o.variant, "--warn", "NoTests"};
  // Every byte of the output is scanned: lines of a report in the middle of output too large to
  // keep are kept all the same, so the report still counts.
  request.report_line = racebook::may_start_report;
  request.timeout = std::chrono::seconds(o.timeout_s);
  // ASan reads more options from here when started deactivated; racebook never does that.
  ::unsetenv("ASAN_ACTIVATION_OPTIONS");
  racebook::SanitizerOptions sanitizer_options;
  try {
    sanitizer_options = racebook::sanitizer_options(racebook::current_environment());
  } catch (const std::invalid_argument& e) {
    return fail_early(kUsage, e.what());
  }
  request.env = sanitizer_options.env;
  if (!sanitizer_options.overridden.empty()) {
    std::cout << "racebook: " << title << ": your sanitizer options were overridden where they "
              << "decide whether a report reaches racebook: "
              << joined(sanitizer_options.overridden, "; ") << '\n';
  }

  // --repeat N (or RACEBOOK_REPEAT=N): the stability mode. Every one of N runs is judged on
  // its own, with no retry, and the test passes only if all N matched.
  const int repeat = o.repeat;
  const int attempts_allowed = repeat > 0 ? repeat : expected->clean ? 1 : o.retries;
  racebook::RunResult run;
  std::vector<racebook::Report> reports;
  racebook::RunVerdict verdict;
  racebook::RunVerdict first_failure;
  racebook::RunResult first_failure_run;
  std::vector<racebook::Report> first_failure_reports;
  int attempt = 0;
  int matched = 0, no_report = 0, mismatch = 0;
  const auto progress_every = std::chrono::seconds(10);
  auto last_progress = clock::now();
  while (attempt < attempts_allowed) {
    if (const int signal = racebook::termination_requested()) racebook::die_of(signal);
    ++attempt;
    std::string why_not;
    if (!run_once(request, title, run, reports, in_child, why_not)) {
      return fail_early(kEnvironment, why_not);
    }
    verdict = racebook::judge({file, *variant, *expected, run, reports, o.source_root});
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
      // Progress: at every tenth of a long repeat run, and at least every 10 s.
      const bool tenth = repeat >= 10 && attempt % (repeat / 10) == 0;
      if (attempt < repeat && (tenth || clock::now() - last_progress >= progress_every)) {
        last_progress = clock::now();
        std::cout << "racebook: " << title << ": run " << attempt << " of " << repeat << ", "
                  << matched << " matched so far" << std::endl;
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
  // A variant the binary does not have: say which ones it has.
  if (verdict.status != racebook::RunVerdict::Status::matched &&
      run.out.find("No test cases matched") != std::string::npos) {
    std::string problem;
    const auto names = binary_variants(o.program, problem);
    verdict.problems.insert(verdict.problems.begin(),
                            o.program + " has no variant \"" + o.variant + "\" (it has: " +
                                (problem.empty() ? joined(names) : problem) +
                                "); rebuild it, or check the name");
  }

  const std::string expected_text = racebook::describe_expected(file, *expected);
  std::string observed_text;
  for (const auto& r : reports) {
    observed_text += (observed_text.empty() ? "" : "; ") + racebook::describe_observed(r, o.source_root);
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
  result_file.write(
      {{"scenario", scenario},
       {"variant", o.variant},
       {"sanitizer", o.sanitizer},
       {"compiler", o.compiler},
       {"expected", expected->clean ? "clean" : "racy"},
       {"kind", expected->clean ? "clean" : expected->kind},
       {"expected_text", expected_text},
       {"observed", observed_text},
       {"pass", pass},
       {"problems", verdict.problems},
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
       {"sanitizer_options", sanitizer_options.env},
       {"sanitizer_options_overridden", sanitizer_options.overridden},
       {"output_bytes_dropped", {{"stdout", run.out_dropped}, {"stderr", run.err_dropped}}},
       {"address_randomization_disabled", request.disable_address_randomization}});

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
  std::cout << "  sanitizer options of the run:\n";
  for (const auto& [name, value] : sanitizer_options.env) {
    if ((o.sanitizer == "tsan" && name == "TSAN_OPTIONS") ||
        (o.sanitizer == "asan" && name != "TSAN_OPTIONS")) {
      std::cout << "    " << name << "=" << value << '\n';
    }
  }
  for (const auto& r : reports) std::cout << "\n---- raw report (log line " << r.first_line << ") ----\n" << r.raw << '\n';
  std::cout << "\n---- program stdout (last 30 lines) ----\n" << last_lines(run.out, 30);
  if (run.out_dropped) std::cout << "\n[" << run.out_dropped << " bytes dropped]";
  if (reports.empty()) std::cout << "\n---- program stderr (last 30 lines) ----\n" << last_lines(run.err, 30);
  std::cout << '\n';
  return kFail;
}

int cmd_parse(int argc, char** argv) {
  if (argc > 3) throw UsageError("parse takes one log file (or - for standard input)");
  const std::string name = argc == 3 ? argv[2] : "-";
  // The log is read once, in pieces, and each report is printed as soon as it ends: memory
  // stays bounded by the largest report, not the log (see racebook::ReportStream). The output
  // is parse_output(parse_reports(log)).dump(2) byte for byte, written in blocks; nothing is
  // written before the first block fills, so an input that cannot be read prints nothing.
  std::string out;
  racebook::ParseOutputWriter writer(out);
  // Blocks (read and written) small enough to stay in the cache while they are worked on.
  constexpr std::size_t kBlock = std::size_t{128} << 10;
  auto flush = [&] {
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    out.clear();
  };
  racebook::ReportStream stream([&](racebook::Report&& report) {
    // Logs are bytes: invalid UTF-8 is printed as U+FFFD rather than failing the whole parse.
    writer.add(report);
    if (out.size() >= kBlock) flush();
  }, racebook::ReportText::Drop);  // the JSON has no "raw": not building it saves a copy
  std::vector<char> buf(kBlock);
  if (name == "-") {
    // Read the descriptor itself: a closed or unreadable standard input is an error, not an
    // empty log (which would print "[]", "no reports").
    for (;;) {
      const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (n > 0) {
        stream.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        continue;
      }
      if (n == 0) break;
      if (errno == EINTR) continue;
      throw racebook::EnvironmentError(std::string("cannot read the log from standard input: ") +
                                       std::strerror(errno) +
                                       " (pipe the log in, or give its file name)");
    }
  } else {
    std::error_code ec;
    if (fs::is_directory(name, ec)) {
      throw UsageError(name + " is a directory; parse reads one log file (or - for standard input)");
    }
    std::ifstream in(name, std::ios::binary);
    if (!in) {
      throw UsageError("cannot read " + name + ": " + std::strerror(errno));
    }
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0) stream.feed(std::string_view(buf.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) throw racebook::EnvironmentError("reading " + name + " failed: " + std::strerror(errno));
  }
  stream.finish();
  writer.finish();
  flush();
  std::cout.flush();
  return kPass;
}

int cmd_docs(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::string(argv[3]) != "--check")) {
    throw UsageError("docs takes the project directory and optionally --check");
  }
  const fs::path project = absolute_path(argv[2]);
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

// The tests CTest knows in build/<preset> that have no result, or a result that is not one.
std::vector<std::string> incomplete(const fs::path& build, const racebook::ResultSet& results) {
  std::vector<std::string> missing;
  for (const auto& test : racebook::ctest_case_tests(build)) {
    if (!results.by_test.count(test)) missing.push_back(test);
  }
  return missing;
}

int cmd_stability(int argc, char** argv) {
  if (argc < 4) throw UsageError("stability takes the project directory and the presets it ran");
  const fs::path project = absolute_path(argv[2]);
  const std::vector<std::string> presets(argv + 3, argv + argc);
  // Only a complete repeat run may become the record: every test of every preset has a result,
  // each one a --repeat result, all with the same number of runs.
  std::vector<std::string> refusals;
  int runs_each = -1;
  for (const auto& preset : presets) {
    const fs::path build = project / "build" / preset;
    const auto results = racebook::read_results(build / "results");
    for (const auto& [file, why] : results.unreadable) refusals.push_back(file + ": " + why);
    for (const auto& test : incomplete(build, results)) {
      refusals.push_back(preset + ": " + test + " has no result");
    }
    for (const auto& [test, r] : results.by_test) {
      if (!r.contains("runs") || !r["runs"]["repeat_mode"].get<bool>()) {
        refusals.push_back(preset + ": " + test + " is an ordinary result, not a --repeat run");
        continue;
      }
      const int total = r["runs"]["total"].get<int>();
      if (runs_each < 0) runs_each = total;
      if (total != runs_each) {
        refusals.push_back(preset + ": " + test + " ran " + std::to_string(total) + " times, others " +
                           std::to_string(runs_each));
      }
    }
  }
  // Never replace a record with a smaller one.
  const fs::path record = project / "docs" / "stability.json";
  if (refusals.empty() && fs::exists(record)) {
    try {
      std::ifstream in(record);
      const json old = json::parse(in);
      int old_runs = 0;
      std::size_t old_cells = 0;
      for (const auto& [key, per_preset] : old.items()) {
        for (const auto& [preset, cell] : per_preset.items()) {
          old_runs = std::max(old_runs, cell.value("runs", 0));
          ++old_cells;
        }
      }
      std::size_t new_cells = 0;
      for (const auto& preset : presets) {
        new_cells += racebook::read_results(project / "build" / preset / "results").by_test.size();
      }
      if (runs_each < old_runs || new_cells < old_cells) {
        refusals.push_back("docs/stability.json records " + std::to_string(old_runs) + " runs of " +
                           std::to_string(old_cells) + " (variant, preset) pairs; this run has " +
                           std::to_string(runs_each) + " of " + std::to_string(new_cells) +
                           ". Run at least as many (./harness/racebook.sh stability " +
                           std::to_string(old_runs) + "), or delete the record first");
      }
    } catch (const json::exception& e) {
      refusals.push_back(record.string() + " cannot be read (" + e.what() + "); delete it first");
    }
  }
  if (!refusals.empty()) {
    std::cerr << "racebook-harness stability: not a complete repeat run; docs/stability.md and "
                 "stability.json are left as they were:\n";
    for (const auto& r : refusals) std::cerr << "  - " << r << '\n';
    return kUsage;
  }
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
  if (argc != 3) throw UsageError("summary takes a build directory (build/<preset>) or its results/");
  const fs::path build = racebook::build_dir_of(absolute_path(argv[2]));
  const fs::path dir = build / "results";
  const auto set = racebook::read_results(dir);
  const auto known = racebook::ctest_case_tests(build);
  if (known.empty()) {
    throw racebook::EnvironmentError("CTest knows no case tests in " + build.string() +
                                     "; configure and build it first (cmake --workflow --preset <name>)");
  }
  std::vector<json> results;
  std::vector<std::string> missing, unknown;
  for (const auto& test : known) {
    if (auto it = set.by_test.find(test); it != set.by_test.end()) results.push_back(it->second);
    else missing.push_back(test);
  }
  for (const auto& [test, r] : set.by_test) {
    if (std::find(known.begin(), known.end(), test) == known.end()) unknown.push_back(test);
  }
  std::sort(results.begin(), results.end(), [](const json& a, const json& b) {
    return std::tie(a["scenario"], a["variant"]) < std::tie(b["scenario"], b["variant"]);
  });
  int raced = 0, clean = 0;
  const int failed_results = static_cast<int>(std::count_if(
      results.begin(), results.end(), [](const json& r) { return !r["pass"].get<bool>(); }));
  const int failed = failed_results + static_cast<int>(missing.size() + set.unreadable.size());
  std::size_t width = 8;
  for (const auto& r : results) {
    width = std::max(width, r["scenario"].get<std::string>().size() + r["variant"].get<std::string>().size() + 1);
  }
  // The same cells as docs/verdicts.md, one column: this preset's.
  std::ostringstream table;
  for (const auto& r : results) {
    const bool pass = r["pass"].get<bool>();
    if (pass && r["expected"] == "racy") ++raced;
    else if (pass) ++clean;
    std::string name = r["scenario"].get<std::string>() + "." + r["variant"].get<std::string>();
    name.resize(width, ' ');
    table << "  " << name << "  " << racebook::verdict_cell(r);
    if (pass && r["expected"] == "racy") table << "  (" << r["observed"].get<std::string>() << ")";
    if (!pass) table << "   (expected " << r["expected_text"].get<std::string>() << ")";
    for (const auto& m : r.value("measured", json::array())) table << "  [measured: " << m.get<std::string>() << "]";
    table << '\n';
  }
  for (const auto& test : missing) {
    table << "  " << test << "  ✗ no result: the test did not run in the last ctest run, or died "
                             "before writing one\n";
  }
  for (const auto& [file, why] : set.unreadable) table << "  " << file << "  ✗ " << why << '\n';
  for (const auto& test : unknown) {
    table << "  (ignored: a result for " << test << ", which CTest does not know)\n";
  }
  // What the build is, from its record (also when no test left a result).
  std::string sanitizer = "?", compiler = "?";
  try {
    std::ifstream in(build / "racebook-build.json");
    const json record = json::parse(in);
    sanitizer = record.value("sanitizer", "?");
    compiler = record.value("compiler", "?");
  } catch (const json::exception&) {
    if (!results.empty()) {
      sanitizer = results.front()["sanitizer"].get<std::string>();
      compiler = results.front()["compiler"].get<std::string>();
    }
  }
  std::cout << "racebook verdicts: " << sanitizer << " with " << compiler << " — " << known.size()
            << " variants: " << raced << " raced as expected, " << clean << " clean as expected, "
            << failed << " failed";
  if (!missing.empty()) std::cout << " (" << missing.size() << " without a result)";
  std::cout << '\n' << table.str();
  return failed ? kFail : kPass;
}

int dispatch(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "run") return cmd_run(argc, argv);
  if (command == "parse") return cmd_parse(argc, argv);
  if (command == "summary") return cmd_summary(argc, argv);
  if (command == "docs") return cmd_docs(argc, argv);
  if (command == "stability") return cmd_stability(argc, argv);
  if (command == "variants") return cmd_variants(argc, argv);
  if (command == "env") {
    // The sanitizer options every run gets, as KEY=VALUE lines (for scripts that run the
    // case programs without the harness, such as the benchmark).
    for (const auto& [name, value] : racebook::sanitizer_options(racebook::current_environment()).env) {
      std::cout << name << "=" << value << '\n';
    }
    return kPass;
  }
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsageText;
    return kPass;
  }
  throw UsageError(command.empty() ? "no command given" : "unknown command \"" + command + "\"");
}

}  // namespace

// Exit statuses: 0 pass, 1 a verdict failed, 2 usage (a bad argument or input), 3 environment
// (the machine or the build cannot give a verdict), 4 a bug in racebook itself.
int main(int argc, char** argv) {
  // The harness is the subreaper of everything a case program starts, and SIGINT, SIGTERM and
  // SIGHUP end a run by killing all of it before the harness dies of the signal.
  racebook::install_termination_handling();
  try {
    return dispatch(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "racebook-harness: " << e.what() << "\n" << kUsageText;
    return kUsage;
  } catch (const racebook::EnvironmentError& e) {
    std::cerr << "racebook-harness: " << e.what() << '\n';
    return kEnvironment;
  } catch (const std::invalid_argument& e) {
    std::cerr << "racebook-harness: " << e.what() << '\n';
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "racebook-harness: internal error (please report it): " << e.what() << '\n';
    return kInternal;
  }
}
