// counter_locked — notebook In [22]: the Counter carries its own lock.
//
// increment() takes the Counter's mutex around its read-modify-write, so the two counting
// threads never touch count_ at the same time: no data race, and exactly 200000 every run.
// The variant `unlocked_get` keeps that lock but reads get_count() — which takes no lock, as in
// the notebook — while the threads still count: that read races with the locked increment,
// because a lock only orders the accesses of threads that take it.
#include <catch2/catch.hpp>

#include <cstdio>
#include <mutex>
#include <thread>

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

void count_up_100000(Counter& counter) {
  for (int i = 0; i < 100000; ++i) counter.increment();
}

}  // namespace

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("mutex") {
  Counter counter;
  std::thread count_thread1(count_up_100000, std::ref(counter));
  std::thread count_thread2(count_up_100000, std::ref(counter));
  count_thread1.join();
  count_thread2.join();

  CHECK(counter.get_count() == 200000);
}

// expect tsan:   data-race @unlocked_read @increment
// expect asan:   clean
// expect normal: clean
TEST_CASE("unlocked_get") {
  Counter counter;
  std::thread count_thread1(count_up_100000, std::ref(counter));
  std::thread count_thread2(count_up_100000, std::ref(counter));

  // Main reads while both threads may still be counting: no lock orders this read.
  const int intermediate = counter.get_count();
  count_thread1.join();
  count_thread2.join();

  std::printf("read while counting: %d\n", intermediate);
  CHECK(counter.get_count() == 200000);
}
