// Helgrind "unlocked lock at 0x.. currently held by thread #1", DRD "Mutex not locked by calling
// thread" (recursion count 1): a thread unlocks the mutex main holds. Helgrind then reports main
// exiting with the lock held.
#include <pthread.h>

pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

void* unlock_main_lock(void*) {
  pthread_mutex_unlock(&held);  // line:foreign-unlock
  return nullptr;
}

int main() {
  pthread_mutex_lock(&held);  // line:lock
  pthread_t thread;
  pthread_create(&thread, nullptr, unlock_main_lock, nullptr);
  pthread_join(thread, nullptr);
  return 0;
}
