// UBSan "shift exponent 40 is too large for 32-bit type 'int'".
#include <cstdio>

int main(int argc, char**) {
  int amount = argc + 39;
  int r = 1 << amount;  // line:shift
  std::printf("%d\n", r);
  return 0;
}
