// ThreadSanitizer report kinds, one per command-line switch (argv[1]); see ../README.md.
// Ordering between threads uses relaxed atomics, which give TSan no happens-before edge,
// so every report is deterministic. Lock-misuse kinds that plain pthreads cannot produce
// (glibc returns an error first) use TSan's dynamic annotations, as compiler-rt's tests do.
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

extern "C" {
void AnnotateRWLockAcquired(const char* file, int line, void* lock, long is_w);
void AnnotateRWLockReleased(const char* file, int line, void* lock, long is_w);
void* __tsan_external_register_tag(const char* object_type);
void __tsan_external_write(void* addr, void* caller_pc, void* tag);
}

namespace {

std::atomic<int> step{0};  // relaxed only: orders the threads without synchronizing them
void wait_for(int n) {
  while (step.load(std::memory_order_relaxed) < n) sched_yield();
}
void reach(int n) { step.store(n, std::memory_order_relaxed); }

pthread_t spawn(void* (*fn)(void*), void* arg) {
  pthread_t th;
  pthread_create(&th, nullptr, fn, arg);
  return th;
}

// ---- data-race
int shared_counter;
void* race_writer(void*) {
  shared_counter = 1;  // line:race-thread
  reach(1);
  return nullptr;
}
int data_race() {
  pthread_t th = spawn(race_writer, nullptr);
  wait_for(1);
  shared_counter = 2;  // line:race-main
  pthread_join(th, nullptr);
  return 0;
}

// ---- data-race-vptr: a virtual call in one thread, the destructor in another. The caller is
// joined inside ~Base's body, after the destructors rewrote the vptr but before the free, so
// the one race is on the vptr (without the join, the free races too and is reported first).
pthread_t vptr_caller;
struct Base {
  virtual ~Base() { pthread_join(vptr_caller, nullptr); }
  virtual int value() { return 1; }
};
struct Derived : Base {
  ~Derived() override {}
  int value() override { return 2; }
};
Base* volatile object;
void* virtual_caller(void*) {
  int v = object->value();  // line:vptr-call
  reach(1);
  return reinterpret_cast<void*>(static_cast<long>(v));
}
int data_race_vptr() {
  object = new Derived;
  vptr_caller = spawn(virtual_caller, nullptr);
  wait_for(1);
  delete object;  // line:vptr-delete
  return 0;
}

// ---- heap-use-after-free: a write in one thread after the free in another.
int* volatile block;
void* late_writer(void*) {
  wait_for(1);
  block[0] = 1;  // line:uaf-write
  return nullptr;
}
int heap_use_after_free() {
  block = static_cast<int*>(std::malloc(16));
  pthread_t th = spawn(late_writer, nullptr);
  std::free(block);  // line:uaf-free
  reach(1);
  pthread_join(th, nullptr);
  return 0;
}

// ---- thread-leak: a finished thread that is never joined.
void* quick(void*) {
  reach(1);
  return nullptr;
}
int thread_leak() {
  spawn(quick, nullptr);  // line:leaked-thread
  wait_for(1);
  usleep(100000);  // let it finish, so that it is a leak and not a running thread
  return 0;
}

// ---- destroy-of-locked-mutex
int destroy_locked() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_lock(&m);
  pthread_mutex_destroy(&m);  // line:destroy
  return 0;
}

// ---- double-lock: two threads "acquire" the same lock (a real mutex would deadlock).
int annotated_lock;
void* acquire_again(void*) {
  AnnotateRWLockAcquired(__FILE__, __LINE__, &annotated_lock, 1);  // line:second-lock
  return nullptr;
}
int double_lock() {
  AnnotateRWLockAcquired(__FILE__, __LINE__, &annotated_lock, 1);  // line:first-lock
  pthread_join(spawn(acquire_again, nullptr), nullptr);
  return 0;
}

// ---- unlock-of-unlocked-mutex
int unlock_unlocked() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_unlock(&m);  // line:unlock
  pthread_mutex_destroy(&m);
  return 0;
}

// ---- read-lock-of-write-locked-mutex / read-unlock-of-write-locked-mutex
// (glibc refuses both with EDEADLK/EPERM before TSan sees them, hence annotations)
int read_lock_of_write_locked() {
  int lock = 0;
  AnnotateRWLockAcquired(__FILE__, __LINE__, &lock, 1);
  AnnotateRWLockAcquired(__FILE__, __LINE__, &lock, 0);  // line:read-lock
  return 0;
}
int read_unlock_of_write_locked() {
  int lock = 0;
  AnnotateRWLockAcquired(__FILE__, __LINE__, &lock, 1);
  AnnotateRWLockReleased(__FILE__, __LINE__, &lock, 0);  // line:read-unlock
  return 0;
}

// ---- signal-unsafe-call: malloc inside a signal handler.
void* volatile keep;
void unsafe_handler(int) {
  keep = std::malloc(16);  // line:signal-malloc
}
int signal_unsafe_call() {
  std::signal(SIGUSR1, unsafe_handler);
  std::raise(SIGUSR1);
  std::free(keep);
  return 0;
}

// ---- signal-handler-spoils-errno: an asynchronous signal whose handler sets errno.
volatile sig_atomic_t handled;
pthread_t main_thread;
void spoiling_handler(int) {
  errno = EINTR;  // line:spoil
  handled = 1;
}
void* send_signal(void*) {
  wait_for(1);
  pthread_kill(main_thread, SIGUSR1);
  return nullptr;
}
int signal_handler_spoils_errno() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = spoiling_handler;
  sigaction(SIGUSR1, &sa, nullptr);
  main_thread = pthread_self();
  pthread_t th = spawn(send_signal, nullptr);
  reach(1);
  while (!handled) {  // the signal arrives while this thread runs instrumented code
    volatile char* p = static_cast<char*>(std::malloc(1));
    p[0] = 0;
    std::free(const_cast<char*>(p));
    sched_yield();
  }
  pthread_join(th, nullptr);
  return 0;
}

// ---- lock-order-inversion: a then b, later b then a (one thread suffices).
int lock_order_inversion() {
  pthread_mutex_t a, b;
  pthread_mutex_init(&a, nullptr);
  pthread_mutex_init(&b, nullptr);
  pthread_mutex_lock(&a);
  pthread_mutex_lock(&b);  // line:a-then-b
  pthread_mutex_unlock(&b);
  pthread_mutex_unlock(&a);
  pthread_mutex_lock(&b);
  pthread_mutex_lock(&a);  // line:b-then-a
  pthread_mutex_unlock(&a);
  pthread_mutex_unlock(&b);
  pthread_mutex_destroy(&a);
  pthread_mutex_destroy(&b);
  return 0;
}

// ---- external-race: a library object declared to TSan through __tsan_external_*.
void* tag;
int external_object;
void* external_writer(void*) {
  __tsan_external_write(&external_object, __builtin_return_address(0), tag);  // line:ext-thread
  reach(1);
  return nullptr;
}
int external_race() {
  tag = __tsan_external_register_tag("MyLibrary::Object");
  pthread_t th = spawn(external_writer, nullptr);
  wait_for(1);
  __tsan_external_write(&external_object, __builtin_return_address(0), tag);  // line:ext-main
  pthread_join(th, nullptr);
  return 0;
}

// ---- invalid-mutex: locking a destroyed mutex (glibc returns EINVAL, TSan reports it).
int invalid_mutex() {
  pthread_mutex_t m;
  pthread_mutex_init(&m, nullptr);
  pthread_mutex_destroy(&m);
  int rc = pthread_mutex_lock(&m);  // line:invalid-lock
  std::printf("pthread_mutex_lock after destroy: %d\n", rc);
  return 0;
}

struct Case {
  const char* name;
  int (*run)();
};
const Case cases[] = {
    {"data-race", data_race},
    {"data-race-vptr", data_race_vptr},
    {"heap-use-after-free", heap_use_after_free},
    {"thread-leak", thread_leak},
    {"destroy-of-locked-mutex", destroy_locked},
    {"double-lock", double_lock},
    {"unlock-of-unlocked-mutex", unlock_unlocked},
    {"read-lock-of-write-locked-mutex", read_lock_of_write_locked},
    {"read-unlock-of-write-locked-mutex", read_unlock_of_write_locked},
    {"signal-unsafe-call", signal_unsafe_call},
    {"signal-handler-spoils-errno", signal_handler_spoils_errno},
    {"lock-order-inversion", lock_order_inversion},
    {"external-race", external_race},
    {"invalid-mutex", invalid_mutex},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2)
    for (const Case& c : cases)
      if (std::strcmp(argv[1], c.name) == 0) return c.run();
  std::fprintf(stderr, "usage: %s CASE; cases:", argv[0]);
  for (const Case& c : cases) std::fprintf(stderr, " %s", c.name);
  std::fprintf(stderr, "\n");
  return 2;
}
