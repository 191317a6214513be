// counter_race — notebook In [19]: two threads count one Counter with no lock.
// `volatile_count` differs by one type, volatile int: it orders nothing and makes no access
// atomic, so it is the same data race at the same line. Teaching: docs/counter_race.md.
#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

// The Counter of In [7]. `count_ = count_ + 1`: C++20 deprecates ++ on a volatile.
template <class Int>
class Counter {
 public:
  void increment() {
    count_ = count_ + 1;  // @increment
  }
  int get_count() const { return count_; }

 private:
  Int count_ = 0;
};

// The StartLine lets both threads count at once; TSan does not see it as synchronisation.
template <class Int>
void count_up_100000(Counter<Int>& counter, racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 100000; ++i) counter.increment();
}

template <class Int>
void conduct_trial() {
  Counter<Int> counter;
  racebook::StartLine start(2);
  std::thread count_thread1(count_up_100000<Int>, std::ref(counter), std::ref(start));
  std::thread count_thread2(count_up_100000<Int>, std::ref(counter), std::ref(start));
  count_thread1.join();
  count_thread2.join();
  // Lost updates are the point: the count is printed, never checked.
  std::printf("final count: %d (200000 without lost updates)\n", counter.get_count());
}

}  // namespace

// truth: data-race @increment @increment
TEST_CASE("unlocked") { conduct_trial<int>(); }

// truth: data-race @increment @increment
TEST_CASE("volatile_count") { conduct_trial<volatile int>(); }
