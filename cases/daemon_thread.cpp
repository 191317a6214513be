// daemon_thread — the notebook's daemon=True: a thread nobody waits for. `returned_local`: a
// detached thread reads a local of a function that has returned (ASan: stack-use-after-return;
// TSan sees an ordered read). `owned_data`: the thread owns its data. `never_joined`: a pthread
// neither joined nor detached (TSan: thread leak). Teaching: docs/daemon_thread.md.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <future>
#include <numeric>
#include <thread>
#include <utility>
#include <vector>

namespace {

// Starts a daemon that reads `local` once this function has returned (`returned` says so).
// The flags are atomics, not a std::latch: docs/daemon_thread.md says why.
void start_daemon_on_local(std::atomic<bool>& returned, std::atomic<bool>& done, int& seen) {
  int local = 42;
  std::thread([&local, &returned, &done, &seen] {
    while (!returned.load()) std::this_thread::yield();
    seen = local;  // @use_after_return
    done.store(true);
  }).detach();
}

// The thread of `never_joined`: it tells main its kernel thread id and ends.
void* report_tid_and_end(void* arg) {
  static_cast<std::atomic<pid_t>*>(arg)->store(gettid());
  return nullptr;
}

// True while the kernel still has the thread `tid` of this process (tgkill with signal 0).
bool thread_exists(pid_t tid) {
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

}  // namespace

// truth: stack-use-after-return @use_after_return
// expect helgrind: any-report  -- other kind: it has no use-after-return check; the dead frame's reuse shows as races
// expect drd: any-report  -- other kind: it has no use-after-return check; the dead frame's reuse shows as a race
TEST_CASE("returned_local") {
  std::atomic<bool> returned{false};
  std::atomic<bool> done{false};
  int seen = 0;
  start_daemon_on_local(returned, done, seen);
  returned.store(true);  // start_daemon_on_local has returned: `local` is gone
  while (!done.load()) std::this_thread::yield();
  std::printf("the daemon read %d from a returned frame\n", seen);  // whatever the frame holds
}

// truth: clean
// expect helgrind: any-report  -- false alarm: it cannot see the std::promise hand-off (a futex wait in libstdc++)
// expect drd: any-report  -- false alarm: it cannot see the std::promise hand-off (a futex wait in libstdc++)
TEST_CASE("owned_data") {
  std::vector<int> numbers(100);
  std::iota(numbers.begin(), numbers.end(), 1);
  std::promise<int> result;
  std::future<int> sum = result.get_future();

  std::thread([numbers = std::move(numbers), result = std::move(result)]() mutable {
    int total = 0;
    {
      const std::vector<int> mine = std::move(numbers);  // freed before main is told
      total = std::accumulate(mine.begin(), mine.end(), 0);
    }
    result.set_value(total);  // the daemon's last act
  }).detach();

  CHECK(sum.get() == 5050);
}

// truth: thread-leak @create
TEST_CASE("never_joined") {
  std::atomic<pid_t> tid{0};
  pthread_t thread;
  REQUIRE(pthread_create(&thread, nullptr, report_tid_and_end, &tid) == 0);  // @create

  // Neither pthread_join nor pthread_detach: TSan reports a leak only for a thread that has
  // ended, so main waits until the kernel no longer has it.
  while (tid.load() == 0) std::this_thread::yield();
  while (thread_exists(tid.load())) std::this_thread::yield();
}
