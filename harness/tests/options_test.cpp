#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

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

// ---- Valgrind: ~/.valgrindrc, VALGRIND_OPTS and ./.valgrindrc ----

namespace {
// The value the last `--name=` of `args` gives, as Valgrind keeps it.
std::string last_vg(const std::vector<std::string>& args, const std::string& name) {
  std::string value = "<unset>";
  for (const auto& a : args) {
    if (a.rfind(name + "=", 0) == 0) value = a.substr(name.size() + 1);
  }
  return value;
}
}  // namespace

TEST_CASE("options.valgrind_racebook_decides_what_reaches_it", "[options]") {
  racebook::ValgrindUserOptions user;
  user.home_rc = "--xml=yes --xml-file=/tmp/x.xml\n--num-callers=30\n--max-stackframe=4000000";
  user.env = "--log-file=/tmp/l --tool=none --error-limit=yes --time-stamp=yes --vgdb-error=0";
  user.cwd_rc = "--history-level=none --track-lockorders=no --command-line-only=no";
  const auto o = racebook::valgrind_options("helgrind", user, {{"VALGRIND_LIB", "/elsewhere"}});
  REQUIRE(o.args.size() > 2);
  CHECK(o.args[0] == "--tool=helgrind");
  CHECK(o.args[1] == "--command-line-only=yes");  // Valgrind reads none of the three itself
  CHECK(last_vg(o.args, "--tool") == "helgrind");
  CHECK(last_vg(o.args, "--xml") == "no");
  CHECK(last_vg(o.args, "--log-fd") == "2");
  CHECK(last_vg(o.args, "--error-limit") == "no");
  CHECK(last_vg(o.args, "--error-exitcode") == "66");
  CHECK(last_vg(o.args, "--time-stamp") == "no");
  CHECK(last_vg(o.args, "--vgdb") == "no");
  CHECK(last_vg(o.args, "--fullpath-after").empty());
  CHECK(last_vg(o.args, "--history-level") == "full");
  CHECK(last_vg(o.args, "--track-lockorders") == "yes");
  CHECK(last_vg(o.args, "--num-callers") == "50");  // racebook needs the deep frames
  CHECK(last_vg(o.args, "--max-stackframe") == "4000000");  // passes through
  CHECK(last_vg(o.args, "--command-line-only") == "yes");
  CHECK(std::count(o.args.begin(), o.args.end(), "--tool=none") == 0);
  CHECK(std::count(o.unset_env.begin(), o.unset_env.end(), "VALGRIND_OPTS") == 1);
  CHECK(std::count(o.unset_env.begin(), o.unset_env.end(), "VALGRIND_LIB") == 1);
  const std::string said = [&] {
    std::string all;
    for (const auto& line : o.overridden) all += line + "\n";
    return all;
  }();
  CHECK_THAT(said, Catch::Contains("VALGRIND_OPTS: --tool=none overridden by --tool=helgrind"));
  CHECK_THAT(said, Catch::Contains("--xml=yes overridden by --xml=no"));
  CHECK_THAT(said, Catch::Contains("--log-file=/tmp/l overridden by --log-fd=2"));
  CHECK_THAT(said, Catch::Contains("--history-level=none overridden by --history-level=full"));
  CHECK_THAT(said, Catch::Contains("VALGRIND_LIB=/elsewhere removed"));
}

TEST_CASE("options.valgrind_drd_checks_stack_variables", "[options]") {
  racebook::ValgrindUserOptions user;
  user.env = "--check-stack-var=no --first-race-only=yes";
  const auto o = racebook::valgrind_options("drd", user);
  CHECK(last_vg(o.args, "--check-stack-var") == "yes");
  CHECK(last_vg(o.args, "--first-race-only") == "no");
  CHECK(last_vg(o.args, "--track-lockorders") == "<unset>");  // Helgrind's, unknown to DRD
  CHECK(o.overridden.size() == 2);
  CHECK(racebook::valgrind_options("drd", {}).overridden.empty());
}

TEST_CASE("options.valgrind_options_that_cannot_be_undone_are_refused", "[options]") {
  auto with = [](std::string text) {
    racebook::ValgrindUserOptions user;
    user.env = std::move(text);
    return racebook::valgrind_options("helgrind", user);
  };
  CHECK_THROWS_WITH(with("--suppressions=/tmp/s.supp"),
                    Catch::Contains("VALGRIND_OPTS has --suppressions=/tmp/s.supp"));
  CHECK_THROWS_WITH(with("-q"), Catch::Contains("ERROR SUMMARY"));
  CHECK_THROWS_WITH(with("--quiet"), Catch::Contains("--quiet"));
  CHECK_THROWS_WITH(with("--fullpath-after=/src/"), Catch::Contains("full paths"));
  CHECK_THROWS_WITH(with("--error-markers=a,b"), Catch::Contains("--error-markers"));
  CHECK_THROWS_WITH(with("--help"), Catch::Contains("not run the program"));
  CHECK_THROWS_WITH(with("/bin/true"), Catch::Contains("not a Valgrind option"));
  CHECK_THROWS_WITH(with("--"), Catch::Contains("not a Valgrind option"));
  racebook::ValgrindUserOptions rc;
  rc.home_rc_path = "/home/u/.valgrindrc";
  rc.home_rc = "--suppressions=x";
  CHECK_THROWS_WITH(racebook::valgrind_options("drd", rc), Catch::Contains("/home/u/.valgrindrc has"));
  CHECK_THROWS(racebook::valgrind_options("memcheck", {}));
}

TEST_CASE("options.valgrind_output_must_arrive_whole", "[options]") {
  const std::string whole =
      "==7== Helgrind, a thread error detector\n==7== Command: ./p\n==7== \nprogram output\n"
      "==7== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 3 from 3)\n";
  CHECK(racebook::valgrind_trouble(whole, "helgrind", true).empty());
  CHECK_THAT(racebook::valgrind_trouble(whole, "drd", true), Catch::Contains("another tool"));
  CHECK_THAT(racebook::valgrind_trouble("program output\n", "helgrind", true),
             Catch::Contains("banner"));
  CHECK(racebook::valgrind_trouble("program output\n", "helgrind", false).empty());  // timed out
  CHECK_THAT(racebook::valgrind_trouble("==7== drd, a thread error detector\n", "drd", true),
             Catch::Contains("ERROR SUMMARY"));
  CHECK_THAT(racebook::valgrind_trouble(
                 "valgrind: failed to start tool 'drd' for platform 'amd64-linux': No such file "
                 "or directory\n", "drd", true),
             Catch::Contains("Valgrind itself failed: valgrind: failed to start tool"));
  CHECK_THAT(racebook::valgrind_trouble("valgrind: Unknown option: --x\n", "drd", false),
             Catch::Contains("Unknown option"));
  CHECK_THAT(racebook::valgrind_trouble(whole + "==7== More than 10000000 total errors detected.  "
                                                "I'm not reporting any more.\n", "helgrind", true),
             Catch::Contains("stopped reporting"));
  CHECK_THAT(racebook::valgrind_trouble("\nvalgrind: the 'impossible' happened:\n", "drd", true),
             Catch::Contains("impossible"));
}
