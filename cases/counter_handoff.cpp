// counter_handoff — notebook In [12]–[17]: main counts to 100000, a thread counts the same
// Counter up again, main joins it and reads 200000. No lock, yet `join_then_read` is ordered by
// the thread's start and join; the other variants read, or count, while the thread counts.
// Teaching: docs/counter_handoff.md.
#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

class Counter {
 public:
  void increment() {
    ++count_;  // @increment
  }
  int get_count() const { return count_; }  // @read

 private:
  int count_ = 0;
};

void count_up_100000(Counter& counter) {
  for (int i = 0; i < 100000; ++i) counter.increment();
}

// The thread's target: it meets main at the StartLine first, which TSan does not see as
// synchronisation: it decides when a race happens, never whether it is one.
void count_up_100000_from(racebook::StartLine& start, Counter& counter) {
  start.arrive_and_wait();
  count_up_100000(counter);
}

}  // namespace

// truth: clean
TEST_CASE("join_then_read") {
  Counter counter;
  count_up_100000(counter);  // In [11]
  racebook::StartLine start(2);
  std::thread thread(count_up_100000_from, std::ref(start), std::ref(counter));  // In [12]-[13]
  start.arrive_and_wait();
  thread.join();  // In [16]
  CHECK(counter.get_count() == 200000);  // In [17]
}

// truth: data-race @read @increment
TEST_CASE("read_before_join") {
  Counter counter;
  count_up_100000(counter);
  racebook::StartLine start(2);
  std::thread thread(count_up_100000_from, std::ref(start), std::ref(counter));
  start.arrive_and_wait();
  const int while_counting = counter.get_count();  // races with the thread's increments
  thread.join();
  std::printf("read before join: %d\n", while_counting);
  CHECK(counter.get_count() == 200000);
}

// truth: data-race @increment @increment
TEST_CASE("count_while_thread_counts") {
  Counter counter;
  racebook::StartLine start(2);
  std::thread thread(count_up_100000_from, std::ref(start), std::ref(counter));
  start.arrive_and_wait();
  count_up_100000(counter);  // while the thread counts: lost updates, printed, never checked
  thread.join();
  std::printf("final count: %d (200000 without lost updates)\n", counter.get_count());
}
