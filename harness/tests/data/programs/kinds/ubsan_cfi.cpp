// Control-flow integrity with diagnostics (clang only): -fsanitize=cfi-icall,cfi-vcall
// -fno-sanitize-trap=cfi -flto -fvisibility=hidden. One case per switch (argv[1]):
// "cfi-icall" calls a function through a pointer of another type, "cfi-vcall" makes a
// virtual call on an object of an unrelated class.
#include <cstdio>
#include <cstring>

namespace {

int sink;
void takes_int(int x) { sink = x; }

int icall() {
  void* erased = reinterpret_cast<void*>(&takes_int);
  auto wrong = reinterpret_cast<void (*)(double)>(erased);
  wrong(1.0);  // line:icall
  return 0;
}

struct Shape {
  virtual ~Shape() = default;
  virtual int sides() { return 0; }
};
struct Sound {
  virtual ~Sound() = default;
  virtual int volume() { return 11; }
};
int vcall() {
  Sound* sound = new Sound;
  Shape* shape = reinterpret_cast<Shape*>(sound);
  sink = shape->sides();  // line:vcall
  delete sound;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "cfi-icall") == 0) return icall();
  if (argc == 2 && std::strcmp(argv[1], "cfi-vcall") == 0) return vcall();
  std::fprintf(stderr, "usage: %s cfi-icall|cfi-vcall\n", argv[0]);
  return 2;
}
