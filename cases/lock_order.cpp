// lock_order — beyond the notebook: two threads take two locks in opposite orders. In
// `opposite_order` they run one after the other, so this run cannot deadlock, yet TSan reports
// the cycle A → B → A that another schedule would hang on. `scoped_lock` takes both with
// std::scoped_lock, in opposite orders and at the same time: no cycle. See docs/lock_order.md.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

// Takes `first`, then `second` while holding it, and counts a transfer both locks guard.
void transfer(std::mutex& first, std::mutex& second, int& transfers) {
  first.lock();
  second.lock();  // @second_while_first
  ++transfers;
  second.unlock();
  first.unlock();
}

// The same, 10000 times, with std::scoped_lock: it avoids deadlock whatever the arguments' order.
void scoped_transfers(std::mutex& first, std::mutex& second, int& transfers,
                      racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 10000; ++i) {
    const std::scoped_lock both(first, second);  // @both_locks
    ++transfers;
  }
}

}  // namespace

// truth: lock-order-inversion @second_while_first @second_while_first
TEST_CASE("opposite_order") {
  std::mutex a, b;
  int transfers = 0;
  std::thread first(transfer, std::ref(a), std::ref(b), std::ref(transfers));
  first.join();  // one after the other: no deadlock in this run, only the order of the locks
  std::thread second(transfer, std::ref(b), std::ref(a), std::ref(transfers));
  second.join();
  CHECK(transfers == 2);
}

// truth: clean
// expect helgrind: lock-order-inversion @both_locks @both_locks  -- false alarm: scoped_lock's try_lock back-off takes both orders, and Helgrind counts every acquisition as an order
TEST_CASE("scoped_lock") {
  std::mutex a, b;
  int transfers = 0;
  racebook::StartLine start(2);
  std::thread first(scoped_transfers, std::ref(a), std::ref(b), std::ref(transfers),
                    std::ref(start));
  std::thread second(scoped_transfers, std::ref(b), std::ref(a), std::ref(transfers),
                     std::ref(start));
  first.join();
  second.join();
  CHECK(transfers == 20000);
}
