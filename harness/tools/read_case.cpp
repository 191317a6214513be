// racebook-read-case: CMake's window on the case-file reader (harness/src/expectation.cpp),
// built at configure time so that racebook_add_case declares exactly the variants and verdicts
// the harness will check, with the harness's own rules and messages.
//
//   racebook-read-case CASE.cpp SANITIZER COMPILER [SOURCE_ROOT]
//
// SOURCE_ROOT: where markers the case file lacks are looked for (the library under test).
// Prints one line per variant, "<name> <racy|clean> <line>", or the problem with file:line on
// standard error and exits 1.
#include <iostream>
#include <string>

#include "racebook/expectation.hpp"

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: racebook-read-case CASE.cpp normal|tsan|asan|helgrind|drd gcc|clang[MAJOR] [SOURCE_ROOT]\n";
    return 2;
  }
  const std::string sanitizer = argv[2], compiler = argv[3];
  try {
    const racebook::CaseFile file = racebook::read_case_file(argv[1], argc == 5 ? argv[4] : "");
    if (file.variants.empty()) {
      std::cerr << file.path << ": no TEST_CASE(\"<variant>\") found; a case needs at least one "
                   "variant\n";
      return 1;
    }
    for (const auto& v : file.variants) {
      const racebook::Expectation e = racebook::expectation_for(file, v, sanitizer, compiler);
      std::cout << v.name << ' ' << (e.clean ? "clean" : "racy") << ' ' << v.line << '\n';
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
