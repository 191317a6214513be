// TSan "thread leak": a joinable pthread finishes and is never joined.
#include <pthread.h>
#include <unistd.h>

void* work(void*) { return nullptr; }

int main() {
  pthread_t th;
  pthread_create(&th, nullptr, work, nullptr);  // line:create
  usleep(200 * 1000);  // let it finish: TSan only reports finished, unjoined threads
  return 0;
}
