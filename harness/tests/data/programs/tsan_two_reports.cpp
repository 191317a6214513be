// Two separate TSan data races in one run, with program output printed around them.
#include <cstdio>
#include <thread>

int first = 0;
int second = 0;

void race_first() {
  first++;  // line:first
}

void race_second() {
  second++;  // line:second
}

int main() {
  std::printf("program: before the races\n");
  std::fflush(stdout);
  std::thread a(race_first), b(race_first);
  a.join();
  b.join();
  std::printf("program: between the races\n");
  std::fflush(stdout);
  std::thread c(race_second), d(race_second);
  c.join();
  d.join();
  std::printf("program: after the races\n");
  return 0;
}
