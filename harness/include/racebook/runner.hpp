// Runs one case program in a child process: its own process group, a time limit, stdout and
// stderr captured up to a cap, and the sanitizer options racebook needs merged with the user's.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace racebook {

struct RunRequest {
  std::string program;                 // path of the binary to run
  std::vector<std::string> args;       // argv[1..]
  std::chrono::milliseconds timeout{60'000};
  std::size_t output_cap = 8u << 20;   // bytes kept per stream; the rest is counted, not kept
  // Extra environment for the child, on top of the harness's own environment.
  std::map<std::string, std::string> env;
  // Start the child with personality ADDR_NO_RANDOMIZE, as `setarch -R` does: the way to run a
  // sanitizer whose shadow memory layout collides with strong mmap randomisation.
  bool disable_address_randomization = false;
};

struct RunResult {
  enum class Outcome {
    exited,         // the child exited; see exit_code
    signaled,       // the child died by a signal; see signal
    timed_out,      // the time limit expired; the whole process group was killed
    not_started,    // the program could not be started; see error
  };
  Outcome outcome = Outcome::not_started;
  int exit_code = -1;
  int signal = 0;
  std::string error;          // why it did not start: names the program and what to do
  // Captured output, at most output_cap bytes of it per stream: all of it if it fit, else the
  // first cap/2 and the last cap/2 bytes joined by "\n[racebook: N bytes of output dropped here]\n".
  std::string out;            // captured stdout
  std::string err;            // captured stderr
  std::size_t out_dropped = 0;  // bytes beyond the cap that were read and discarded
  std::size_t err_dropped = 0;
  std::chrono::milliseconds elapsed{0};
  std::chrono::milliseconds timeout{0};  // the request's time limit (for describe())

  // One line a person can read: "exited with status 66", "killed by signal 11 (SIGSEGV)",
  // "timed out after 60 s; process group killed", "could not start: ...".
  std::string describe() const;
};

// Runs the request to completion. Never throws for problems of the child; never hangs past
// the timeout (plus a short grace period to collect the killed group).
RunResult run(const RunRequest& request);

// The sanitizer environment racebook runs every case with: its own defaults, then whatever the
// user set in TSAN_OPTIONS / ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS (later options win in
// the runtimes' parsers, so the user's settings override racebook's).
//   TSAN: log_path=stderr color=never atexit_sleep_ms=0 halt_on_error=0 exitcode=66
//         second_deadlock_stack=1 report_signal_unsafe=1 history_size=7
//   ASAN: log_path=stderr color=never detect_stack_use_after_return=1 halt_on_error=1
//         exitcode=66 detect_leaks=1
//   UBSAN: log_path=stderr color=never print_stacktrace=1 halt_on_error=0
// `current` is the environment to read the user's options from (normally the process's own).
std::map<std::string, std::string> sanitizer_environment(
    const std::map<std::string, std::string>& current);

// The process's environment as a map.
std::map<std::string, std::string> current_environment();

}  // namespace racebook
