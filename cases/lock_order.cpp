// lock_order — beyond the notebook: two locks taken in opposite orders.
//
// The notebook's threads each take one lock. With two, the order matters: if one thread holds A
// and waits for B while another holds B and waits for A, neither ever goes on. In
// `opposite_order` one thread nests A then B, the other B then A. They never overlap here — the
// second starts after the first is joined — so this run cannot deadlock; but ThreadSanitizer
// records, for every mutex taken while another is held, an edge "held → taken" in a graph of all
// the run's locks, and reports the cycle A → B → A as a lock-order-inversion (potential
// deadlock): another schedule of the same code hangs. AddressSanitizer and a plain build see
// nothing. `scoped_lock` takes both with std::scoped_lock, which avoids deadlock whatever order
// its arguments come in (it locks one and only try-locks the other, backing off on failure), so
// the two threads may overlap freely and there is no cycle to report.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

// Two locks and the data both guard.
struct Accounts {
  std::mutex a;
  std::mutex b;
  int transfers = 0;
};

void lock_a_then_b(Accounts& accounts) {
  accounts.a.lock();
  accounts.b.lock();  // takes B while holding A  @b_while_a
  ++accounts.transfers;
  accounts.b.unlock();
  accounts.a.unlock();
}

void lock_b_then_a(Accounts& accounts) {
  accounts.b.lock();
  accounts.a.lock();  // takes A while holding B  @a_while_b
  ++accounts.transfers;
  accounts.a.unlock();
  accounts.b.unlock();
}

// The arguments in opposite orders too: std::scoped_lock does not care.
void scoped_a_b(Accounts& accounts, racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 10000; ++i) {
    std::scoped_lock both(accounts.a, accounts.b);
    ++accounts.transfers;
  }
}

void scoped_b_a(Accounts& accounts, racebook::StartLine& start) {
  start.arrive_and_wait();
  for (int i = 0; i < 10000; ++i) {
    std::scoped_lock both(accounts.b, accounts.a);
    ++accounts.transfers;
  }
}

}  // namespace

// expect tsan:   lock-order-inversion @b_while_a @a_while_b
// expect asan:   clean
// expect normal: clean
TEST_CASE("opposite_order") {
  Accounts accounts;
  // One after the other: this run cannot deadlock, but the order of the locks is what TSan checks.
  std::thread first(lock_a_then_b, std::ref(accounts));
  first.join();
  std::thread second(lock_b_then_a, std::ref(accounts));
  second.join();

  CHECK(accounts.transfers == 2);
}

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("scoped_lock") {
  Accounts accounts;
  racebook::StartLine start(2);
  std::thread first(scoped_a_b, std::ref(accounts), std::ref(start));
  std::thread second(scoped_b_a, std::ref(accounts), std::ref(start));
  first.join();
  second.join();

  CHECK(accounts.transfers == 20000);
}
