// The child-process runner: fork + exec of one case program in its own process group, with a
// time limit, capped capture of stdout/stderr (report lines kept from the dropped middle), and
// the cleanup of every process it started. The sanitizer options come from options.cpp.
// POSIX (plus glibc's sigabbrev_np where available), standard library only.
#include "racebook/runner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_map>
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
// How long the cleanup after a run keeps killing descendants before it gives up.
constexpr milliseconds kCleanupLimit{3000};

// ---- Termination signals (install_termination_handling) ----

// The first SIGINT/SIGTERM/SIGHUP received, and the write end of the self-pipe that wakes the
// poll() in run(): the handler sets the flag first and then writes, so a reader that drains the
// pipe and then looks at the flag never misses a signal, and a signal that comes between the
// loop's check of the flag and poll() leaves a byte that makes poll() return at once.
volatile sig_atomic_t g_termination_signal = 0;
int g_wake_read = -1;
int g_wake_write = -1;
constexpr int kTerminationSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void note_termination_signal(int sig) {
  const int saved_errno = errno;
  if (g_termination_signal == 0) g_termination_signal = sig;
  if (g_wake_write >= 0) {
    const char byte = 0;
    [[maybe_unused]] const ssize_t ignored = ::write(g_wake_write, &byte, 1);  // full: fine
  }
  errno = saved_errno;
}

void drain_wake_pipe() {
  char buf[64];
  while (g_wake_read >= 0 && ::read(g_wake_read, buf, sizeof buf) > 0) {
  }
}

// Blocks the termination signals while alive: around fork(), so that the child cannot run our
// handler (which would write to our self-pipe) before it has reset its dispositions.
class BlockTerminationSignals {
 public:
  BlockTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kTerminationSignals) sigaddset(&set, s);
    ::sigprocmask(SIG_BLOCK, &set, &saved_);
  }
  ~BlockTerminationSignals() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }
  BlockTerminationSignals(const BlockTerminationSignals&) = delete;
  BlockTerminationSignals& operator=(const BlockTerminationSignals&) = delete;

 private:
  sigset_t saved_;
};

// Orphaned descendants (the middle process of a double fork exited, or one that called
// setsid() lost its parent) are reparented to the nearest subreaper ancestor instead of init,
// which keeps them findable as our descendants. Not inherited across fork(), so a process
// forked from one that set it must set it again: hence no "done once" flag, it is one syscall.
void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

// ---- Finding and killing every descendant ----

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  char state = '?';
  unsigned long long start_time = 0;  // in clock ticks since boot: with pid, an identity
};

// Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and ')': the fields
// after it are found from the last ')'.
bool read_process(pid_t pid, ProcessInfo& info) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1024];
  ssize_t n;
  do n = ::read(fd, buf, sizeof buf - 1); while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* paren = std::strrchr(buf, ')');
  if (paren == nullptr) return false;
  // Fields 3.. : state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime
  char state = '?';
  int ppid = 0, pgid = 0;
  unsigned long long start = 0;
  if (std::sscanf(paren + 1,
                  " %c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                  &state, &ppid, &pgid, &start) != 4)
    return false;
  info = {pid, static_cast<pid_t>(ppid), static_cast<pid_t>(pgid), state, start};
  return true;
}

bool is_dead(const ProcessInfo& p) { return p.state == 'Z' || p.state == 'X' || p.state == 'x'; }

// SIGKILLs `p` if it is still the process we saw: through a pidfd, checked against the start
// time, so that a pid reused since the scan is never hit. Without pidfds (Linux < 5.3) a plain
// kill() remains, with its tiny window.
void kill_process(const ProcessInfo& p) {
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, p.pid, 0));
  if (fd >= 0) {
    ProcessInfo now;
    if (read_process(p.pid, now) && now.start_time == p.start_time)
      ::syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
    ::close(fd);
    return;
  }
  if (errno == ESRCH) return;  // gone already
#endif
  ::kill(p.pid, SIGKILL);
}

// Every process in /proc. Our own live children are SIGKILLed the moment they are read, not
// after the whole scan: a program that forks and exits in a loop has a new tip (adopted by us,
// the subreaper) every few dozen microseconds, and only a kill right after the read can catch
// it before it forks again.
std::vector<ProcessInfo> all_processes_killing_children_of(pid_t self) {
  std::vector<ProcessInfo> result;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return result;
  while (const dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    ProcessInfo info;
    if (!read_process(static_cast<pid_t>(pid), info)) continue;
    // A child's pid cannot be reused before we reap it, and only we do: kill() is safe here.
    if (info.ppid == self && !is_dead(info)) ::kill(info.pid, SIGKILL);
    result.push_back(info);
  }
  ::closedir(proc);
  return result;
}

// The processes of `all` whose parent chain leads to `self`, in any state.
std::vector<ProcessInfo> descendants_of(pid_t self, const std::vector<ProcessInfo>& all) {
  std::unordered_map<pid_t, pid_t> parent;
  for (const auto& p : all) parent[p.pid] = p.ppid;
  std::unordered_map<pid_t, bool> known;  // memo: pid -> descends from self
  auto descends = [&](pid_t pid) {
    std::vector<pid_t> chain;
    bool answer = false;
    for (pid_t p = pid; chain.size() < 4096; ) {  // bounded: /proc is not a snapshot
      if (auto k = known.find(p); k != known.end()) { answer = k->second; break; }
      chain.push_back(p);
      auto up = parent.find(p);
      if (up == parent.end() || up->second <= 0) break;
      if (up->second == self) { answer = true; break; }
      p = up->second;
    }
    for (pid_t p : chain) known[p] = answer;
    return answer;
  };
  std::vector<ProcessInfo> result;
  for (const auto& p : all) {
    if (p.pid != self && descends(p.pid)) result.push_back(p);
  }
  return result;
}

// SIGKILLs the process groups of `descendants` that hold nothing else: a group kill reaches
// every member atomically, also one forked while we kill, which killing pid by pid can miss.
// Our own group and groups with any other member are left to the pid-by-pid kill.
void kill_descendant_groups(const std::vector<ProcessInfo>& descendants,
                            const std::vector<ProcessInfo>& all) {
  std::unordered_map<pid_t, bool> only_descendants;  // pgid -> no other member seen
  for (const auto& d : descendants) only_descendants[d.pgid] = true;
  std::unordered_map<pid_t, bool> is_descendant;
  for (const auto& d : descendants) is_descendant[d.pid] = true;
  for (const auto& p : all) {
    auto g = only_descendants.find(p.pgid);
    if (g != only_descendants.end() && !is_descendant.count(p.pid)) g->second = false;
  }
  const pid_t own_group = ::getpgrp();
  for (const auto& [pgid, only] : only_descendants) {
    if (only && pgid > 1 && pgid != own_group) ::kill(-pgid, SIGKILL);
  }
}

// Reaps every child that has terminated. False when we have no children at all.
bool reap_terminated_children() {
  for (;;) {
    int status;
    const pid_t r = ::waitpid(-1, &status, WNOHANG);
    if (r > 0) continue;
    if (r < 0 && errno == EINTR) continue;
    return !(r < 0 && errno == ECHILD);
  }
}

void pause_for(milliseconds d) {
  timespec ts{static_cast<time_t>(d.count() / 1000), static_cast<long>(d.count() % 1000) * 1'000'000};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// SIGKILLs and reaps every descendant of this process, over and over until none is left (a
// descendant may fork while we kill) or `limit` has passed. Returns how many were left alive.
//
// Done means "no children at all", not "a scan saw no live descendant": /proc is not a
// snapshot, and readdir misses a process whose pid (after a wrap) is below its position. As a
// subreaper we adopt every orphaned descendant, so a live descendant always means a child,
// and no children (the cheap common case) means no descendants.
std::size_t kill_all_descendants(milliseconds limit) {
  const auto until = Clock::now() + limit;
  const pid_t self = ::getpid();
  milliseconds pause{0};
  for (;;) {
    if (!reap_terminated_children()) return 0;
    const auto all = all_processes_killing_children_of(self);
    std::vector<ProcessInfo> alive;
    for (const auto& d : descendants_of(self, all)) {
      if (!is_dead(d)) alive.push_back(d);
    }
    kill_descendant_groups(alive, all);
    for (const auto& d : alive) kill_process(d);
    if (Clock::now() >= until) {
      if (!reap_terminated_children()) return 0;
      return std::max<std::size_t>(alive.size(), 1);  // children remain: at least one
    }
    // Give the killed a moment to die (SIGKILL is delivered when they next run).
    pause_for(pause);
    pause = std::min(pause + milliseconds{1}, milliseconds{10});
  }
}

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

// The line (or piece of an over-long line) a report excerpt is judged and kept by. Lines
// longer than this are cut into pieces of this size; each piece is judged together with the
// one before it, so that a report marker up to this long is seen even across a cut.
constexpr std::size_t kPiece = 4096;

// Keeps the first cap/2 bytes and the last cap - cap/2 bytes of a stream and, if the request
// has a report_line predicate, excerpts of the dropped middle that may hold a sanitizer report;
// counts the rest. Memory is bounded: cap, twice the tail, the excerpt cap and a few pieces.
class Capture {
 public:
  Capture(std::size_t cap, const RunRequest& request)
      : head_cap_(cap / 2),
        tail_cap_(cap - cap / 2),
        report_line_(request.report_line),
        excerpt_lines_(std::max<std::size_t>(1, request.report_excerpt_lines)),
        excerpt_bytes_(request.report_excerpt_bytes),
        budget_left_(request.report_excerpt_cap) {}

  void add(const char* data, std::size_t n) {
    if (report_line_ != nullptr) scan({data, n});
    total_ += n;
    forget_lost_before(total_ > tail_cap_ ? total_ - tail_cap_ : 0);
    keep_head_and_tail(data, n);
  }

  // The kept output: everything if it fit, else head, the middle's excerpts and tail, each gap
  // marked by a line. The markers are the only text not written by the child; they come on top
  // of the output_cap kept bytes. Sets `dropped` to the bytes not kept and `lost` to the report
  // lines not kept (RunResult::report_lines_not_kept). Call once, at the end of the stream.
  std::string take(std::size_t& dropped, std::size_t& lost) {
    if (report_line_ != nullptr && !line_.empty()) {
      judge_and_keep(line_, /*ends_line=*/false);  // the last line had no '\n'
      line_.clear();
    }
    dropped = 0;
    lost = 0;
    if (total_ <= head_cap_ + tail_cap_) return std::move(head_) + tail_;

    const std::size_t middle_end = total_ - tail_cap_;  // the tail starts here
    std::string result = std::move(head_);
    std::size_t pos = head_cap_;  // stream offset of the next byte to account for
    auto gap_to = [&](std::size_t offset) {
      if (offset <= pos) return;
      result += "\n[racebook: " + std::to_string(offset - pos) + " bytes of output dropped here]\n";
      dropped += offset - pos;
      pos = offset;
    };
    for (const Excerpt& e : excerpts_) {
      // Excerpts may overlap each other (context taken twice) or reach into the tail.
      const std::size_t begin = std::max(e.begin, pos);
      const std::size_t end = std::min(e.begin + e.text.size(), middle_end);
      if (begin >= end) continue;
      gap_to(begin);
      result.append(e.text, begin - e.begin, end - begin);
      pos = end;
    }
    gap_to(middle_end);
    result.append(tail_, tail_.size() - tail_cap_, tail_cap_);

    forget_lost_before(middle_end);
    lost = lost_;
    return result;
  }

 private:
  struct Excerpt {
    std::size_t begin;  // stream offset of text[0]
    std::string text;
  };

  void keep_head_and_tail(const char* data, std::size_t n) {
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

  // Cuts the stream into lines, and over-long lines into pieces of kPiece bytes, without
  // copying what lies whole inside `chunk`; a line that spans chunks waits in line_.
  void scan(std::string_view chunk) {
    while (!chunk.empty()) {
      const std::size_t newline = chunk.find('\n');
      std::size_t len = newline == std::string_view::npos ? chunk.size() : newline + 1;
      bool ends_line = newline != std::string_view::npos;
      if (line_.size() + len > kPiece) {  // too long: a piece now, the rest later
        len = kPiece - line_.size();
        ends_line = false;
      }
      const std::string_view part = chunk.substr(0, len);
      chunk.remove_prefix(len);
      if (!ends_line && line_.size() + len < kPiece) {
        line_.append(part);  // wait for the rest of the line
      } else if (line_.empty()) {
        judge_and_keep(part, ends_line);
      } else {
        line_.append(part);
        judge_and_keep(line_, ends_line);
        line_.clear();
      }
    }
  }

  // `text` is the next line (with its '\n' if ends_line) or piece of a line of the stream.
  void judge_and_keep(std::string_view text, bool ends_line) {
    const std::size_t offset = scanned_;
    scanned_ += text.size();
    std::string_view content = text;
    if (ends_line) content.remove_suffix(1);
    bool starts_report;
    if (previous_piece_.empty()) {
      starts_report = report_line_(content);
    } else {
      window_.assign(previous_piece_).append(content);
      starts_report = report_line_(window_);
    }
    if (starts_report) {
      // Open (or extend) the excerpt: this line and the ones after it.
      const bool was_open = excerpt_open_;
      excerpt_open_ = true;
      excerpt_lines_left_ = excerpt_lines_;
      excerpt_bytes_left_ = excerpt_bytes_;
      // The report may have started in the previous piece of this line: keep that too.
      if (!was_open) keep(previous_piece_, offset - previous_piece_.size(), false);
    }
    if (excerpt_open_) keep(text, offset, ends_line);
    if (ends_line) previous_piece_.clear();
    else previous_piece_.assign(content);
  }

  // Adds text at stream offset `offset` to the open excerpt, within its bounds and the budget.
  void keep(std::string_view text, std::size_t offset, bool ends_line) {
    if (!excerpt_open_) return;
    // What lies in the head is kept anyway: no need to copy it.
    const std::size_t in_head = offset < head_cap_ ? std::min(text.size(), head_cap_ - offset) : 0;
    text.remove_prefix(in_head);
    offset += in_head;
    const std::size_t take =
        std::min({text.size(), excerpt_bytes_left_, budget_left_});
    if (take > 0) {
      if (excerpts_.empty() || excerpts_.back().begin + excerpts_.back().text.size() != offset)
        excerpts_.push_back({offset, {}});
      excerpts_.back().text.append(text.substr(0, take));
      excerpt_bytes_left_ -= take;
      budget_left_ -= take;
    }
    if (take < text.size()) {  // cut short: what follows of the report may be unread
      note_lost(offset + take);
      excerpt_open_ = false;
      return;
    }
    if (ends_line && --excerpt_lines_left_ == 0) excerpt_open_ = false;
  }

  // A report line whose excerpt was cut at stream offset `offset`. It is lost only if that
  // offset is not in the final tail, which is known at the end; until then the recent ones are
  // kept in buckets of 64 KiB (a bucket counts as lost if its first offset is: over-counting,
  // never under-counting, with bounded memory).
  void note_lost(std::size_t offset) {
    if (!lost_recent_.empty() && offset - lost_recent_.back().first < 65536) {
      ++lost_recent_.back().second;
    } else {
      lost_recent_.emplace_back(offset, 1);
    }
  }
  // Counts as lost for good the buckets that begin before `offset` (the tail cannot reach back
  // further than that).
  void forget_lost_before(std::size_t offset) {
    while (!lost_recent_.empty() && lost_recent_.front().first < offset) {
      lost_ += lost_recent_.front().second;
      lost_recent_.pop_front();
    }
  }

  std::size_t head_cap_;
  std::size_t tail_cap_;
  std::size_t total_ = 0;
  std::string head_;
  std::string tail_;

  // Report excerpts.
  ReportLinePredicate report_line_;
  std::size_t excerpt_lines_;
  std::size_t excerpt_bytes_;
  std::size_t budget_left_;
  std::size_t scanned_ = 0;       // stream offset of line_[0]
  std::string line_;              // the start of a line that spans chunks (< kPiece bytes)
  std::string previous_piece_;    // the previous piece of the current over-long line
  std::string window_;            // previous_piece_ + the current piece, for the predicate
  bool excerpt_open_ = false;
  std::size_t excerpt_lines_left_ = 0;
  std::size_t excerpt_bytes_left_ = 0;
  std::vector<Excerpt> excerpts_;
  std::deque<std::pair<std::size_t, std::size_t>> lost_recent_;  // (first offset, count)
  std::size_t lost_ = 0;
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

// Polls the open pipes (and the self-pipe of the termination signals) for at most `wait` and
// reads what is ready.
void pump(Fd& out, Fd& err, Capture& out_cap, Capture& err_cap, milliseconds wait) {
  pollfd fds[3];
  Fd* owners[2];
  Capture* caps[2];
  nfds_t n = 0;
  if (out.open()) { fds[n] = {out.get(), POLLIN, 0}; owners[n] = &out; caps[n] = &out_cap; ++n; }
  if (err.open()) { fds[n] = {err.get(), POLLIN, 0}; owners[n] = &err; caps[n] = &err_cap; ++n; }
  const nfds_t pipes = n;
  if (g_wake_read >= 0) fds[n++] = {g_wake_read, POLLIN, 0};
  const int timeout = static_cast<int>(std::max<milliseconds::rep>(0, wait.count()));
  const int ready = ::poll(n ? fds : nullptr, n, timeout);
  if (ready <= 0) return;  // timeout, or EINTR: the caller loops
  for (nfds_t i = 0; i < pipes; ++i) {
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_some(*owners[i], *caps[i]);
    else if (fds[i].revents & POLLNVAL) owners[i]->reset();
  }
  // The caller looks at termination_requested() next; the flag was set before the byte.
  if (pipes < n && fds[pipes].revents != 0) drain_wake_pipe();
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

// Reaps the terminated children other than `run_child`: orphans we adopted as the subreaper
// while the run goes on. A case program that forks and exits in a loop would otherwise fill
// the pid space with our zombies until the run ends. `run_child` itself is left unreaped.
void reap_adopted_orphans(pid_t run_child) {
  for (int i = 0; i < 4096; ++i) {  // bounded: the run loop calls again soon
    siginfo_t info{};
    info.si_pid = 0;
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) continue;
      return;  // ECHILD
    }
    // waitid names one zombie; the run child, if it is one, hides the others: the run is
    // ending then anyway, and the cleanup reaps them.
    if (info.si_pid == 0 || info.si_pid == run_child) return;
    ::waitpid(info.si_pid, nullptr, WNOHANG);
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

// What the child is given, prepared before fork: after fork only async-signal-safe calls are
// allowed (the harness may be multi-threaded). Stays where it is: argv and envp point into it.
struct ChildArgs {
  explicit ChildArgs(const RunRequest& request) {
    argv_store.reserve(request.args.size() + 1);
    argv_store.push_back(request.program);
    argv_store.insert(argv_store.end(), request.args.begin(), request.args.end());
    for (auto& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);

    auto env_map = current_environment();
    for (const auto& [k, v] : request.env) env_map[k] = v;
    for (const auto& k : request.env_unset) env_map.erase(k);
    env_store.reserve(env_map.size());
    for (const auto& [k, v] : env_map) env_store.push_back(k + "=" + v);
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  ChildArgs(const ChildArgs&) = delete;
  ChildArgs& operator=(const ChildArgs&) = delete;

  std::vector<std::string> argv_store, env_store;
  std::vector<char*> argv, envp;
};

// The child's standard streams: stdout and stderr pipes, /dev/null for stdin, and the exec pipe,
// closed by a successful exec (CLOEXEC) or carrying errno back if exec failed.
struct ChildPipes {
  Fd out_r, out_w, err_r, err_w, exec_r, exec_w, dev_null;

  // "" when all are open, else why not.
  std::string open(const std::string& program) {
    if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || !make_pipe(exec_r, exec_w))
      return "racebook: cannot create pipes to run " + program + ": " + errno_text(errno);
    dev_null = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!dev_null.open())
      return "racebook: cannot open /dev/null to run " + program + ": " + errno_text(errno);
    return {};
  }
  // In the parent after fork: the child's ends are the child's alone.
  void close_child_ends() {
    out_w.reset();
    err_w.reset();
    exec_w.reset();
    dev_null.reset();
  }
};

// The child after fork: its own process group, death with the harness, default signal
// handling, the pipes as its streams, then exec. Async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildArgs& args, const ChildPipes& pipes, pid_t parent,
                             bool disable_aslr) {
  ::setpgid(0, 0);
  // Die with the harness, even if it is SIGKILLed (as CTest does on its time-out). If the
  // harness died before this call, we were already reparented: give up now.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (::getppid() != parent) ::_exit(127);
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
  if (move_to(pipes.dev_null.get(), STDIN_FILENO) && move_to(pipes.out_w.get(), STDOUT_FILENO) &&
      move_to(pipes.err_w.get(), STDERR_FILENO)) {
    ::execve(args.argv[0], args.argv.data(), args.envp.data());
  }
  const int e = errno;
  write_all(pipes.exec_w.get(), &e, sizeof e);
  ::_exit(127);
}

// The errno exec failed with, read from the exec pipe (which it closes); none if exec worked.
std::optional<int> exec_error(Fd& exec_r) {
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
  if (got == sizeof exec_errno) return exec_errno;
  return std::nullopt;
}

// The child's stdout and stderr as the parent reads them: the pipes and what is kept of each.
struct ChildOutput {
  ChildOutput(const RunRequest& request, ChildPipes& pipes)
      : out(std::move(pipes.out_r)), err(std::move(pipes.err_r)),
        out_cap(request.output_cap, request), err_cap(request.output_cap, request) {
    for (Fd* fd : {&out, &err}) ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
  }
  bool open() const { return out.open() || err.open(); }
  void read_for(milliseconds wait) { pump(out, err, out_cap, err_cap, wait); }

  Fd out, err;
  Capture out_cap, err_cap;
};

// How watching the child ended, besides its exit: the time limit, or a termination signal.
struct WatchEnd {
  bool timed_out = false;
  int interrupted_by = 0;
};

// Reads the child's output until it has exited and closed its pipes (or, if something else holds
// them, kStragglerGrace after its exit), the deadline passes, or the harness is told to stop.
WatchEnd watch_child(pid_t pid, ChildOutput& output, Clock::time_point deadline) {
  WatchEnd end;
  bool exited = false;
  Clock::time_point exited_at{};
  milliseconds idle_wait{1};
  for (;;) {
    // Checked before every poll(): a signal after this check still wakes poll() (self-pipe).
    if ((end.interrupted_by = termination_requested()) != 0) return end;
    reap_adopted_orphans(pid);
    const auto now = Clock::now();
    if (!exited && child_terminated(pid)) {
      exited = true;
      exited_at = now;
    }
    if (exited && !output.open()) return end;
    if (exited && now - exited_at >= kStragglerGrace) return end;  // a straggler holds the pipes
    if (now >= deadline) {
      end.timed_out = true;
      return end;
    }
    auto wait = std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds{1};
    if (exited) {
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(
                                exited_at + kStragglerGrace - now) + milliseconds{1});
    } else if (output.open()) {
      wait = std::min(wait, milliseconds{50});  // wake up now and then to look at the child
    } else {
      wait = std::min(wait, idle_wait);  // output closed, child still running: back off
      idle_wait = std::min(idle_wait * 2, milliseconds{50});
    }
    output.read_for(wait);
  }
}

// Collects what the killed processes wrote last; gives up on pipes held by anyone else (only a
// process outside our tree can still hold them). When interrupted, only what is there now.
void drain(ChildOutput& output, bool interrupted) {
  const auto drain_until = Clock::now() + (interrupted ? milliseconds{0} : kDrainGrace);
  for (bool first = true; output.open(); first = false) {
    const auto now = Clock::now();
    if (!first && (now >= drain_until || termination_requested() != 0)) break;
    output.read_for(drain_until > now
                        ? std::chrono::duration_cast<milliseconds>(drain_until - now) + milliseconds{1}
                        : milliseconds{0});
  }
}

// Starts the program in its own process group with `pipes` as its streams: its pid, or -1
// and why it could not be started (also when exec failed: the pipe says).
pid_t start_child(const RunRequest& request, ChildPipes& pipes, std::string& why_not) {
  const ChildArgs args(request);
  if (why_not = pipes.open(request.program); !why_not.empty()) return -1;
  const pid_t parent = ::getpid();
  std::optional<BlockTerminationSignals> blocked(std::in_place);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    blocked.reset();
    why_not = "racebook: cannot fork to run " + request.program + ": " + errno_text(e) +
              " (too many processes?)";
    return -1;
  }
  if (pid == 0) exec_child(args, pipes, parent, request.disable_address_randomization);
  // The parent. Also set the group from here so it exists whichever process runs first;
  // EACCES (the child already exec'd) and ESRCH are harmless.
  ::setpgid(pid, pid);
  blocked.reset();  // a signal that came meanwhile is handled now, and seen by watch_child()
  pipes.close_child_ends();
  if (const auto e = exec_error(pipes.exec_r)) {
    kill_group(pid);
    reap(pid);
    kill_all_descendants(kCleanupLimit);
    why_not = "racebook: " + request.program + " could not be executed: " + errno_text(*e);
    return -1;
  }
  return pid;
}

// Ends a run: kills the whole group in every case, so that no straggler survives the run (the
// child is still unreaped here, a zombie at worst, so its pid/pgid cannot have been reused),
// then everything else it left: processes that changed group or session, double-fork orphans.
// Then keeps what they wrote last. Returns the child's wait status (-1 if waitpid failed).
int end_run(pid_t pid, ChildOutput& output, const WatchEnd& end, Clock::time_point start,
            RunResult& result) {
  kill_group(pid);
  const int status = reap(pid);
  result.processes_left = kill_all_descendants(kCleanupLimit);
  result.elapsed = since(start);
  drain(output, end.interrupted_by != 0);
  std::size_t out_lost = 0, err_lost = 0;
  result.out = output.out_cap.take(result.out_dropped, out_lost);
  result.err = output.err_cap.take(result.err_dropped, err_lost);
  result.report_lines_not_kept = out_lost + err_lost;
  return status;
}

// The run's outcome, from how watching ended and the child's wait status.
void set_outcome(RunResult& result, const WatchEnd& end, int status, pid_t pid,
                 const std::string& program) {
  if (end.interrupted_by) {
    result.outcome = RunResult::Outcome::interrupted;
    result.signal = end.interrupted_by;
  } else if (end.timed_out) {
    result.outcome = RunResult::Outcome::timed_out;
  } else if (status >= 0 && WIFEXITED(status)) {
    result.outcome = RunResult::Outcome::exited;
    result.exit_code = WEXITSTATUS(status);
  } else if (status >= 0 && WIFSIGNALED(status)) {
    result.outcome = RunResult::Outcome::signaled;
    result.signal = WTERMSIG(status);
  } else {
    result.outcome = RunResult::Outcome::not_started;
    result.error = "racebook: lost track of " + program + " (pid " + std::to_string(pid) +
                   "): waitpid failed";
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
  if (const int sig = termination_requested()) {
    result.outcome = RunResult::Outcome::interrupted;  // not started: the harness is stopping
    result.signal = sig;
    result.elapsed = since(start);
    return result;
  }
  become_subreaper();
  ChildPipes pipes;
  std::string why_not;
  const pid_t pid = start_child(request, pipes, why_not);
  if (pid < 0) return not_started(why_not);
  ChildOutput output(request, pipes);
  const WatchEnd end = watch_child(pid, output, start + request.timeout);
  const int status = end_run(pid, output, end, start, result);
  set_outcome(result, end, status, pid, request.program);
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
    case Outcome::interrupted:
      return "interrupted: the harness got signal " + std::to_string(signal) + " (" +
             signal_name(signal) + "); the run was stopped and its processes killed";
  }
  return "unknown outcome";
}

void install_termination_handling() {
  // Once per process: a process forked from one that installed it inherits the handlers but
  // must not share the self-pipe (each would wake the other), nor lacks the subreaper bit.
  static pid_t installed_in = 0;
  become_subreaper();
  if (installed_in == ::getpid()) return;
  installed_in = ::getpid();
  if (g_wake_read >= 0) ::close(g_wake_read);
  if (g_wake_write >= 0) ::close(g_wake_write);
  g_wake_read = g_wake_write = -1;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    g_wake_read = fds[0];
    g_wake_write = fds[1];
  }
  struct sigaction action {};
  action.sa_handler = note_termination_signal;
  // SA_RESTART: other blocking calls of the harness just go on; poll() in run() is never
  // restarted, and the self-pipe wakes it anyway.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (int s : kTerminationSignals) sigaddset(&action.sa_mask, s);
  for (int s : kTerminationSignals) {
    // A signal ignored at startup (nohup) stays ignored, as shells do it.
    struct sigaction old {};
    if (::sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(s, &action, nullptr);
  }
}

int termination_requested() { return g_termination_signal; }

[[noreturn]] void die_of(int signal) {
  kill_all_descendants(kCleanupLimit);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(signal, &dfl, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(signal);
  // Still here: the signal does not kill (we are pid 1 of a container, or it is not a fatal one).
  ::_exit(128 + (signal & 0x7f));
}

std::string find_executable(const std::string& name, const std::string& path) {
  auto executable = [](const std::string& file) {
    struct stat st {};
    return ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(file.c_str(), X_OK) == 0;
  };
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  std::size_t start = 0;
  for (;;) {
    const auto colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) {
      char cwd[4096];
      dir = ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".";
    }
    const std::string file = dir + (dir.back() == '/' ? "" : "/") + name;
    if (executable(file)) return file;
    if (colon == std::string::npos) return "";
    start = colon + 1;
  }
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
