// Unit tests of the child-process runner. The children are /bin/sh scripts; time limits in the
// assertions are generous on purpose (the tests must not be flaky on a loaded 2-core machine).
#include "racebook/report.hpp"
#include "racebook/runner.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using racebook::RunRequest;
using racebook::RunResult;
using Outcome = racebook::RunResult::Outcome;

namespace {

RunRequest shell(const std::string& script, std::chrono::milliseconds timeout = 30'000ms) {
  RunRequest r;
  r.program = "/bin/sh";
  r.args = {"-c", script};
  r.timeout = timeout;
  return r;
}

// A fresh directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "racebook-runner-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Gone = no such process, or only a zombie left (the container's init may be slow to reap,
// or not reap at all); a zombie is dead and holds no pipes.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) == -1 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  const char state = line[paren + 2];
  return state == 'Z' || state == 'X';
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

pid_t read_pid(const fs::path& p) {
  const std::string text = read_text(p);
  REQUIRE(!text.empty());
  return static_cast<pid_t>(std::stol(text));
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

TEST_CASE("runner.reports_exit_status_and_captures_both_streams", "[runner]") {
  const RunResult r = racebook::run(shell("echo to-out; echo to-err >&2; exit 66"));
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.exit_code == 66);
  CHECK(r.out == "to-out\n");
  CHECK(r.err == "to-err\n");
  CHECK(r.out_dropped == 0);
  CHECK(r.err_dropped == 0);
  CHECK(r.describe() == "exited with status 66");
}

TEST_CASE("runner.reports_exit_status_zero", "[runner]") {
  const RunResult r = racebook::run(shell("true"));
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.empty());
  CHECK(r.describe() == "exited with status 0");
}

TEST_CASE("runner.passes_arguments_verbatim", "[runner]") {
  RunRequest req = shell("printf '[%s]' \"$@\"");
  req.args.push_back("argv0");
  req.args.push_back("a b");
  req.args.push_back("");
  req.args.push_back("*");
  const RunResult r = racebook::run(req);
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.out == "[a b][][*]");
}

TEST_CASE("runner.stdin_is_dev_null", "[runner]") {
  const RunResult r = racebook::run(shell("cat; echo done", 20'000ms));
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.out == "done\n");
}

TEST_CASE("runner.kills_hanging_child_on_time", "[runner]") {
  TempDir dir;
  const fs::path pid_file = dir.path / "grandchild.pid";
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = racebook::run(
      shell("echo before-the-hang; echo err-before >&2; sleep 30 & echo $! > '" +
                pid_file.string() + "'; wait",
            300ms));
  const auto wall = std::chrono::steady_clock::now() - t0;
  CHECK(r.outcome == Outcome::timed_out);
  CHECK(wall < 10s);
  CHECK(r.elapsed < 10s);
  CHECK(r.elapsed >= 250ms);
  // Output printed before the hang is kept.
  CHECK(r.out == "before-the-hang\n");
  CHECK(r.err == "err-before\n");
  CHECK(r.describe() == "timed out after 0.3 s; process group killed");
  // The grandchild went down with the group.
  REQUIRE(fs::exists(pid_file));
  const pid_t grandchild = read_pid(pid_file);
  CHECK(gone_within(grandchild, 5s));
}

TEST_CASE("runner.kills_child_that_closed_its_output_and_hangs", "[runner]") {
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = racebook::run(shell("echo bye; exec >&- 2>&-; sleep 30", 300ms));
  CHECK(r.outcome == Outcome::timed_out);
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK(r.out == "bye\n");
}

TEST_CASE("runner.grandchild_holding_the_pipes_does_not_hang_us", "[runner]") {
  TempDir dir;
  const fs::path pid_file = dir.path / "grandchild.pid";
  const auto t0 = std::chrono::steady_clock::now();
  // The child exits at once; its background grandchild keeps stdout/stderr open.
  const RunResult r = racebook::run(
      shell("sleep 30 & echo $! > '" + pid_file.string() + "'; echo parent-done; exit 3",
            60'000ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 15s);
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.exit_code == 3);
  CHECK(r.out == "parent-done\n");
  REQUIRE(fs::exists(pid_file));
  CHECK(gone_within(read_pid(pid_file), 5s));
}

TEST_CASE("runner.kills_stragglers_after_normal_exit", "[runner]") {
  TempDir dir;
  const fs::path pid_file = dir.path / "grandchild.pid";
  // The grandchild does not hold the pipes, so the child's exit ends the run at once; the
  // grandchild must still not survive it.
  const RunResult r = racebook::run(shell(
      "sleep 30 >/dev/null 2>&1 & echo $! > '" + pid_file.string() + "'; exit 0", 60'000ms));
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.elapsed < 10s);
  REQUIRE(fs::exists(pid_file));
  CHECK(gone_within(read_pid(pid_file), 5s));
}

TEST_CASE("runner.reports_death_by_signal", "[runner]") {
  const RunResult r = racebook::run(shell("echo about-to-crash; kill -SEGV $$; sleep 5"));
  CHECK(r.outcome == Outcome::signaled);
  CHECK(r.signal == SIGSEGV);
  CHECK(r.signal == 11);
  CHECK(r.out == "about-to-crash\n");
  CHECK(r.describe().find("killed by signal 11") != std::string::npos);
  CHECK(r.describe().find("SIGSEGV") != std::string::npos);
}

TEST_CASE("runner.missing_program_is_not_started", "[runner]") {
  TempDir dir;
  RunRequest req;
  req.program = (dir.path / "no-such-case").string();
  const RunResult r = racebook::run(req);
  CHECK(r.outcome == Outcome::not_started);
  CHECK(r.error.find(req.program) != std::string::npos);
  CHECK(r.error.find("does not exist") != std::string::npos);
  CHECK(r.error.find("cmake --build") != std::string::npos);
  CHECK(starts_with(r.describe(), "could not start: "));
  CHECK(r.describe().find(req.program) != std::string::npos);
}

TEST_CASE("runner.non_executable_file_is_not_started", "[runner]") {
  TempDir dir;
  const fs::path file = dir.path / "not-executable";
  std::ofstream(file) << "#!/bin/sh\necho should-not-run\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  RunRequest req;
  req.program = file.string();
  const RunResult r = racebook::run(req);
  CHECK(r.outcome == Outcome::not_started);
  CHECK(r.error.find(req.program) != std::string::npos);
  CHECK(r.error.find("not executable") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("runner.directory_is_not_started", "[runner]") {
  TempDir dir;
  RunRequest req;
  req.program = dir.path.string();
  const RunResult r = racebook::run(req);
  CHECK(r.outcome == Outcome::not_started);
  CHECK(r.error.find(req.program) != std::string::npos);
  CHECK(r.error.find("is a directory") != std::string::npos);
}

TEST_CASE("runner.exec_failure_reaches_the_parent", "[runner]") {
  // Executable, regular, but not a format the kernel can run: execv fails in the child.
  TempDir dir;
  const fs::path file = dir.path / "garbage";
  {
    std::ofstream out(file, std::ios::binary);
    out.write("\x7f\x01\x02\x03garbage\0\0\0", 14);
  }
  fs::permissions(file, fs::perms::owner_all);
  RunRequest req;
  req.program = file.string();
  const RunResult r = racebook::run(req);
  CHECK(r.outcome == Outcome::not_started);
  CHECK(r.error.find(req.program) != std::string::npos);
  CHECK(r.error.find(std::strerror(ENOEXEC)) != std::string::npos);
}

TEST_CASE("runner.caps_huge_output_keeping_head_and_tail", "[runner]") {
  const std::size_t cap = 1u << 20;
  const std::size_t body = 20'000'000;
  RunRequest req = shell(
      "printf HEAD; head -c " + std::to_string(body) + " /dev/zero; printf TAIL; "
      "printf ehead >&2; head -c " + std::to_string(body) + " /dev/zero >&2; printf etail >&2",
      120'000ms);
  req.output_cap = cap;
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = racebook::run(req);
  CHECK(std::chrono::steady_clock::now() - t0 < 60s);
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.exit_code == 0);

  const std::size_t out_total = body + 8;
  const std::string marker =
      "\n[racebook: " + std::to_string(out_total - cap) + " bytes of output dropped here]\n";
  CHECK(r.out_dropped == out_total - cap);
  CHECK(r.out.size() == cap + marker.size());
  CHECK(starts_with(r.out, "HEAD"));
  CHECK(ends_with(r.out, "TAIL"));
  CHECK(r.out.find(marker) == cap / 2);

  const std::size_t err_total = body + 10;
  CHECK(r.err_dropped == err_total - cap);
  CHECK(starts_with(r.err, "ehead"));
  CHECK(ends_with(r.err, "etail"));
  CHECK(r.err.find("bytes of output dropped here]") != std::string::npos);
}

TEST_CASE("runner.output_exactly_at_cap_is_kept_whole", "[runner]") {
  RunRequest req = shell("printf 0123456789");
  req.output_cap = 10;
  RunResult r = racebook::run(req);
  CHECK(r.out == "0123456789");
  CHECK(r.out_dropped == 0);

  req.output_cap = 8;
  r = racebook::run(req);
  CHECK(r.out == "0123\n[racebook: 2 bytes of output dropped here]\n6789");
  CHECK(r.out_dropped == 2);
}

TEST_CASE("runner.passes_request_env_to_the_child", "[runner]") {
  REQUIRE(::setenv("RACEBOOK_RUNNER_TEST_INHERITED", "from-parent", 1) == 0);
  REQUIRE(::setenv("RACEBOOK_RUNNER_TEST_OVERRIDDEN", "old", 1) == 0);
  RunRequest req = shell(
      "printf '%s|%s|%s' \"$RACEBOOK_RUNNER_TEST_VAR\" \"$RACEBOOK_RUNNER_TEST_INHERITED\" "
      "\"$RACEBOOK_RUNNER_TEST_OVERRIDDEN\"");
  req.env["RACEBOOK_RUNNER_TEST_VAR"] = "hello world";
  req.env["RACEBOOK_RUNNER_TEST_OVERRIDDEN"] = "new";
  const RunResult r = racebook::run(req);
  ::unsetenv("RACEBOOK_RUNNER_TEST_INHERITED");
  ::unsetenv("RACEBOOK_RUNNER_TEST_OVERRIDDEN");
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.out == "hello world|from-parent|new");
}

TEST_CASE("runner.sanitizer_environment_puts_user_options_after_ours", "[runner]") {
  const auto env = racebook::sanitizer_environment(
      {{"TSAN_OPTIONS", "halt_on_error=1:verbosity=1"}, {"ASAN_OPTIONS", ""}, {"PATH", "/bin"}});
  REQUIRE(env.size() == 4);
  REQUIRE(env.count("TSAN_OPTIONS") == 1);
  REQUIRE(env.count("ASAN_OPTIONS") == 1);
  REQUIRE(env.count("UBSAN_OPTIONS") == 1);
  REQUIRE(env.count("LSAN_OPTIONS") == 1);

  const std::string& tsan = env.at("TSAN_OPTIONS");
  CHECK(tsan.find("atexit_sleep_ms=0") != std::string::npos);
  CHECK(tsan.find("color=never") != std::string::npos);
  CHECK(tsan.find("exitcode=66") != std::string::npos);
  CHECK(ends_with(tsan, ":halt_on_error=1:verbosity=1"));
  // Our halt_on_error=0 comes first, so the user's halt_on_error=1 wins.
  CHECK(tsan.find("halt_on_error=0") < tsan.find("halt_on_error=1"));

  const std::string& asan = env.at("ASAN_OPTIONS");
  CHECK(asan.find("detect_stack_use_after_return=1") != std::string::npos);
  CHECK(asan.find("color=never") != std::string::npos);
  CHECK(!ends_with(asan, ":"));  // an empty user value adds nothing
  CHECK(env.at("UBSAN_OPTIONS").find("print_stacktrace=1") != std::string::npos);
  CHECK(env.at("UBSAN_OPTIONS").find("color=never") != std::string::npos);
}

TEST_CASE("runner.current_environment_reads_environ", "[runner]") {
  REQUIRE(::setenv("RACEBOOK_RUNNER_TEST_ENV", "a=b=c", 1) == 0);
  const auto env = racebook::current_environment();
  ::unsetenv("RACEBOOK_RUNNER_TEST_ENV");
  REQUIRE(env.count("RACEBOOK_RUNNER_TEST_ENV") == 1);
  CHECK(env.at("RACEBOOK_RUNNER_TEST_ENV") == "a=b=c");
}

TEST_CASE("runner.report_after_tens_of_megabytes_is_still_parsed", "[runner]") {
  // 30 MB of noise on stderr, then a real captured TSan report: the output is capped, and the
  // report, which comes last as sanitizer reports do, survives in the kept tail.
  const std::string log = std::string(RACEBOOK_TEST_DATA) + "/tsan_data_race.gcc.log";
  racebook::RunRequest req;
  req.program = "/bin/sh";
  req.args = {"-c", "{ head -c 30000000 /dev/zero | tr '\\0' x; echo; cat '" + log + "'; } >&2"};
  req.timeout = std::chrono::seconds(60);
  const auto result = racebook::run(req);
  REQUIRE(result.outcome == racebook::RunResult::Outcome::exited);
  CHECK(result.err_dropped > 20'000'000u);
  CHECK(result.err.size() < req.output_cap + 200);
  const auto reports = racebook::parse_reports(result.err);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].kind == "data-race");
  CHECK(reports[0].accesses.size() == 2);
}
