// shared_ptr_race — beyond the notebook: a thread and main share one Tally through
// std::shared_ptr. The control block's count is atomic; the Tally and a shared_ptr object are
// not. A thread acts first, main after it (the StartLine only orders the acts in time).
// Teaching: docs/shared_ptr_race.md.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

struct Tally {
  int count = 0;
};

// By reference: no count changes during the bumps (an acq_rel count change would order them).
void bump_pointee(const std::shared_ptr<Tally>& mine) { ++mine->count; }  // @pointee_bump

void copy_and_reset(std::shared_ptr<Tally> mine) {
  std::shared_ptr<Tally> another = mine;  // the count goes up and down, atomically
  another.reset();
  mine.reset();
}

void assign_new(std::shared_ptr<Tally>& same) { same = std::make_shared<Tally>(); }  // @assign

// `thread_act` on a thread, then `main_act` on main.
template <class ThreadAct, class MainAct>
void thread_then_main(ThreadAct thread_act, MainAct main_act) {
  racebook::StartLine start(2);
  std::thread thread([&] {
    thread_act();
    start.arrive_and_wait();
  });
  start.arrive_and_wait();
  main_act();
  thread.join();
}

}  // namespace

// truth: data-race @pointee_bump @pointee_bump
TEST_CASE("pointee_through_copies") {
  auto mine = std::make_shared<Tally>();
  auto theirs = mine;  // the thread's own copy, made before it starts
  thread_then_main([&] { bump_pointee(theirs); }, [&] { bump_pointee(mine); });
  std::printf("count: %d\n", mine->count);
}

// truth: clean
TEST_CASE("own_copies") {
  auto mine = std::make_shared<Tally>();
  auto theirs = mine;
  thread_then_main([&] { copy_and_reset(theirs); }, [&] { copy_and_reset(mine); });
  CHECK(mine.use_count() == 2);
}

// `kept` keeps the thread's Tally alive: main's assignment only counts it down, so the race is
// on `same` itself, not on destroying what the thread built.
// truth: data-race @assign @assign
TEST_CASE("same_instance") {
  std::shared_ptr<Tally> same, kept;
  thread_then_main([&] { assign_new(same); kept = same; }, [&] { assign_new(same); });
  CHECK(same.use_count() == 1);
}
