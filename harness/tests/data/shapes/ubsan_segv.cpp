// A null write in a UBSan-only build: UBSan's runtime reports the SEGV itself.
#include <cstdio>

int* volatile target = nullptr;

int main() {
  std::printf("program: before the crash\n");
  std::fflush(stdout);
  *target = 1;  // line:segv
  return 0;
}
