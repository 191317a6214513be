// racebook::StartLine — lines threads up so that they race from the same moment, without
// ThreadSanitizer seeing any synchronisation between them.
//
// Why: a data race is reported when two accesses are unordered, whatever the timing, but the
// report can only show the earlier access's stack while the runtime's per-thread history still
// holds it. If one counting thread finishes before the other starts, gcc's runtime prints
// "[failed to restore the stack]" for it and the marked line cannot be checked. Starting the
// racers together keeps both accesses recent, so every run reports both lines.
//
// Under TSan this uses the runtime's own invisible barrier (__tsan_testonly_barrier_*, what
// compiler-rt's TSan tests use): it waits like a barrier but creates no happens-before edge,
// so it cannot hide the race it sets up.
//
// Under Helgrind and DRD (the presets helgrind and drd compile with -DRACEBOOK_VALGRIND) it is a
// spin on one relaxed std::atomic<unsigned>, only ever fetch_add'ed and loaded. Neither tool
// models atomics or sched_yield as synchronisation, so the line creates no happens-before edge;
// both treat an atomic read-modify-write as a read, so the word raises no report of its own. Its
// bytes are marked untracked as well (VALGRIND_HG_DISABLE_CHECKING, Helgrind's client request,
// which DRD handles as DRD_START_SUPPRESSION), so that stays true whatever instructions the
// compiler picks; marking memory untracked touches no vector clock, so it hides no other race.
// std::barrier cannot be used there: libstdc++'s plain `_M_expected` member and its waiter pool
// are reported as races by both tools in every run (measured: /work/research/valgrind.md §4).
// The probe harness/tests/data/programs/start_line_probe.cpp (write before the line, read after
// it) checks that the race across the line is still reported under both tools.
//
// Elsewhere (normal and ASan builds) a std::barrier does the job; those builds do not track
// happens-before at all.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define RACEBOOK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACEBOOK_TSAN 1
#endif
#endif

#ifdef RACEBOOK_TSAN
extern "C" {
void __tsan_testonly_barrier_init(unsigned long long* barrier, unsigned count);
void __tsan_testonly_barrier_wait(unsigned long long* barrier);
}
#elif defined(RACEBOOK_VALGRIND)
#if !__has_include(<valgrind/helgrind.h>)
#error "RACEBOOK_VALGRIND needs <valgrind/helgrind.h>: install Valgrind's headers (Debian: apt-get install valgrind)"
#endif
#include <valgrind/helgrind.h>

#include <atomic>
#include <thread>
#else
#include <barrier>
#endif

namespace racebook {

class StartLine {
 public:
  // `count` threads must arrive before any of them goes on.
  explicit StartLine(unsigned count)
#ifdef RACEBOOK_TSAN
  {
    __tsan_testonly_barrier_init(&barrier_, count);
  }
#elif defined(RACEBOOK_VALGRIND)
      : count_(count) {
    VALGRIND_HG_DISABLE_CHECKING(&arrived_, sizeof arrived_);
  }
  // The bytes may be a stack slot that later code reuses: have them checked again.
  ~StartLine() { VALGRIND_HG_ENABLE_CHECKING(&arrived_, sizeof arrived_); }
#else
      : barrier_(static_cast<std::ptrdiff_t>(count)) {
  }
#endif

  StartLine(const StartLine&) = delete;
  StartLine& operator=(const StartLine&) = delete;

  void arrive_and_wait() {
#ifdef RACEBOOK_TSAN
    __tsan_testonly_barrier_wait(&barrier_);
#elif defined(RACEBOOK_VALGRIND)
    // Reusable like std::barrier: arrivals are counted for ever, never reset; a thread whose
    // ticket falls in phase g waits until all count_ arrivals of phase g are in. The yield
    // matters: Valgrind runs one thread at a time, and a pure spin would use up its time slice.
    const unsigned ticket = arrived_.fetch_add(1, std::memory_order_relaxed);
    const unsigned phase_end = (ticket / count_ + 1) * count_;
    while (arrived_.load(std::memory_order_relaxed) < phase_end) std::this_thread::yield();
#else
    barrier_.arrive_and_wait();
#endif
  }

 private:
#ifdef RACEBOOK_TSAN
  unsigned long long barrier_ = 0;
#elif defined(RACEBOOK_VALGRIND)
  const unsigned count_;  // written before the threads start (pthread_create orders it)
  std::atomic<unsigned> arrived_{0};
#else
  std::barrier<> barrier_;
#endif
};

}  // namespace racebook
