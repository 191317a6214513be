// A process that will not stay put, for the runner's tests: it forks, the parent exits at
// once, the child makes itself a new session and does the same, as fast as it can. At any
// moment one process of the chain is alive, with a new pid every few dozen microseconds, in a
// new session and group, so neither a group kill nor a kill of a pid seen a moment ago stops
// it. Prints "chain <pid>" first, then lets go of stdout/stderr. Stops by itself after argv[1]
// generations (default 200000, some seconds), so a failed test cannot leave it running long.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const long generations = argc > 1 ? std::atol(argv[1]) : 200000;
  std::printf("chain %d\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  const int null = ::open("/dev/null", O_RDWR);
  ::dup2(null, STDOUT_FILENO);
  ::dup2(null, STDERR_FILENO);
  for (long i = 0; i < generations; ++i) {
    const pid_t pid = ::fork();
    if (pid != 0) ::_exit(pid < 0 ? 1 : 0);
    ::setsid();
  }
  return 0;
}
