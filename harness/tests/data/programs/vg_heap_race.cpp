// A data race on a heap block, with program output on stderr between Valgrind's lines: Helgrind
// names both accesses and where the block was allocated, DRD the access and the allocation.
#include <pthread.h>

#include <cstdio>

int* shared;

void* writer(void*) {
  std::fprintf(stderr, "writer: storing 1\n");
  *shared = 1;  // line:thread-write
  std::fprintf(stderr, "writer: done\n");
  return nullptr;
}

int main() {
  shared = new int(0);  // line:alloc
  pthread_t thread;
  pthread_create(&thread, nullptr, writer, nullptr);
  *shared = 2;  // line:main-write
  std::fprintf(stderr, "main: stored 2\n");
  pthread_join(thread, nullptr);
  std::fprintf(stderr, "main: value %d\n", *shared);
  delete shared;
  return 0;
}
