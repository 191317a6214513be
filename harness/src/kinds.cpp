#include "racebook/kinds.hpp"

namespace racebook {

// The number of markers is the number of key stacks the verdict compares (verdict.cpp's
// key_sites): the two accesses of a race, the access and the free of a use-after-free, one
// acquisition per edge of a lock cycle, the creation of each leaked thread, the allocation of
// each leak, and otherwise the one stack under the headline.
//
// These are exactly the slugs classify.cpp can return, apart from "unknown" (a headline no rule
// knows), which no expectation may name. README.md's kind table lists the same slugs, and
// harness/tests/kinds_test.cpp checks that both agree and that each slug comes out of a headline
// its runtime prints.
const std::vector<KindInfo>& known_kinds() {
  static const std::vector<KindInfo> kinds = {
      // ThreadSanitizer: tsan_report.cpp's ReportTypeString
      {"data-race", "ThreadSanitizer", 2, 2, "the two accesses"},
      {"data-race-vptr", "ThreadSanitizer", 2, 2, "the two accesses"},
      {"heap-use-after-free", "ThreadSanitizer/AddressSanitizer", 2, 2, "the access and the free"},
      {"race-on-external-object", "ThreadSanitizer", 2, 2, "the two accesses"},
      {"thread-leak", "ThreadSanitizer", 1, -1, "where each leaked thread was created"},
      {"destroy-of-locked-mutex", "ThreadSanitizer", 1, 1, "the destruction"},
      {"double-lock", "ThreadSanitizer", 1, 1, "the second lock"},
      {"invalid-mutex", "ThreadSanitizer", 1, 1, "the use"},
      {"unlock-of-unlocked-mutex", "ThreadSanitizer", 1, 1, "the unlock"},
      {"read-lock-of-write-locked-mutex", "ThreadSanitizer", 1, 1, "the read lock"},
      {"read-unlock-of-write-locked-mutex", "ThreadSanitizer", 1, 1, "the read unlock"},
      {"signal-unsafe-call", "ThreadSanitizer", 1, 1, "the call in the handler"},
      {"signal-handler-spoils-errno", "ThreadSanitizer", 1, 1, "the handler"},
      {"lock-order-inversion", "ThreadSanitizer", 2, -1,
       "the nested acquisition of each edge of the cycle"},
      {"mutex-held-in-the-wrong-context", "ThreadSanitizer", 1, 1, "the use"},
      // AddressSanitizer: the errors of asan_errors.h, by the bug type of their SUMMARY line.
      // Bad accesses (getBugDescAndScariness):
      {"heap-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"stack-buffer-underflow", "AddressSanitizer", 1, 1, "the access"},
      {"initialization-order-fiasco", "AddressSanitizer", 1, 1, "the access"},
      {"stack-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"stack-use-after-return", "AddressSanitizer", 1, 1, "the access"},
      {"use-after-poison", "AddressSanitizer", 1, 1, "the access"},
      {"container-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"stack-use-after-scope", "AddressSanitizer", 1, 1, "the access"},
      {"global-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"intra-object-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"dynamic-stack-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"unknown-crash", "AddressSanitizer", 1, 1, "the access"},
      // Deallocation:
      {"double-free", "AddressSanitizer", 1, 1, "the second free"},
      {"bad-free", "AddressSanitizer", 1, 1, "the free"},
      {"alloc-dealloc-mismatch", "AddressSanitizer", 1, 1, "the deallocation"},
      {"new-delete-type-mismatch", "AddressSanitizer", 1, 1, "the delete"},
      {"free-size-mismatch", "AddressSanitizer", 1, 1, "the free"},
      {"bad-malloc-usable-size", "AddressSanitizer", 1, 1, "the call"},
      {"bad-sanitizer-get-allocated-size", "AddressSanitizer", 1, 1, "the call"},
      // Allocation:
      {"calloc-overflow", "AddressSanitizer", 1, 1, "the allocation"},
      {"reallocarray-overflow", "AddressSanitizer", 1, 1, "the allocation"},
      {"pvalloc-overflow", "AddressSanitizer", 1, 1, "the allocation"},
      {"invalid-allocation-alignment", "AddressSanitizer", 1, 1, "the allocation"},
      {"invalid-aligned-alloc-alignment", "AddressSanitizer", 1, 1, "the allocation"},
      {"invalid-posix-memalign-alignment", "AddressSanitizer", 1, 1, "the allocation"},
      {"allocation-size-too-big", "AddressSanitizer", 1, 1, "the allocation"},
      {"rss-limit-exceeded", "AddressSanitizer", 1, 1, "the allocation"},
      {"out-of-memory", "AddressSanitizer", 1, 1, "the allocation"},
      // Interceptors and interface calls:
      {"memcpy-param-overlap", "AddressSanitizer", 1, 1, "the call"},
      {"strcpy-param-overlap", "AddressSanitizer", 1, 1, "the call"},
      {"strncpy-param-overlap", "AddressSanitizer", 1, 1, "the call"},
      {"strcat-param-overlap", "AddressSanitizer", 1, 1, "the call"},
      {"strncat-param-overlap", "AddressSanitizer", 1, 1, "the call"},
      {"negative-size-param", "AddressSanitizer", 1, 1, "the call"},
      {"bad-sanitizer-annotate-contiguous-container", "AddressSanitizer", 1, 1, "the call"},
      {"bad-sanitizer-annotate-double-ended-contiguous-container", "AddressSanitizer", 1, 1,
       "the call"},
      {"bad-sanitizer-copy-contiguous-container-annotations", "AddressSanitizer", 1, 1,
       "the call"},
      {"invalid-pointer-pair", "AddressSanitizer", 1, 1, "the comparison"},
      {"odr-violation", "AddressSanitizer", 1, 1, "the global"},
      // Deadly signals (sanitizer_common), under any runtime that reports them
      {"stack-overflow", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the deepest frame"},
      {"SEGV", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the faulting access"},
      {"BUS", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the faulting access"},
      {"FPE", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the faulting instruction"},
      {"ILL", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the faulting instruction"},
      {"ABRT", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the abort"},
      {"TRAP", "AddressSanitizer/LeakSanitizer/UndefinedBehaviorSanitizer", 1, 1,
       "the trapping instruction"},
      // LeakSanitizer: one report for all leaks, direct and indirect
      {"memory-leak", "LeakSanitizer", 1, -1, "the allocation of each leak"},
      // UndefinedBehaviorSanitizer: the SummaryKinds of ubsan_checks.inc, each pointing at the
      // faulting line
      {"null-pointer-use", "UndefinedBehaviorSanitizer", 1, 1, "the use"},
      {"nullptr-with-offset", "UndefinedBehaviorSanitizer", 1, 1, "the pointer arithmetic"},
      {"nullptr-with-nonzero-offset", "UndefinedBehaviorSanitizer", 1, 1,
       "the pointer arithmetic"},
      {"nullptr-after-nonzero-offset", "UndefinedBehaviorSanitizer", 1, 1,
       "the pointer arithmetic"},
      {"pointer-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the pointer arithmetic"},
      {"misaligned-pointer-use", "UndefinedBehaviorSanitizer", 1, 1, "the use"},
      {"alignment-assumption", "UndefinedBehaviorSanitizer", 1, 1, "the assumption"},
      {"insufficient-object-size", "UndefinedBehaviorSanitizer", 1, 1, "the use"},
      {"signed-integer-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the operation"},
      {"unsigned-integer-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the operation"},
      {"integer-divide-by-zero", "UndefinedBehaviorSanitizer", 1, 1, "the division"},
      {"float-divide-by-zero", "UndefinedBehaviorSanitizer", 1, 1, "the division"},
      {"fixed-point-divide-by-zero", "UndefinedBehaviorSanitizer", 1, 1, "the division"},
      {"invalid-builtin-use", "UndefinedBehaviorSanitizer", 1, 1, "the call"},
      {"invalid-objc-cast", "UndefinedBehaviorSanitizer", 1, 1, "the cast"},
      {"implicit-unsigned-integer-truncation", "UndefinedBehaviorSanitizer", 1, 1,
       "the conversion"},
      {"implicit-signed-integer-truncation", "UndefinedBehaviorSanitizer", 1, 1,
       "the conversion"},
      {"implicit-integer-sign-change", "UndefinedBehaviorSanitizer", 1, 1, "the conversion"},
      {"implicit-signed-integer-truncation-or-sign-change", "UndefinedBehaviorSanitizer", 1, 1,
       "the conversion"},
      {"invalid-shift-base", "UndefinedBehaviorSanitizer", 1, 1, "the shift"},
      {"invalid-shift-exponent", "UndefinedBehaviorSanitizer", 1, 1, "the shift"},
      {"out-of-bounds-index", "UndefinedBehaviorSanitizer", 1, 1, "the index"},
      {"local-out-of-bounds", "UndefinedBehaviorSanitizer", 1, 1, "the access"},
      {"unreachable-call", "UndefinedBehaviorSanitizer", 1, 1, "the unreachable point"},
      {"missing-return", "UndefinedBehaviorSanitizer", 1, 1, "the end of the function"},
      {"non-positive-vla-index", "UndefinedBehaviorSanitizer", 1, 1, "the declaration"},
      {"float-cast-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the conversion"},
      {"invalid-bool-load", "UndefinedBehaviorSanitizer", 1, 1, "the load"},
      {"invalid-enum-load", "UndefinedBehaviorSanitizer", 1, 1, "the load"},
      {"function-type-mismatch", "UndefinedBehaviorSanitizer", 1, 1, "the call"},
      {"invalid-null-return", "UndefinedBehaviorSanitizer", 1, 1, "the return"},
      {"invalid-null-argument", "UndefinedBehaviorSanitizer", 1, 1, "the call"},
      {"dynamic-type-mismatch", "UndefinedBehaviorSanitizer", 1, 1, "the use"},
      {"cfi-bad-type", "UndefinedBehaviorSanitizer", 1, 1, "the checked call or cast"},
  };
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
