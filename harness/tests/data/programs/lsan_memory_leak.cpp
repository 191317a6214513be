// LeakSanitizer "detected memory leaks": an allocation whose only pointer is dropped.
#include <cstdlib>

void* volatile holder = nullptr;

int main() {
  holder = std::malloc(7);  // line:leak
  holder = nullptr;
  return 0;
}
