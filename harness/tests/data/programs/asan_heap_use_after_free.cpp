// ASan "heap-use-after-free": a thread reads an int that main already deleted.
#include <thread>

int main() {
  int* p = new int(1);
  delete p;  // line:free
  int v = 0;
  std::thread t([&] {
    v = *p;  // line:use
  });
  t.join();
  return v;
}
