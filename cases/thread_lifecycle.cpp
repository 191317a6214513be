// thread_lifecycle — notebook In [12], [13], [16] and the notes on the Thread class:
// Thread(target, name, args, kwargs), start(), run(), is_alive(), join(), join(timeout), name.
//
// `start_join` is the notebook's own sequence: main counts, a thread started with a target and
// its arguments counts too, main joins it and reads 200000. join() orders everything the thread
// did before everything main does after it, so nothing races.
//
// Python's is_alive() asks the runtime. A C++ program that wants the answer keeps a flag the
// thread clears as its last act, and main polls it. `is_alive_plain_bool` keeps it in a plain
// bool: the thread's write and main's polling reads are unordered, a data race TSan reports
// between the two lines. `is_alive_atomic` makes the flag a std::atomic<bool>: the same code is
// race-free, and the seq_cst store/load also publish the thread's count to main.
//
// `join_timeout` is join(timeout) that expires: the thread is held at a latch until main has
// waited in vain for its end (a future the thread fulfils as its last act), then released and
// joined for real. Nothing races; the timeout is certain because the thread cannot finish
// before main opens the latch.
//
// `thread_names` gives threads Python's default names, "Thread-N" from a counter, or a name of
// their own, each read from inside its thread: clean, the names were set before start().
// `name_race` is `thread.name = "renamed"` in main while the thread reads its own name, with no
// lock: the std::string is written and read at once, and TSan reports the assignment and the
// read. (ASan and a plain build see nothing; the thread sees the old name, the new one, or a
// mix of both — both names are short, so the bytes stay in the string's own buffer.)
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <latch>
#include <string>
#include <thread>
#include <utility>

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

// Python's kwargs: arguments by name. C++20 spells them as a struct with designated initializers.
struct CountOptions {
  int times = 100000;
  int step = 1;
};

void count_up(Counter& counter, CountOptions options) {
  for (int i = 0; i < options.times; ++i) counter.increment(options.step);
}

// ---- is_alive(): a flag the thread clears as its last act, polled by main ----

// The StartLines (see start_line.hpp) let main poll while the thread counts, and keep the
// thread alive until main has seen the flag fall; TSan cannot see them as synchronisation.
template <class Flag>
void count_then_finish(Counter& counter, Flag& alive, racebook::StartLine& start,
                       racebook::StartLine& finish) {
  start.arrive_and_wait();
  count_up(counter, {});
  alive = false;  // @alive_write
  finish.arrive_and_wait();
}

// is_alive() polled until it turns false. yield() is an opaque call: the flag's address has
// escaped to the thread, so even at -O2 the compiler must load it again on every iteration.
template <class Flag>
int poll_while_alive(const Flag& alive) {
  int polls = 0;
  while (alive) {  // @alive_read
    ++polls;
    std::this_thread::yield();
  }
  return polls;
}

// ---- A named thread: Python's Thread(target, name), start(), run(), join() and .name ----

// Python's default name: "Thread-N" from a process-wide counter. Only main creates threads.
std::string default_thread_name() {
  static int counter = 0;
  return "Thread-" + std::to_string(++counter);
}

class NamedThread {
 public:
  using Target = std::function<void(NamedThread&)>;

  explicit NamedThread(Target target, std::string name = default_thread_name())
      : target_(std::move(target)), name_(std::move(name)) {}

  void start() { thread_ = std::thread(&NamedThread::run, this); }
  void run() { target_(*this); }
  void join() { thread_.join(); }

  std::string name() const {
    return name_;  // @name_read
  }
  // Python's `thread.name = ...`: no lock, as a plain attribute.
  void set_name(std::string name) {
    name_ = std::move(name);  // @rename
  }

 private:
  Target target_;
  std::string name_;
  std::thread thread_;
};

}  // namespace

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("start_join") {
  Counter counter;
  count_up(counter, {});  // In [11]: main counts first

  // In [12], [13]: Thread(target=count_up, args=[counter], kwargs={...}).start()
  std::thread thread(count_up, std::ref(counter), CountOptions{.times = 50000, .step = 2});
  thread.join();  // In [16]

  CHECK(counter.get_count() == 200000);  // In [17]
}

// expect tsan:   data-race @alive_read @alive_write
// expect asan:   clean
// expect normal: clean
TEST_CASE("is_alive_plain_bool") {
  Counter counter;
  bool alive = true;
  racebook::StartLine start(2);
  racebook::StartLine finish(2);
  std::thread thread(count_then_finish<bool>, std::ref(counter), std::ref(alive), std::ref(start),
                     std::ref(finish));

  start.arrive_and_wait();
  const int polls = poll_while_alive(alive);
  finish.arrive_and_wait();
  thread.join();

  std::printf("is_alive() answered true %d times\n", polls);
  CHECK(counter.get_count() == 100000);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("is_alive_atomic") {
  Counter counter;
  std::atomic<bool> alive{true};
  racebook::StartLine start(2);
  racebook::StartLine finish(2);
  std::thread thread(count_then_finish<std::atomic<bool>>, std::ref(counter), std::ref(alive),
                     std::ref(start), std::ref(finish));

  start.arrive_and_wait();
  const int polls = poll_while_alive(alive);
  finish.arrive_and_wait();
  thread.join();

  std::printf("is_alive() answered true %d times\n", polls);
  CHECK_FALSE(alive);
  CHECK(counter.get_count() == 100000);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("join_timeout") {
  Counter counter;
  std::latch release(1);  // the thread stays busy until main has given up waiting
  std::promise<void> finished;
  std::future<void> joined = finished.get_future();
  std::thread thread([&] {
    release.wait();
    count_up(counter, {});
    finished.set_value();  // the thread's last act
  });

  // thread.join(timeout=0.05): wait at most 50 ms for the end, then go on. The thread cannot
  // end before main opens the latch, so the wait always times out.
  const auto first_wait = joined.wait_for(std::chrono::milliseconds(50));
  const bool alive_after_timeout = first_wait == std::future_status::timeout;  // is_alive()

  release.count_down();
  thread.join();  // thread.join(): no timeout this time

  CHECK(first_wait == std::future_status::timeout);
  CHECK(alive_after_timeout);
  CHECK(joined.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(counter.get_count() == 100000);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("thread_names") {
  std::string seen[3];
  NamedThread first([&](NamedThread& self) { seen[0] = self.name(); });
  NamedThread second([&](NamedThread& self) { seen[1] = self.name(); });
  NamedThread named([&](NamedThread& self) { seen[2] = self.name(); }, "counter");

  first.start();
  second.start();
  named.start();
  first.join();
  second.join();
  named.join();

  CHECK(seen[0] == "Thread-1");
  CHECK(seen[1] == "Thread-2");
  CHECK(seen[2] == "counter");
}

// expect tsan:   data-race @rename @name_read
// expect asan:   clean
// expect normal: clean
TEST_CASE("name_race") {
  racebook::StartLine start(2);
  racebook::StartLine finish(2);
  std::string seen;
  NamedThread thread(
      [&](NamedThread& self) {
        start.arrive_and_wait();
        seen = self.name();
        finish.arrive_and_wait();
      },
      "counter");

  thread.start();
  start.arrive_and_wait();
  thread.set_name("renamed");  // thread.name = "renamed", while the thread reads it
  finish.arrive_and_wait();
  thread.join();

  // No claim about what the thread saw: that is the race. It is printed for the curious.
  std::printf("the thread read its name as \"%s\"\n", seen.c_str());
}
