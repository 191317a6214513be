// ASan initialization-order-fiasco, with asan_init_order_other.cpp (linked after this file,
// so its dynamic initializers run later). Run with ASAN_OPTIONS=check_initialization_order=1.
#include <cstdio>

extern int other_value;  // dynamically initialized in asan_init_order_other.cpp

int read_other() { return other_value + 1; }  // line:init-order-read
int this_value = read_other();                // runs before other_value's initializer

int main() {
  std::printf("%d\n", this_value);
  return 0;
}
