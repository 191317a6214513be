// daemon_thread — the notebook's Thread(..., daemon=None) and the daemon threads of In [6].
//
// Python never waits for a daemon thread: it is abandoned, and whatever it still uses must
// outlive it. The C++ daemon is a detached std::thread, and what it uses is the C++ question.
//
// `returned_local`: a function starts a detached thread with a reference to one of its locals
// and returns; only then (main raises a flag after the return) does the thread read the local.
// The frame is gone: AddressSanitizer (detect_stack_use_after_return=1 moves such locals to a
// "fake stack" that is poisoned at the return) reports a stack-use-after-return at the read and
// stops the program there. ThreadSanitizer tracks orders, not lifetimes: the read is ordered
// after the local's initialisation by the thread's creation, so it is clean. TSan would only
// speak if main wrote those stack bytes again while the daemon reads them — which main's later
// calls do, since they reuse the dead frame. Measured: when main raised the flag and waited with
// a std::latch, clang's TSan reported a data race between the read and latch::count_down's
// internals (a waiter object built in the reused bytes), gcc's did not. Main therefore signals
// and waits with plain std::atomic<bool> flags, whose calls write no stack memory TSan tracks
// (only register spills of locals whose address is never taken): clean, every run, with both
// compilers. A plain build reads whatever the dead frame holds now.
//
// `owned_data`: the detached thread owns its data (moved in) and hands its result back through a
// std::promise it fulfils as its last act: clean, main reads the result from the future.
//
// `never_joined`: pthread_create, then neither pthread_join nor pthread_detach. At exit TSan
// reports a thread leak pointing at the pthread_create line, for a thread that has ended but
// was never joined; so main waits, without joining, until the kernel no longer has the thread.
// ASan's LeakSanitizer finds no leaked memory in it (measured), and a plain build says nothing.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
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

// True while the kernel still has the thread `tid` of this process: tgkill with signal 0 only
// checks. Once it fails with ESRCH, the thread has ended for good (and the TSan runtime has seen
// it finish).
bool thread_exists(pid_t tid) {
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

}  // namespace

// expect tsan:   clean
// expect asan:   stack-use-after-return @use_after_return
// expect normal: clean
TEST_CASE("returned_local") {
  std::atomic<bool> returned{false};
  std::atomic<bool> done{false};
  int seen = 0;
  start_daemon_on_local(returned, done, seen);
  returned.store(true);  // start_daemon_on_local has returned: `local` is gone
  while (!done.load()) std::this_thread::yield();

  // No claim about the value: it is whatever the dead frame holds now.
  std::printf("the daemon read %d from a returned frame\n", seen);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
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

// expect tsan:   thread-leak @create
// expect asan:   clean
// expect normal: clean
TEST_CASE("never_joined") {
  std::atomic<pid_t> tid{0};
  pthread_t thread;
  REQUIRE(pthread_create(&thread, nullptr, report_tid_and_end, &tid) == 0);  // @create

  // Neither pthread_join nor pthread_detach: wait for the end by asking the kernel instead.
  while (tid.load() == 0) std::this_thread::yield();
  while (thread_exists(tid.load())) std::this_thread::yield();
}
