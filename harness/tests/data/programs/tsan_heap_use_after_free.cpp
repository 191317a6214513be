// TSan "heap-use-after-free": a thread writes through a pointer after main freed it.
#include <chrono>
#include <thread>

int main() {
  int* p = new int(0);
  std::thread t([p] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    *p = 42;  // line:use
  });
  delete p;  // line:free
  t.join();
  return 0;
}
