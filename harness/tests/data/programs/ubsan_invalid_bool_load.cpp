// UBSan "load of value 7, which is not a valid value for type 'bool'".
#include <cstdio>
#include <cstring>

int main(int argc, char**) {
  unsigned char byte = static_cast<unsigned char>(argc + 6);
  bool flag;
  std::memcpy(&flag, &byte, 1);
  bool copy = flag;  // line:load
  std::printf("%d\n", copy ? 1 : 0);
  return 0;
}
