// Truth once, expectations per detector: what each detector is expected to report when a variant
// states its ground truth (`// truth:`) and only the detectors that differ from it
// (`// expect helgrind: clean -- missed: ...`).
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "racebook/expectation.hpp"

using namespace racebook;

namespace {

constexpr const char* kCase = R"(// a case
void f() {
  ++a;  // @write_a
  int b = a;  // @read_a
  m.lock();  // @second
}
// truth: data-race @write_a @read_a
// expect helgrind: clean  -- missed: a made-up reason
// expect tsan-clang: data-race @write_a @write_a -- found at other lines: made up
// expect tsan-clang19: clean -- missed: made up too
TEST_CASE("racy") {}
// truth: clean
// expect drd: data-race @read_a @read_a -- false alarm: made up
TEST_CASE("quiet") {}
// truth: lock-order-inversion @second @second
TEST_CASE("cycle") {}
)";

std::string error_of(const std::string& text) {
  try {
    parse_case_file(text, "c.cpp");
  } catch (const CaseFileError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("truth.detectors_without_a_line_get_the_truth_or_clean_when_out_of_scope") {
  const CaseFile file = parse_case_file(kCase, "c.cpp");
  const Variant& racy = file.variant("racy");
  REQUIRE(racy.truth);
  CHECK(racy.truth->kind == "data-race");
  CHECK(racy.truth->line == 7);

  const Expectation tsan = expectation_for(file, racy, "tsan", "gcc12");
  CHECK(tsan.origin == Expectation::Origin::truth);
  CHECK(tsan.kind == "data-race");
  CHECK(tsan.markers == std::vector<std::string>{"write_a", "read_a"});

  const Expectation drd = expectation_for(file, racy, "drd", "gcc");
  CHECK(drd.origin == Expectation::Origin::truth);
  CHECK_FALSE(drd.clean);

  for (const char* detector : {"asan", "normal"}) {
    const Expectation e = expectation_for(file, racy, detector, "gcc");
    CHECK(e.clean);
    CHECK(e.origin == Expectation::Origin::out_of_scope);
  }
  // DRD has no lock-order check: out of scope; Helgrind has one.
  const Variant& cycle = file.variant("cycle");
  CHECK(expectation_for(file, cycle, "drd", "gcc").origin == Expectation::Origin::out_of_scope);
  CHECK_FALSE(expectation_for(file, cycle, "helgrind", "gcc").clean);
  CHECK(expectation_for(file, cycle, "tsan", "clang").kind == "lock-order-inversion");
}

TEST_CASE("truth.the_most_specific_written_key_wins") {
  const CaseFile file = parse_case_file(kCase, "c.cpp");
  const Variant& racy = file.variant("racy");
  const Expectation helgrind = expectation_for(file, racy, "helgrind", "gcc12");
  CHECK(helgrind.clean);
  CHECK(helgrind.origin == Expectation::Origin::written);
  CHECK(helgrind.reason == "missed: a made-up reason");
  // clang19 > clang > the truth; other clang versions take the family's line.
  CHECK(expectation_for(file, racy, "tsan", "clang19").clean);
  CHECK(expectation_for(file, racy, "tsan", "clang16").markers ==
        std::vector<std::string>{"write_a", "write_a"});
  CHECK(expectation_for(file, racy, "tsan", "clang").key == "tsan-clang");
  CHECK(expectation_for(file, racy, "tsan", "gcc11").origin == Expectation::Origin::truth);
  // A clean truth: every detector clean unless written otherwise.
  const Variant& quiet = file.variant("quiet");
  CHECK(expectation_for(file, quiet, "tsan", "gcc").clean);
  CHECK_FALSE(expectation_for(file, quiet, "drd", "gcc").clean);
}

TEST_CASE("truth.mistakes_are_errors_with_file_and_line") {
  using Catch::Contains;
  CHECK_THAT(error_of("// truth: data-race @x @x\n// expect drd: clean\nTEST_CASE(\"v\") {}\n"
                      "int x;  // @x\n"),
             Contains("c.cpp:2:") && Contains("without a reason"));
  CHECK_THAT(error_of("// truth: clean -- why\nTEST_CASE(\"v\") {}\n"),
             Contains("c.cpp:1:") && Contains("takes no reason"));
  CHECK_THAT(error_of("// truth: clean\n// truth: clean\nTEST_CASE(\"v\") {}\n"),
             Contains("c.cpp:2:") && Contains("second truth"));
  CHECK_THAT(error_of("// truth: clean\n"), Contains("followed by no TEST_CASE"));
  CHECK_THAT(error_of("// truth data-race\nTEST_CASE(\"v\") {}\n"), Contains("malformed truth"));
  CHECK_THAT(error_of("// truth:\nTEST_CASE(\"v\") {}\n"), Contains("malformed truth"));
  CHECK_THAT(error_of("// truth: data-race @nowhere @nowhere\nTEST_CASE(\"v\") {}\n"),
             Contains("c.cpp:1:") && Contains("@nowhere"));
  CHECK_THAT(error_of("// truth: data-race @x\nTEST_CASE(\"v\") {}\nint x;  // @x\n"),
             Contains("needs 2 markers"));
  CHECK_THAT(error_of("// truth: clean\n// expect tsan-icc: clean -- x\nTEST_CASE(\"v\") {}\n"),
             Contains("unknown detector"));
  CHECK_THAT(error_of("// truth: clean\n// expect tsan-clang019: clean -- x\nTEST_CASE(\"v\") {}\n"),
             Contains("unknown detector"));
  CHECK_THAT(error_of("// truth: clean\n// expect drd: -- x\nTEST_CASE(\"v\") {}\n"),
             Contains("malformed expectation"));
  // Without a truth nothing is derived: a detector with no line is an error, as before.
  const CaseFile old = parse_case_file("// expect tsan: clean\nTEST_CASE(\"v\") {}\n", "c.cpp");
  CHECK_THROWS_WITH(expectation_for(old, old.variant("v"), "helgrind", "gcc"),
                    Contains("no expectation for helgrind"));
  // A truth line is not a marker, even though it ends in @name.
  const CaseFile file = parse_case_file(kCase, "c.cpp");
  CHECK(file.markers.size() == 3);
}

TEST_CASE("truth.detector_and_compiler_names") {
  CHECK_NOTHROW(check_detector_and_compiler("helgrind", "gcc12"));
  CHECK_NOTHROW(check_detector_and_compiler("tsan", "clang"));
  CHECK_THROWS_AS(check_detector_and_compiler("msan", "clang"), std::invalid_argument);
  CHECK_THROWS_AS(check_detector_and_compiler("tsan", "icc"), std::invalid_argument);
  CHECK_THROWS_AS(check_detector_and_compiler("tsan", "clang19x"), std::invalid_argument);
  CHECK_THROWS_AS(check_detector_and_compiler("tsan", "gcc0"), std::invalid_argument);
  CHECK(in_scope("tsan", "thread-leak"));
  CHECK_FALSE(in_scope("asan", "data-race"));
  CHECK(in_scope("asan", "heap-use-after-free"));
  CHECK_FALSE(in_scope("helgrind", "thread-leak"));
  CHECK_FALSE(in_scope("normal", "data-race"));
}

TEST_CASE("truth.any_report_is_for_detectors_only") {
  using Catch::Contains;
  const CaseFile file = parse_case_file(
      "// truth: clean\n// expect drd: any-report -- false alarm: made up\nTEST_CASE(\"v\") {}\n", "c.cpp");
  const Expectation drd = expectation_for(file, file.variant("v"), "drd", "gcc");
  CHECK_FALSE(drd.clean);
  CHECK(drd.kind == kAnyReport);
  CHECK_THAT(error_of("// truth: any-report\nTEST_CASE(\"v\") {}\n"), Contains("truth names the bug"));
  CHECK_THAT(error_of("// truth: clean\n// expect drd: any-report @x -- y\nTEST_CASE(\"v\") {}\nint x; // @x\n"),
             Contains("takes no kind or marker"));
}
