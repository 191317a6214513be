// The detector matrix: how one detector's reports on one variant compare with its truth, and how
// the two scores count them.
#include <catch2/catch.hpp>

#include "racebook/detectors.hpp"

using namespace racebook;

namespace {

TruthSites race_at(int a, int b) { return {false, "data-race", {{"x.cpp", a}, {"x.cpp", b}}}; }
ObservedReport report(std::string kind, std::vector<std::pair<std::string, int>> sites,
                      std::string tool = "ThreadSanitizer") {
  const bool one_access = sites.size() == 1;  // as observed_reports() reads an "access 1" site
  return {std::move(kind), std::move(tool), std::move(sites), one_access};
}

}  // namespace

TEST_CASE("detectors.classify_against_the_truth") {
  const TruthSites truth = race_at(10, 20);
  CHECK(classify(truth, "tsan", {report("data-race", {{"x.cpp", 20}, {"x.cpp", 10}})}).finding ==
        Finding::found);
  CHECK(classify(truth, "tsan", {report("data-race", {{"x.cpp", 10}, {"x.cpp", 10}})}).finding ==
        Finding::other_lines);
  CHECK(classify(truth, "tsan", {report("heap-use-after-free", {{"x.cpp", 10}, {"x.cpp", 20}})})
            .finding == Finding::other_lines);
  CHECK(classify(truth, "tsan", {}).finding == Finding::missed);
  CHECK(classify(truth, "asan", {}).finding == Finding::out_of_scope);
  // A Valgrind race report with one access: found when that access is at a marked line; a TSan
  // report with one site is not.
  CHECK(classify(truth, "drd", {report("data-race", {{"x.cpp", 20}}, "DRD")}).finding == Finding::found);
  CHECK(classify(truth, "drd", {report("data-race", {{"x.cpp", 30}}, "DRD")}).finding ==
        Finding::other_lines);
  CHECK(classify(truth, "tsan", {report("data-race", {{"x.cpp", 20}})}).finding == Finding::other_lines);
  // A Valgrind race whose one site is its headline's stack (its access lines were lost) is not.
  ObservedReport no_access = report("data-race", {{"x.cpp", 20}}, "DRD");
  no_access.one_access = false;
  CHECK(classify(truth, "drd", {no_access}).finding == Finding::other_lines);
  // Found, and something else besides.
  const Classified both = classify(truth, "helgrind",
                                   {report("data-race", {{"x.cpp", 10}, {"x.cpp", 20}}, "Helgrind"),
                                    report("lock-order-inversion", {{"y.cpp", 1}, {"y.cpp", 2}}, "Helgrind")});
  CHECK(both.finding == Finding::found);
  CHECK(both.stray_report);
  const TruthSites clean;
  CHECK(classify(clean, "helgrind", {}).finding == Finding::clean);
  CHECK(classify(clean, "helgrind", {report("data-race", {{"x.cpp", 1}})}).finding == Finding::false_alarm);
}

TEST_CASE("detectors.line_level_and_per_variant_scores_differ_on_other_lines") {
  const TruthSites truth = race_at(10, 20);
  const Classified elsewhere = classify(truth, "tsan", {report("data-race", {{"x.cpp", 1}, {"x.cpp", 2}})});
  Score line, variant;
  add_line_level(line, truth, elsewhere);
  add_per_variant(variant, truth, elsewhere);
  CHECK((line.tp == 0 && line.fp == 1 && line.fn == 1));
  CHECK((variant.tp == 1 && variant.fp == 0 && variant.fn == 0));
  // Out of scope counts nowhere.
  Score none;
  add_line_level(none, truth, classify(truth, "asan", {}));
  add_per_variant(none, truth, classify(truth, "asan", {}));
  CHECK((none.tp + none.fp + none.fn + none.tn) == 0);
  // A false alarm is a false positive both ways.
  const TruthSites clean;
  Score l2, v2;
  const Classified alarm = classify(clean, "drd", {report("data-race", {{"x.cpp", 1}}, "DRD")});
  add_line_level(l2, clean, alarm);
  add_per_variant(v2, clean, alarm);
  CHECK((l2.fp == 1 && v2.fp == 1));
}

TEST_CASE("detectors.check_compares_the_columns_both_have") {
  const std::string page =
      "# x\n\n## Verdicts\n\n| variant | truth | TSan · gcc 12.2.0 | DRD · gcc 12.2.0 |\n"
      "|---|---|---|---|\n| [a.b](a.md) | clean | clean | false alarm |\n\n## Scores\n| not | a | row |\n";
  const std::string same_tsan =
      "## Verdicts\n\n| variant | truth | TSan · gcc 12.2.0 |\n|---|---|---|\n| [a.b](a.md) | clean | clean |\n";
  CHECK(detectors_differences(page, same_tsan).empty());
  // Reports besides a find may come and go; the finding may not.
  const std::string extra =
      "## Verdicts\n\n| variant | truth | DRD · gcc 12.2.0 |\n|---|---|---|\n| [a.b](a.md) | clean | false alarm (+ other lines) |\n";
  CHECK(detectors_differences(page, extra).empty());
  // Only in Helgrind's and DRD's columns: a sanitizer's new extra report is a difference.
  const std::string found =
      "## Verdicts\n\n| variant | truth | TSan · gcc 12.2.0 |\n|---|---|---|\n| [a.b](a.md) | data-race | found |\n";
  const std::string found_and_more =
      "## Verdicts\n\n| variant | truth | TSan · gcc 12.2.0 |\n|---|---|---|\n"
      "| [a.b](a.md) | data-race | found (+ other lines) |\n";
  REQUIRE(detectors_differences(found, found_and_more).size() == 1);
  CHECK_THAT(detectors_differences(found, found_and_more)[0], Catch::Contains("found (+ other lines)"));
  const std::string changed =
      "## Verdicts\n\n| variant | truth | DRD · gcc 12.2.0 | TSan · clang 19.1.7 |\n|---|---|---|---|\n"
      "| [a.b](a.md) | clean | clean | clean |\n";
  const auto d = detectors_differences(page, changed);
  REQUIRE(d.size() == 2);
  CHECK_THAT(d[0], Catch::Contains("no column TSan · clang 19.1.7"));
  CHECK_THAT(d[1], Catch::Contains("DRD · gcc 12.2.0: the page says false alarm, this run clean"));
}
