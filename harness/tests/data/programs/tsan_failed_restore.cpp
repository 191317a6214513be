// TSan "[failed to restore the stack]": with the smallest history, T1 writes `shared` and then
// keeps making far more accesses than its trace holds, so by the time T2's racing write is
// reported T1's old trace part is recycled and its stack can no longer be replayed.
#include <atomic>
#include <chrono>
#include <thread>

extern "C" const char* __tsan_default_options() { return "history_size=0"; }

int shared = 0;
std::atomic<bool> stop{false};  // relaxed only: must not order T1 and T2
volatile int scratch[4096];

__attribute__((noinline)) void touch(int i, int round) { scratch[i] = scratch[i] + round; }

void write_then_churn() {
  shared = 1;  // line:old-write
  for (int round = 0; !stop.load(std::memory_order_relaxed); ++round)
    for (int i = 0; i < 4096; ++i) touch(i, round);
}

int main() {
  std::thread a(write_then_churn);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::thread b([] { shared = 2; });  // line:new-write
  b.join();
  stop.store(true, std::memory_order_relaxed);
  a.join();
  return 0;
}
