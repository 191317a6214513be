// Helgrind "pthread_cond_{timed}wait called with invalid mutex" (a pthread-API misuse), DRD
// "The object at address 0x.. is not a mutex.": waiting on a condition variable with a mutex the
// thread does not hold (and never locked).
#include <pthread.h>
#include <time.h>

#include <cstdio>

int main() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t c = PTHREAD_COND_INITIALIZER;
  timespec deadline{};
  clock_gettime(CLOCK_REALTIME, &deadline);
  const int rc = pthread_cond_timedwait(&c, &m, &deadline);  // line:wait
  std::printf("timedwait returned %d\n", rc);
  return 0;
}
