// Helgrind "Attempt to re-lock a non-recursive lock I already hold" (and its failed call,
// EDEADLK, at the same stack), DRD "Recursive locking not allowed": an error-checking mutex
// locked twice by one thread (a normal one would deadlock).
#include <pthread.h>

#include <cstdio>

int main() {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_t m;
  pthread_mutex_init(&m, &attr);
  pthread_mutex_lock(&m);  // line:first-lock
  const int rc = pthread_mutex_lock(&m);  // line:second-lock
  std::fprintf(stderr, "second lock returned %d\n", rc);
  pthread_mutex_unlock(&m);
  pthread_mutex_destroy(&m);
  return 0;
}
