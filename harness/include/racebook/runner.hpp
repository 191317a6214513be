// Runs one case program in a child process: its own process group, a time limit, stdout and
// stderr captured up to a cap (with every line that may start a sanitizer report kept even from
// the dropped middle), the environment the caller gives (the sanitizer options come from
// options.hpp), and no process of the run left alive afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace racebook {

// Whether a line of a case program's output may belong to a sanitizer report (normally
// racebook::may_start_report). It gets whole lines without their '\n' and, for lines longer
// than a few KiB, overlapping windows of a few KiB of them: the report may start in the middle
// of a line (UBSan's "x.cpp:3:5: runtime error: ..." after unterminated program output), so it
// should look for its markers anywhere in the text, not only at the start.
using ReportLinePredicate = bool (*)(std::string_view line);

struct RunRequest {
  std::string program;                 // path of the binary to run
  std::vector<std::string> args;       // argv[1..]
  std::chrono::milliseconds timeout{60'000};
  std::size_t output_cap = 8u << 20;   // bytes kept per stream; the rest is counted, not kept
  // Extra environment for the child, on top of the harness's own environment.
  std::map<std::string, std::string> env;
  // Variables of the harness's environment the child does not get (after `env` is applied).
  std::vector<std::string> env_unset;
  // Start the child with personality ADDR_NO_RANDOMIZE, as `setarch -R` does: the way to run a
  // sanitizer whose shadow memory layout collides with strong mmap randomisation.
  bool disable_address_randomization = false;

  // Report excerpts from the dropped middle of a stream (see RunResult::out). Null: none, only
  // head and tail are kept. Otherwise every line of the middle is given to report_line; a line
  // it accepts is kept with up to report_excerpt_lines lines / report_excerpt_bytes bytes from
  // it on (a later accepted line inside that range extends it), and all excerpts of a stream
  // together keep at most report_excerpt_cap bytes.
  ReportLinePredicate report_line = nullptr;
  std::size_t report_excerpt_lines = 256;
  std::size_t report_excerpt_bytes = 256u << 10;
  std::size_t report_excerpt_cap = 16u << 20;  // per stream
};

struct RunResult {
  enum class Outcome {
    exited,         // the child exited; see exit_code
    signaled,       // the child died by a signal; see signal
    timed_out,      // the time limit expired; the whole process group was killed
    not_started,    // the program could not be started; see error
    interrupted,    // the harness got SIGINT/SIGTERM/SIGHUP (see signal) and stopped the run;
                    // the caller should end with die_of(signal)
  };
  Outcome outcome = Outcome::not_started;
  int exit_code = -1;
  int signal = 0;             // signaled: the child's signal; interrupted: the harness's
  std::string error;          // why it did not start: names the program and what to do
  // Captured output, per stream: all of it if it fit in output_cap bytes, else the first cap/2
  // bytes, the report excerpts of the middle (see RunRequest::report_line) and the last cap/2
  // bytes, in stream order, each gap marked by "\n[racebook: N bytes of output dropped here]\n".
  std::string out;            // captured stdout
  std::string err;            // captured stderr
  std::size_t out_dropped = 0;  // bytes that were read and discarded (the gaps' sum)
  std::size_t err_dropped = 0;
  // Lines (of either stream) that report_line accepted but that could not be kept whole with
  // their excerpt: the excerpt hit report_excerpt_bytes before report_excerpt_lines, or the
  // stream's report_excerpt_cap was used up. Nonzero means a report may be in output nobody
  // read, so a clean verdict must not rest on this run. (A line longer than a few KiB may count
  // more than once.)
  std::size_t report_lines_not_kept = 0;
  // Descendants of the harness still alive when the cleanup after the run gave up (it tries
  // for a few seconds); 0 unless something outran SIGKILL, e.g. a process in a fork loop.
  std::size_t processes_left = 0;
  std::chrono::milliseconds elapsed{0};
  std::chrono::milliseconds timeout{0};  // the request's time limit (for describe())

  // One line a person can read: "exited with status 66", "killed by signal 11 (SIGSEGV)",
  // "timed out after 60 s; process group killed", "could not start: ...".
  std::string describe() const;
};

// Runs the request to completion. Never throws for problems of the child; never hangs past
// the timeout (plus a short grace period to collect the killed group).
//
// Afterwards (exit, crash, time-out or interruption) no process of the run is left: the
// child's process group is killed, then every remaining descendant of the calling process
// (also those that left the group or the session) is SIGKILLed and reaped, for a few seconds at
// most. So the caller must have no other children of its own while it uses run(). The child is
// also started with PR_SET_PDEATHSIG = SIGKILL (it dies if the thread that called run() dies;
// call run() from the main thread), and run() makes the calling process a child subreaper
// (PR_SET_CHILD_SUBREAPER), so that descendants that detach by a double fork are reparented
// to it, where the cleanup finds them.
//
// With install_termination_handling(), SIGINT/SIGTERM/SIGHUP end the run at once (outcome
// interrupted, the processes killed as above); a request made while one is pending is not
// started but returns interrupted at once.
RunResult run(const RunRequest& request);

// Call once at the start of the harness, before any run(): makes the process a child subreaper
// and installs handlers for SIGINT, SIGTERM and SIGHUP that only note the signal, so that
// run() can stop its child and clean up. After that the caller must honour the signal itself:
// when run() returns interrupted, and between runs, check termination_requested() and end with
// die_of() (it prints nothing; flush or print what you need first).
void install_termination_handling();

// The first SIGINT/SIGTERM/SIGHUP received since install_termination_handling(), or 0.
int termination_requested();

// Kills and reaps every remaining descendant (as run() does after a run), restores the default
// disposition of `signal`, and raises it, so that the harness's own caller (a shell, CTest)
// sees it die of that signal. Falls back to _exit(128 + signal) should the signal not kill.
[[noreturn]] void die_of(int signal);

// The absolute path of the executable `name` on `path` (a PATH value: directories separated by
// ':', an empty one meaning the working directory), as execvp would find it; "" when there is
// none. A name with a '/' is returned as it is, if it is an executable file.
std::string find_executable(const std::string& name, const std::string& path);

// The process's environment as a map.
std::map<std::string, std::string> current_environment();

}  // namespace racebook
