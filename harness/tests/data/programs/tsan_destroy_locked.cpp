// TSan "destroy of a locked mutex": pthread_mutex_destroy while it is held.
#include <pthread.h>

int main() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_lock(&m);
  pthread_mutex_destroy(&m);  // line:destroy
  return 0;
}
