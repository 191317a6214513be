// counter_locked — notebook In [22]: the Counter carries its own lock.
//
// increment() takes the Counter's mutex around its read-modify-write, so the two counting
// threads never touch count_ at the same time: no data race, and exactly 200000 every run.
// The variant `unlocked_get` keeps that lock but reads get_count() — which takes no lock, as in
// the notebook — while the other thread still counts: that read races with the locked
// increment, because a lock only orders the accesses of threads that take it.
//
// Three more ways to write increment(), each in its own small class:
// `lock_guard` takes the same mutex through a std::lock_guard, which unlocks on every way out of
// the scope: clean, exactly 200000. `atomic` makes count_ a std::atomic<int> and increments it
// with one fetch_add, an indivisible read-modify-write: clean, exactly 200000, no mutex at all.
// `atomic_split` keeps the atomic but splits the increment into a load and a store, like the
// notebook's `old_count = self.count; self.count = old_count + 1`. Each access is atomic, so
// there is no data race and ThreadSanitizer is silent — yet both threads can load the same
// value and store the same successor, losing an update. A race condition without a data race:
// only counting the trials that end below 200000 shows it.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "racebook/oracle.hpp"
#include "racebook/start_line.hpp"

namespace {

class Counter {
 public:
  void increment() {
    mutex_.lock();
    const int old_count = count_;
    count_ = old_count + 1;  // @increment
    mutex_.unlock();
  }
  int get_count() const {
    return count_;  // @unlocked_read
  }

 private:
  std::mutex mutex_;
  int count_ = 0;
};

// Each counting thread takes its first 100 steps, then waits at the StartLine (see
// start_line.hpp) for the other party: in `mutex` the other counter, in `unlocked_get` main's
// read. TSan cannot see the line as synchronisation, so it changes when the race happens, never
// whether it is one. Why not at the very start: main's read must race with increments that are
// still in the runtime's memory. clang 14's runtime (TSan v3) counts a thread's releases — every
// unlock is one — in a 14-bit epoch; when it runs out after 16384, the runtime resets its clocks
// and forgets the accesses before that. When main was descheduled past that point, it missed the
// race (1 run in 100 in the stability run). At step 100 the thread is far from it.
void count_up_100000(Counter& counter, racebook::StartLine& start) {
  for (int i = 0; i < 100; ++i) counter.increment();
  start.arrive_and_wait();
  for (int i = 100; i < 100000; ++i) counter.increment();
}

// The Counter's lock, taken by a std::lock_guard.
class GuardedCounter {
 public:
  void increment() {
    const std::lock_guard<std::mutex> guard(mutex_);
    const int old_count = count_;
    count_ = old_count + 1;
  }
  int get_count() const { return count_; }

 private:
  std::mutex mutex_;
  int count_ = 0;
};

// No lock: one atomic read-modify-write.
class AtomicCounter {
 public:
  void increment() { count_.fetch_add(1); }
  int get_count() const { return count_.load(); }

 private:
  std::atomic<int> count_ = 0;
};

// No lock: an atomic load, then an atomic store — two steps another thread can come between.
class SplitAtomicCounter {
 public:
  void increment() {
    const int old_count = count_.load();
    count_.store(old_count + 1);
  }
  int get_count() const { return count_.load(); }

 private:
  std::atomic<int> count_ = 0;
};

// count_up_100000 for the counters above.
template <class AnyCounter>
void count_up_100000_any(AnyCounter& counter, racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 100000; ++i) counter.increment();
}

}  // namespace

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("mutex") {
  Counter counter;
  racebook::StartLine start(2);
  std::thread count_thread1(count_up_100000, std::ref(counter), std::ref(start));
  std::thread count_thread2(count_up_100000, std::ref(counter), std::ref(start));
  count_thread1.join();
  count_thread2.join();

  CHECK(counter.get_count() == 200000);
}

// expect tsan:   data-race @unlocked_read @increment
// expect asan:   clean
// expect normal: clean
TEST_CASE("unlocked_get") {
  Counter counter;
  racebook::StartLine start(2);
  std::thread count_thread(count_up_100000, std::ref(counter), std::ref(start));

  // Main reads while the other thread counts: the Counter's lock orders the increments, but
  // get_count() does not take it, so nothing orders this read against them.
  start.arrive_and_wait();
  const int intermediate = counter.get_count();
  count_thread.join();

  std::printf("read while counting: %d\n", intermediate);
  CHECK(counter.get_count() == 100000);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("lock_guard") {
  GuardedCounter counter;
  racebook::StartLine start(2);
  std::thread count_thread1(count_up_100000_any<GuardedCounter>, std::ref(counter),
                            std::ref(start));
  std::thread count_thread2(count_up_100000_any<GuardedCounter>, std::ref(counter),
                            std::ref(start));
  count_thread1.join();
  count_thread2.join();

  CHECK(counter.get_count() == 200000);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("atomic") {
  AtomicCounter counter;
  racebook::StartLine start(2);
  std::thread count_thread1(count_up_100000_any<AtomicCounter>, std::ref(counter),
                            std::ref(start));
  std::thread count_thread2(count_up_100000_any<AtomicCounter>, std::ref(counter),
                            std::ref(start));
  count_thread1.join();
  count_thread2.join();

  CHECK(counter.get_count() == 200000);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("atomic_split") {
  // Each trial is the notebook's conduct_trial(); how many updates get lost depends on the
  // interleaving, so the trials are counted, not asserted.
  constexpr int trials = 40;
  long lost = 0;
  const int short_trials = racebook::count_trials(trials, "updates lost", [&lost] {
    SplitAtomicCounter counter;
    racebook::StartLine start(2);
    std::thread count_thread1(count_up_100000_any<SplitAtomicCounter>, std::ref(counter),
                              std::ref(start));
    std::thread count_thread2(count_up_100000_any<SplitAtomicCounter>, std::ref(counter),
                              std::ref(start));
    count_thread1.join();
    count_thread2.join();

    const int final_count = counter.get_count();
    CHECK(final_count > 0);
    CHECK(final_count <= 200000);
    lost += 200000 - final_count;
    return final_count < 200000;
  });
  std::printf("measured: updates lost in all: %ld of %d\n", lost, trials * 200000);
  CHECK(short_trials >= 0);
  CHECK(short_trials <= trials);
}
