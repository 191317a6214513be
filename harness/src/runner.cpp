// The child-process runner: fork + exec of one case program in its own process group, with a
// time limit, capped capture of stdout/stderr and the sanitizer environment racebook needs.
// POSIX (plus glibc's sigabbrev_np where available), standard library only.
#include "racebook/runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

extern char** environ;

namespace racebook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long we keep reading after the child itself has exited while something else (a
// grandchild) still holds the pipes open; after that the group is killed and we stop reading.
constexpr milliseconds kStragglerGrace{1000};
// How long we keep draining the pipes after we killed the group.
constexpr milliseconds kDrainGrace{1000};

std::string errno_text(int err) { return std::strerror(err); }

// A file descriptor closed on scope exit.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end = Fd(fds[0]);
  write_end = Fd(fds[1]);
  return true;
}

// Keeps the first cap/2 bytes and the last cap - cap/2 bytes of a stream and counts the rest.
class Capture {
 public:
  explicit Capture(std::size_t cap) : head_cap_(cap / 2), tail_cap_(cap - cap / 2) {}

  void add(const char* data, std::size_t n) {
    total_ += n;
    if (head_.size() < head_cap_) {
      const std::size_t take = std::min(n, head_cap_ - head_.size());
      head_.append(data, take);
      data += take;
      n -= take;
    }
    if (n == 0) return;
    if (n >= tail_cap_) {
      tail_.assign(data + (n - tail_cap_), tail_cap_);
      return;
    }
    tail_.append(data, n);
    // Trim lazily (amortised O(1) per byte): the buffer may hold up to 2 * tail_cap_ bytes.
    if (tail_.size() > 2 * tail_cap_ + 65536) tail_.erase(0, tail_.size() - tail_cap_);
  }

  std::size_t dropped() const {
    const std::size_t cap = head_cap_ + tail_cap_;
    return total_ > cap ? total_ - cap : 0;
  }

  // The kept output: everything if it fit, else head + a marker line + tail. The marker is
  // the only text not written by the child; it comes on top of the output_cap kept bytes.
  std::string take() {
    const std::size_t drop = dropped();
    if (drop == 0) return std::move(head_) + tail_;
    std::string result = std::move(head_);
    result += "\n[racebook: " + std::to_string(drop) + " bytes of output dropped here]\n";
    result.append(tail_, tail_.size() - tail_cap_, tail_cap_);
    return result;
  }

 private:
  std::size_t head_cap_;
  std::size_t tail_cap_;
  std::size_t total_ = 0;
  std::string head_;
  std::string tail_;
};

// Reads what is available on fd into cap; closes fd on EOF or error.
void read_some(Fd& fd, Capture& cap) {
  char buf[65536];
  for (int i = 0; i < 16; ++i) {  // bounded, so one busy stream cannot starve the other
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      cap.add(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.reset();  // EOF, or an error we cannot do anything about
    return;
  }
}

// Polls the open pipes for at most `wait` and reads what is ready.
void pump(Fd& out, Fd& err, Capture& out_cap, Capture& err_cap, milliseconds wait) {
  pollfd fds[2];
  Fd* owners[2];
  Capture* caps[2];
  nfds_t n = 0;
  if (out.open()) { fds[n] = {out.get(), POLLIN, 0}; owners[n] = &out; caps[n] = &out_cap; ++n; }
  if (err.open()) { fds[n] = {err.get(), POLLIN, 0}; owners[n] = &err; caps[n] = &err_cap; ++n; }
  const int timeout = static_cast<int>(std::max<milliseconds::rep>(0, wait.count()));
  const int ready = ::poll(n ? fds : nullptr, n, timeout);
  if (ready <= 0) return;  // timeout, or EINTR: the caller loops
  for (nfds_t i = 0; i < n; ++i) {
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_some(*owners[i], *caps[i]);
    else if (fds[i].revents & POLLNVAL) owners[i]->reset();
  }
}

// True once the child has terminated; leaves it a zombie (WNOWAIT) so that its pid, which is
// also the process-group id, cannot be reused before we have killed the group.
bool child_terminated(pid_t pid) {
  siginfo_t info{};
  for (;;) {
    info.si_pid = 0;
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0)
      return info.si_pid == pid;
    if (errno != EINTR) return true;  // ECHILD: nothing left to wait for
  }
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);  // the group (the child made itself its leader)
  ::kill(pid, SIGKILL);   // and the child, in case it left the group
}

milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
#endif
  if (const char* text = ::strsignal(sig)) return text;
  return "unknown signal";
}

// Why `path` cannot be run, or "" if it looks runnable.
std::string check_program(const std::string& path) {
  const std::string who = "racebook: " + path;
  if (path.empty()) return "racebook: no program given to run";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      return who + " does not exist \u2014 build the preset first: cmake --build --preset tsan";
    return who + " cannot be accessed: " + errno_text(e) + " (check the path and permissions)";
  }
  if (S_ISDIR(st.st_mode)) return who + " is a directory, not a program (wrong path?)";
  if (!S_ISREG(st.st_mode)) return who + " is not a regular file (wrong path?)";
  if ((st.st_mode & 0111) == 0 || ::access(path.c_str(), X_OK) != 0)
    return who + " is not executable (chmod +x?)";
  return {};
}

void write_all(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

RunResult run(const RunRequest& request) {
  RunResult result;
  result.timeout = request.timeout;
  const auto start = Clock::now();
  auto not_started = [&](std::string why) {
    result.outcome = RunResult::Outcome::not_started;
    result.error = std::move(why);
    result.elapsed = since(start);
    return result;
  };

  if (std::string why = check_program(request.program); !why.empty()) return not_started(why);

  // Everything the child needs is prepared before fork: after fork only async-signal-safe
  // calls are allowed (the harness may be multi-threaded).
  std::vector<std::string> argv_store;
  argv_store.reserve(request.args.size() + 1);
  argv_store.push_back(request.program);
  argv_store.insert(argv_store.end(), request.args.begin(), request.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto env_map = current_environment();
  for (const auto& [k, v] : request.env) env_map[k] = v;
  std::vector<std::string> env_store;
  env_store.reserve(env_map.size());
  for (const auto& [k, v] : env_map) env_store.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  Fd out_r, out_w, err_r, err_w, exec_r, exec_w;
  if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || !make_pipe(exec_r, exec_w))
    return not_started("racebook: cannot create pipes to run " + request.program + ": " +
                       errno_text(errno));
  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null.open())
    return not_started("racebook: cannot open /dev/null to run " + request.program + ": " +
                       errno_text(errno));

  const bool disable_aslr = request.disable_address_randomization;
  const pid_t pid = ::fork();
  if (pid < 0)
    return not_started("racebook: cannot fork to run " + request.program + ": " +
                       errno_text(errno) + " (too many processes?)");

  if (pid == 0) {
    // The child. Async-signal-safe calls only.
    ::setpgid(0, 0);
    // Undo what the harness may have set up: ignored signals and the signal mask are inherited
    // across exec, and a case program must start with the defaults.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (disable_aslr) {
      const int current = ::personality(0xffffffff);
      if (current != -1) ::personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE);
    }
    auto move_to = [](int from, int to) {
      if (from == to) return ::fcntl(to, F_SETFD, 0) == 0;  // keep it, just drop CLOEXEC
      return ::dup2(from, to) == to;                       // dup2's copy is not CLOEXEC
    };
    if (move_to(dev_null.get(), STDIN_FILENO) && move_to(out_w.get(), STDOUT_FILENO) &&
        move_to(err_w.get(), STDERR_FILENO)) {
      ::execve(argv[0], argv.data(), envp.data());
    }
    const int e = errno;
    write_all(exec_w.get(), &e, sizeof e);
    ::_exit(127);
  }

  // The parent. Also set the group from here so it exists whichever process runs first;
  // EACCES (the child already exec'd) and ESRCH are harmless.
  ::setpgid(pid, pid);
  out_w.reset();
  err_w.reset();
  exec_w.reset();
  dev_null.reset();

  // The exec pipe is closed by a successful exec (CLOEXEC) or carries errno if exec failed.
  int exec_errno = 0;
  std::size_t got = 0;
  for (;;) {
    const ssize_t n = ::read(exec_r.get(), reinterpret_cast<char*>(&exec_errno) + got,
                             sizeof exec_errno - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    if (got == sizeof exec_errno) break;
  }
  exec_r.reset();
  if (got == sizeof exec_errno) {
    kill_group(pid);
    reap(pid);
    return not_started("racebook: " + request.program + " could not be executed: " +
                       errno_text(exec_errno));
  }

  for (Fd* fd : {&out_r, &err_r}) ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);

  Capture out_cap(request.output_cap), err_cap(request.output_cap);
  const auto deadline = start + request.timeout;
  bool exited = false, timed_out = false;
  Clock::time_point exited_at{};
  milliseconds idle_wait{1};

  for (;;) {
    const auto now = Clock::now();
    if (!exited && child_terminated(pid)) {
      exited = true;
      exited_at = now;
    }
    const bool pipes_open = out_r.open() || err_r.open();
    if (exited && !pipes_open) break;
    if (exited && now - exited_at >= kStragglerGrace) break;  // a straggler holds the pipes
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    auto wait = std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds{1};
    if (exited) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(
                                exited_at + kStragglerGrace - now) + milliseconds{1});
    } else if (pipes_open) {
      wait = std::min(wait, milliseconds{50});  // wake up now and then to look at the child
    } else {
      wait = std::min(wait, idle_wait);  // output closed, child still running: back off
      idle_wait = std::min(idle_wait * 2, milliseconds{50});
    }
    pump(out_r, err_r, out_cap, err_cap, wait);
  }

  // Kill the whole group in every case, so that no straggler survives the run. The child is
  // still unreaped here (a zombie at worst), so its pid/pgid cannot have been reused.
  kill_group(pid);
  const int status = reap(pid);
  result.elapsed = since(start);

  // Collect what the killed group wrote last; give up on pipes held by anyone outside it.
  const auto drain_until = Clock::now() + kDrainGrace;
  while (out_r.open() || err_r.open()) {
    const auto now = Clock::now();
    if (now >= drain_until) break;
    pump(out_r, err_r, out_cap, err_cap,
         std::chrono::duration_cast<milliseconds>(drain_until - now) + milliseconds{1});
  }

  result.out_dropped = out_cap.dropped();
  result.err_dropped = err_cap.dropped();
  result.out = out_cap.take();
  result.err = err_cap.take();

  if (timed_out) {
    result.outcome = RunResult::Outcome::timed_out;
  } else if (status >= 0 && WIFEXITED(status)) {
    result.outcome = RunResult::Outcome::exited;
    result.exit_code = WEXITSTATUS(status);
  } else if (status >= 0 && WIFSIGNALED(status)) {
    result.outcome = RunResult::Outcome::signaled;
    result.signal = WTERMSIG(status);
  } else {
    result.outcome = RunResult::Outcome::not_started;
    result.error = "racebook: lost track of " + request.program + " (pid " +
                   std::to_string(pid) + "): waitpid failed";
  }
  return result;
}

std::string RunResult::describe() const {
  switch (outcome) {
    case Outcome::exited:
      return "exited with status " + std::to_string(exit_code);
    case Outcome::signaled:
      return "killed by signal " + std::to_string(signal) + " (" + signal_name(signal) + ")";
    case Outcome::timed_out: {
      char secs[64];
      std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(timeout.count()) / 1000.0);
      return std::string("timed out after ") + secs + " s; process group killed";
    }
    case Outcome::not_started:
      return "could not start: " + (error.empty() ? std::string("unknown reason") : error);
  }
  return "unknown outcome";
}

// racebook's defaults come first and the user's own value (if any) is appended after a ':'.
// The sanitizer runtimes parse their *_OPTIONS strings left to right and a flag given twice
// takes its last value, so whatever the user set overrides racebook's default for that flag
// while racebook's other defaults still apply.
std::map<std::string, std::string> sanitizer_environment(
    const std::map<std::string, std::string>& current) {
  static const std::pair<const char*, const char*> defaults[] = {
      // history_size=7 (the most) keeps the earlier access of a race in the runtime's trace:
      // clang 14's runtime silently drops a race whose earlier stack it cannot restore (measured
      // on counter_race: 12 of 20 runs reported at the default, 100 of 100 at 7), and gcc 12's
      // prints "[failed to restore the stack]" instead of the marked line.
      {"TSAN_OPTIONS",
       "log_path=stderr:color=never:atexit_sleep_ms=0:halt_on_error=0:exitcode=66:"
       "second_deadlock_stack=1:report_signal_unsafe=1:history_size=7"},
      {"ASAN_OPTIONS",
       "log_path=stderr:color=never:detect_stack_use_after_return=1:halt_on_error=1:"
       "exitcode=66:detect_leaks=1"},
      {"UBSAN_OPTIONS", "log_path=stderr:color=never:print_stacktrace=1:halt_on_error=0"},
      // LSan runs inside ASan here; it reports through the same stream.
      {"LSAN_OPTIONS", "log_path=stderr:color=never"},
  };
  std::map<std::string, std::string> env;
  for (const auto& [name, ours] : defaults) {
    std::string value = ours;
    if (auto it = current.find(name); it != current.end() && !it->second.empty())
      value += ":" + it->second;
    env[name] = std::move(value);
  }
  return env;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  if (environ == nullptr) return env;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* entry = *e;
    const char* eq = std::strchr(entry, '=');
    if (eq == nullptr) continue;
    // The first definition wins, as with getenv().
    env.emplace(std::string(entry, eq), std::string(eq + 1));
  }
  return env;
}

}  // namespace racebook
