// thread_lifecycle — notebook In [12]–[17] and the Thread class: start with args and kwargs,
// join, is_alive() and join(timeout). `is_alive_plain_bool` keeps is_alive() in a plain bool
// the thread clears while main polls it: a data race; `is_alive_atomic` differs by one type.
// Teaching: docs/thread_lifecycle.md.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

// In [7]: the notebook's Counter, without a lock (only one thread counts at a time here).
class Counter {
 public:
  void increment(int step) { count_ += step; }
  int get_count() const { return count_; }

 private:
  int count_ = 0;
};

// Python's kwargs: arguments by name, as a struct with designated initializers.
struct CountOptions {
  int times = 100000;
  int step = 1;
};

void count_up(Counter& counter, CountOptions options) {
  for (int i = 0; i < options.times; ++i) counter.increment(options.step);
}

// is_alive() as a flag the thread clears as its last act, polled by main. The StartLines,
// invisible to TSan, let main poll while the thread counts and keep the thread alive until
// main has seen the flag fall. yield() is opaque: the flag is loaded again each time.
template <class Flag>
void is_alive_polled(Flag& alive) {
  Counter counter;
  racebook::StartLine start(2);
  racebook::StartLine finish(2);
  std::thread thread([&] {
    start.arrive_and_wait();
    count_up(counter, {});
    alive = false;  // @alive_write
    finish.arrive_and_wait();
  });
  start.arrive_and_wait();
  int polls = 0;
  while (alive) {  // @alive_read
    ++polls;
    std::this_thread::yield();
  }
  finish.arrive_and_wait();
  thread.join();
  std::printf("is_alive() answered true %d times\n", polls);
  CHECK(counter.get_count() == 100000);
}

}  // namespace

// truth: clean
TEST_CASE("start_join") {
  Counter counter;
  count_up(counter, {});  // In [11]: main counts first
  // In [12], [13]: Thread(target=count_up, args=[counter], kwargs={...}).start()
  std::thread thread(count_up, std::ref(counter), CountOptions{.times = 50000, .step = 2});
  thread.join();  // In [16]
  CHECK(counter.get_count() == 200000);  // In [17]
}

// truth: data-race @alive_read @alive_write
TEST_CASE("is_alive_plain_bool") {
  bool alive = true;
  is_alive_polled(alive);
}

// truth: clean
TEST_CASE("is_alive_atomic") {
  std::atomic<bool> alive{true};
  is_alive_polled(alive);
}

// truth: clean
TEST_CASE("join_timeout") {
  Counter counter;
  std::mutex gate;  // held by main: the thread cannot finish before main opens it
  gate.lock();
  std::promise<void> finished;
  std::future<void> joined = finished.get_future();
  std::thread thread([&] {
    { const std::lock_guard<std::mutex> opened(gate); }
    count_up(counter, {});
    finished.set_value();  // the thread's last act
  });

  // thread.join(timeout=0.05): wait at most 50 ms for the end; it always times out.
  CHECK(joined.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  gate.unlock();
  thread.join();  // thread.join(): no timeout this time
  CHECK(joined.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(counter.get_count() == 100000);
}
