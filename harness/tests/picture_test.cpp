// The pictures of racy variants, drawn from real captured reports (harness/tests/data): which
// lanes, events and edges each kind gives, and an SVG that is well formed. That it renders is
// checked by the docs.pictures_render test, with rsvg-convert, on the pictures docs/ holds.
#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "captured_as_case.hpp"
#include "racebook/picture.hpp"

namespace {

using racebook::RaceDrawing;

// A captured log's first report, its program standing as a case file (captured_as_case.hpp).
racebook::Report captured(const std::string& name) {
  auto reports = racebook::parse_reports(log_as_case(name));
  REQUIRE(!reports.empty());
  return reports.front();
}

racebook::CaseFile case_file(const std::string& program, std::map<std::string, int> markers) {
  racebook::CaseFile file;
  file.path = "/proj/cases/" + program;
  file.markers = std::move(markers);
  return file;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("picture.data_race_has_creation_two_accesses_and_the_missing_edge", "[picture]") {
  for (const char* log : {"tsan_data_race.gcc.log", "tsan_data_race.clang.log"}) {
    INFO(log);
    const auto d = racebook::draw_race(captured(log), "x.racy", "/proj",
                                       case_file("tsan_data_race.cpp", {{"increment", 7}}));
    CHECK(d.lanes == std::vector<std::string>{"main thread", "thread T1", "thread T2"});
    REQUIRE(d.events.size() == 4);
    CHECK(d.events[0].what == "creates T1");
    CHECK(d.events[1].what == "creates T2");
    // clang's runtime lost main's frame in these creation stacks: no line rather than a wrong one.
    const bool gcc = std::string(log).find(".gcc.") != std::string::npos;
    CHECK(d.events[0].where == (gcc ? "tsan_data_race.cpp:11" : ""));
    CHECK(d.events[1].where == (gcc ? "tsan_data_race.cpp:12" : ""));
    // The accesses in lane order, whichever TSan called "previous".
    CHECK(d.events[2].lane == 1);
    CHECK(d.events[3].lane == 2);
    CHECK(d.events[2].where == "tsan_data_race.cpp:7 @increment");
    CHECK(d.events[3].where == "tsan_data_race.cpp:7 @increment");
    CHECK(d.subtitle == "memory: global 'counter' of size 4");
    CHECK(d.missing_from == 2);
    CHECK(d.missing_to == 3);
    const std::string svg = racebook::race_svg(d, {"x.fixed", "unlock(m) → lock(m)"}, "ThreadSanitizer");
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(count(svg, "class=\"missing\"") == 1);
    CHECK(count(svg, "class=\"orders\"") == 1);
    CHECK(count(svg, "class=\"creates\"") == 4);  // in both panels
    CHECK_THAT(svg, Catch::Contains("unlock(m) → lock(m)"));
    CHECK_THAT(svg, Catch::Contains("✗ no happens-before between them"));
  }
}

TEST_CASE("picture.lock_order_inversion_shows_the_cycle", "[picture]") {
  const auto d = racebook::draw_race(captured("tsan_lock_order_inversion.gcc.log"), "x.racy", "/proj",
                                     case_file("tsan_lock_order_inversion.cpp", {}));
  REQUIRE(d.missing_from != d.missing_to);
  CHECK_THAT(d.events[d.missing_from].what, Catch::StartsWith("holds M"));
  CHECK_THAT(d.events[d.missing_to].what, Catch::StartsWith("holds M"));
  CHECK_THAT(d.subtitle, Catch::Matches("cycle in the lock order: (M\\d+) → (M\\d+) → \\1 .*"));
}

TEST_CASE("picture.thread_leak_misses_the_join", "[picture]") {
  const auto d = racebook::draw_race(captured("tsan_thread_leak.gcc.log"), "x.racy", "/proj",
                                     case_file("tsan_thread_leak.cpp", {}));
  REQUIRE(d.events.size() == 3);
  CHECK(d.events[0].what == "creates T1");
  CHECK(d.missing == "no join()");
  CHECK(d.events[d.missing_from].lane != d.events[d.missing_to].lane);
}

TEST_CASE("picture.unlock_of_unlocked_mutex_names_the_mutex", "[picture]") {
  const auto d = racebook::draw_race(captured("tsan_unlock_unlocked.gcc.log"), "x.racy", "/proj",
                                     case_file("tsan_unlock_unlocked.cpp", {}));
  REQUIRE(d.events.size() == 2);
  CHECK_THAT(d.events[0].what, Catch::Matches("nothing locks M\\d+"));
  CHECK_THAT(d.events[1].what, Catch::Matches("unlocks M\\d+, not locked"));
  CHECK_THAT(d.events[1].where, Catch::StartsWith("tsan_unlock_unlocked.cpp:"));
  CHECK(d.missing == "no lock() before the unlock()");
}

TEST_CASE("picture.text_is_escaped_for_xml", "[picture]") {
  RaceDrawing d;
  d.title = "a<b> & \"c\"";
  d.lanes = {"main thread"};
  d.events = {{0, "f<int>", "x.cpp:1"}, {0, "g&h", "x.cpp:2"}};
  d.missing = "no <edge>";
  d.missing_from = 0;
  d.missing_to = 1;
  const std::string svg = racebook::race_svg(d, {"v", "a -> b"}, "p");
  CHECK_THAT(svg, Catch::Contains("a&lt;b&gt; &amp; &quot;c&quot;"));
  CHECK_THAT(svg, Catch::Contains("f&lt;int&gt;"));
  CHECK_THAT(svg, Catch::Contains("a -&gt; b"));
  CHECK_THAT(svg, !Catch::Contains("<int>"));
}

TEST_CASE("picture.the_fix_orders_a_write_before_the_read_of_it", "[picture]") {
  // main reads what T1 writes (read_before_join): the race is drawn in lane order, the fix's
  // edge from the write to the read, and the write on top in the fix's panel.
  racebook::Report report;
  report.kind = "data-race";
  report.accesses.resize(2);
  report.accesses[0].thread = "T0";
  report.accesses[0].size = 4;
  report.accesses[1].thread = "T1";
  report.accesses[1].write = true;
  report.accesses[1].size = 4;
  const auto d = racebook::draw_race(report, "x.racy", "/proj", case_file("x.cpp", {}));
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[d.missing_from].what == "read 4 bytes");
  CHECK(d.events[d.missing_to].what == "write 4 bytes");
  CHECK(d.fix_reversed);
  const std::string svg = racebook::race_svg(d, {"x.fixed", "join() → read"}, "p");
  // In the fix's panel (the second half), the write's box is drawn above the read's.
  const std::string fix_panel = svg.substr(svg.find("the fix: x.fixed"));
  auto y_of = [&](const std::string& text) {
    std::smatch m;
    REQUIRE(std::regex_search(fix_panel, m, std::regex("y=\"([0-9.]+)\" class=\"what\">" + text + "<")));
    return std::stod(m[1]);
  };
  CHECK(y_of("write 4 bytes") < y_of("read 4 bytes"));
  // Two writes, or a write then a read in lane order: the fix keeps the lane order.
  report.accesses[0].write = true;
  CHECK_FALSE(racebook::draw_race(report, "x.racy", "/proj", case_file("x.cpp", {})).fix_reversed);
}
