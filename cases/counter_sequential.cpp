// counter_sequential — notebook In [7]–[11]: the Counter, counted up by the main thread alone.
//
// One thread, so every access to count_ is ordered by program order alone: there is nothing to
// race with. ThreadSanitizer, AddressSanitizer and a plain build all stay silent, and the count
// goes from 0 to exactly 100000 — the baseline the threaded scenarios are measured against.
#include <catch2/catch.hpp>

namespace {

class Counter {
 public:
  void increment() {
    ++count_;  // @increment
  }
  int get_count() const { return count_; }

 private:
  int count_ = 0;
};

void count_up_100000(Counter& counter) {
  for (int i = 0; i < 100000; ++i) counter.increment();
}

}  // namespace

// truth: clean
TEST_CASE("one_thread") {
  Counter counter;                  // In [8]
  CHECK(counter.get_count() == 0);  // In [9]

  count_up_100000(counter);  // In [11]
  CHECK(counter.get_count() == 100000);
}
