// counter_locked — notebook In [22]: the Counter carries its own lock.
//
// increment() takes the Counter's mutex around its read-modify-write, so the two counting
// threads never touch count_ at the same time: no data race, and exactly 200000 every run.
// The variant `unlocked_get` keeps that lock but reads get_count() — which takes no lock, as in
// the notebook — while the other thread still counts: that read races with the locked
// increment, because a lock only orders the accesses of threads that take it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <mutex>
#include <thread>

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

// The StartLine makes the counting threads begin together (see start_line.hpp); TSan cannot
// see it as synchronisation, so it changes when the race happens, never whether it is one.
void count_up_100000(Counter& counter, racebook::StartLine& start) {
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
