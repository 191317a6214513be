// UBSan "signed integer overflow": INT_MAX + 1, with program output before and after.
#include <climits>
#include <cstdio>

int main(int argc, char**) {
  std::printf("program: before overflow\n");
  std::fflush(stdout);
  int big = INT_MAX - 1 + argc;  // argc is 1: INT_MAX
  int r = big + argc;  // line:overflow
  std::printf("program: result %d\n", r);
  return 0;
}
