// TSan "unlock of an unlocked mutex": std::mutex::unlock on a mutex nobody locked.
#include <mutex>

std::mutex m;

int main() {
  m.unlock();  // line:unlock
  return 0;
}
