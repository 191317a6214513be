// A captured log of harness/tests/data, with its capture directory renamed to /proj/cases so
// that its program looks like one of our case files (the log is otherwise as the runtime
// printed it). For the tests of what reads a case's report: docs excerpts, pictures.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

inline std::string log_as_case(const std::string& name) {
  std::ifstream in(std::string(RACEBOOK_TEST_DATA) + "/" + name);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  static const std::regex capture_dir("/tmp/racebook-capture\\.[A-Za-z0-9]+/");
  return std::regex_replace(text.str(), capture_dir, "/proj/cases/");
}
