// lazy_init — beyond the notebook: two threads ask for a lazily computed answer, one after the
// other. std::call_once orders the second caller after the first one's initialisation; a
// hand-rolled `if (!initialised)` flag orders nothing, nor does skipping the once_flag.
// Teaching: docs/lazy_init.md.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

struct Lazy {
  std::once_flag once;
  bool initialised = false;
  int answer = 0;
};

void initialise(Lazy& lazy) { lazy.answer = 42; lazy.initialised = true; }  // @init

int answer_once(Lazy& lazy) {
  std::call_once(lazy.once, initialise, std::ref(lazy));
  return lazy.answer;  // @once_read
}

// Main skips the once_flag: it reads what the thread's call_once wrote.
int answer_without_once(Lazy& lazy) { return lazy.answer; }  // @unguarded_read

// The flag check and the answer's read stand on one line: both race with @init, one report each.
int answer_by_flag(Lazy& lazy) {
  return lazy.initialised ? lazy.answer : (initialise(lazy), lazy.answer);  // @flag_read
}

// A thread asks first; main asks once the thread has its answer. The StartLine only decides
// who asks first (detectors do not see it as synchronisation), so the initialisation never
// runs twice.
int ask_twice(int (*first)(Lazy&), int (*second)(Lazy&)) {
  Lazy lazy;
  racebook::StartLine start(2);
  int first_answer = 0;
  std::thread thread([&] { first_answer = first(lazy); start.arrive_and_wait(); });
  start.arrive_and_wait();
  const int second_answer = second(lazy);
  thread.join();
  return first_answer + second_answer;
}

}  // namespace

// truth: clean
// expect helgrind: data-race @init @once_read  -- false alarm: sees no order through pthread_once
TEST_CASE("call_once") { CHECK(ask_twice(answer_once, answer_once) == 84); }

// truth: data-race @init @flag_read
TEST_CASE("plain_flag") { CHECK(ask_twice(answer_by_flag, answer_by_flag) == 84); }

// truth: data-race @init @unguarded_read
// expect drd: clean  -- missed: DRD ignores every access made inside pthread_once
// expect tsan-clang19: clean  -- missed: clang 19 drops it (standalone repro too; cause not traced)
TEST_CASE("read_without_once") { CHECK(ask_twice(answer_once, answer_without_once) == 84); }
