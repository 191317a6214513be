#include "racebook/kinds.hpp"

namespace racebook {

// The number of markers is the number of key stacks the verdict compares (verdict.cpp's
// key_sites): the two accesses of a race, the access and the free of a use-after-free, one
// acquisition per edge of a lock cycle, the creation of each leaked thread, the allocation of
// each leak, and otherwise the one stack under the headline.
const std::vector<KindInfo>& known_kinds() {
  static const std::vector<KindInfo> kinds = {
      // ThreadSanitizer (tsan_report.cpp's ReportTypeString)
      {"data-race", "ThreadSanitizer", 2, 2, "the two accesses"},
      {"data-race-vptr", "ThreadSanitizer", 2, 2, "the two accesses"},
      {"heap-use-after-free", "ThreadSanitizer/AddressSanitizer", 2, 2, "the access and the free"},
      {"thread-leak", "ThreadSanitizer", 1, -1, "where each leaked thread was created"},
      {"lock-order-inversion", "ThreadSanitizer", 2, -1,
       "the nested acquisition of each edge of the cycle"},
      {"unlock-of-unlocked-mutex", "ThreadSanitizer", 1, 1, "the unlock"},
      {"double-lock", "ThreadSanitizer", 1, 1, "the second lock"},
      {"destroy-of-locked-mutex", "ThreadSanitizer", 1, 1, "the destruction"},
      {"invalid-mutex", "ThreadSanitizer", 1, 1, "the use"},
      {"read-lock-of-write-locked-mutex", "ThreadSanitizer", 1, 1, "the read lock"},
      {"read-unlock-of-write-locked-mutex", "ThreadSanitizer", 1, 1, "the read unlock"},
      {"signal-unsafe-call", "ThreadSanitizer", 1, 1, "the call in the handler"},
      {"signal-handler-spoils-errno", "ThreadSanitizer", 1, 1, "the handler"},
      // AddressSanitizer (asan_errors.h / asan_descriptions.cpp)
      {"heap-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"stack-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"stack-buffer-underflow", "AddressSanitizer", 1, 1, "the access"},
      {"dynamic-stack-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"global-buffer-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"stack-use-after-return", "AddressSanitizer", 1, 1, "the access"},
      {"stack-use-after-scope", "AddressSanitizer", 1, 1, "the access"},
      {"use-after-poison", "AddressSanitizer", 1, 1, "the access"},
      {"container-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"intra-object-overflow", "AddressSanitizer", 1, 1, "the access"},
      {"initialization-order-fiasco", "AddressSanitizer", 1, 1, "the access"},
      {"unknown-crash", "AddressSanitizer", 1, 1, "the access"},
      {"double-free", "AddressSanitizer", 1, 1, "the second free"},
      {"bad-free", "AddressSanitizer", 1, 1, "the free"},
      {"alloc-dealloc-mismatch", "AddressSanitizer", 1, 1, "the deallocation"},
      {"new-delete-type-mismatch", "AddressSanitizer", 1, 1, "the delete"},
      {"memcpy-param-overlap", "AddressSanitizer", 1, 1, "the call"},
      {"negative-size-param", "AddressSanitizer", 1, 1, "the call"},
      {"calloc-overflow", "AddressSanitizer", 1, 1, "the call"},
      {"allocation-size-too-big", "AddressSanitizer", 1, 1, "the allocation"},
      {"out-of-memory", "AddressSanitizer", 1, 1, "the allocation"},
      {"stack-overflow", "AddressSanitizer", 1, 1, "the deepest frame"},
      {"SEGV", "AddressSanitizer", 1, 1, "the faulting access"},
      {"BUS", "AddressSanitizer", 1, 1, "the faulting access"},
      {"FPE", "AddressSanitizer", 1, 1, "the faulting instruction"},
      // LeakSanitizer
      {"memory-leak", "LeakSanitizer", 1, -1, "the allocation of each leak"},
      // UndefinedBehaviorSanitizer (ubsan_checks.inc), each pointing at the faulting line
      {"signed-integer-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the operation"},
      {"unsigned-integer-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the operation"},
      {"division-by-zero", "UndefinedBehaviorSanitizer", 1, 1, "the division"},
      {"shift-out-of-bounds", "UndefinedBehaviorSanitizer", 1, 1, "the shift"},
      {"misaligned-access", "UndefinedBehaviorSanitizer", 1, 1, "the access"},
      {"null-pointer", "UndefinedBehaviorSanitizer", 1, 1, "the use"},
      {"out-of-bounds-index", "UndefinedBehaviorSanitizer", 1, 1, "the index"},
      {"invalid-bool-load", "UndefinedBehaviorSanitizer", 1, 1, "the load"},
      {"invalid-enum-load", "UndefinedBehaviorSanitizer", 1, 1, "the load"},
      {"float-cast-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the conversion"},
      {"pointer-overflow", "UndefinedBehaviorSanitizer", 1, 1, "the pointer arithmetic"},
      {"object-size", "UndefinedBehaviorSanitizer", 1, 1, "the access"},
      {"missing-return", "UndefinedBehaviorSanitizer", 1, 1, "the end of the function"},
      {"unreachable", "UndefinedBehaviorSanitizer", 1, 1, "the unreachable point"},
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
