// Helgrind "Thread #1's call to pthread_mutex_lock failed / with error code 22 (EINVAL)" alone
// (no report before it to fold into): locking a destroyed mutex. DRD reports nothing.
#include <pthread.h>

#include <cstdio>

int main() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_destroy(&m);
  const int rc = pthread_mutex_lock(&m);  // line:lock-destroyed
  std::printf("lock after destroy returned %d\n", rc);
  if (rc == 0) pthread_mutex_unlock(&m);
  return 0;
}
