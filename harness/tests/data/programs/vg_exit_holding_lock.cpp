// Helgrind "Exiting thread still holds 1 lock", DRD "Mutex still locked at thread exit": a thread
// locks a mutex and returns without unlocking it; main joins it.
#include <pthread.h>

pthread_mutex_t kept = PTHREAD_MUTEX_INITIALIZER;

void* lock_and_return(void*) {
  pthread_mutex_lock(&kept);  // line:lock-kept
  return nullptr;
}

int main() {
  pthread_t thread;
  pthread_create(&thread, nullptr, lock_and_return, nullptr);
  pthread_join(thread, nullptr);  // line:join
  return 0;
}
