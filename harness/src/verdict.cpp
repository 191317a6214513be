#include "racebook/verdict.hpp"

#include <algorithm>

namespace racebook {
namespace fs = std::filesystem;

namespace {

fs::path normalized(const std::string& file) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(file), ec);
  return ec ? fs::path(file).lexically_normal() : p;
}

bool inside(const fs::path& file, const fs::path& root) {
  const auto rel = file.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

std::string place(const Frame& frame) {
  return fs::path(frame.file).filename().string() + ":" + std::to_string(frame.line);
}

}  // namespace

std::vector<KeyStack> key_stacks(const Report& report, KeyRoles roles) {
  std::vector<KeyStack> stacks;
  const bool named = roles == KeyRoles::Named;
  auto add = [&](auto&& role, const Stack& stack) {
    if (named) stacks.push_back({std::string(role()), &stack});
    else stacks.push_back({std::string(), &stack});
  };

  if (report.tool == "UndefinedBehaviorSanitizer") {
    // The runtime names the faulting line itself; the stack (if printed) starts there too.
    stacks.push_back({named ? "runtime error" : "", &report.stack, report.ubsan_site ? &*report.ubsan_site : nullptr});
    return stacks;
  }
  if (report.kind == "thread-leak") {
    for (const auto& t : report.threads) add([&] { return "thread " + t.thread + " created"; }, t.stack);
    return stacks;
  }
  if (report.kind == "lock-order-inversion") {
    // One edge of the cycle per "Mutex Mx acquired here while holding mutex My" section.
    for (const auto& m : report.mutexes) {
      if (!m.held.empty()) add([&] { return m.mutex + " acquired while holding " + m.held; }, m.stack);
    }
    return stacks;
  }
  if (report.tool == "LeakSanitizer") {
    // "Direct leak of 4 byte(s) in 1 object(s) allocated from:": where each leak was allocated.
    for (const auto& s : report.sections) {
      if (s.title.find("leak of") != std::string::npos) add([] { return "allocation"; }, s.stack);
    }
    return stacks;
  }
  if (!report.accesses.empty()) {
    int n = 0;
    for (const auto& a : report.accesses) {
      ++n;
      add([&] { return "access " + std::to_string(n); }, a.stack);
    }
    if (report.tool == "AddressSanitizer") {
      for (const auto& s : report.sections) {
        if (s.title.rfind("freed by", 0) == 0) add([] { return "freed"; }, s.stack);
      }
    }
    return stacks;
  }
  // Helgrind/DRD: a race's access(es) above; a lock order's two "followed by a later
  // acquisition" stacks are its mutexes with a lock held (see report.cpp), as TSan's edges.
  // Mutex misuse, signal-unsafe calls, ASan reports without an access line (SEGV, double-free),
  // every other Helgrind/DRD report: the stack printed right under the headline.
  add([] { return "report"; }, report.stack);
  return stacks;
}

std::optional<Frame> first_frame_in(const Stack& stack, const fs::path& source_root) {
  const fs::path root = normalized(source_root.string());
  for (const auto& frame : stack.frames) {
    if (frame.file.empty() || frame.line == 0) continue;
    if (inside(normalized(frame.file), root)) return frame;
  }
  return std::nullopt;
}

std::vector<KeySite> key_sites(const Report& report, const fs::path& source_root) {
  const fs::path root = normalized(source_root.string());
  std::vector<KeySite> sites;
  for (KeyStack& k : key_stacks(report)) {
    if (k.site && inside(normalized(k.site->file), root)) {
      sites.push_back({std::move(k.role), *k.site});
    } else {
      sites.push_back({std::move(k.role), first_frame_in(*k.stack, root)});
    }
  }
  return sites;
}

std::string describe_observed(const Report& report, const fs::path& source_root) {
  std::string out = report.kind;
  const auto sites = key_sites(report, source_root);
  for (std::size_t i = 0; i < sites.size(); ++i) {
    out += i == 0 ? " at " : " and ";
    out += sites[i].frame ? place(*sites[i].frame) : "(no frame in our sources: " + sites[i].role + ")";
  }
  return out;
}

std::string describe_expected(const CaseFile& file, const Expectation& expectation) {
  if (expectation.clean) return "clean (no report)";
  if (expectation.kind == kAnyReport) return "any report (its kind and lines are not asserted)";
  std::string out = expectation.kind;
  for (std::size_t i = 0; i < expectation.markers.size(); ++i) {
    const auto& m = expectation.markers[i];
    out += i == 0 ? " at " : " and ";
    const MarkerSite site = file.marker_site(m, expectation);
    out += fs::path(site.file).filename().string() + ":" + std::to_string(site.line) + " (@" + m + ")";
  }
  return out;
}

std::optional<bool> sentinel(const std::string& stdout_text, const std::string& variant) {
  const std::string prefix = "racebook: variant \"" + variant + "\" finished: ";
  // Wherever the program's own output left the line: the sentinel may follow text printed
  // without a newline. The last one counts.
  const auto at = stdout_text.rfind(prefix);
  if (at == std::string::npos) return std::nullopt;
  const auto from = at + prefix.size();
  const auto end = stdout_text.find('\n', from);
  std::string word = stdout_text.substr(from, end == std::string::npos ? std::string::npos : end - from);
  if (!word.empty() && word.back() == '\r') word.pop_back();
  return word == "passed";
}

bool places_match(const std::string& tool, const std::string& kind, std::vector<Place> observed,
                  std::vector<Place> expected, bool one_access) {
  // Helgrind and DRD may name one access of a race only: DRD always (it prints the other
  // thread's segment, not its access), Helgrind when its history lost the previous access. Such
  // a record matches `data-race @a @b` when its access is at @a or at @b (docs/verdicts.md).
  // Only for these tools: a TSan race always has two accesses, and one that lost a stack must
  // not pass where it did not before.
  if ((tool == "Helgrind" || tool == "DRD") && kind == "data-race" && one_access &&
      observed.size() == 1 && expected.size() == 2) {
    return observed[0] == expected[0] || observed[0] == expected[1];
  }
  std::sort(expected.begin(), expected.end());
  std::sort(observed.begin(), observed.end());
  return expected == observed;
}

namespace {

// Does the report have the expected kind and point, as a multiset, at the marked lines?
bool matches(const Report& report, const CaseFile& file, const Expectation& e,
             const fs::path& root) {
  if (e.kind == kAnyReport) return true;
  if (report.kind != e.kind) return false;
  // Places as (file, line): a marker may stand in the case file or in a library file under
  // the source root.
  std::vector<Place> expected;
  for (const auto& m : e.markers) {
    const MarkerSite site = file.marker_site(m, e);
    expected.emplace_back(normalized(site.file).string(), site.line);
  }
  std::vector<Place> observed;
  for (const auto& site : key_sites(report, root)) {
    if (!site.frame) return false;
    observed.emplace_back(normalized(site.frame->file).string(), site.frame->line);
  }
  return places_match(report.tool, report.kind, std::move(observed), std::move(expected),
                      report.accesses.size() == 1);
}

void check_completion(const VerdictInput& in, RunVerdict& v) {
  const RunResult& run = in.run;
  // A timeout is reported once, by judge().
  if (run.outcome == RunResult::Outcome::signaled ||
      (run.outcome == RunResult::Outcome::exited && run.exit_code != 0)) {
    v.problems.push_back("the program " + run.describe() + "; a clean variant must exit 0");
  }
  const auto done = sentinel(run.out, in.variant.name);
  if (!done) {
    v.problems.push_back("no completion sentinel: the variant did not run to its end "
                         "(expected the line: racebook: variant \"" + in.variant.name +
                         "\" finished: passed)");
  } else if (!*done) {
    v.problems.push_back("the variant's functional check failed (see the Catch2 output below)");
  }
}

}  // namespace

RunVerdict judge(const VerdictInput& in) {
  RunVerdict v;
  const auto& e = in.expectation;
  if (in.run.outcome == RunResult::Outcome::not_started) {
    v.problems.push_back(in.run.describe());
    return v;
  }
  if (in.run.outcome == RunResult::Outcome::timed_out) {
    v.problems.push_back("the program " + in.run.describe());
  }
  // Output racebook could not read whole cannot support any verdict: a report may be in it.
  if (in.run.report_lines_not_kept > 0) {
    v.problems.push_back(std::to_string(in.run.report_lines_not_kept) +
                         " line(s) that may belong to a sanitizer report were in output too large "
                         "to keep whole; no verdict rests on output racebook did not read (make the "
                         "variant print less)");
  }
  if (in.run.processes_left > 0) {
    v.problems.push_back(std::to_string(in.run.processes_left) +
                         " process(es) the program started could not be killed");
  }

  if (e.clean) {
    for (const auto& r : in.reports) {
      v.problems.push_back("unexpected report: " + describe_observed(r, in.source_root));
    }
    check_completion(in, v);
    v.status = v.problems.empty() ? RunVerdict::Status::matched : RunVerdict::Status::mismatch;
    return v;
  }

  int matching = 0;
  for (const auto& r : in.reports) {
    if (matches(r, in.file, e, in.source_root)) {
      ++matching;
    } else {
      v.problems.push_back("report that was not expected: " + describe_observed(r, in.source_root));
    }
  }
  if (in.run.outcome == RunResult::Outcome::signaled) {
    v.problems.push_back("the program " + in.run.describe());
  }
  if (!v.problems.empty()) return v;
  if (matching == 0) {
    v.status = RunVerdict::Status::no_report;
    v.problems.push_back("no report in this run");
    return v;
  }
  v.status = RunVerdict::Status::matched;
  return v;
}

}  // namespace racebook
