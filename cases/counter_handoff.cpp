// counter_handoff — notebook In [12]–[17]: after main has counted to 100000 (In [11]), a thread
// counts the same Counter up again, main joins it and reads 200000.
//
// There is no lock, yet `join_then_read` has no data race: main's increments come before
// std::thread's constructor, which happens-before everything the new thread does, and all the
// thread's increments happen-before join() returns, so main's read comes after them. Every access
// to count_ is ordered, and the count is exactly 200000. Move one step out of that order and the
// same code races: `read_before_join` reads get_count() while the thread still counts (the read
// and the increments are ordered by nothing — ThreadSanitizer reports the pair, and the value
// read is anything from 100000 to 200000); `count_while_thread_counts` has main count at the
// same time as the thread, which is counter_race's lost-update race with main as one of the two
// threads.
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

// The thread's target. The StartLine lines it up with main (see start_line.hpp); TSan cannot
// see it as synchronisation, so it changes when a race happens, never whether it is one.
void count_up_100000_from(racebook::StartLine& start, Counter& counter) {
  start.arrive_and_wait();
  count_up_100000(counter);
}

}  // namespace

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("join_then_read") {
  Counter counter;
  count_up_100000(counter);  // In [11]
  racebook::StartLine start(2);
  std::thread thread(count_up_100000_from, std::ref(start), std::ref(counter));  // In [12]-[13]
  start.arrive_and_wait();
  thread.join();  // In [16]

  CHECK(counter.get_count() == 200000);  // In [17]
}

// expect tsan:   data-race @read @increment
// expect asan:   clean
// expect normal: clean
TEST_CASE("read_before_join") {
  Counter counter;
  count_up_100000(counter);
  racebook::StartLine start(2);
  std::thread thread(count_up_100000_from, std::ref(start), std::ref(counter));
  start.arrive_and_wait();
  // Read while the thread counts: nothing orders this read against its increments.
  const int while_counting = counter.get_count();
  thread.join();

  std::printf("read before join: %d\n", while_counting);
  CHECK(counter.get_count() == 200000);
}

// expect tsan:   data-race @increment @increment
// expect asan:   clean
// expect normal: clean
TEST_CASE("count_while_thread_counts") {
  Counter counter;
  racebook::StartLine start(2);
  std::thread thread(count_up_100000_from, std::ref(start), std::ref(counter));
  start.arrive_and_wait();
  // Main counts at the same time as the thread: the increments race with each other.
  count_up_100000(counter);
  thread.join();

  // No claim about the value: lost updates are the point. It is printed for the curious.
  std::printf("final count: %d (200000 without lost updates)\n", counter.get_count());
}
