// Helgrind "unlocked a not-locked lock", DRD "Mutex not locked by calling thread" (recursion
// count 0): a pthread mutex Valgrind saw locked and unlocked, unlocked once more.
#include <pthread.h>

int main() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  pthread_mutex_unlock(&m);  // line:second-unlock
  pthread_mutex_destroy(&m);
  return 0;
}
