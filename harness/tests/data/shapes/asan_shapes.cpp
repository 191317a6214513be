// UBSan then ASan reports from a directory whose path has a space and a non-ASCII letter.
#include <climits>
#include <cstdio>

namespace {
struct Box {
  int value = 0;
  explicit operator bool() const { return value != 0; }  // line:read
};

int add(int a, int b) { return a + b; }  // line:overflow
}  // namespace

int main(int argc, char**) {
  std::printf("program: before\n");
  int big = add(INT_MAX, argc);
  Box* box = new Box{big};
  delete box;
  return static_cast<bool>(*box) ? 1 : 0;  // line:use
}
