// TSan "data race" between an atomic store and a plain store to the same int.
#include <atomic>
#include <thread>

int value = 0;

void store_atomically() {
  std::atomic_ref<int>(value).store(1, std::memory_order_relaxed);  // line:atomic-store
}

void store_plainly() {
  value = 2;  // line:plain-store
}

int main() {
  std::thread a(store_atomically);
  std::thread b(store_plainly);
  a.join();
  b.join();
  return 0;
}
