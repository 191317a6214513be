// A data race whose stacks go through names with spaces at bracket depth 0.
#include <chrono>
#include <thread>
#include <vector>

namespace {
int counter = 0;

struct Flag {
  explicit operator bool() const {
    ++counter;  // line:increment
    return true;
  }
};

template <typename T>
void bump(std::vector<T>& sink) {
  Flag f;
  if (f) sink.push_back(T{});
}
}  // namespace

int main() {
  std::thread first([] {
    std::vector<int> v;
    bump(v);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread second([] {
    std::vector<int> v;
    bump(v);
  });
  second.join();
  first.join();
}
