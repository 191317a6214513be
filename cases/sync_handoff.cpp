// sync_handoff — beyond the notebook: a writer thread hands a plain payload to a reader thread
// through a C++20 std::barrier, std::latch, std::counting_semaphore, or a condition variable;
// the racy twins hand over before the write. Teaching: docs/sync_handoff.md.
#include <catch2/catch.hpp>

#include <barrier>
#include <condition_variable>
#include <cstdio>
#include <latch>
#include <mutex>
#include <semaphore>
#include <thread>

namespace {

void write_payload(long& payload) { payload = 42; }  // @payload_write
long read_payload(const long& payload) { return payload; }  // @payload_read

// Runs `writer` and `reader` on two threads and returns what the reader read. The payload is
// a long: an 8-byte word of its own, as TSan's shadow cells count (see the docs page).
template <class Writer, class Reader>
long hand_over(Writer writer, Reader reader) {
  long seen = 0;
  std::thread reading([&] { seen = reader(); });
  std::thread writing(writer);
  writing.join();
  reading.join();
  return seen;
}

}  // namespace

// truth: clean
// expect helgrind: any-report  -- false alarm: std::barrier is atomics and futex; it also reports inside the barrier
// expect drd: any-report  -- false alarm: std::barrier is atomics and futex; it also reports inside the barrier
TEST_CASE("barrier") {
  long payload = 0;
  std::barrier<> sync(2);
  CHECK(hand_over([&] { write_payload(payload); sync.arrive_and_wait(); },
                  [&] { sync.arrive_and_wait(); return read_payload(payload); }) == 42);
}

// truth: clean
// expect helgrind: data-race @payload_write @payload_read  -- false alarm: std::latch is atomics and futex
// expect drd: any-report  -- false alarm: std::latch is atomics and futex; in some runs it also reports inside latch::wait
TEST_CASE("latch") {
  long payload = 0;
  std::latch written(1);
  CHECK(hand_over([&] { write_payload(payload); written.count_down(); },
                  [&] { written.wait(); return read_payload(payload); }) == 42);
}

// truth: data-race @payload_write @payload_read
// expect drd: any-report  -- found, and in some runs reports inside latch::wait besides
TEST_CASE("latch_before_write") {
  long payload = 0;
  std::latch written(1);
  std::printf("read: %ld\n", hand_over([&] { written.count_down(); write_payload(payload); },
                                      [&] { written.wait(); return read_payload(payload); }));
}

// truth: clean
// expect helgrind: data-race @payload_write @payload_read  -- false alarm: the semaphore is atomics and futex
// expect drd: any-report  -- false alarm: the semaphore is atomics and futex; in some runs it also reports inside it
TEST_CASE("semaphore") {
  long payload = 0;
  std::counting_semaphore<1> written(0);
  CHECK(hand_over([&] { write_payload(payload); written.release(); },
                  [&] { written.acquire(); return read_payload(payload); }) == 42);
}

// truth: clean
TEST_CASE("condition_variable") {
  long payload = 0;
  bool written = false;  // guarded by mutex
  std::mutex mutex;
  std::condition_variable changed;
  CHECK(hand_over(
            [&] {
              const std::lock_guard<std::mutex> lock(mutex);
              write_payload(payload);
              written = true;
              changed.notify_one();
            },
            [&] {
              std::unique_lock<std::mutex> lock(mutex);
              changed.wait(lock, [&] { return written; });
              return read_payload(payload);
            }) == 42);
}

// truth: data-race @payload_write @payload_read
TEST_CASE("condition_variable_write_after_unlock") {
  long payload = 0;
  bool written = false;  // guarded by mutex
  std::mutex mutex;
  std::condition_variable changed;
  std::printf("read: %ld\n", hand_over(
            [&] {
              {
                const std::lock_guard<std::mutex> lock(mutex);
                written = true;
                changed.notify_one();
              }
              write_payload(payload);
            },
            [&] {
              std::unique_lock<std::mutex> lock(mutex);
              changed.wait(lock, [&] { return written; });
              return read_payload(payload);
            }));
}
