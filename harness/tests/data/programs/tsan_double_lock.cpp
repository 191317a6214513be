// TSan "double lock of a mutex". A real pthread mutex locked twice just deadlocks (or
// returns EDEADLK, which TSan ignores), so this uses TSan's own dynamic annotations, as
// compiler-rt's test/tsan/mutex_double_lock.cpp does: two threads "acquire" the same lock.
#include <pthread.h>

extern "C" void AnnotateRWLockAcquired(const char* file, int line, void* lock, long is_w);

void* acquire_again(void* lock) {
  AnnotateRWLockAcquired(__FILE__, __LINE__, lock, 1);  // line:second-lock
  return nullptr;
}

int main() {
  int lock = 0;
  AnnotateRWLockAcquired(__FILE__, __LINE__, &lock, 1);  // line:first-lock
  pthread_t th;
  pthread_create(&th, nullptr, acquire_again, &lock);
  pthread_join(th, nullptr);
  return 0;
}
