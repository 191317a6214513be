// ASan odr-violation: links libodr4.so and libodr8.so, both built from asan_odr_lib.cpp.
#include <cstdio>

extern "C" int odr_lib4();
extern "C" int odr_lib8();

int main() {
  std::printf("%d %d\n", odr_lib4(), odr_lib8());
  return 0;
}
