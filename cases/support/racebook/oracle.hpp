// racebook::count_trials — a tiny oracle for races that are not data races.
//
// Some variants are free of data races, so ThreadSanitizer rightly stays silent, yet the program
// is still wrong: an invariant breaks, or updates get lost, depending on the interleaving. No
// sanitizer can show that; running the trial many times and counting how often it went wrong
// can. The count is measured and printed, never asserted: it depends on the machine, the load
// and the build, and may well be 0 on a given run.
#pragma once

#include <cstdio>

namespace racebook {

// Runs `trial` `n` times in the calling thread; `trial()` returns true when that trial showed
// the effect. Prints "measured: <what> in K of N trials" and returns K. The harness keeps every
// stdout line that starts with "measured: " in its result, and the docs show them per preset.
//
// Under Valgrind (the helgrind and drd presets define RACEBOOK_VALGRIND) only the first trial
// runs, and the line says "of 1 trials": the count decides no verdict (it is never asserted),
// Valgrind runs one thread at a time so it measures nothing there anyway, and a run is 100-1000
// times slower (intermediate_read.lock_per_increment's 100 trials took 19 minutes under Helgrind).
template <class Trial>
int count_trials(int n, const char* what, Trial trial) {
#ifdef RACEBOOK_VALGRIND
  if (n > 1) n = 1;
#endif
  int k = 0;
  for (int i = 0; i < n; ++i) {
    if (trial()) ++k;
  }
  std::printf("measured: %s in %d of %d trials\n", what, k, n);
  return k;
}

}  // namespace racebook
