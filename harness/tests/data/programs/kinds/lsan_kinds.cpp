// LeakSanitizer, one case per command-line switch (argv[1]): "direct" leaks one block,
// "indirect" leaks a list whose head is the direct leak and whose tail is only reachable
// from it (an indirect leak). capture.sh builds it under ASan and with -fsanitize=leak.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void* volatile holder;

int direct() {
  holder = std::malloc(40);  // line:direct-alloc
  holder = nullptr;
  return 0;
}

struct Node {
  Node* next;
  char payload[24];
};
int indirect() {
  holder = new Node{};                             // line:head-alloc
  static_cast<Node*>(holder)->next = new Node{};  // line:tail-alloc
  holder = nullptr;
  return 0;
}

// Runs a case 32 KiB deeper in the stack than main: the leak check runs at exit from a
// shallower frame and scans only from there up, so stale copies of the pointers in the
// case's dead frames cannot keep the blocks reachable.
__attribute__((noinline)) int deep(int (*run)()) {
  volatile char pad[32768];
  pad[0] = 0;
  return run() + pad[0];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "direct") == 0) return deep(direct);
  if (argc == 2 && std::strcmp(argv[1], "indirect") == 0) return deep(indirect);
  std::fprintf(stderr, "usage: %s direct|indirect\n", argv[0]);
  return 2;
}
