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
// so it cannot hide the race it sets up. Elsewhere (normal and ASan builds) a std::barrier does
// the same job; those builds do not track happens-before at all.
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
#else
      : barrier_(static_cast<std::ptrdiff_t>(count)) {
  }
#endif

  StartLine(const StartLine&) = delete;
  StartLine& operator=(const StartLine&) = delete;

  void arrive_and_wait() {
#ifdef RACEBOOK_TSAN
    __tsan_testonly_barrier_wait(&barrier_);
#else
    barrier_.arrive_and_wait();
#endif
  }

 private:
#ifdef RACEBOOK_TSAN
  unsigned long long barrier_ = 0;
#else
  std::barrier<> barrier_;
#endif
};

}  // namespace racebook
