// shadow_word — beyond the notebook: a thread writes one byte of an 8-byte word, main reads it
// without synchronisation. In `neighbours_written` the thread then also writes the word's seven
// other bytes, which main never touches: the race is the same, but ThreadSanitizer keeps only
// 4 shadow cells per 8 bytes and forgets the racing write. Teaching: docs/shadow_word.md.
#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>

#include "racebook/start_line.hpp"

namespace {

struct alignas(8) Word {
  unsigned char flag;
  unsigned char rest[7];  // the thread's own bytes; main reads only `flag`
};

void write_flag(Word& word) { word.flag = 1; }  // @flag_write

void write_neighbours(Word& word) {
  word.rest[0] = 1, word.rest[1] = 2, word.rest[2] = 3, word.rest[3] = 4;
  word.rest[4] = 5, word.rest[5] = 6, word.rest[6] = 7;
}

int read_flag(const Word& word) { return word.flag; }  // @flag_read

int read_after(bool neighbours) {
  Word word{};
  racebook::StartLine start(2);
  std::thread thread([&] {
    write_flag(word);
    if (neighbours) write_neighbours(word);
    start.arrive_and_wait();  // main reads only after the writes (invisible to the detectors)
  });
  start.arrive_and_wait();
  const int seen = read_flag(word);
  thread.join();
  return seen;
}

}  // namespace

// truth: data-race @flag_write @flag_read
TEST_CASE("flag_alone") { std::printf("read: %d\n", read_after(false)); }

// truth: data-race @flag_write @flag_read
// expect tsan: clean  -- missed: 7 later writes to the same 8-byte word evict the write's shadow cell
TEST_CASE("neighbours_written") { std::printf("read: %d\n", read_after(true)); }
