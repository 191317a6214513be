// AddressSanitizer report kinds, one per command-line switch (argv[1]); see ../README.md.
// Built with -fsanitize=address,undefined. Arrays are indexed through plain pointers, so
// that UBSan's bounds check (which sees array types only) stays quiet and the one report is
// ASan's. Values the compiler must not fold (indices, sizes) come through volatiles.
#include <sanitizer/asan_interface.h>

#include <alloca.h>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

volatile int four = 4;
volatile int minus_one = -1;
volatile int zero = 0;
volatile int seven = 7;  // g++ turns 1 / x into compares, without a division to trap
int sink;  // results go here, so that nothing is optimized away

int heap_buffer_overflow() {
  int* p = static_cast<int*>(std::malloc(4 * sizeof(int)));
  sink = p[four];  // line:heap-over
  std::free(p);
  return 0;
}

int heap_buffer_underflow() {
  int* p = static_cast<int*>(std::malloc(4 * sizeof(int)));
  sink = p[minus_one];  // line:heap-under
  std::free(p);
  return 0;
}

int stack_buffer_overflow() {
  int a[4] = {1, 2, 3, 4};
  int* p = a;
  sink = p[four];  // line:stack-over
  return 0;
}

int stack_buffer_underflow() {
  int a[4] = {1, 2, 3, 4};
  int* p = a;
  sink = p[minus_one];  // line:stack-under
  return 0;
}

int global_array[4];
int global_buffer_overflow() {
  int* p = global_array;
  sink = p[four];  // line:global-over
  return 0;
}

int dynamic_stack_buffer_overflow() {
  char* p = static_cast<char*>(alloca(four));
  p[four] = 1;  // line:alloca-over
  sink = p[0];
  return 0;
}

int heap_use_after_free() {
  int* p = new int[4];
  delete[] p;
  sink = p[1];  // line:heap-uaf
  return 0;
}

__attribute__((noinline)) int* address_of_local() {
  int local = 42;
  int* volatile p = &local;
  return p;
}
int stack_use_after_return() {
  int* p = address_of_local();
  sink = *p;  // line:use-after-return
  return 0;
}

int stack_use_after_scope() {
  int* volatile p;
  {
    int scoped = 1;
    p = &scoped;
  }
  *p = 2;  // line:use-after-scope
  return 0;
}

int use_after_poison() {
  char* p = static_cast<char*>(std::malloc(32));
  ASAN_POISON_MEMORY_REGION(p + 16, 16);
  p[20] = 1;  // line:use-after-poison
  std::free(p);
  return 0;
}

int double_free() {
  char* p = static_cast<char*>(std::malloc(8));
  std::free(p);
  std::free(p);  // line:double-free
  return 0;
}

// The 16 bytes before the freed address are where the allocator looks for a chunk header;
// zeroing them keeps g++-11's runtime from reading stack garbage as an allocated chunk (it
// then reports "alloc-dealloc-mismatch (INVALID vs free)" instead, on some runs).
int bad_free() {
  char local[64] = {};
  char* volatile p = local + 32;
  std::free(p);  // line:bad-free
  return 0;
}

int alloc_dealloc_mismatch() {
  int* volatile p = new int(1);
  std::free(p);  // line:new-free
  return 0;
}

struct Small {
  int a;
};
struct Large : Small {
  int more[8];
};
int new_delete_type_mismatch() {
  Small* volatile p = new Large;
  delete p;  // line:sized-delete (sized delete of 4 bytes for a 36-byte object)
  return 0;
}

int container_overflow() {
  std::vector<int> v;
  v.reserve(8);
  v.push_back(1);
  int* p = v.data();
  sink = p[four - 2];  // line:container-over (inside the capacity, past the size)
  return 0;
}

int memcpy_param_overlap() {
  char buffer[16] = "0123456789";
  char* volatile p = buffer;
  volatile size_t size = 8;  // g++ expands a constant-size memcpy inline, unchecked
  std::memcpy(p, p + 2, size);  // line:memcpy-overlap
  sink = buffer[0];
  return 0;
}

int negative_size_param() {
  char a[8] = {}, b[8] = {};
  volatile long size = -1;
  std::memmove(a, b, static_cast<size_t>(size));  // line:negative-size
  return 0;
}

int allocation_size_too_big() {
  volatile size_t size = SIZE_MAX / 2;
  void* p = std::malloc(size);  // line:too-big
  std::printf("malloc returned %p\n", p);
  return 0;
}

int out_of_memory() {
  // Cap the address space a little above what the process maps already (ASan's shadow
  // included), so that the allocator's own mmap for a 1 GiB chunk fails.
  long pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  rlim_t now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE));
  rlimit limit{now + (256u << 20), now + (256u << 20)};
  setrlimit(RLIMIT_AS, &limit);
  volatile size_t size = size_t{1} << 30;
  void* p = std::malloc(size);  // line:oom
  std::printf("malloc returned %p\n", p);
  return 0;
}

int calloc_overflow() {
  volatile size_t count = SIZE_MAX / 2;
  void* p = std::calloc(count, 4);  // line:calloc-overflow
  std::printf("calloc returned %p\n", p);
  return 0;
}

__attribute__((noinline)) int recurse(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  return recurse(depth + 1) + frame[0];  // line:recurse
}
int stack_overflow() { return recurse(0); }

int segv() {
  volatile int* p = reinterpret_cast<volatile int*>(std::uintptr_t{0x1000});
  *p = 1;  // line:segv
  return 0;
}

int bus() {
  // A page mapped from an empty file: touching it raises SIGBUS.
  FILE* f = std::tmpfile();
  void* m = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fileno(f), 0);
  if (m == MAP_FAILED) return 1;
  sink = *static_cast<volatile char*>(m);  // line:bus
  return 0;
}

int fpe() {
  sink = seven / zero;  // line:fpe (built with -fno-sanitize=integer-divide-by-zero)
  return 0;
}

int ill() {
  __builtin_trap();  // line:trap
}

int abrt() {
  std::abort();  // line:abort
}

struct Case {
  const char* name;
  int (*run)();
};
const Case cases[] = {
    {"heap-buffer-overflow", heap_buffer_overflow},
    {"heap-buffer-underflow", heap_buffer_underflow},
    {"stack-buffer-overflow", stack_buffer_overflow},
    {"stack-buffer-underflow", stack_buffer_underflow},
    {"global-buffer-overflow", global_buffer_overflow},
    {"dynamic-stack-buffer-overflow", dynamic_stack_buffer_overflow},
    {"heap-use-after-free", heap_use_after_free},
    {"stack-use-after-return", stack_use_after_return},
    {"stack-use-after-scope", stack_use_after_scope},
    {"use-after-poison", use_after_poison},
    {"double-free", double_free},
    {"bad-free", bad_free},
    {"alloc-dealloc-mismatch", alloc_dealloc_mismatch},
    {"new-delete-type-mismatch", new_delete_type_mismatch},
    {"container-overflow", container_overflow},
    {"memcpy-param-overlap", memcpy_param_overlap},
    {"negative-size-param", negative_size_param},
    {"allocation-size-too-big", allocation_size_too_big},
    {"out-of-memory", out_of_memory},
    {"calloc-overflow", calloc_overflow},
    {"stack-overflow", stack_overflow},
    {"SEGV", segv},
    {"BUS", bus},
    {"FPE", fpe},
    {"ILL", ill},
    {"ABRT", abrt},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2)
    for (const Case& c : cases)
      if (std::strcmp(argv[1], c.name) == 0) return c.run();
  std::fprintf(stderr, "usage: %s CASE; cases:", argv[0]);
  for (const Case& c : cases) std::fprintf(stderr, " %s", c.name);
  std::fprintf(stderr, "\n");
  return 2;
}
