// DRD "Reader-writer lock not locked by calling thread", Helgrind "unlocked a not-locked lock":
// a reader-writer lock unlocked by a thread that never locked it, after main read-locked and
// unlocked it.
#include <pthread.h>

pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

void* unlock_unheld(void*) {
  pthread_rwlock_unlock(&lock);  // line:unlock
  return nullptr;
}

int main() {
  pthread_rwlock_rdlock(&lock);
  pthread_rwlock_unlock(&lock);
  pthread_t thread;
  pthread_create(&thread, nullptr, unlock_unheld, nullptr);
  pthread_join(thread, nullptr);
  return 0;
}
