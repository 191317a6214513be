#include <catch2/catch.hpp>

#include <string>

#include "racebook/options.hpp"

using racebook::sanitizer_options;

namespace {
// Where a flag's value stands last in an options string, as the runtime would keep it.
std::string last_value(const std::string& options, const std::string& flag) {
  std::string value = "<unset>";
  for (const auto& [name, v] : racebook::split_sanitizer_flags(options, "X")) {
    if (name == flag) value = v;
  }
  return value;
}
}  // namespace

TEST_CASE("options.racebook_decides_what_reaches_it", "[options]") {
  const auto o = sanitizer_options({{"TSAN_OPTIONS", "report_bugs=0:verbosity=1:history_size=2"},
                                    {"UBSAN_OPTIONS", "exitcode=0,log_path=/tmp/x"},
                                    {"LSAN_OPTIONS", "detect_leaks=0 suppressions='/a b'"},
                                    {"PATH", "/bin"}});
  REQUIRE(o.env.size() == 4);
  const std::string& tsan = o.env.at("TSAN_OPTIONS");
  CHECK(last_value(tsan, "report_bugs") == "1");
  CHECK(last_value(tsan, "verbosity") == "1");      // passes through
  CHECK(last_value(tsan, "history_size") == "2");   // the user's beats racebook's default
  CHECK(last_value(tsan, "log_path") == "stderr");
  CHECK(last_value(tsan, "color") == "never");
  CHECK(last_value(o.env.at("UBSAN_OPTIONS"), "exitcode") == "66");
  CHECK(last_value(o.env.at("UBSAN_OPTIONS"), "log_path") == "stderr");
  CHECK(last_value(o.env.at("LSAN_OPTIONS"), "detect_leaks") == "1");
  CHECK(last_value(o.env.at("LSAN_OPTIONS"), "suppressions").empty());
  CHECK(last_value(o.env.at("ASAN_OPTIONS"), "halt_on_error") == "1");
  REQUIRE(o.overridden.size() == 5);
  CHECK_THAT(o.overridden[0], Catch::Contains("report_bugs=0 overridden by report_bugs=1"));
}

TEST_CASE("options.no_override_is_announced_when_the_user_agrees", "[options]") {
  CHECK(sanitizer_options({{"TSAN_OPTIONS", "report_bugs=1:color=never"}}).overridden.empty());
  CHECK(sanitizer_options({}).overridden.empty());
}

TEST_CASE("options.strings_the_runtime_would_stop_on_are_refused", "[options]") {
  CHECK_THROWS_WITH(sanitizer_options({{"TSAN_OPTIONS", "verbosity='1"}}),
                    Catch::Contains("TSAN_OPTIONS has an unterminated ' quote"));
  CHECK_THROWS_WITH(sanitizer_options({{"ASAN_OPTIONS", "detect_leaks"}}),
                    Catch::Contains("without a value"));
  CHECK_THROWS_WITH(sanitizer_options({{"UBSAN_OPTIONS", "include=/tmp/f"}}),
                    Catch::Contains("include=/tmp/f"));
  CHECK_THROWS_WITH(sanitizer_options({{"TSAN_OPTIONS", "stack_trace_format=x"}}),
                    Catch::Contains("stack_trace_format"));
}

TEST_CASE("options.split_like_the_runtimes", "[options]") {
  const auto flags = racebook::split_sanitizer_flags("a=1,b=2 c=3\td='x:y' e=\"p q\"\n:f=", "X");
  REQUIRE(flags.size() == 6);
  CHECK(flags[3].second == "x:y");
  CHECK(flags[4].second == "p q");
  CHECK(flags[5] == std::pair<std::string, std::string>{"f", ""});
}
