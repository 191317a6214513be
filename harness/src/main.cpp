// racebook-harness: runs a case variant and asserts its verdict, parses sanitizer logs into
// JSON, and summarises a preset's results. The command line is CLI11's (see `cli()` below);
// `racebook-harness --help` lists the commands, `racebook-harness COMMAND --help` their options.
//
//   racebook-harness run --program P --variant V --source S --sanitizer tsan --compiler gcc
//                        [--timeout SEC] [--retries N] [--results DIR] [--source-root DIR]
//                        [--repeat N]
//   racebook-harness parse [LOG | -]
//   racebook-harness summary BUILD_DIR
//   racebook-harness variants --program P --source S --sanitizer tsan --compiler gcc [--source-root DIR]
//   racebook-harness docs PROJECT [--check]
//   racebook-harness stability PROJECT PRESET...
//   racebook-harness detectors PROJECT BUILD_DIR... [--output FILE] [--check]
//   racebook-harness env
#include <unistd.h>

#include <CLI/CLI.hpp>

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
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "racebook/ci_output.hpp"
#include "racebook/detectors.hpp"
#include "racebook/docs.hpp"
#include "racebook/expectation.hpp"
#include "racebook/instrumentation.hpp"
#include "racebook/options.hpp"
#include "racebook/results.hpp"
#include "racebook/json.hpp"
#include "racebook/report.hpp"
#include "racebook/runner.hpp"
#include "racebook/tables.hpp"
#include "racebook/verdict.hpp"

#ifndef RACEBOOK_VERSION
#error "RACEBOOK_VERSION must be the project's version (harness/CMakeLists.txt defines it)"
#endif

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

const char* const kExitStatuses =
    "Exit status: 0 pass, 1 a verdict failed, 2 usage or bad input, 3 environment (the build or\n"
    "the machine cannot give a verdict), 4 a bug in racebook (please report it).";

// A bad argument or input: exit 2. The message names the option or argument; main() adds
// where to read about it.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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


// The value of a numeric option, checked by racebook rather than CLI11 so that `run` can
// still write its result when the value is bad. `name` is how the user gave it: "--timeout",
// or "RACEBOOK_REPEAT" for a value from the environment.
int number(const std::string& text, const std::string& name, int lo, int hi) {
  int value = 0;
  if (whole_number(text, lo, hi, value)) return value;
  throw UsageError(name + " must be a whole number from " + std::to_string(lo) + " to " +
                   std::to_string(hi) + ", not \"" + text + "\"");
}

// Whether `flag` (as --flag VALUE or --flag=VALUE) is on the command line: an option bound to
// an environment variable takes the variable only when it is not.
bool on_command_line(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == flag || (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag &&
                        arg[flag.size()] == '=')) {
      return true;
    }
  }
  return false;
}

// CLI11 refuses an empty value of an option that needs one ("--variant ''"), as for a missing one.
const CLI::Validator kNonEmpty(
    [](std::string& value) { return value.empty() ? std::string("needs a value, not an empty string") : std::string(); },
    "", "not empty");

// An option or argument that must be given, and not empty.
template <typename T>
CLI::Option* add_required(CLI::App& cmd, const std::string& name, T& value, const std::string& help,
                          const std::string& type) {
  return cmd.add_option(name, value, help)->type_name(type)->required()->check(kNonEmpty);
}

// An absolute, normalised path: what a path given relative to the working directory means.
fs::path absolute_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : p;
}

// Whether a start-up failure is the shadow memory layout's, which too much address
// randomisation causes (google/sanitizers#1716); others (a runtime preloaded out of order, a
// CHECK) have other causes, and the kernel is not blamed for them.
bool shadow_layout_failure(std::string_view fatal) {
  return fatal.find("unexpected memory mapping") != std::string_view::npos ||
         fatal.find("can not mmap the shadow memory") != std::string_view::npos ||
         fatal.find("Shadow memory range interleaves") != std::string_view::npos;
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
      const char* preload = std::getenv("LD_PRELOAD");
      if (fatal.find("does not come first") != std::string::npos && preload && *preload)
        say << "  LD_PRELOAD is set (" << preload << "): a library loaded before the sanitizer "
               "runtime stops it. Unset LD_PRELOAD, or put the runtime first in it.\n";
      return false;
    }
    if (shadow_layout_failure(fatal)) {
      say << "  This kernel randomises mmap addresses more than the runtime's shadow layout "
                   "allows\n  (vm.mmap_rnd_bits = " << racebook::read_first_line("/proc/sys/vm/mmap_rnd_bits")
                << "; google/sanitizers#1716). Fix the machine with:\n"
                   "    sudo sysctl vm.mmap_rnd_bits=28\n"
                   "  Meanwhile racebook runs the variant with address randomisation disabled "
                   "(personality ADDR_NO_RANDOMIZE, as setarch -R does).\n";
    } else {
      say << "  racebook tries once more with address randomisation disabled (personality "
             "ADDR_NO_RANDOMIZE, as setarch -R does).\n";
    }
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


// --sanitizer and --compiler: what the case program was built with (`run` and `variants`).
void add_build_options(CLI::App& cmd, std::string& sanitizer, std::string& compiler) {
  add_required(cmd, "--sanitizer", sanitizer,
               "The detector the program was built for", "normal|tsan|asan|helgrind|drd");
  add_required(cmd, "--compiler", compiler,
               "The compiler the program was built with, optionally with its major version",
               "gcc|clang[MAJOR]");
}

// ---- variants ----

struct VariantsArgs {
  std::string program, source, sanitizer, compiler, source_root;
};

void add_variants_command(CLI::App& app, VariantsArgs& a) {
  auto* cmd = app.add_subcommand(
      "variants", "Check that a case program has exactly the variants (TEST_CASEs) its case file declares");
  add_required(*cmd, "--program", a.program, "The case program (its Catch2 binary)", "BIN");
  add_required(*cmd, "--source", a.source, "The case file the program was built from", "CASE.cpp");
  add_build_options(*cmd, a.sanitizer, a.compiler);
  cmd->add_option("--source-root", a.source_root,
                  "Where markers the case file does not hold are looked for (default: only in "
                  "the case file)")
      ->type_name("DIR")->check(kNonEmpty);
}

int cmd_variants(const VariantsArgs& a) {
  racebook::install_termination_handling();  // (as in cmd_run)
  const std::string program = absolute_path(a.program).string();
  const std::string source = absolute_path(a.source).string();
  racebook::CaseFile file;
  try {
    file = racebook::read_case_file(source, a.source_root.empty() ? "" : absolute_path(a.source_root).string());
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

// ---- run ----

// `run` as given on the command line: numbers stay text until check_run_values() reads them,
// so that a bad one still gets a result written.
struct RunArgs {
  std::string program, variant, source, sanitizer, compiler, results, source_root;
  std::string timeout = "60", retries = std::to_string(kMaxRetries), repeat;
  bool repeat_given = false;     // --repeat or RACEBOOK_REPEAT (not empty)
  bool repeat_from_env = false;  // ... and it was RACEBOOK_REPEAT
};

CLI::App* add_run_command(CLI::App& app, RunArgs& a) {
  auto* cmd = app.add_subcommand(
      "run", "Run one variant of a case program and check its sanitizer verdict against the case file");
  cmd->add_option("--program", a.program, "The case program (its Catch2 binary) to run")
      ->type_name("BIN")->required();
  add_required(*cmd, "--variant", a.variant, "The variant (TEST_CASE name) to run", "NAME");
  add_required(*cmd, "--source", a.source,
               "The case file: its '// expect' comments say what the variant must report", "CASE.cpp");
  add_build_options(*cmd, a.sanitizer, a.compiler);
  cmd->add_option("--timeout", a.timeout,
                  "Kill the program and its process group after this many seconds (1 to 3600; "
                  "default 60)")
      ->type_name("SECONDS");
  cmd->add_option("--retries", a.retries,
                  "Runs a racy variant may take to show its report (1 to 10; default 10); a clean "
                  "variant runs once")
      ->type_name("N");
  cmd->add_option("--results", a.results,
                  "Write the result as DIR/<case>.<variant>.json, also when the run fails early "
                  "(what `summary` reads)")
      ->type_name("DIR")->check(kNonEmpty);
  cmd->add_option("--source-root", a.source_root,
                  "Where report frames' relative paths start (default: the case file's directory)")
      ->type_name("DIR")->check(kNonEmpty);
  cmd->add_option("--repeat", a.repeat,
                  "Stability mode: run N times (1 to 100000) with no retries, and pass only if "
                  "every run matched; the result records how many did")
      ->type_name("N")->envname("RACEBOOK_REPEAT");
  return cmd;
}

struct RunOptions {
  std::string program, variant, source, sanitizer, compiler;
  // helgrind and drd: the program runs under Valgrind (racebook/options.hpp); empty otherwise.
  std::string valgrind_path;
  racebook::ValgrindOptions valgrind;
  std::string scenario, title;  // "case.variant", and that with the build, for messages
  fs::path source_root;
  int timeout_s = 60, retries = kMaxRetries, repeat = 0;
};

// The whole command line of a run under Valgrind: valgrind, its options, the program, its
// arguments (the variant).
std::vector<std::string> valgrind_command(const RunOptions& o) {
  std::vector<std::string> command{o.valgrind_path};
  command.insert(command.end(), o.valgrind.args.begin(), o.valgrind.args.end());
  command.insert(command.end(), {o.program, o.variant, "--warn", "NoTests"});
  return command;
}

// What needs no checking (CLI11 made sure these are there and not empty).
RunOptions run_names(const RunArgs& a) {
  RunOptions o;
  o.variant = a.variant;
  o.source = absolute_path(a.source).string();
  o.sanitizer = a.sanitizer;
  o.compiler = a.compiler;
  o.scenario = fs::path(o.source).stem().string();
  o.title = o.scenario + "." + o.variant + " [" + o.sanitizer + ", " + o.compiler + "]";
  return o;
}

// The rest, checked by racebook: a UsageError names the option and the values it takes.
void check_run_values(const RunArgs& a, RunOptions& o) {
  if (a.program.empty()) throw UsageError("--program needs a value, not an empty string");
  o.program = absolute_path(a.program).string();
  try {
    racebook::check_detector_and_compiler(o.sanitizer, o.compiler);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  o.timeout_s = number(a.timeout, "--timeout", 1, 3600);
  o.retries = number(a.retries, "--retries", 1, kMaxRetries);
  o.repeat = a.repeat_given ? number(a.repeat, a.repeat_from_env ? "RACEBOOK_REPEAT" : "--repeat",
                                     1, kMaxRepeat)
                            : 0;
  o.source_root = a.source_root.empty() ? fs::path(o.source).parent_path() : absolute_path(a.source_root);
}

// Why the program cannot give a verdict about the case file as it is now, if it cannot: it
// must exist, be newer than its case file, and carry the runtime it claims.
std::string program_problem(const RunOptions& o) {
  std::error_code ec;
  const auto program_time = fs::last_write_time(o.program, ec);
  if (ec) {
    return o.program + (ec == std::errc::no_such_file_or_directory
                            ? " does not exist"
                            : " cannot be read (" + ec.message() + ")") +
           " \u2014 build the preset first: cmake --build --preset <name>";
  }
  const auto source_time = fs::last_write_time(o.source, ec);
  if (!ec && source_time > program_time) {
    return o.program + " is older than its case file " + o.source +
           ": rebuild it (cmake --build --preset <name>) so the verdict is about the code as it is now";
  }
  return racebook::instrumentation_mismatch(o.program, o.sanitizer);
}

// The runs of one `run`: the retries of an ordinary run, or the N runs of --repeat, and the
// run whose verdict counts (with --repeat, the first that went wrong).
struct Attempts {
  racebook::RunResult run;
  std::vector<racebook::Report> reports;
  racebook::RunVerdict verdict;
  int attempt = 0, allowed = 0;
  int matched = 0, no_report = 0, mismatch = 0;
  std::string no_verdict;  // set when the sanitizer runtime could not start at all
};

void tally(Attempts& t) {
  switch (t.verdict.status) {
    case racebook::RunVerdict::Status::matched: ++t.matched; break;
    case racebook::RunVerdict::Status::no_report: ++t.no_report; break;
    case racebook::RunVerdict::Status::mismatch: ++t.mismatch; break;
  }
}

// With --repeat, the first run that went wrong: a failure shows it, not the last run.
struct FirstFailure {
  racebook::RunVerdict verdict;
  racebook::RunResult run;
  std::vector<racebook::Report> reports;

  void keep(const Attempts& t) {
    if (t.verdict.status == racebook::RunVerdict::Status::matched || !verdict.problems.empty()) return;
    verdict = t.verdict;
    run = t.run;
    reports = t.reports;
  }
  // Makes it the verdict of `t`, headed by how many of the runs matched.
  void show_in(Attempts& t, int repeat) const {
    t.verdict = verdict;
    t.run = run;
    t.reports = reports;
    t.verdict.status = racebook::RunVerdict::Status::mismatch;
    t.verdict.problems.insert(t.verdict.problems.begin(),
                              "stability: matched in " + std::to_string(t.matched) + " of " +
                                  std::to_string(repeat) + " runs (" + std::to_string(t.no_report) +
                                  " without the report, " + std::to_string(t.mismatch) + " wrong)");
  }
};

// The progress of a long --repeat run: at every tenth, and at least every 10 s.
class RepeatProgress {
 public:
  void after(const Attempts& t, int repeat, const std::string& title) {
    const bool tenth = repeat >= 10 && t.attempt % (repeat / 10) == 0;
    if (t.attempt < repeat && (tenth || clock::now() - last_ >= kEvery)) {
      last_ = clock::now();
      std::cout << "racebook: " << title << ": run " << t.attempt << " of " << repeat << ", "
                << t.matched << " matched so far" << std::endl;
    }
  }

 private:
  using clock = std::chrono::steady_clock;
  static constexpr auto kEvery = std::chrono::seconds(10);
  clock::time_point last_ = clock::now();
};

// A variant the binary does not have: says which ones it has.
void name_the_variants(Attempts& t, const RunOptions& o) {
  if (t.verdict.status == racebook::RunVerdict::Status::matched ||
      t.run.out.find("No test cases matched") == std::string::npos) {
    return;
  }
  std::string problem;
  const auto names = binary_variants(o.program, problem);
  t.verdict.problems.insert(t.verdict.problems.begin(),
                            o.program + " has no variant \"" + o.variant + "\" (it has: " +
                                (problem.empty() ? joined(names) : problem) +
                                "); rebuild it, or check the name");
}

// The case file and what it expects of the variant in this build. Built in place (variant
// and expected point into file); throws racebook::CaseFileError.
struct RunCase {
  explicit RunCase(const RunOptions& o)
      : file(racebook::read_case_file(o.source, o.source_root.string())),
        variant(&file.variant(o.variant)),
        expectation(racebook::expectation_for(file, *variant, o.sanitizer, o.compiler)),
        expected(&expectation) {}
  RunCase(const RunCase&) = delete;
  RunCase& operator=(const RunCase&) = delete;

  racebook::CaseFile file;
  const racebook::Variant* variant;
  racebook::Expectation expectation;
  const racebook::Expectation* expected;
};

Attempts run_attempts(racebook::RunRequest& request, const RunOptions& o, const RunCase& c,
                      std::chrono::steady_clock::duration& in_child) {
  // --repeat N (or RACEBOOK_REPEAT=N): the stability mode. Every one of N runs is judged on
  // its own, with no retry, and the test passes only if all N matched.
  const int repeat = o.repeat;
  Attempts t;
  t.allowed = repeat > 0 ? repeat : c.expected->clean ? 1 : o.retries;
  FirstFailure first_failure;
  RepeatProgress progress;
  while (t.attempt < t.allowed) {
    if (const int signal = racebook::termination_requested()) racebook::die_of(signal);
    ++t.attempt;
    if (!run_once(request, o.title, t.run, t.reports, in_child, t.no_verdict)) return t;
    if (racebook::is_valgrind_detector(o.sanitizer)) {
      const bool finished = t.run.outcome == racebook::RunResult::Outcome::exited ||
                            t.run.outcome == racebook::RunResult::Outcome::signaled;
      const std::string trouble =
          racebook::valgrind_trouble(t.run.out + t.run.err, o.sanitizer, finished);
      if (!trouble.empty()) {
        t.no_verdict = trouble + " \u2014 no verdict rests on this run. The command was: " +
                       joined(valgrind_command(o), " ");
        std::cout << "racebook: " << o.title << ": Valgrind's output ended with:\n"
                  << last_lines(t.run.err, 30) << '\n';
        return t;
      }
    }
    t.verdict = racebook::judge({c.file, *c.variant, *c.expected, t.run, t.reports, o.source_root});
    tally(t);
    if (repeat > 0) {
      first_failure.keep(t);
      progress.after(t, repeat, o.title);
      continue;
    }
    if (t.verdict.status != racebook::RunVerdict::Status::no_report) break;
  }
  if (repeat > 0 && t.matched != repeat) first_failure.show_in(t, repeat);
  name_the_variants(t, o);
  return t;
}

// The verdict in words: what the case file expects, and what the runs showed.
struct VerdictText {
  std::string expected, observed;
};

VerdictText verdict_text(const RunCase& c, const Attempts& t, const RunOptions& o) {
  VerdictText text{racebook::describe_expected(c.file, *c.expected), ""};
  for (const auto& r : t.reports) {
    text.observed += (text.observed.empty() ? "" : "; ") + racebook::describe_observed(r, o.source_root);
  }
  if (text.observed.empty()) text.observed = "no report";
  return text;
}

void print_pass(const RunOptions& o, const Attempts& t, const RunCase& c, const VerdictText& text) {
  std::cout << "racebook: PASS " << o.title << ": " << text.expected;
  if (o.repeat > 0) {
    std::cout << " (matched in all " << o.repeat << " runs)";
  } else if (!c.expected->clean) {
    std::cout << " (seen on attempt " << t.attempt << " of " << t.allowed << ")";
  }
  std::cout << "; the program " << t.run.describe() << '\n';
}

// A failure: what was expected and seen, the sanitizer options, the reports and the end of the
// program's output.
void print_failure(const RunOptions& o, const Attempts& t, const RunCase& c, const VerdictText& text,
                   const racebook::SanitizerOptions& sanitizer_options) {
  std::cout << "racebook: FAIL " << o.title << '\n'
            << "  expected: " << text.expected << "  [" << c.file.path << ":" << c.expected->line << "]\n"
            << "  observed: " << text.observed;
  if (!c.expected->clean) std::cout << " (after " << t.attempt << " run(s))";
  std::cout << '\n';
  for (const auto& p : t.verdict.problems) std::cout << "  - " << p << '\n';
  if (racebook::is_valgrind_detector(o.sanitizer)) {
    std::cout << "  Valgrind command of the run:\n    " << joined(valgrind_command(o), " ") << '\n';
  } else {
    std::cout << "  sanitizer options of the run:\n";
  }
  for (const auto& [name, value] : sanitizer_options.env) {
    if ((o.sanitizer == "tsan" && name == "TSAN_OPTIONS") ||
        (o.sanitizer == "asan" && name != "TSAN_OPTIONS")) {
      std::cout << "    " << name << "=" << value << '\n';
    }
  }
  for (const auto& r : t.reports) std::cout << "\n---- raw report (log line " << r.first_line << ") ----\n" << r.raw << '\n';
  std::cout << "\n---- program stdout (last 30 lines) ----\n" << last_lines(t.run.out, 30);
  if (t.run.out_dropped) std::cout << "\n[" << t.run.out_dropped << " bytes dropped]";
  if (t.reports.empty()) std::cout << "\n---- program stderr (last 30 lines) ----\n" << last_lines(t.run.err, 30);
  std::cout << '\n';
}

// helgrind and drd: Valgrind's path and options, the user's own where they do not decide
// whether a report reaches racebook; says which of the user's were overridden. Throws
// std::invalid_argument for options racebook cannot let through; returns why Valgrind cannot
// be found, if it cannot.
std::string valgrind_for_runs(RunOptions& o) {
  const auto env = racebook::current_environment();
  o.valgrind = racebook::valgrind_options(o.sanitizer, racebook::read_valgrind_user_options(env), env);
  if (!o.valgrind.overridden.empty()) {
    std::cout << "racebook: " << o.title << ": your Valgrind options were overridden where they "
              << "decide whether a report reaches racebook: " << joined(o.valgrind.overridden, "; ")
              << '\n';
  }
  const auto path = env.find("PATH");
  o.valgrind_path = racebook::find_executable("valgrind", path == env.end() ? "" : path->second);
  if (o.valgrind_path.empty()) {
    return "valgrind is not on PATH (" + (path == env.end() ? std::string("PATH is unset") : "PATH=" + path->second) +
           "): the detector " + o.sanitizer + " runs every variant under valgrind --tool=" +
           o.sanitizer + ". Install it (Debian: sudo apt-get install valgrind) or put the "
           "directory that holds it on PATH";
  }
  return "";
}

// racebook's sanitizer options for the runs, the user's own where they do not decide whether a
// report reaches racebook; says which of the user's were overridden. Throws
// std::invalid_argument for options the runtime would stop on.
racebook::SanitizerOptions options_for_runs(const RunOptions& o) {
  // ASan reads more options from here when started deactivated; racebook never does that.
  ::unsetenv("ASAN_ACTIVATION_OPTIONS");
  racebook::SanitizerOptions options = racebook::sanitizer_options(racebook::current_environment());
  if (!options.overridden.empty()) {
    std::cout << "racebook: " << o.title << ": your sanitizer options were overridden where they "
              << "decide whether a report reaches racebook: " << joined(options.overridden, "; ")
              << '\n';
  }
  return options;
}

racebook::RunRequest run_request(const RunOptions& o, const racebook::SanitizerOptions& options) {
  racebook::RunRequest request;
  request.program = o.program;
  // --warn NoTests makes Catch2 fail when the name selects no variant.
  request.args = {o.variant, "--warn", "NoTests"};
  if (racebook::is_valgrind_detector(o.sanitizer)) {
    const auto command = valgrind_command(o);
    request.program = command.front();
    request.args.assign(command.begin() + 1, command.end());
    request.env_unset = o.valgrind.unset_env;
  }
  // Every byte of the output is scanned: lines of a report in the middle of output too large to
  // keep are kept all the same, so the report still counts.
  request.report_line = racebook::may_start_report;
  request.timeout = std::chrono::seconds(o.timeout_s);
  request.env = options.env;
  return request;
}

// What an oracle variant measured: the "measured: " lines of its stdout.
std::vector<std::string> measured_lines(const std::string& out) {
  std::vector<std::string> measured;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("measured: ", 0) == 0) measured.push_back(line.substr(10));
  }
  return measured;
}

// Each report's kind, tool and key sites; a site's file is relative to the source root when
// under it (the results of two checkouts compare), "" when no frame is in our sources.
json observed_reports(const std::vector<racebook::Report>& reports, const fs::path& source_root) {
  json out = json::array();
  for (const auto& r : reports) {
    json sites = json::array();
    for (const auto& site : racebook::key_sites(r, source_root)) {
      std::string file;
      int line = 0;
      if (site.frame) {
        const fs::path relative = fs::path(site.frame->file).lexically_relative(source_root);
        file = !relative.empty() && *relative.begin() != ".." ? relative.generic_string()
                                                               : site.frame->file;
        line = site.frame->line;
      }
      sites.push_back({{"role", site.role}, {"file", file}, {"line", line}});
    }
    out.push_back({{"kind", r.kind}, {"tool", r.tool}, {"sites", sites}});
  }
  return out;
}

// The result file's content (what `summary`, docs and stability read). `overhead_us`: the
// harness's own time per run, outside the child (the benchmark reads it).
json run_result(const RunOptions& o, const RunCase& c, const Attempts& t, const VerdictText& text,
                const racebook::SanitizerOptions& options, const racebook::RunRequest& request,
                long long overhead_us) {
  return {{"scenario", o.scenario},
          {"variant", o.variant},
          {"sanitizer", o.sanitizer},
          {"compiler", o.compiler},
          {"expected", c.expected->clean ? "clean" : "racy"},
          {"kind", c.expected->clean ? "clean" : c.expected->kind},
          {"expected_text", text.expected},
          {"observed", text.observed},
          {"pass", t.verdict.status == racebook::RunVerdict::Status::matched},
          {"problems", t.verdict.problems},
          {"attempts", t.attempt},
          {"run", t.run.describe()},
          {"elapsed_ms", t.run.elapsed.count()},
          {"harness_overhead_us_per_run", overhead_us},
          // The first report of the run, as printed, and what an oracle variant measured: the
          // docs show both (racebook-harness docs).
          {"report", t.reports.empty() ? "" : t.reports.front().raw},
          // Every report of the judged run, reduced to what a detector table compares: its kind,
          // tool and key sites (racebook-harness detectors classifies them against the truth).
          {"observed_reports", observed_reports(t.reports, o.source_root)},
          {"measured", measured_lines(t.run.out)},
          {"runs", {{"total", t.attempt}, {"matched", t.matched}, {"no_report", t.no_report},
                    {"mismatch", t.mismatch}, {"repeat_mode", o.repeat > 0}}},
          {"sanitizer_options", options.env},
          // helgrind and drd: the exact command of every run, and the user's options racebook
          // overrode (docs show the provenance).
          {"valgrind", racebook::is_valgrind_detector(o.sanitizer)
                           ? json{{"path", o.valgrind_path},
                                  {"command", valgrind_command(o)},
                                  {"options_overridden", o.valgrind.overridden}}
                           : json(nullptr)},
          {"sanitizer_options_overridden", options.overridden},
          {"output_bytes_dropped", {{"stdout", t.run.out_dropped}, {"stderr", t.run.err_dropped}}},
          {"address_randomization_disabled", request.disable_address_randomization}};
}

// A test that failed before it could give a verdict: its result says why, and so does stdout.
int fail_early(const ResultFile& result_file, const RunOptions& o, int status, const std::string& problem) {
  result_file.write(early_failure(o.scenario, o.variant, o.sanitizer, o.compiler, problem));
  std::cout << "racebook: FAIL " << o.title << ":\n  " << problem << '\n';
  return status;
}

// Runs the variant as often as its mode asks, writes the result and prints the verdict.
// `started`: when the command started, for the harness's own cost per run (the benchmark reads
// it): all it does outside the child.
int judge_runs(const RunOptions& o, const RunCase& c, const racebook::SanitizerOptions& options,
               const ResultFile& result_file, std::chrono::steady_clock::time_point started) {
  using clock = std::chrono::steady_clock;
  clock::duration in_child{0};
  racebook::RunRequest request = run_request(o, options);
  const Attempts t = run_attempts(request, o, c, in_child);
  if (!t.no_verdict.empty()) return fail_early(result_file, o, kEnvironment, t.no_verdict);
  const VerdictText text = verdict_text(c, t, o);
  const auto overhead =
      std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started - in_child);
  result_file.write(run_result(o, c, t, text, options, request, overhead.count() / std::max(t.attempt, 1)));
  if (t.verdict.status != racebook::RunVerdict::Status::matched) {
    print_failure(o, t, c, text, options);
    return kFail;
  }
  print_pass(o, t, c, text);
  return kPass;
}

int cmd_run(const RunArgs& a) {
  // Only the commands that start case programs (run, variants) handle SIGINT, SIGTERM and
  // SIGHUP: they end a run by killing everything the program started, then the harness dies of
  // the signal. The other commands keep the default dispositions: a handler that only notes the
  // signal made `parse -` of a log that never ends ignore Ctrl-C.
  racebook::install_termination_handling();
  const auto started = std::chrono::steady_clock::now();
  RunOptions o = run_names(a);
  ResultFile result_file;
  if (!a.results.empty()) result_file = ResultFile(absolute_path(a.results), o.scenario, o.variant);
  // From here on, every way out writes a result.
  try {
    check_run_values(a, o);
  } catch (const UsageError& e) {
    fail_early(result_file, o, kUsage, e.what());
    throw;
  }
  // A case file problem (dangling marker, malformed expectation) is a failure of this test,
  // reported with file and line — never a pass.
  std::optional<RunCase> c;
  try {
    c.emplace(o);
  } catch (const racebook::CaseFileError& e) {
    return fail_early(result_file, o, kFail, std::string("the case file is wrong: ") + e.what());
  }
  if (const std::string problem = program_problem(o); !problem.empty()) {
    return fail_early(result_file, o, kEnvironment, problem);
  }
  racebook::SanitizerOptions options;
  try {
    options = options_for_runs(o);
    if (racebook::is_valgrind_detector(o.sanitizer)) {
      if (const std::string problem = valgrind_for_runs(o); !problem.empty()) {
        return fail_early(result_file, o, kEnvironment, problem);
      }
    }
  } catch (const std::invalid_argument& e) {
    return fail_early(result_file, o, kUsage, e.what());
  }
  return judge_runs(o, *c, options, result_file, started);
}
// ---- parse, docs, stability, summary ----

struct ParseArgs {
  std::string log = "-";
  std::string format = "json";
  std::string source_root;
  std::string baseline;
  std::string write_baseline;
};

void add_parse_command(CLI::App& app, ParseArgs& args) {
  auto* cmd = app.add_subcommand(
      "parse", "Print every sanitizer report in a log (TSan, ASan, LSan, UBSan) as JSON, SARIF or "
               "GitHub annotations");
  cmd->add_option("LOG", args.log, "The log file to read; - (the default) reads standard input")
      ->type_name("");
  cmd->add_option("--format", args.format,
                  "json (the default): racebook's JSON; sarif: SARIF 2.1.0 for code scanning; "
                  "github: GitHub Actions annotations (::error file=...,line=...::...)")
      ->check(CLI::IsMember({"json", "sarif", "github"}))
      ->type_name("FORMAT");
  cmd->add_option("--source-root", args.source_root,
                  "Frame paths under DIR are written relative to it, in signatures too, so they "
                  "are the same on every machine")
      ->type_name("DIR");
  cmd->add_option("--baseline", args.baseline,
                  "The known reports (from --write-baseline): exit 1 only when a report's "
                  "signature is not in FILE, listing those new reports on standard error")
      ->type_name("FILE");
  cmd->add_option("--write-baseline", args.write_baseline,
                  "Write the signatures of the log's reports to FILE")
      ->type_name("FILE");
}

// Feeds the log (a file, or standard input for "-") to `stream`, in blocks.
void read_log(const std::string& name, racebook::ReportStream& stream) {
  // Blocks small enough to stay in the cache while they are worked on.
  std::vector<char> buf(std::size_t{128} << 10);
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
}

// --baseline and --write-baseline: the signatures of the log's reports, checked against the
// known ones, written out, or both.
class Baselines {
 public:
  // Reads the baseline and opens the one to write before the log is read: a bad baseline, or a
  // path that cannot be written, stops before any output.
  Baselines(const ParseArgs& args, fs::path root) : args_(args), root_(std::move(root)) {
    if (!args.baseline.empty()) {
      try {
        known_ = racebook::read_baseline(args.baseline);
      } catch (const std::runtime_error& e) {
        throw UsageError(std::string(e.what()) + " (write one with parse --write-baseline FILE)");
      }
    }
    if (!args.write_baseline.empty()) {
      file_.open(args.write_baseline, std::ios::binary | std::ios::trunc);
      if (!file_) throw cannot_write();
    }
  }

  void account(const racebook::Report& report) {
    if (!known_ && args_.write_baseline.empty()) return;
    std::string signature = racebook::report_signature(report, root_);
    if (known_ && !known_->contains(signature)) {
      new_ones_.push_back("log line " + std::to_string(report.first_line) + ": " + report.kind +
                          " — " + signature);
    }
    signatures_.insert(std::move(signature));
  }

  // Writes the baseline, and lists the reports that are not in the known one: kFail if any.
  int finish() {
    if (!args_.write_baseline.empty()) {
      racebook::write_baseline(file_, signatures_);
      file_.flush();
      if (!file_) throw cannot_write();
    }
    if (!known_ || new_ones_.empty()) return kPass;
    std::cerr << "racebook: " << new_ones_.size() << " report(s) not in the baseline "
              << args_.baseline << ":\n";
    for (const auto& line : new_ones_) std::cerr << "  " << line << '\n';
    return kFail;
  }

 private:
  racebook::EnvironmentError cannot_write() const {
    return racebook::EnvironmentError("cannot write the baseline " + args_.write_baseline + ": " +
                                      std::strerror(errno));
  }

  const ParseArgs& args_;
  fs::path root_;
  std::optional<std::set<std::string>> known_;
  std::ofstream file_;
  std::set<std::string> signatures_;  // for --write-baseline
  std::vector<std::string> new_ones_;  // for --baseline: what is not in it
};

// The log is read once, in pieces, and each report is printed as soon as it ends: memory stays
// bounded by the largest report, not the log (see racebook::ReportStream). The output is
// parse_output(parse_reports(log)).dump(2) byte for byte, written in blocks; nothing is written
// before the first block fills, so an input that cannot be read prints nothing.
void print_json(const ParseArgs& args, const fs::path& root, Baselines& baselines) {
  std::string out;
  racebook::ParseOutputWriter writer(out, root);
  constexpr std::size_t kBlock = std::size_t{128} << 10;
  auto flush = [&] {
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    out.clear();
  };
  racebook::ReportStream stream([&](racebook::Report&& report) {
    // Logs are bytes: invalid UTF-8 is printed as U+FFFD rather than failing the whole parse.
    writer.add(report);
    baselines.account(report);
    if (out.size() >= kBlock) flush();
  }, racebook::ReportText::Drop);  // the JSON has no "raw": not building it saves a copy
  read_log(args.log, stream);
  writer.finish();
  flush();
}

racebook::CiOutputOptions ci_options(const ParseArgs& args, const fs::path& root) {
  racebook::CiOutputOptions options;
  options.source_root = root;
  options.log_name = args.log;
  return options;
}

// One annotation a report, written as each report ends: memory stays bounded, as for JSON.
void print_github(const ParseArgs& args, const fs::path& root, Baselines& baselines) {
  const racebook::CiOutputOptions options = ci_options(args, root);
  std::vector<racebook::Report> one(1);
  racebook::ReportStream stream([&](racebook::Report&& report) {
    baselines.account(report);
    one[0] = std::move(report);
    racebook::write_github(std::cout, one, options);
  }, racebook::ReportText::Drop);
  read_log(args.log, stream);
}

// SARIF is one JSON document with every report in it: written once the log is read, so it holds
// all of them in memory (about 17 times a 200 MB log's size, measured).
void print_sarif(const ParseArgs& args, const fs::path& root, Baselines& baselines) {
  std::vector<racebook::Report> reports;
  racebook::ReportStream stream([&](racebook::Report&& report) {
    baselines.account(report);
    reports.push_back(std::move(report));
  }, racebook::ReportText::Drop);
  read_log(args.log, stream);
  racebook::write_sarif(std::cout, reports, ci_options(args, root));
}

int cmd_parse(const ParseArgs& args) {
  // The root need not exist here: logs are often read far from the machine that wrote them.
  const fs::path root = args.source_root.empty() ? fs::path() : fs::absolute(args.source_root).lexically_normal();
  Baselines baselines(args, root);
  if (args.format == "json") {
    print_json(args, root, baselines);
  } else if (args.format == "github") {
    print_github(args, root, baselines);
  } else {
    print_sarif(args, root, baselines);
  }
  std::cout.flush();
  return baselines.finish();
}

struct DocsArgs {
  std::string project;
  bool check = false;
};

void add_docs_command(CLI::App& app, DocsArgs& a) {
  auto* cmd = app.add_subcommand(
      "docs", "Fill docs/ from the results of every corpus preset in PROJECT/build, or check that it matches them");
  add_required(*cmd, "PROJECT", a.project,
               "The project directory (its build/<preset>/results are read)", "");
  cmd->add_flag("--check", a.check, "Write nothing; exit 1 if docs/ does not match the results");
}

int cmd_docs(const DocsArgs& a) {
  const fs::path project = absolute_path(a.project);
  const bool check = a.check;
  racebook::DocsOutcome outcome;
  try {
    outcome = racebook::update_docs(
        project, racebook::load_runs(project / "build", racebook::corpus_presets(project)), check);
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

struct StabilityArgs {
  std::string project;
  std::vector<std::string> presets;
};

void add_stability_command(CLI::App& app, StabilityArgs& a) {
  auto* cmd = app.add_subcommand(
      "stability", "Write docs/stability.{md,json} from the --repeat results of the given presets");
  add_required(*cmd, "PROJECT", a.project,
               "The project directory (its build/<preset>/results are read)", "");
  add_required(*cmd, "PRESET", a.presets,
               "The presets that ran every variant with --repeat (e.g. tsan asan)", "");
}

// Why the results of `presets` are not a complete repeat run, if they are not: every test of
// every preset has a result, each one a --repeat result, all with the same number of runs
// (set in `runs_each`).
std::vector<std::string> incomplete_repeat_run(const fs::path& project,
                                               const std::vector<std::string>& presets, int& runs_each) {
  std::vector<std::string> refusals;
  runs_each = -1;
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
  return refusals;
}

// Why this run, of `runs_each` runs, would replace docs/stability.json with a smaller record
// (fewer runs, or fewer (variant, preset) pairs), if it would; "" if not.
std::string smaller_than_record(const fs::path& record, const fs::path& project,
                                const std::vector<std::string>& presets, int runs_each) {
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
    if (runs_each >= old_runs && new_cells >= old_cells) return "";
    return "docs/stability.json records " + std::to_string(old_runs) + " runs of " +
           std::to_string(old_cells) + " (variant, preset) pairs; this run has " +
           std::to_string(runs_each) + " of " + std::to_string(new_cells) +
           ". Run at least as many (./harness/racebook.sh stability " + std::to_string(old_runs) +
           "), or delete the record first";
  } catch (const json::exception& e) {
    return record.string() + " cannot be read (" + e.what() + "); delete it first";
  }
}

int cmd_stability(const StabilityArgs& a) {
  const fs::path project = absolute_path(a.project);
  // Only a complete repeat run may become the record, and never replace a larger one.
  int runs_each = -1;
  std::vector<std::string> refusals = incomplete_repeat_run(project, a.presets, runs_each);
  const fs::path record = project / "docs" / "stability.json";
  if (refusals.empty() && fs::exists(record)) {
    if (std::string why = smaller_than_record(record, project, a.presets, runs_each); !why.empty()) {
      refusals.push_back(why);
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
    inexact = racebook::write_stability(project, racebook::load_runs(project / "build", a.presets));
  } catch (const std::exception& e) {
    std::cerr << "racebook-harness stability: " << e.what() << '\n';
    return kUsage;
  }
  std::cout << "racebook: wrote " << (project / "docs" / "stability.md").string() << " and stability.json\n";
  for (const auto& x : inexact) std::cout << "  not exact: " << x << '\n';
  return inexact.empty() ? kPass : kFail;
}

struct DetectorsArgs {
  std::string project;
  std::vector<std::string> build_dirs;
  std::string output;
  bool check = false;
};

void add_detectors_command(CLI::App& app, DetectorsArgs& a) {
  auto* cmd = app.add_subcommand(
      "detectors", "Write docs/detectors.md, the detector matrix, from the results of each build "
                   "directory (one detector and toolchain each), or check the page against them");
  add_required(*cmd, "PROJECT", a.project, "The project directory (its cases/ and docs/)", "");
  cmd->add_option("BUILD_DIR", a.build_dirs,
                  "The build directories whose results are the columns (build/tsan, ...)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--output", a.output, "Where to write the page (default PROJECT/docs/detectors.md)");
  cmd->add_flag("--check", a.check,
                "Write nothing; exit 1 if the page's cells of these columns differ from this run");
}

int cmd_detectors(const DetectorsArgs& a) {
  const fs::path project = absolute_path(a.project);
  const fs::path page = a.output.empty() ? project / "docs" / "detectors.md" : absolute_path(a.output);
  std::vector<fs::path> dirs;
  for (const auto& d : a.build_dirs) dirs.push_back(absolute_path(d));
  std::string fresh;
  try {
    fresh = racebook::detectors_page(project, dirs);
  } catch (const std::exception& e) {
    std::cerr << "racebook-harness detectors: " << e.what() << '\n';
    return kUsage;
  }
  if (a.check) {
    std::ifstream in(page, std::ios::binary);
    if (!in) {
      std::cerr << "racebook-harness detectors: cannot read " << page.string()
                << "; write it with ./harness/racebook.sh matrix\n";
      return kUsage;
    }
    const std::string committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto differences = racebook::detectors_differences(committed, fresh);
    for (const auto& d : differences) std::cout << "  - " << d << '\n';
    std::cout << (differences.empty()
                      ? "racebook: " + page.string() + " matches this run's columns\n"
                      : "racebook: " + page.string() + " does not match this run; refresh it with "
                        "./harness/racebook.sh matrix\n");
    return differences.empty() ? kPass : kFail;
  }
  std::ofstream out(page, std::ios::binary);
  out << fresh;
  if (!out) {
    std::cerr << "racebook-harness detectors: cannot write " << page.string() << '\n';
    return kEnvironment;
  }
  std::cout << "racebook: wrote " << page.string() << '\n';
  return kPass;
}

struct SummaryArgs {
  std::string build_dir;
  std::string format = "text";
};

void add_summary_command(CLI::App& app, SummaryArgs& args) {
  auto* cmd = app.add_subcommand(
      "summary", "Summarise a preset's verdicts; a test CTest knows that left no result fails");
  add_required(*cmd, "BUILD_DIR", args.build_dir,
               "The build directory (build/<preset>) or its results/", "");
  cmd->add_option("--format", args.format,
                  "text (the default): the verdict matrix; github: the same, and a GitHub "
                  "Actions annotation (::error title=...::...) for each failed or missing test; "
                  "json: the counts and every result; sarif: SARIF 2.1.0, one result for each "
                  "failed or missing test")
      ->check(CLI::IsMember({"text", "github", "json", "sarif"}))
      ->type_name("FORMAT");
}

// What a failed result says in an annotation: "tsan with gcc: expected ..., observed ...".
std::string failure_text(const racebook::PresetVerdicts& v, const json& r) {
  return v.sanitizer + " with " + v.compiler + ": expected " + r["expected_text"].get<std::string>() +
         ", observed " + r["observed"].get<std::string>();
}

std::string test_name(const json& r) {
  return "case." + r["scenario"].get<std::string>() + "." + r["variant"].get<std::string>();
}

constexpr const char* kNoResult =
    "the test did not run in the last ctest run, or died before writing a result";

void print_summary_json(const racebook::PresetVerdicts& v) {
  const json out{{"format", "racebook-summary"},
                 {"version", 1},
                 {"racebook", RACEBOOK_VERSION},
                 {"sanitizer", v.sanitizer},
                 {"compiler", v.compiler},
                 {"variants", v.known.size()},
                 {"raced_as_expected", v.raced},
                 {"clean_as_expected", v.clean},
                 {"failed", v.failed},
                 {"without_result", v.missing},
                 {"results", v.results}};
  std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

void print_summary_sarif(const racebook::PresetVerdicts& v) {
  std::vector<racebook::VerdictProblem> problems;
  for (const auto& r : v.results) {
    if (!r["pass"].get<bool>()) problems.push_back({test_name(r), failure_text(v, r), false});
  }
  for (const auto& test : v.missing) problems.push_back({test, kNoResult, true});
  racebook::write_sarif_verdicts(std::cout, problems);
}

// One annotation per failure, so a pull request shows them on its checks page.
void print_github_annotations(const racebook::PresetVerdicts& v) {
  auto annotate = [](const std::string& title, const std::string& text) {
    std::cout << "::error title=" << racebook::github_escape_property(title)
              << "::" << racebook::github_escape_data(text) << '\n';
  };
  for (const auto& r : v.results) {
    if (!r["pass"].get<bool>()) annotate("racebook: " + test_name(r) + " failed", failure_text(v, r));
  }
  for (const auto& test : v.missing) annotate("racebook: " + test + " has no result", kNoResult);
}

int cmd_summary(const SummaryArgs& args) {
  const fs::path build = racebook::build_dir_of(absolute_path(args.build_dir));
  const racebook::PresetVerdicts v = racebook::read_verdicts(build);
  if (args.format == "json") {
    print_summary_json(v);
  } else if (args.format == "sarif") {
    print_summary_sarif(v);
  } else {
    std::cout << racebook::summary_text(v);
    if (args.format == "github") print_github_annotations(v);
  }
  return v.failed ? kFail : kPass;
}


// ---- The command line ----

// Where to read about the command (or the commands) after a usage error.
std::string help_hint(const std::string& command) {
  return "see: racebook-harness " + (command.empty() ? std::string() : command + " ") + "--help";
}

// Every command's arguments, bound to one CLI11 App.
struct Cli {
  CLI::App app{"racebook-harness " RACEBOOK_VERSION
               ": runs the race-detection corpus's case programs and checks their sanitizer\n"
               "verdicts, parses sanitizer logs into JSON, and summarises a preset's results.",
               "racebook-harness"};
  RunArgs run;
  ParseArgs parse;
  SummaryArgs summary;
  VariantsArgs variants;
  DocsArgs docs;
  StabilityArgs stability;
  DetectorsArgs detectors;
  CLI::App* run_command = nullptr;

  Cli() {
    app.set_version_flag("--version", "racebook-harness " RACEBOOK_VERSION, "Print the version and exit");
    app.require_subcommand(1);
    app.footer(kExitStatuses);
    app.get_formatter()->column_width(36);
    run_command = add_run_command(app, run);
    add_parse_command(app, parse);
    add_summary_command(app, summary);
    add_variants_command(app, variants);
    add_docs_command(app, docs);
    add_stability_command(app, stability);
    add_detectors_command(app, detectors);
    app.add_subcommand(
        "env", "Print the sanitizer options every run gets, as KEY=VALUE lines (for running the "
               "case programs without the harness)");
    // Each command's own --help ends with the exit statuses too.
    for (auto* cmd : app.get_subcommands([](CLI::App*) { return true; })) cmd->footer(kExitStatuses);
  }
};

// Parses the command line into `cli`, setting `command` once it is known. Returns true when
// that was all (`help`, --help, --version: printed on standard output); throws UsageError.
bool parse_command_line(Cli& cli, int argc, char** argv, std::string& command) {
  CLI::App& app = cli.app;
  const std::string first = argc > 1 ? argv[1] : "";
  if (first == "help") {  // as before CLI11: `racebook-harness help`
    std::cout << app.help();
    return true;
  }
  if (!first.empty() && first[0] != '-') {
    if (app.get_subcommands([&](CLI::App* c) { return c->get_name() == first; }).empty()) {
      throw UsageError("unknown command \"" + first + "\"");
    }
    command = first;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version: printed on standard output
    app.exit(e);
    return true;
  } catch (const CLI::ParseError& e) {
    // Without a command CLI11 says "A subcommand is required" before it names what it did
    // not know: say both in racebook's words.
    if (command.empty() && dynamic_cast<const CLI::RequiredError*>(&e)) {
      throw UsageError(first.empty() ? "no command given"
                                     : "unknown option \"" + first + "\"; give a command first");
    }
    // CLI11 lists what it did not expect last to first; racebook in the order given.
    if (dynamic_cast<const CLI::ExtrasError*>(&e) && !app.remaining(true).empty()) {
      throw UsageError("unknown option or extra argument: " + joined(app.remaining(true), " "));
    }
    throw UsageError(e.what());
  }
  return false;
}

int dispatch(int argc, char** argv, std::string& command) {
  Cli cli;
  if (parse_command_line(cli, argc, argv, command)) return kPass;
  if (*cli.run_command) {
    cli.run.repeat_given = cli.run_command->count("--repeat") > 0;
    cli.run.repeat_from_env = cli.run.repeat_given && !on_command_line(argc, argv, "--repeat");
    return cmd_run(cli.run);
  }
  if (command == "parse") return cmd_parse(cli.parse);
  if (command == "summary") return cmd_summary(cli.summary);
  if (command == "docs") return cmd_docs(cli.docs);
  if (command == "stability") return cmd_stability(cli.stability);
  if (command == "detectors") return cmd_detectors(cli.detectors);
  if (command == "variants") return cmd_variants(cli.variants);
  if (command == "env") {
    // The sanitizer options every run gets, as KEY=VALUE lines (for scripts that run the
    // case programs without the harness, such as the benchmark).
    for (const auto& [name, value] : racebook::sanitizer_options(racebook::current_environment()).env) {
      std::cout << name << "=" << value << '\n';
    }
    return kPass;
  }
  throw std::logic_error("the command \"" + command + "\" has no implementation");
}

}  // namespace

// Exit statuses: 0 pass, 1 a verdict failed, 2 usage (a bad argument or input), 3 environment
// (the machine or the build cannot give a verdict), 4 a bug in racebook itself.
int main(int argc, char** argv) {
  std::string command;  // the command being run, once known: usage errors point at its --help
  try {
    return dispatch(argc, argv, command);
  } catch (const UsageError& e) {
    std::cerr << "racebook-harness" << (command.empty() ? "" : " " + command) << ": " << e.what()
              << " (" << help_hint(command) << ")\n";
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
