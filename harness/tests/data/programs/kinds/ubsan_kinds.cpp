// UndefinedBehaviorSanitizer checks, one per command-line switch (argv[1]); see ../README.md.
// Built with -std=c++17: C++20 defines left shifts of negative values, so shift-base would
// never fire. Values the compiler must not fold come through volatiles. Every case reports
// one runtime error and then returns (or the runtime stops it, for the unrecoverable ones).
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__clang__)
#define NONNULL_PARAM _Nonnull
#else
#define NONNULL_PARAM
#endif

namespace {

volatile int zero = 0;
volatile int one = 1;
volatile int four = 4;
volatile int int_max = INT_MAX;
volatile int minus_one = -1;
int* volatile null_int = nullptr;
long sink;  // results go here, so that nothing is optimized away

int signed_integer_overflow() {
  sink = int_max + one;  // line:signed-overflow
  return 0;
}

int unsigned_integer_overflow() {
  volatile unsigned big = UINT_MAX;
  sink = big + 1u;  // line:unsigned-overflow
  return 0;
}

// The division still runs after the report and raises SIGFPE, a second report: capture.sh
// runs this case with halt_on_error=1, which stops the program at the first.
int integer_divide_by_zero() {
  sink = 1 / zero;  // line:divide
  return 0;
}

int shift_exponent() {
  volatile int by = 40;
  sink = 1 << by;  // line:shift-exponent
  return 0;
}

int shift_base() {
  sink = minus_one << 1;  // line:shift-base
  return 0;
}

int misaligned_pointer_use() {
  alignas(8) char buffer[16] = {};
  char* volatile p = buffer + 1;
  sink = *reinterpret_cast<int*>(p);  // line:misaligned
  return 0;
}

int null_pointer_use() {
  int& r = *null_int;  // line:null-reference (binds, never loads: no crash after the report)
  sink = reinterpret_cast<std::uintptr_t>(&r) & 1;
  return 0;
}

int pointer_overflow() {
  char buffer[8] = {};
  char* base = buffer;  // a pointer, not the array, so that the bounds check stays out of it
  volatile std::uintptr_t huge = UINTPTR_MAX - 2;
  char* p = base + huge;  // line:pointer-overflow
  sink = reinterpret_cast<std::uintptr_t>(p) & 1;
  return 0;
}

int nullptr_with_nonzero_offset() {
  char* volatile base = nullptr;
  char* p = base + one;  // line:null-offset
  sink = reinterpret_cast<std::uintptr_t>(p) & 1;
  return 0;
}

struct Header {
  int tag;
};
struct Packet : Header {
  int payload;
};
// clang checks object sizes only where it knows them, which takes -O1: capture.sh builds
// this case with -O1.
int insufficient_object_size() {
  Header* h = static_cast<Header*>(std::malloc(sizeof(Header)));
  h->tag = 1;
  Packet* p = static_cast<Packet*>(h);
  sink = p->payload;  // line:object-size
  std::free(h);
  return 0;
}

// The array sits inside a larger object, so that g++'s object-size check (which works at
// -O0) sees an access within the object and adds no second report.
struct Holder {
  int a[4];
  int after;
};
int out_of_bounds_index() {
  Holder h = {{1, 2, 3, 4}, 5};
  sink = h.a[four];  // line:bounds
  return 0;
}

int invalid_bool_load() {
  char raw = 2;
  bool b;
  std::memcpy(&b, &raw, 1);
  sink = b;  // line:bool-load
  return 0;
}

enum Color { red, green, blue };
int invalid_enum_load() {
  int raw = 42;
  Color c;
  std::memcpy(&c, &raw, sizeof c);
  sink = c;  // line:enum-load
  return 0;
}

int float_cast_overflow() {
  volatile double d = 1e20;
  sink = static_cast<int>(d);  // line:float-cast
  return 0;
}

#pragma GCC diagnostic ignored "-Wreturn-type"
__attribute__((noinline)) int no_return_value(int x) {
  if (x > 10) return x;
}  // line:missing-return
int missing_return() {
  sink = no_return_value(one);
  return 0;
}

int unreachable_call() {
  if (one) __builtin_unreachable();  // line:unreachable
  return 0;
}

int implicit_signed_integer_truncation() {
  volatile int wide = 300;
  signed char narrow = wide;  // line:signed-truncation
  sink = narrow;
  return 0;
}

int implicit_unsigned_integer_truncation() {
  volatile unsigned wide = 300;
  unsigned char narrow = wide;  // line:unsigned-truncation
  sink = narrow;
  return 0;
}

int implicit_integer_sign_change() {
  unsigned u = minus_one;  // line:sign-change
  sink = u;
  return 0;
}

#pragma GCC diagnostic ignored "-Wvla"
int non_positive_vla_index() {
  int n = zero;
  int vla[n];  // line:vla
  sink = sizeof vla;
  return 0;
}

int invalid_builtin_use() {
  sink = __builtin_clz(static_cast<unsigned>(zero));  // line:clz
  return 0;
}

__attribute__((nonnull, noinline)) long deref(int* p) {
  return static_cast<long>(reinterpret_cast<std::uintptr_t>(p) & 1);
}
int nonnull_attribute() {
  sink = deref(null_int);  // line:nonnull-arg
  return 0;
}

__attribute__((returns_nonnull, noinline)) int* never_null() { return null_int; }  // line:nonnull-return
int nonnull_return() {
  sink = static_cast<long>(reinterpret_cast<std::uintptr_t>(never_null()) & 1);
  return 0;
}

__attribute__((noinline)) long takes_nonnull(int* NONNULL_PARAM p) {
  return static_cast<long>(reinterpret_cast<std::uintptr_t>(p) & 1);
}
int nullability_arg() {
  sink = takes_nonnull(null_int);  // line:nullability-arg
  return 0;
}

struct Animal {
  virtual ~Animal() = default;
};
struct Dog : Animal {
  int barks = 1;
};
struct Cat : Animal {
  int meows = 2;
};
int dynamic_type_mismatch() {
  Animal* a = new Dog;
  Cat* c = static_cast<Cat*>(a);  // line:downcast
  sink = reinterpret_cast<std::uintptr_t>(c) & 1;
  delete a;
  return 0;
}

void takes_int(int x) { sink = x; }
int function_type_mismatch() {
  auto wrong = reinterpret_cast<void (*)(double)>(&takes_int);
  wrong(1.0);  // line:function-type
  return 0;
}

int alignment_assumption() {
  alignas(64) char buffer[128] = {};
  char* volatile p = buffer + 1;
  char* aligned = static_cast<char*>(__builtin_assume_aligned(p, 64));  // line:assume-aligned
  sink = aligned[0];
  return 0;
}

int segv() {
  volatile int* p = reinterpret_cast<volatile int*>(std::uintptr_t{0x1000});
  *p = 1;  // line:segv (UBSan's own deadly-signal report)
  return 0;
}

struct Case {
  const char* name;
  int (*run)();
};
const Case cases[] = {
    {"signed-integer-overflow", signed_integer_overflow},
    {"unsigned-integer-overflow", unsigned_integer_overflow},
    {"integer-divide-by-zero", integer_divide_by_zero},
    {"shift-exponent", shift_exponent},
    {"shift-base", shift_base},
    {"misaligned-pointer-use", misaligned_pointer_use},
    {"null-pointer-use", null_pointer_use},
    {"pointer-overflow", pointer_overflow},
    {"nullptr-with-nonzero-offset", nullptr_with_nonzero_offset},
    {"insufficient-object-size", insufficient_object_size},
    {"out-of-bounds-index", out_of_bounds_index},
    {"invalid-bool-load", invalid_bool_load},
    {"invalid-enum-load", invalid_enum_load},
    {"float-cast-overflow", float_cast_overflow},
    {"missing-return", missing_return},
    {"unreachable-call", unreachable_call},
    {"implicit-signed-integer-truncation", implicit_signed_integer_truncation},
    {"implicit-unsigned-integer-truncation", implicit_unsigned_integer_truncation},
    {"implicit-integer-sign-change", implicit_integer_sign_change},
    {"non-positive-vla-index", non_positive_vla_index},
    {"invalid-builtin-use", invalid_builtin_use},
    {"nonnull-attribute", nonnull_attribute},
    {"nonnull-return", nonnull_return},
    {"nullability-arg", nullability_arg},
    {"dynamic-type-mismatch", dynamic_type_mismatch},
    {"function-type-mismatch", function_type_mismatch},
    {"alignment-assumption", alignment_assumption},
    {"SEGV", segv},
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
