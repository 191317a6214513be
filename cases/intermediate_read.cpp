// intermediate_read — notebook In [18]: a thread counts to 100000 taking a lock around each block
// of 10 increments; main takes the lock once and reads. `unlocked_read`: main reads without it.
// `lock_per_increment`: a block of 1, so main can read mid-block: no data race, yet the
// multiple-of-10 invariant breaks (counted, never asserted). Teaching: docs/intermediate_read.md.
#include <catch2/catch.hpp>

#include <cstdio>
#include <mutex>
#include <thread>

#include "racebook/oracle.hpp"
#include "racebook/start_line.hpp"

namespace {

class Counter {
 public:
  void increment() {
    ++count_;  // @increment
  }
  int get_count() const {
    return count_;  // @read
  }

 private:
  int count_ = 0;
};

// Counts to 100000 holding `lock` around each `block` increments. Halfway, between blocks, it
// meets main at the StartLine (invisible to TSan), so main reads while the thread counts.
void count_up_100000(Counter& counter, std::mutex& lock, int block, racebook::StartLine& halfway) {
  for (int i = 0; i < 100000; i += block) {
    if (i == 50000) halfway.arrive_and_wait();
    lock.lock();
    for (int j = 0; j < block; ++j) counter.increment();
    lock.unlock();
  }
}

// The notebook's conduct_trial(): the value main reads while the thread counts.
int conduct_trial(Counter& counter, int block, bool main_takes_lock) {
  std::mutex lock;
  racebook::StartLine halfway(2);
  std::thread count_thread(count_up_100000, std::ref(counter), std::ref(lock), block,
                           std::ref(halfway));
  halfway.arrive_and_wait();
  if (main_takes_lock) lock.lock();
  const int intermediate = counter.get_count();
  if (main_takes_lock) lock.unlock();
  count_thread.join();
  return intermediate;
}

}  // namespace

// truth: clean
TEST_CASE("locked_read") {
  Counter counter;
  const int intermediate = conduct_trial(counter, 10, true);
  std::printf("read while counting: %d\n", intermediate);
  CHECK(intermediate % 10 == 0);
  CHECK(counter.get_count() == 100000);
}

// truth: data-race @read @increment
TEST_CASE("unlocked_read") {
  Counter counter;
  const int intermediate = conduct_trial(counter, 10, false);
  std::printf("read while counting: %d\n", intermediate);
  CHECK(counter.get_count() == 100000);
}

// truth: clean
TEST_CASE("lock_per_increment") {
  racebook::count_trials(100, "invariant broken", [] {
    Counter counter;
    const int intermediate = conduct_trial(counter, 1, true);
    CHECK(counter.get_count() == 100000);
    return intermediate % 10 != 0;
  });
}
