#include "racebook/kinds.hpp"

namespace racebook {

namespace {

// Kinds whose markers point at the same thing ("the use": invalid-mutex, ...).
struct Site {
  std::string_view markers;
  std::vector<std::string_view> slugs;
};

// The kinds of one tool whose reports have the same number of markers.
struct KindGroup {
  std::string_view tool;
  int min_markers;
  int max_markers;
  std::vector<Site> sites;
};

}  // namespace

// The number of markers is the number of key stacks the verdict compares (verdict.cpp's
// key_sites): the two accesses of a race, the access and the free of a use-after-free, one
// acquisition per edge of a lock cycle, the creation of each leaked thread, the allocation of
// each leak, and otherwise the one stack under the headline (Helgrind's and DRD's misuse reports
// too).
//
// These are exactly the slugs classify.cpp can return, apart from "unknown" (a headline no rule
// knows), which no expectation may name. README.md's kind table lists the same slugs, and
// harness/tests/kinds_test.cpp checks that both agree and that each slug comes out of a headline
// its runtime prints. The order: by tool, then by the number of markers and what they point at.
const std::vector<KindInfo>& known_kinds() {
  static const std::vector<KindGroup> groups = {
      // ThreadSanitizer: tsan_report.cpp's ReportTypeString; the kinds Helgrind and DRD report
      // too (classify.cpp's helgrind_kind, drd_kind). A DRD race names one access (and so may a
      // Helgrind one): it matches either marker (verdict.cpp's matches()).
      {"ThreadSanitizer/Helgrind/DRD", 2, 2, {{"the two accesses", {"data-race"}}}},
      {"ThreadSanitizer", 2, 2,
       {{"the two accesses", {"data-race-vptr", "race-on-external-object"}}}},
      {"ThreadSanitizer/AddressSanitizer", 2, 2,
       {{"the access and the free", {"heap-use-after-free"}}}},
      {"ThreadSanitizer", 1, -1, {{"where each leaked thread was created", {"thread-leak"}}}},
      {"ThreadSanitizer/Helgrind/DRD", 1, 1,
       {{"the destruction", {"destroy-of-locked-mutex"}},
        {"the second lock", {"double-lock"}},
        {"the unlock", {"unlock-of-unlocked-mutex"}}}},
      {"ThreadSanitizer/DRD", 1, 1, {{"the use", {"invalid-mutex"}}}},
      {"ThreadSanitizer", 1, 1,
       {{"the use", {"mutex-held-in-the-wrong-context"}},
        {"the read lock", {"read-lock-of-write-locked-mutex"}},
        {"the read unlock", {"read-unlock-of-write-locked-mutex"}},
        {"the call in the handler", {"signal-unsafe-call"}},
        {"the handler", {"signal-handler-spoils-errno"}}}},
      {"ThreadSanitizer/Helgrind", 2, -1,
       {{"the nested acquisition of each edge of the cycle", {"lock-order-inversion"}}}},
      // Valgrind only: Helgrind's and DRD's own errors, each with the stack under its headline
      {"Helgrind/DRD", 1, 1,
       {{"the stack of the report (DRD: the join of the thread; Helgrind: the thread's end)",
         {"mutex-still-locked-at-thread-exit"}},
        {"the call", {"pthread-api-misuse"}}}},
      {"Helgrind", 1, 1, {{"the call that failed", {"pthread-api-error"}}}},
      {"DRD", 1, 1, {{"the unlock", {"lock-held-over-threshold"}}}},
      // AddressSanitizer: the errors of asan_errors.h, by the bug type of their SUMMARY line
      {"AddressSanitizer", 1, 1,
       {{"the access", {"heap-buffer-overflow", "stack-buffer-underflow",
                        "initialization-order-fiasco", "stack-buffer-overflow",
                        "stack-use-after-return", "use-after-poison", "container-overflow",
                        "stack-use-after-scope", "global-buffer-overflow", "intra-object-overflow",
                        "dynamic-stack-buffer-overflow", "unknown-crash"}},
        {"the second free", {"double-free"}},
        {"the free", {"bad-free", "free-size-mismatch"}},
        {"the deallocation", {"alloc-dealloc-mismatch"}},
        {"the delete", {"new-delete-type-mismatch"}},
        {"the call", {"bad-malloc-usable-size", "bad-sanitizer-get-allocated-size",
                      "memcpy-param-overlap", "strcpy-param-overlap", "strncpy-param-overlap",
                      "strcat-param-overlap", "strncat-param-overlap", "negative-size-param",
                      "bad-sanitizer-annotate-contiguous-container",
                      "bad-sanitizer-annotate-double-ended-contiguous-container",
                      "bad-sanitizer-copy-contiguous-container-annotations"}},
        {"the allocation", {"calloc-overflow", "reallocarray-overflow", "pvalloc-overflow",
                            "invalid-allocation-alignment", "invalid-aligned-alloc-alignment",
                            "invalid-posix-memalign-alignment", "allocation-size-too-big",
                            "rss-limit-exceeded", "out-of-memory"}},
        {"the comparison", {"invalid-pointer-pair"}},
        {"the global", {"odr-violation"}}}},
      // Deadly signals (sanitizer_common), under any runtime that reports them
      {"AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       {{"the deepest frame", {"stack-overflow"}},
        {"the faulting access", {"SEGV", "BUS"}},
        {"the faulting instruction", {"FPE", "ILL"}},
        {"the abort", {"ABRT"}},
        {"the trapping instruction", {"TRAP"}}}},
      // LeakSanitizer: one report for all leaks, direct and indirect
      {"LeakSanitizer", 1, -1, {{"the allocation of each leak", {"memory-leak"}}}},
      // UndefinedBehaviorSanitizer: the SummaryKinds of ubsan_checks.inc, each pointing at the
      // faulting line
      {"UndefinedBehaviorSanitizer", 1, 1,
       {{"the use", {"null-pointer-use", "misaligned-pointer-use", "insufficient-object-size",
                     "dynamic-type-mismatch"}},
        {"the pointer arithmetic", {"nullptr-with-offset", "nullptr-with-nonzero-offset",
                                    "nullptr-after-nonzero-offset", "pointer-overflow"}},
        {"the assumption", {"alignment-assumption"}},
        {"the operation", {"signed-integer-overflow", "unsigned-integer-overflow"}},
        {"the division", {"integer-divide-by-zero", "float-divide-by-zero",
                          "fixed-point-divide-by-zero"}},
        {"the call", {"invalid-builtin-use", "function-type-mismatch", "invalid-null-argument"}},
        {"the cast", {"invalid-objc-cast"}},
        {"the conversion", {"implicit-unsigned-integer-truncation",
                            "implicit-signed-integer-truncation", "implicit-integer-sign-change",
                            "implicit-signed-integer-truncation-or-sign-change",
                            "float-cast-overflow"}},
        {"the shift", {"invalid-shift-base", "invalid-shift-exponent"}},
        {"the index", {"out-of-bounds-index"}},
        {"the access", {"local-out-of-bounds"}},
        {"the unreachable point", {"unreachable-call"}},
        {"the end of the function", {"missing-return"}},
        {"the declaration", {"non-positive-vla-index"}},
        {"the load", {"invalid-bool-load", "invalid-enum-load"}},
        {"the return", {"invalid-null-return"}},
        {"the checked call or cast", {"cfi-bad-type"}}}},
  };
  static const std::vector<KindInfo> kinds = [] {
    std::vector<KindInfo> all;
    for (const auto& g : groups) {
      for (const auto& site : g.sites) {
        for (const auto slug : site.slugs) {
          all.push_back({slug, g.tool, g.min_markers, g.max_markers, site.markers});
        }
      }
    }
    return all;
  }();
  return kinds;
}

const KindInfo* find_kind(std::string_view slug) {
  for (const auto& k : known_kinds()) {
    if (k.slug == slug) return &k;
  }
  return nullptr;
}

std::string known_kind_list() {
  std::string out;
  for (const auto& k : known_kinds()) {
    out += (out.empty() ? "" : ", ") + std::string(k.slug);
  }
  return out;
}

}  // namespace racebook
