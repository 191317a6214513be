// The docs generator's logic: on real captured reports, the excerpt a page shows and the
// signature the docs check compares; and the presets its tables have a column for.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include "captured_as_case.hpp"
#include "racebook/docs.hpp"
#include "racebook/results.hpp"

TEST_CASE("docs.excerpt_is_relative_without_build_ids_and_cut_after_our_frames", "[docs]") {
  const std::string raw = log_as_case("tsan_data_race.clang.log");
  REQUIRE_THAT(raw, Catch::Contains("BuildId"));
  const std::string text = racebook::excerpt(raw, "/proj");
  CHECK_THAT(text, !Catch::Contains("BuildId"));
  CHECK_THAT(text, !Catch::Contains("/proj/"));
  CHECK_THAT(text, Catch::Contains(" cases/tsan_data_race.cpp:"));
  CHECK_THAT(text, Catch::Contains("    ...\n"));
  // The frames of std::thread below our own frames are gone, the headline stays.
  CHECK_THAT(text, !Catch::Contains("std_thread.h"));
  CHECK_THAT(text, Catch::Contains("WARNING: ThreadSanitizer: data race"));
}

TEST_CASE("docs.signature_survives_the_excerpt", "[docs]") {
  for (const char* name : {"tsan_data_race.gcc.log", "tsan_data_race.clang.log",
                           "tsan_lock_order_inversion.gcc.log", "tsan_thread_leak.clang.log"}) {
    INFO(name);
    const std::string raw = log_as_case(name);
    const std::string sig = racebook::signature(raw, "/proj");
    CHECK_FALSE(sig.empty());
    CHECK_THAT(sig, !Catch::Contains("no frame in cases/"));
    CHECK(racebook::signature(racebook::excerpt(raw, "/proj"), "/proj") == sig);
  }
}

TEST_CASE("docs.signature_changes_with_a_line_and_ignores_addresses", "[docs]") {
  const std::string raw = log_as_case("tsan_data_race.gcc.log");
  const std::string sig = racebook::signature(raw, "/proj");
  // Another run: other addresses and pid.
  const std::string other =
      std::regex_replace(std::regex_replace(raw, std::regex("0x[0-9a-f]+"), "0x7b0400000abc"),
                         std::regex("pid=[0-9]+"), "pid=1");
  CHECK(racebook::signature(other, "/proj") == sig);
  // The same report at another line is another report.
  const std::string moved = std::regex_replace(raw, std::regex("tsan_data_race\\.cpp:([0-9]+)"),
                                               "tsan_data_race.cpp:999");
  CHECK(racebook::signature(moved, "/proj") != sig);
}

TEST_CASE("docs.excerpt_cuts_the_shadow_byte_dump_to_one_line", "[docs]") {
  const std::string raw = log_as_case("asan_heap_use_after_free.gcc.log");
  REQUIRE_THAT(raw, Catch::Contains("Shadow byte legend"));
  const std::string text = racebook::excerpt(raw, "/proj");
  CHECK_THAT(text, Catch::Contains("Shadow bytes around the buggy address: ... (cut: see docs/README.md)\n"));
  CHECK_THAT(text, !Catch::Contains("Shadow byte legend"));
  CHECK_THAT(text, !Catch::Contains("=>0x"));
  CHECK_THAT(text, !Catch::Contains("Heap left redzone"));
  // What the runtime prints after the dump stays.
  CHECK_THAT(text, Catch::Contains("ABORTING"));
  CHECK_THAT(text, Catch::Contains("SUMMARY: AddressSanitizer: heap-use-after-free"));
}

TEST_CASE("docs.corpus_presets_are_the_test_presets_inheriting_corpus", "[docs]") {
  namespace fs = std::filesystem;
  // The project's own file: the docs' columns, in the order it lists its test presets.
  const fs::path project = fs::path(RACEBOOK_README).parent_path();
  CHECK(racebook::corpus_presets(project) ==
        std::vector<std::string>{"normal", "tsan", "asan", "normal-clang", "tsan-clang", "asan-clang",
                                 "helgrind", "drd"});

  // Inherited through another preset, or as a single string, counts; hidden test presets and
  // presets outside the corpus do not.
  const fs::path dir = fs::temp_directory_path() / ("racebook-presets-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "CMakePresets.json") << R"({
    "configurePresets": [
      {"name": "corpus", "hidden": true}, {"name": "sanitized", "hidden": true, "inherits": "corpus"},
      {"name": "b", "inherits": ["sanitized"]}, {"name": "a", "inherits": "corpus"}, {"name": "tool"}],
    "testPresets": [
      {"name": "hidden", "hidden": true, "configurePreset": "a"}, {"name": "b", "configurePreset": "b"},
      {"name": "tool", "configurePreset": "tool"}, {"name": "a", "configurePreset": "a"}]})";
  CHECK(racebook::corpus_presets(dir) == std::vector<std::string>{"b", "a"});
  fs::remove_all(dir);
  CHECK_THROWS_WITH(racebook::corpus_presets(dir), Catch::Contains("CMakePresets.json"));
}
