// thread_name — the notebook's Thread(target, name), start(), run() and the name attribute.
// `thread_names`: default "Thread-N" names and a given one, set before start(): no race.
// `name_race`: main assigns `thread.name` while the thread reads it, with no lock: a data race.
// Teaching: docs/thread_name.md.
#include <catch2/catch.hpp>

#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "racebook/start_line.hpp"

namespace {

// Python's default name: "Thread-N" from a process-wide counter. Only main creates threads.
std::string default_thread_name() {
  static int counter = 0;
  return "Thread-" + std::to_string(++counter);
}

class NamedThread {
 public:
  using Target = std::function<void(NamedThread&)>;

  explicit NamedThread(Target target, std::string name = default_thread_name())
      : target_(std::move(target)), name_(std::move(name)) {}

  void start() { thread_ = std::thread(&NamedThread::run, this); }
  void run() { target_(*this); }
  void join() { thread_.join(); }

  std::string name() const {
    return name_;  // @name_read
  }
  void set_name(std::string name) {  // Python's `thread.name = ...`: a plain attribute, no lock
    name_ = std::move(name);  // @rename
  }

 private:
  Target target_;
  std::string name_;
  std::thread thread_;
};

}  // namespace

// truth: clean
TEST_CASE("thread_names") {
  std::string seen[3];
  NamedThread first([&](NamedThread& self) { seen[0] = self.name(); });
  NamedThread second([&](NamedThread& self) { seen[1] = self.name(); });
  NamedThread named([&](NamedThread& self) { seen[2] = self.name(); }, "counter");
  first.start();
  second.start();
  named.start();
  first.join();
  second.join();
  named.join();
  CHECK(seen[0] == "Thread-1");
  CHECK(seen[1] == "Thread-2");
  CHECK(seen[2] == "counter");
}

// truth: data-race @rename @name_read
TEST_CASE("name_race") {
  racebook::StartLine start(2);  // invisible to TSan: the rename and the read happen together
  racebook::StartLine finish(2);
  std::string seen;
  NamedThread thread(
      [&](NamedThread& self) {
        start.arrive_and_wait();
        seen = self.name();
        finish.arrive_and_wait();
      },
      "counter");
  thread.start();
  start.arrive_and_wait();
  thread.set_name("renamed");  // thread.name = "renamed", while the thread reads it
  finish.arrive_and_wait();
  thread.join();
  std::printf("the thread read its name as \"%s\"\n", seen.c_str());  // old, new or a mix
}
