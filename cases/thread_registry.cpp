// thread_registry — notebook In [2], [5], [6]: threading.active_count(), current_thread() and
// enumerate().
//
// Python answers these from a registry of live threads (threading._active): every thread
// enters itself when it starts and leaves when it ends, and every access takes one lock. Here
// the registry is a fixed array of (thread id, name) slots and a count, with a std::mutex.
//
// `guarded`: every method takes the lock, so registrations, lookups and the enumeration are
// serialised; two threads register and wait (a latch) until main has counted 3 live threads
// and enumerated their names, then leave: clean, with exact counts and names.
// `unguarded_register`: register forgets the lock and two threads register at once: both read
// and write the count and the same slot, a data race TSan reports between the two
// registrations. `unguarded_enumerate`: register keeps the lock, enumerate forgets it, and main
// enumerates while a thread registers: the enumeration's reads race with the registration's
// writes, because a lock only orders the threads that take it.
//
// The racy variants make no claim about the names (a registration can be lost) and stay safe
// to run without a sanitizer: the slots never move (no reallocation), the count cannot pass
// the array's size, and the names are short enough to live inside each std::string.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "racebook/start_line.hpp"

namespace {

// Which method of the registry forgets to take the lock: the bug of a variant, if any.
enum class Forgets { nothing, lock_in_register, lock_in_enumerate };

class Registry {
 public:
  explicit Registry(Forgets forgets) : forgets_(forgets) {}

  // Python's Thread._bootstrap_inner: the new thread enters itself in threading._active.
  void register_current(const std::string& name) {
    const Lock lock = lock_unless(forgets_ == Forgets::lock_in_register);
    slots_[count_++] = {std::this_thread::get_id(), name};  // @register
  }

  // ... and leaves it as its last act.
  void unregister_current() {
    const Lock lock(mutex_);
    for (std::size_t i = 0; i < count_; ++i) {
      if (slots_[i].first == std::this_thread::get_id()) {
        slots_[i] = slots_[--count_];
        return;
      }
    }
  }

  // threading.current_thread().name
  std::string current_thread_name() const {
    const Lock lock(mutex_);
    for (std::size_t i = 0; i < count_; ++i) {
      if (slots_[i].first == std::this_thread::get_id()) return slots_[i].second;
    }
    return "(not registered)";
  }

  // threading.active_count()
  std::size_t active_count() const {
    const Lock lock(mutex_);
    return count_;
  }

  // threading.enumerate(), as names
  std::vector<std::string> enumerate() const {
    const Lock lock = lock_unless(forgets_ == Forgets::lock_in_enumerate);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count_; ++i) names.push_back(slots_[i].second);  // @enumerate
    return names;
  }

 private:
  using Lock = std::unique_lock<std::mutex>;

  Lock lock_unless(bool forgotten) const {
    return forgotten ? Lock(mutex_, std::defer_lock) : Lock(mutex_);
  }

  const Forgets forgets_;
  mutable std::mutex mutex_;
  std::array<std::pair<std::thread::id, std::string>, 8> slots_{};
  std::size_t count_ = 0;
};

// The moments a registered thread's life is tied to.
struct Gates {
  Gates(unsigned starting, std::ptrdiff_t registering)
      : start(starting), registered(registering) {}

  racebook::StartLine start;  // who races begins together (see start_line.hpp; TSan can't see it)
  std::latch registered;      // every thread, main included, has registered (or looked)
  std::latch enumerated{1};   // main has enumerated: the threads may end
};

// The life of one registered thread: it enters the registry, asks who it is, stays alive until
// main has enumerated, and leaves. The latches are real synchronisation: they order what comes
// after them, never the registration against what races with it.
void live(Registry& registry, const std::string& name, Gates& gates, std::string& seen) {
  gates.start.arrive_and_wait();
  registry.register_current(name);
  gates.registered.arrive_and_wait();
  seen = registry.current_thread_name();
  gates.enumerated.wait();
  registry.unregister_current();
}

using Names = std::vector<std::string>;

Names sorted(Names names) {
  std::sort(names.begin(), names.end());
  return names;
}

void print(const char* what, const Names& names) {
  std::printf("%s:", what);
  for (const auto& name : names) std::printf(" %s", name.c_str());
  std::printf("\n");
}

}  // namespace

// expect tsan:   clean
// expect asan:   clean
// expect normal: clean
TEST_CASE("guarded") {
  Registry registry(Forgets::nothing);
  registry.register_current("MainThread");
  Gates gates(2, 3);
  std::string seen[2];
  std::thread thread1(live, std::ref(registry), "Thread-1", std::ref(gates), std::ref(seen[0]));
  std::thread thread2(live, std::ref(registry), "Thread-2", std::ref(gates), std::ref(seen[1]));

  gates.registered.arrive_and_wait();
  const std::size_t alive = registry.active_count();
  const Names names = registry.enumerate();
  gates.enumerated.count_down();
  thread1.join();
  thread2.join();

  CHECK(alive == 3);
  CHECK(sorted(names) == Names{"MainThread", "Thread-1", "Thread-2"});
  CHECK(registry.current_thread_name() == "MainThread");
  CHECK(seen[0] == "Thread-1");
  CHECK(seen[1] == "Thread-2");
  CHECK(registry.active_count() == 1);
  CHECK(registry.enumerate() == Names{"MainThread"});
}

// expect tsan:   data-race @register @register
// expect asan:   clean
// expect normal: clean
TEST_CASE("unguarded_register") {
  Registry registry(Forgets::lock_in_register);
  registry.register_current("MainThread");
  Gates gates(2, 3);
  std::string seen[2];
  std::thread thread1(live, std::ref(registry), "Thread-1", std::ref(gates), std::ref(seen[0]));
  std::thread thread2(live, std::ref(registry), "Thread-2", std::ref(gates), std::ref(seen[1]));

  gates.registered.arrive_and_wait();
  const Names names = registry.enumerate();
  gates.enumerated.count_down();
  thread1.join();
  thread2.join();

  // No claim about the names: a registration may have been lost. Printed for the curious.
  print("enumerate() while both were alive", names);
}

// expect tsan:   data-race @enumerate @register
// expect asan:   clean
// expect normal: clean
TEST_CASE("unguarded_enumerate") {
  Registry registry(Forgets::lock_in_enumerate);
  registry.register_current("MainThread");
  Gates gates(2, 2);  // the thread and main start together; both count down `registered`
  std::string seen;
  std::thread thread(live, std::ref(registry), "Thread-1", std::ref(gates), std::ref(seen));

  gates.start.arrive_and_wait();
  const Names names = registry.enumerate();  // while the thread registers
  gates.registered.arrive_and_wait();
  gates.enumerated.count_down();
  thread.join();

  // No claim about the names: Thread-1 may or may not be in them yet. Printed for the curious.
  print("enumerate() while Thread-1 registered", names);
}
