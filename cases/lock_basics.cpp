// lock_basics — the notebook's "Lock object": a threading.Lock is a std::mutex, acquire() is
// lock(), release() is unlock(). Releasing an unlocked lock raises in Python; in C++ it is
// undefined behaviour only TSan reports (`unlock_unlocked`); `checked_lock` throws as Python
// does. Teaching: docs/lock_basics.md.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

// Both threads start together at the StartLine (invisible to TSan): the lock keeps them apart.
void add_100000_under_lock(std::mutex& lock, int& total, racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 100000; ++i) {
    lock.lock();  // acquire()
    ++total;
    lock.unlock();  // release()
  }
}

// A lock that behaves like Python's: release() by a thread that does not hold it throws.
class CheckedLock {
 public:
  void acquire() {
    mutex_.lock();
    owner_.store(std::this_thread::get_id());
  }
  void release() {
    if (owner_.load() != std::this_thread::get_id()) {
      throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                              "release of a lock this thread does not hold");
    }
    owner_.store(std::thread::id());
    mutex_.unlock();
  }

 private:
  std::mutex mutex_;
  std::atomic<std::thread::id> owner_{};  // read by threads that do not hold the lock
};

}  // namespace

// truth: clean
TEST_CASE("acquire_release") {
  std::mutex lock;
  int total = 0;
  racebook::StartLine start(2);
  std::thread adder1(add_100000_under_lock, std::ref(lock), std::ref(total), std::ref(start));
  std::thread adder2(add_100000_under_lock, std::ref(lock), std::ref(total), std::ref(start));
  adder1.join();
  adder2.join();
  CHECK(total == 200000);
}

// truth: clean
// expect helgrind: any-report  -- false alarm: it cannot see the std::promise hand-off (a futex wait in libstdc++)
// expect drd: any-report  -- false alarm: it cannot see the std::promise hand-off (a futex wait in libstdc++)
TEST_CASE("held_lock_blocks") {
  std::mutex lock;
  bool released = false;  // written by main under the lock, read by the thread under it
  std::promise<void> tried;
  bool try_lock_succeeded = true;
  bool saw_release = false;

  lock.lock();
  std::thread other([&] {
    try_lock_succeeded = lock.try_lock();  // acquire(blocking=False) while main holds it
    if (try_lock_succeeded) lock.unlock();
    tried.set_value();
    lock.lock();  // blocks until main's unlock()
    saw_release = released;
    lock.unlock();
  });
  tried.get_future().wait();
  released = true;
  lock.unlock();
  other.join();

  CHECK_FALSE(try_lock_succeeded);
  CHECK(saw_release);
}

// truth: unlock-of-unlocked-mutex @unlock
// expect drd: invalid-mutex @unlock  -- other kind: DRD calls a std::mutex it never saw locked "not a mutex"
TEST_CASE("unlock_unlocked") {
  std::mutex lock;
  lock.unlock();  // undefined behaviour: nobody holds it  @unlock
  CHECK(lock.try_lock());  // glibc's default mutex just stores "unlocked" again
  lock.unlock();
}

// truth: clean
TEST_CASE("checked_lock") {
  CheckedLock lock;
  CHECK_THROWS_AS(lock.release(), std::system_error);
  lock.acquire();
  CHECK_NOTHROW(lock.release());
  CHECK_THROWS_AS(lock.release(), std::system_error);
}
