// Does a program carry the sanitizer runtime it is claimed to be built with? Read from the
// ELF symbol tables (.symtab and .dynsym): clang links the runtimes statically and defines
// their entry points, gcc links them dynamically and the program imports them.
#pragma once

#include <string>

namespace racebook {

struct Instrumentation {
  bool readable = false;  // an ELF file whose symbol tables could be read
  std::string problem;    // why not, when !readable
  bool tsan = false;      // __tsan_init / __tsan_func_entry ...
  bool asan = false;      // __asan_init / __asan_report_* ...
  bool ubsan = false;     // __ubsan_handle_* ...
};

Instrumentation read_instrumentation(const std::string& program);

// "" when `program` fits `sanitizer` ("normal", "tsan", "asan", "helgrind", "drd": the last two
// take a plain build), else what is wrong and which
// build to use.
std::string instrumentation_mismatch(const std::string& program, const std::string& sanitizer);

}  // namespace racebook
