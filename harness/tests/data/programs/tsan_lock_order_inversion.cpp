// TSan "lock-order-inversion": two std::mutex taken in opposite orders by two threads
// that never overlap (TSan reports the potential deadlock anyway).
#include <mutex>
#include <thread>

std::mutex a;
std::mutex b;

int main() {
  std::thread t1([] {
    std::lock_guard<std::mutex> first(a);
    std::lock_guard<std::mutex> second(b);  // line:b-while-holding-a
  });
  t1.join();
  std::thread t2([] {
    std::lock_guard<std::mutex> first(b);
    std::lock_guard<std::mutex> second(a);  // line:a-while-holding-b
  });
  t2.join();
  return 0;
}
