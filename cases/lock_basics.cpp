// lock_basics — the notebook's "Lock object" section: acquire() takes an unlocked lock at once
// and blocks on a locked one until another thread's release(); releasing an unlocked lock raises
// RuntimeError. In C++ a threading.Lock is a std::mutex: acquire is lock(), release is unlock().
//
// `acquire_release` and `held_lock_blocks` use the mutex as the notebook describes, so nothing
// races: the lock orders the two threads' updates, and a thread that finds it held (try_lock()
// fails) gets it only after the holder's unlock(). `unlock_unlocked` releases a mutex nobody
// holds. Python raises; std::mutex::unlock() has the precondition that the caller owns the
// mutex, and breaking it is undefined behaviour that glibc's default mutex does not notice: the
// program goes on silently. ThreadSanitizer tracks every mutex's owner and reports the unlock.
// `checked_lock` gives the mutex Python's behaviour: a small wrapper that knows its owner and
// throws std::system_error (operation_not_permitted, what an error-checking pthread mutex returns)
// instead of releasing a lock its caller does not hold.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

// Both threads start together (see start_line.hpp), so the lock really has to keep them apart.
void add_100000_under_lock(std::mutex& lock, int& total, racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 100000; ++i) {
    lock.lock();  // acquire()
    ++total;
    lock.unlock();  // release()
  }
}

// What the second thread of `held_lock_blocks` found.
struct Attempt {
  bool try_lock_succeeded = true;
  bool lock_returned_after_release = false;
};

// Runs while main holds `lock`: a non-blocking attempt must fail, a blocking one waits for
// main's unlock(). `released` is written by main while it holds the lock, so reading it after
// lock() returns is ordered by the lock itself.
void try_then_lock(std::mutex& lock, const bool& released, std::promise<void>& tried,
                   Attempt& attempt) {
  attempt.try_lock_succeeded = lock.try_lock();
  if (attempt.try_lock_succeeded) lock.unlock();
  tried.set_value();
  lock.lock();
  attempt.lock_returned_after_release = released;
  lock.unlock();
}

// A lock that behaves like Python's: release() by a thread that does not hold it (in
// particular, of a lock nobody holds) throws instead of being undefined behaviour.
class CheckedLock {
 public:
  void acquire() {
    mutex_.lock();
    owner_.store(std::this_thread::get_id());
  }
  void release() {
    // owner_ is atomic: a thread that does not hold the lock may read it while another writes.
    if (owner_.load() != std::this_thread::get_id()) {
      throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                              "release of a lock this thread does not hold");
    }
    owner_.store(std::thread::id());
    mutex_.unlock();
  }

 private:
  std::mutex mutex_;
  std::atomic<std::thread::id> owner_{};
};

}  // namespace

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
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

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("held_lock_blocks") {
  std::mutex lock;
  bool released = false;
  std::promise<void> tried;
  Attempt attempt;

  lock.lock();
  std::thread other(try_then_lock, std::ref(lock), std::cref(released), std::ref(tried),
                    std::ref(attempt));
  // Release only once the other thread has tried: its try_lock() ran while main held the lock.
  tried.get_future().wait();
  released = true;
  lock.unlock();
  other.join();

  CHECK_FALSE(attempt.try_lock_succeeded);
  CHECK(attempt.lock_returned_after_release);
}

// expect tsan:   unlock-of-unlocked-mutex @unlock
// expect asan:   clean
// expect normal: clean
TEST_CASE("unlock_unlocked") {
  std::mutex lock;
  lock.unlock();  // undefined behaviour: nobody holds it  @unlock

  // glibc's default mutex just stores "unlocked" again: it is as usable as before.
  CHECK(lock.try_lock());
  lock.unlock();
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("checked_lock") {
  CheckedLock lock;
  CHECK_THROWS_AS(lock.release(), std::system_error);

  // Held and released by its owner, it works as a lock; a second release throws again.
  lock.acquire();
  CHECK_NOTHROW(lock.release());
  CHECK_THROWS_AS(lock.release(), std::system_error);
}
