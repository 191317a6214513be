// ASan "stack-use-after-return" (needs ASAN_OPTIONS=detect_stack_use_after_return=1): a
// thread calls a function that leaks the address of its local, then reads it.
#include <thread>

int* leaked = nullptr;
int sink = 0;

__attribute__((noinline)) void escape(int* p) { leaked = p; }

__attribute__((noinline)) void keep_local() {  // line:keep-local (ASan names this line)
  int local = 7;  // line:local
  escape(&local);
}

int main() {
  std::thread t([] {
    keep_local();
    sink = *leaked;  // line:use
  });
  t.join();
  return sink;
}
