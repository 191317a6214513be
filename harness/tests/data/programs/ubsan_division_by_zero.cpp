// UBSan "division by zero".
#include <cstdio>

int main(int argc, char**) {
  int zero = argc - 1;
  int r = 10 / zero;  // line:divide
  std::printf("%d\n", r);
  return 0;
}
