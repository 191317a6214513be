// The verdict: does what one run printed match what the case file expects?
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "racebook/expectation.hpp"
#include "racebook/report.hpp"
#include "racebook/runner.hpp"

namespace racebook {

// The place a report points at in our own sources: for each of its key stacks (the two accesses
// of a race, the creation of a leaked thread, the two acquisitions of a lock-order inversion,
// the faulting access of an ASan report, ...), the first frame inside `source_root`.
struct KeySite {
  std::string role;   // "access 1", "thread T1 created", "freed", ...
  std::optional<Frame> frame;  // empty when no frame of the stack is in our sources
};
std::vector<KeySite> key_sites(const Report& report, const std::filesystem::path& source_root);

// The first frame of `stack` with a file and line under `source_root`, if any.
std::optional<Frame> first_frame_in(const Stack& stack, const std::filesystem::path& source_root);

// The stacks key_sites() looks in, in its order, before any frame is chosen: pointers into
// `report` (valid while it lives). `site`, when set (UBSan's "file:line:col: runtime error"), is
// tried before the stack's frames. For callers with their own rule of which frame counts
// (ci_output.cpp's, for logs of any program).
struct KeyStack {
  std::string role;
  const Stack* stack = nullptr;
  const Frame* site = nullptr;
};
// KeyRoles::Unnamed leaves every role empty, for callers that only need the stacks (no string is
// built).
enum class KeyRoles { Named, Unnamed };
std::vector<KeyStack> key_stacks(const Report& report, KeyRoles roles = KeyRoles::Named);

// A place a report points at, or a marked line: (file, line).
using Place = std::pair<std::string, int>;
// Are a report's key places (of a report of `tool` and `kind`, already of the expected kind) the
// marked places? As a multiset; a Helgrind or DRD data race with one access only: that access at
// either of the two marked places. `one_access`: the report really had one access (a race whose
// access lines were lost has one place too, its headline's stack, and must not match so). The
// one rule of the verdicts and the detector matrix.
bool places_match(const std::string& tool, const std::string& kind, std::vector<Place> observed,
                  std::vector<Place> expected, bool one_access);

struct RunVerdict {
  enum class Status {
    matched,    // as expected
    no_report,  // a racy variant whose report did not show in this run (may be retried)
    mismatch,   // anything else: a wrong or extra report, a crash, a missing sentinel, ...
  };
  Status status = Status::mismatch;
  std::vector<std::string> problems;  // one line each, for a person
};

struct VerdictInput {
  const CaseFile& file;
  const Variant& variant;
  const Expectation& expectation;
  const RunResult& run;
  const std::vector<Report>& reports;
  std::filesystem::path source_root;  // frames under here are "our own sources"
};

RunVerdict judge(const VerdictInput& input);

// "data-race at counter_race.cpp:17 and counter_race.cpp:17" — the observed side of a diff.
std::string describe_observed(const Report& report, const std::filesystem::path& source_root);
// "data-race at @increment (line 17) and @increment (line 17)" — the expected side.
std::string describe_expected(const CaseFile& file, const Expectation& expectation);

// The sentinel the case main prints when the variant finished: true if it says "passed".
std::optional<bool> sentinel(const std::string& stdout_text, const std::string& variant);

}  // namespace racebook
