// TSan "data race": two threads increment a plain int with no synchronisation.
#include <thread>

int counter = 0;

void bump() {
  counter++;  // line:increment
}

int main() {
  std::thread a(bump);
  std::thread b(bump);
  a.join();
  b.join();
  return 0;
}
