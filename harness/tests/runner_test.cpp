// Unit tests of the child-process runner. The children are /bin/sh scripts; time limits in the
// assertions are generous on purpose (the tests must not be flaky on a loaded 2-core machine).
#include "racebook/report.hpp"
#include "racebook/runner.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
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
#include <vector>

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

TEST_CASE("runner.env_unset_removes_variables_from_the_child", "[runner]") {
  ::setenv("RACEBOOK_TEST_UNSET", "from-the-harness", 1);
  RunRequest req = shell("echo \"[${RACEBOOK_TEST_UNSET-unset}][${RACEBOOK_TEST_KEPT-unset}]\"");
  req.env["RACEBOOK_TEST_KEPT"] = "kept";
  req.env_unset = {"RACEBOOK_TEST_UNSET"};
  const RunResult r = racebook::run(req);
  ::unsetenv("RACEBOOK_TEST_UNSET");
  CHECK(r.out == "[unset][kept]\n");
}

TEST_CASE("runner.find_executable_looks_on_path_like_execvp", "[runner]") {
  CHECK(racebook::find_executable("sh", "/nonexistent:/bin:/usr/bin") == "/bin/sh");
  CHECK(racebook::find_executable("sh", "/nonexistent").empty());
  CHECK(racebook::find_executable("sh", "").empty());
  CHECK(racebook::find_executable("/bin/sh", "") == "/bin/sh");
  CHECK(racebook::find_executable("/nonexistent/sh", "/bin").empty());
  CHECK(racebook::find_executable("passwd", "/etc").empty());  // a file, not executable
  CHECK(racebook::find_executable("", "/bin").empty());
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

// ---- No process outlives a run ----

namespace {

// The word after `key` in `text` ("grandchild 1234" -> 1234), or 0.
pid_t pid_after(const std::string& text, const std::string& key) {
  const auto at = text.find(key + " ");
  if (at == std::string::npos) return 0;
  return static_cast<pid_t>(std::atol(text.c_str() + at + key.size() + 1));
}

// Session id of a live process, or 0 if it is gone (or a zombie).
bool alive_in_session(pid_t pid, pid_t& session) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto paren = line.rfind(')');
  if (paren == std::string::npos) return false;
  std::istringstream fields(line.substr(paren + 2));
  char state = 0;
  long ppid = 0, pgrp = 0, sid = 0;
  fields >> state >> ppid >> pgrp >> sid;
  session = static_cast<pid_t>(sid);
  return state != 'Z' && state != 'X';
}

// Live processes of session `sid` (a session a case program made with setsid).
std::vector<pid_t> live_processes_of_session(pid_t sid) {
  std::vector<pid_t> result;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t session = 0;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (alive_in_session(pid, session) && session == sid) result.push_back(pid);
  }
  return result;
}

// A pipe whose ends close on scope exit.
struct Pipe {
  int r = -1, w = -1;
  Pipe() { REQUIRE(::pipe2(&r, O_CLOEXEC) == 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() { if (r >= 0) ::close(r); r = -1; }
  void close_write() { if (w >= 0) ::close(w); w = -1; }
};

// Reads fd into `got` until `done(got)`, EOF or `limit`. True if done(got) became true.
template <typename Done>
bool read_until(int fd, std::string& got, Done done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done(got)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return done(got);
    got.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

// True once every write end of the pipe is closed, i.e. every process that held it is dead.
bool read_to_eof(int fd, std::string& got, std::chrono::milliseconds limit) {
  bool eof = false;
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!eof) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) eof = true;
    else got.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

// Waits for a process the test forked; SIGKILLs it (and fails) if it takes longer than limit.
bool wait_child(pid_t pid, int& status, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return false;
    }
    std::this_thread::sleep_for(5ms);  // polling with a deadline, not synchronisation
  }
}

// Forks a process that acts as racebook-harness does: `body` runs in it with the write end of
// `report` as its fd 9 (inherited by whatever it starts: scripts write pids and "ready" there),
// with default dispositions of SIGINT/SIGTERM/SIGHUP (whatever the test runner set). It never
// returns into Catch2: it _exits with body's value.
template <typename Body>
pid_t start_harness_like(Pipe& report, Body body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (int s : {SIGINT, SIGTERM, SIGHUP}) ::signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(report.w, 9) != 9) ::_exit(120);
    ::_exit(body());
  }
  report.close_write();  // only the harness-like process and its descendants hold it now
  return pid;
}

// The body of a harness-like process: handles termination, runs `script`, dies of a signal
// that interrupted it; exits 0 if the run ended by itself.
int harness_body(const std::string& script) {
  racebook::install_termination_handling();
  const RunResult r = racebook::run(shell(script, 60'000ms));
  if (r.outcome == Outcome::interrupted) racebook::die_of(r.signal);
  if (const int sig = racebook::termination_requested()) racebook::die_of(sig);
  return r.outcome == Outcome::exited ? 0 : 1;
}

bool has_line(const std::string& text, const std::string& key) {
  return text.find(key + " ") != std::string::npos &&
         text.find('\n', text.find(key + " ")) != std::string::npos;
}

// A case program that sleeps, with a grandchild that made itself its own session and group
// and sleeps too; both report their pids on fd 9.
const std::string kSleeperWithSetsidGrandchild =
    "setsid sh -c 'echo grandchild $$ >&9; exec sleep 60' </dev/null >/dev/null 2>&1 & "
    "echo child $$ >&9; exec sleep 60";

void check_signal_kills_everything(int sig) {
  Pipe report;
  const pid_t harness =
      start_harness_like(report, [] { return harness_body(kSleeperWithSetsidGrandchild); });
  std::string got;
  const bool ready = read_until(
      report.r, got,
      [](const std::string& g) { return has_line(g, "child") && has_line(g, "grandchild"); },
      20'000ms);
  if (!ready) ::kill(harness, SIGKILL);
  REQUIRE(ready);
  const pid_t child = pid_after(got, "child");
  const pid_t grandchild = pid_after(got, "grandchild");
  REQUIRE(child > 0);
  REQUIRE(grandchild > 0);

  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(::kill(harness, sig) == 0);
  int status = 0;
  REQUIRE(wait_child(harness, status, 20'000ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  // It died of that very signal, not of an exit code standing for it.
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == sig);
  // Nothing holds fd 9 any more: every process of the run is dead, and was before the
  // harness died (the pipe is closed at once, not after a while).
  CHECK(read_to_eof(report.r, got, 1'000ms));
  CHECK(process_gone(child));
  CHECK(process_gone(grandchild));
}

}  // namespace

TEST_CASE("runner.sigterm_to_the_harness_kills_the_run_and_the_harness", "[runner]") {
  check_signal_kills_everything(SIGTERM);
}

TEST_CASE("runner.sigint_to_the_harness_kills_the_run_and_the_harness", "[runner]") {
  check_signal_kills_everything(SIGINT);
}

TEST_CASE("runner.sighup_to_the_harness_kills_the_run_and_the_harness", "[runner]") {
  check_signal_kills_everything(SIGHUP);
}

TEST_CASE("runner.signal_between_runs_stops_the_next_run", "[runner]") {
  // The signal comes while the harness is not in run(): the next run() must not start its
  // program, and says why.
  Pipe report;
  const pid_t harness = start_harness_like(report, [] {
    racebook::install_termination_handling();
    ::kill(::getpid(), SIGHUP);  // handled at once: it is not blocked
    if (racebook::termination_requested() != SIGHUP) return 10;
    const RunResult r = racebook::run(shell("echo started >&9"));
    if (r.outcome != Outcome::interrupted || r.signal != SIGHUP) return 11;
    if (r.describe().find("SIGHUP") == std::string::npos) return 12;
    racebook::die_of(r.signal);
  });
  int status = 0;
  REQUIRE(wait_child(harness, status, 20'000ms));
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGHUP);
  if (WIFEXITED(status)) CHECK(WEXITSTATUS(status) == 0);  // shows which check failed
  std::string got;
  CHECK(read_to_eof(report.r, got, 5'000ms));
  CHECK(got.empty());
}

TEST_CASE("runner.sigkill_to_the_harness_takes_the_child_along", "[runner]") {
  // PR_SET_PDEATHSIG: nothing runs in a SIGKILLed harness, the kernel kills the child.
  Pipe report;
  const pid_t harness = start_harness_like(report, [] {
    return harness_body("echo child $$ >&9; exec sleep 60");
  });
  std::string got;
  const bool ready =
      read_until(report.r, got, [](const std::string& g) { return has_line(g, "child"); },
                 20'000ms);
  if (!ready) ::kill(harness, SIGKILL);
  REQUIRE(ready);
  const pid_t child = pid_after(got, "child");
  REQUIRE(::kill(harness, SIGKILL) == 0);
  int status = 0;
  REQUIRE(wait_child(harness, status, 20'000ms));
  CHECK(read_to_eof(report.r, got, 10'000ms));  // the child held fd 9
  CHECK(gone_within(child, 5s));
}

TEST_CASE("runner.kills_a_grandchild_that_made_its_own_session", "[runner]") {
  // The child exits at once; its grandchild called setsid() (out of the child's process group,
  // so the group kill misses it) and let go of the pipes.
  const RunResult r = racebook::run(shell(
      "setsid sh -c 'echo grandchild $$; exec sleep 60 >/dev/null 2>&1' & exit 0", 60'000ms));
  CHECK(r.outcome == Outcome::exited);
  const pid_t grandchild = pid_after(r.out, "grandchild");
  REQUIRE(grandchild > 0);
  CHECK(process_gone(grandchild));  // already when run() returns
  CHECK(r.processes_left == 0);
  CHECK(r.elapsed < 10s);
}

TEST_CASE("runner.kills_a_double_fork_daemon", "[runner]") {
  // The classic daemon: fork, setsid, fork again, and the middle process exits. The daemon is
  // an orphan in a session whose leader is gone; reparented to us (the subreaper), it is found
  // and killed.
  const RunResult r = racebook::run(shell(
      "setsid sh -c 'sleep 60 </dev/null >/dev/null 2>&1 & echo session $$' & wait; exit 0",
      60'000ms));
  CHECK(r.outcome == Outcome::exited);
  const pid_t session = pid_after(r.out, "session");
  REQUIRE(session > 0);
  CHECK(live_processes_of_session(session).empty());
  CHECK(r.processes_left == 0);
}

TEST_CASE("runner.kills_a_stopped_grandchild_that_ignores_signals", "[runner]") {
  const RunResult r = racebook::run(shell(
      "setsid sh -c 'echo grandchild $$; exec >/dev/null 2>&1; trap \"\" INT TERM HUP; "
      "kill -STOP $$; sleep 60' & exit 0",
      60'000ms));
  CHECK(r.outcome == Outcome::exited);
  const pid_t grandchild = pid_after(r.out, "grandchild");
  REQUIRE(grandchild > 0);
  CHECK(process_gone(grandchild));
}

TEST_CASE("runner.kills_a_setsid_grandchild_on_time_out", "[runner]") {
  const RunResult r = racebook::run(shell(
      "setsid sh -c 'echo grandchild $$; exec sleep 60' & sleep 60", 300ms));
  CHECK(r.outcome == Outcome::timed_out);
  const pid_t grandchild = pid_after(r.out, "grandchild");
  REQUIRE(grandchild > 0);
  CHECK(process_gone(grandchild));
  CHECK(r.elapsed < 10s);
}

TEST_CASE("runner.kills_a_setsid_grandchild_of_a_child_that_sigkills_itself", "[runner]") {
  const RunResult r = racebook::run(shell(
      "setsid sh -c 'echo grandchild $$; exec sleep 60 >/dev/null 2>&1' & kill -KILL $$", 60'000ms));
  CHECK(r.outcome == Outcome::signaled);
  CHECK(r.signal == SIGKILL);
  const pid_t grandchild = pid_after(r.out, "grandchild");
  REQUIRE(grandchild > 0);
  CHECK(process_gone(grandchild));
}

TEST_CASE("runner.kills_a_session_that_keeps_forking", "[runner]") {
  // A grandchild in its own session forks sleepers as fast as it can, also while it is being
  // killed: none of them survives the run.
  const RunResult r = racebook::run(shell(
      "setsid sh -c 'echo session $$; exec >/dev/null 2>&1; while :; do sleep 60 & done' & "
      "sleep 0.2; exit 0",
      60'000ms));
  CHECK(r.outcome == Outcome::exited);
  const pid_t session = pid_after(r.out, "session");
  REQUIRE(session > 0);
  CHECK(live_processes_of_session(session).empty());
  CHECK(r.processes_left == 0);
}

TEST_CASE("runner.kills_a_chain_that_forks_and_exits_in_a_loop", "[runner]") {
  // The hardest kind to catch (see tests/runner/fork_chain.cpp); caught because every orphan
  // of the chain is adopted by us and killed the moment the cleanup reads it.
  RunRequest req = shell(std::string("'") + RACEBOOK_RUNNER_FORK_CHAIN + "' & wait; exit 0");
  const RunResult r = racebook::run(req);
  CHECK(r.outcome == Outcome::exited);
  REQUIRE(pid_after(r.out, "chain") > 0);
  CHECK(r.processes_left == 0);
  // No process of the chain is alive: they all run the helper.
  int alive = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::error_code ec;
    const auto exe = fs::read_symlink(entry.path() / "exe", ec);
    pid_t session = 0;
    const std::string name = entry.path().filename().string();
    if (!ec && exe == fs::path(RACEBOOK_RUNNER_FORK_CHAIN) &&
        alive_in_session(static_cast<pid_t>(std::stol(name)), session))
      ++alive;
  }
  CHECK(alive == 0);
}

// ---- No report is lost in huge output ----

namespace {

// What racebook::may_start_report does for real: a line that may belong to a report.
bool looks_like_report(std::string_view line) {
  return line.find("Sanitizer") != std::string_view::npos ||
         line.find("runtime error") != std::string_view::npos;
}

const std::string kUbsanBlock =
    "/src/x.cpp:3:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be "
    "represented in type 'int'\n"
    "    #0 0x55d4 in main /src/x.cpp:3\n"
    "    #1 0x7f1a6f245249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58\n"
    "    #2 0x55684aff90f0 in _start (/src/x+0x10f0)\n"
    "\n"
    "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior /src/x.cpp:3:5 in \n";

// Writes the block to a file and returns a shell command that prints it.
std::string cat_block(const TempDir& dir, const std::string& name, const std::string& text) {
  const fs::path file = dir.path / name;
  std::ofstream(file, std::ios::binary) << text;
  return "cat '" + file.string() + "'";
}

// A shell command printing `n` lines "program output line" (20 bytes each).
constexpr std::size_t kJunkLine = 20;
std::string lines_of(std::size_t n, const std::string& word = "program output line") {
  return "yes '" + word + "' | head -n " + std::to_string(n);
}
std::string no_newline(std::size_t bytes, char c) {
  return "head -c " + std::to_string(bytes) + " /dev/zero | tr '\\0' " + c;
}

// The gap markers in `text`, in order: (position, bytes dropped).
std::vector<std::pair<std::size_t, std::size_t>> markers(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> result;
  const std::string open = "\n[racebook: ";
  for (auto at = text.find(open); at != std::string::npos; at = text.find(open, at + 1)) {
    result.emplace_back(at, std::stoull(text.substr(at + open.size())));
  }
  return result;
}

std::size_t marker_size(std::size_t n) {
  return ("\n[racebook: " + std::to_string(n) + " bytes of output dropped here]\n").size();
}

// Every byte the child wrote is either kept or counted as dropped.
void check_accounting(const std::string& kept, std::size_t dropped, std::size_t total) {
  std::size_t marker_bytes = 0, marker_dropped = 0;
  for (const auto& [at, n] : markers(kept)) {
    marker_bytes += marker_size(n);
    marker_dropped += n;
  }
  CHECK(marker_dropped == dropped);
  CHECK(kept.size() - marker_bytes + dropped == total);
}

}  // namespace

TEST_CASE("runner.keeps_a_report_from_the_dropped_middle", "[runner]") {
  TempDir dir;
  const std::size_t junk_lines = (5u << 20) / kJunkLine, junk = junk_lines * kJunkLine;
  RunRequest req = shell("{ " + lines_of(junk_lines) + "; " + cat_block(dir, "block", kUbsanBlock) +
                             "; " + lines_of(junk_lines) + "; } >&2; exit 0",
                         120'000ms);
  req.report_line = looks_like_report;
  const RunResult r = racebook::run(req);
  REQUIRE(r.outcome == Outcome::exited);
  CHECK(r.exit_code == 0);
  CHECK(r.err_dropped > 0);
  CHECK(r.report_lines_not_kept == 0);
  check_accounting(r.err, r.err_dropped, 2 * junk + kUbsanBlock.size());

  // head, marker, excerpt (the whole block and some lines after it), marker, tail.
  const auto gaps = markers(r.err);
  REQUIRE(gaps.size() == 2);
  const auto block = r.err.find(kUbsanBlock);
  REQUIRE(block != std::string::npos);
  CHECK(gaps[0].first < block);
  CHECK(gaps[1].first > block + kUbsanBlock.size());
  CHECK(gaps[0].first == req.output_cap / 2);  // the head is whole
  // The excerpt starts at the report's line: nothing of the junk before it.
  CHECK(block == gaps[0].first + marker_size(gaps[0].second));
  CHECK(r.err.size() < req.output_cap + 300'000);

  // And the parser finds it.
  const auto reports = racebook::parse_reports(r.err);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].kind == "signed-integer-overflow");
}

TEST_CASE("runner.keeps_a_report_that_starts_in_the_middle_of_a_huge_line", "[runner]") {
  // 5 MiB without a newline, then the report on the same line, as UBSan prints it after
  // unterminated program output.
  TempDir dir;
  const std::size_t junk = 5u << 20;
  RunRequest req = shell("{ " + no_newline(junk, 'x') + "; " +
                             cat_block(dir, "block", kUbsanBlock) + "; " +
                             lines_of(junk / kJunkLine) + "; } >&2; exit 0",
                         120'000ms);
  req.report_line = looks_like_report;
  const RunResult r = racebook::run(req);
  REQUIRE(r.outcome == Outcome::exited);
  CHECK(r.report_lines_not_kept == 0);
  check_accounting(r.err, r.err_dropped,
                   junk + junk / kJunkLine * kJunkLine + kUbsanBlock.size());
  const auto gaps = markers(r.err);
  REQUIRE(gaps.size() == 2);
  const auto block = r.err.find(kUbsanBlock);
  REQUIRE(block != std::string::npos);
  CHECK(gaps[1].first > block + kUbsanBlock.size());
  // Kept from a bounded distance before the report: a few KiB of the x's, not megabytes.
  const std::size_t excerpt_start = gaps[0].first + marker_size(gaps[0].second);
  REQUIRE(excerpt_start <= block);
  CHECK(block - excerpt_start <= 8192);
  CHECK(r.err.find_first_not_of('x', excerpt_start) == block);
}

TEST_CASE("runner.report_excerpt_ends_after_its_line_bound", "[runner]") {
  TempDir dir;
  RunRequest req = shell("{ " + lines_of(50'000) + "; " + cat_block(dir, "block", kUbsanBlock) +
                             "; " + lines_of(50'000, "after") + "; } >&2; exit 0",
                         120'000ms);
  req.output_cap = 64u << 10;
  req.report_line = looks_like_report;
  req.report_excerpt_lines = 10;
  const RunResult r = racebook::run(req);
  REQUIRE(r.outcome == Outcome::exited);
  CHECK(r.report_lines_not_kept == 0);  // ended by its line bound: the report is assumed whole
  const auto block = r.err.find(kUbsanBlock);
  REQUIRE(block != std::string::npos);
  // The block's last line (SUMMARY) matches too and extends the excerpt: it and 9 more lines
  // of what follows, then the gap.
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += "after\n";
  const std::string after = r.err.substr(block + kUbsanBlock.size());
  CHECK(after.rfind(nine + "\n[racebook: ", 0) == 0);
}

TEST_CASE("runner.report_excerpt_cut_by_its_byte_bound_is_counted", "[runner]") {
  TempDir dir;
  RunRequest req = shell("{ " + lines_of(50'000) + "; " + cat_block(dir, "block", kUbsanBlock) +
                             "; " + lines_of(50'000) + "; } >&2; exit 0",
                         120'000ms);
  req.output_cap = 64u << 10;
  req.report_line = looks_like_report;
  req.report_excerpt_bytes = 100;  // less than the report's first line
  const RunResult r = racebook::run(req);
  REQUIRE(r.outcome == Outcome::exited);
  // The first line is cut; so is the excerpt of SUMMARY (the program's lines after it).
  CHECK(r.report_lines_not_kept == 2);
  CHECK(r.err.find("\n" + kUbsanBlock.substr(0, 100) + "\n[racebook: ") != std::string::npos);
  CHECK(r.err.find(kUbsanBlock) == std::string::npos);
}

TEST_CASE("runner.report_excerpts_beyond_the_total_bound_are_counted", "[runner]") {
  // 3000 reports in the middle; room for a few dozen.
  TempDir dir;
  std::string many;
  for (int i = 0; i < 3000; ++i) many += kUbsanBlock + "program output\nprogram output\n";
  RunRequest req = shell("{ " + lines_of(50'000) + "; " + cat_block(dir, "many", many) +
                             "; " + lines_of(50'000) + "; } >&2; exit 0",
                         120'000ms);
  req.output_cap = 64u << 10;
  req.report_line = looks_like_report;
  req.report_excerpt_cap = 16u << 10;
  const RunResult r = racebook::run(req);
  REQUIRE(r.outcome == Outcome::exited);
  CHECK(r.report_lines_not_kept > 0);
  check_accounting(r.err, r.err_dropped, 2 * 50'000 * kJunkLine + many.size());
  std::size_t marker_bytes = 0;
  for (const auto& [at, n] : markers(r.err)) marker_bytes += marker_size(n);
  CHECK(r.err.size() - marker_bytes <= req.output_cap + req.report_excerpt_cap);
  CHECK(racebook::parse_reports(r.err).size() >= 10);
}

TEST_CASE("runner.report_in_the_kept_tail_is_not_counted_as_lost", "[runner]") {
  TempDir dir;
  RunRequest req = shell("{ " + lines_of(50'000) + "; " + cat_block(dir, "block", kUbsanBlock) +
                             "; echo done; } >&2; exit 0",
                         120'000ms);
  req.output_cap = 64u << 10;
  req.report_line = looks_like_report;
  req.report_excerpt_cap = 0;  // no room for excerpts at all
  const RunResult r = racebook::run(req);
  REQUIRE(r.outcome == Outcome::exited);
  CHECK(r.report_lines_not_kept == 0);
  CHECK(r.err.find(kUbsanBlock + "done\n") != std::string::npos);
  CHECK(markers(r.err).size() == 1);
}

TEST_CASE("runner.without_a_predicate_the_middle_is_dropped_unread", "[runner]") {
  TempDir dir;
  RunRequest req = shell("{ " + lines_of(50'000) + "; " + cat_block(dir, "block", kUbsanBlock) +
                             "; " + lines_of(50'000) + "; } >&2; exit 0",
                         120'000ms);
  req.output_cap = 64u << 10;
  const RunResult r = racebook::run(req);
  CHECK(r.err.find("runtime error") == std::string::npos);
  CHECK(markers(r.err).size() == 1);
  CHECK(r.report_lines_not_kept == 0);
}
