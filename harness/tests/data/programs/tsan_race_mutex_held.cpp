// TSan "data race" where one side holds a mutex: the report lists "(mutexes: write M0)".
#include <mutex>
#include <thread>

std::mutex guard;
long total = 0;

void locked_add() {
  std::lock_guard<std::mutex> lock(guard);
  total += 1;  // line:locked-add
}

void unlocked_add() {
  total += 2;  // line:unlocked-add
}

int main() {
  std::thread a(locked_add);
  std::thread b(unlocked_add);
  a.join();
  b.join();
  return 0;
}
