// A test tool: the SARIF that write_sarif writes for the reports of one log, until `parse
// --format sarif` exists.
//   racebook_sarif_dump LOG [SOURCE_ROOT]
#include <fstream>
#include <iostream>
#include <sstream>

#include "racebook/ci_output.hpp"
#include "racebook/report.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: racebook_sarif_dump LOG [SOURCE_ROOT]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "racebook_sarif_dump: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::stringstream log;
  log << in.rdbuf();
  racebook::CiOutputOptions options;
  options.log_name = argv[1];
  if (argc == 3) options.source_root = argv[2];
  racebook::write_sarif(std::cout, racebook::parse_reports(log.str()), options);
  return std::cout ? 0 : 1;
}
