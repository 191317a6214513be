// UBSan "index 5 out of bounds for type 'int [4]'" (-fsanitize=bounds).
#include <cstdio>

int table[4] = {1, 2, 3, 4};

int main(int argc, char**) {
  int i = argc + 4;
  std::printf("%d\n", table[i]);  // line:index
  return 0;
}
