// TSan "signal-unsafe call inside of a signal": malloc in a SIGUSR1 handler.
#include <csignal>
#include <cstdlib>

void* volatile keep = nullptr;  // volatile: stops the compiler dropping malloc/free

void handler(int) {
  keep = std::malloc(16);  // line:malloc
  std::free(keep);
}

int main() {
  std::signal(SIGUSR1, handler);
  std::raise(SIGUSR1);
  return 0;
}
