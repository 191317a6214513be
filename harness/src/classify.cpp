// Report kinds from the runtimes' own words (see classify.hpp). Each rule below names the
// compiler-rt source whose format string it recognises; the README's kind table lists the
// same headlines. Only the fixed words of a format string are matched: the parts the runtime
// fills in from the program (type names, function names, values, addresses) never decide a
// kind, and a headline no rule knows is "unknown", never a slug made of its words.

#include "racebook/classify.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace racebook {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view s, std::string_view needle) {
  // The runtimes' phrases looked for mostly start with a space, which a message has at every
  // word: string_view::find would stop (a memchr and a compare) at each. Such a phrase is found
  // by what follows its space instead, and the space checked.
  if (needle.size() >= 2 && needle[0] == ' ') {
    const std::string_view rest = needle.substr(1);
    for (std::size_t p = s.find(rest, 1); p != std::string_view::npos; p = s.find(rest, p + 1))
      if (s[p - 1] == ' ') return true;
    return false;
  }
  return s.find(needle) != std::string_view::npos;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The leading token of `s`: up to a space, ':' or '(' ("memcpy-param-overlap: memory ranges",
// "odr-violation (0x...)", "SEGV on unknown address").
std::string_view leading_token(std::string_view s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end]) && s[end] != ':' && s[end] != '(') ++end;
  return s.substr(0, end);
}

template <std::size_t N>
bool one_of(std::string_view word, const std::string_view (&set)[N]) {
  for (std::string_view w : set)
    if (w == word) return true;
  return false;
}

// ---------------------------------------------------------------------------------------
// Deadly signals (sanitizer_common's ReportDeadlySignal): "ERROR: <Tool>: SEGV on unknown
// address ...", with the signal as SignalContext::Describe() spells it, and "ERROR: <Tool>:
// stack-overflow on address ...". Any sanitizer that handles deadly signals prints them.
// "UNKNOWN SIGNAL on unknown address" names no signal: it stays "unknown".
std::string deadly_signal_kind(std::string_view description) {
  static constexpr std::string_view kSignals[] = {"SEGV", "BUS", "FPE", "ILL", "ABRT", "TRAP",
                                                  "stack-overflow"};
  std::string_view word = leading_token(description);
  if (one_of(word, kSignals)) return std::string(word);
  return std::string(kUnknownKind);
}

// ---------------------------------------------------------------------------------------
// UBSan helpers.

// The message with every '...'-quoted part (type names: 'int', 'std::map<int, int>') emptied,
// so program text cannot look like the runtime's fixed words.
std::string without_quoted(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  // Alternating runs: outside quotes (kept with its closing quote), inside (dropped).
  for (bool quoted = false;;) {
    const std::size_t quote = message.find('\'');
    if (!quoted) out.append(message.substr(0, quote == std::string_view::npos ? message.size() : quote + 1));
    else if (quote != std::string_view::npos) out += '\'';
    if (quote == std::string_view::npos) return out;
    message.remove_prefix(quote + 1);
    quoted = !quoted;
  }
}

// One side of an implicit conversion: "<value> (<N>-bit[ bitfield], [un]signed)".
struct IntSide {
  bool ok = false;
  bool negative = false;
  int bits = 0;
  bool is_signed = false;
};

IntSide read_side(std::string_view s) {
  IntSide side;
  s = trim(s);
  side.negative = !s.empty() && s.front() == '-';
  std::size_t open = s.find(" (");
  if (open == std::string_view::npos) return side;
  std::string_view rest = s.substr(open + 2);
  std::size_t i = 0;
  while (i < rest.size() && is_digit(rest[i]) && side.bits < 100000)
    side.bits = side.bits * 10 + (rest[i++] - '0');
  if (i == 0 || !starts_with(rest.substr(i), "-bit")) return side;
  std::string_view inside = rest.substr(0, rest.find(')'));
  if (ends_with(inside, ", unsigned")) {
    side.is_signed = false;
  } else if (ends_with(inside, ", signed")) {
    side.is_signed = true;
  } else {
    return side;
  }
  side.ok = true;
  return side;
}

// handleImplicitConversion (ubsan_handlers.cpp): "implicit conversion from type %0 of value %1
// (%2-bit, %3signed) to type %4 changed the value to %5 (%6-bit, %7signed)". The check kind is
// not printed, but follows from the two sides as clang chooses it: a narrowing conversion
// between unsigned types is an unsigned truncation, between signed ones a signed truncation;
// one that keeps or widens the width but changes signedness is a sign change. A narrowing one
// that also changes signedness is the combined check when the value's sign flipped (clang
// emits that one when both checks are on, as -fsanitize=implicit-conversion has them), else a
// signed truncation. `message` has its quoted type names emptied.
std::string implicit_conversion_kind(std::string_view message) {
  constexpr std::string_view kFrom = " of value ";
  constexpr std::string_view kTo = " changed the value to ";
  std::size_t from = message.find(kFrom);
  std::size_t to = message.find(kTo);
  if (from == std::string_view::npos || to == std::string_view::npos || to < from)
    return std::string(kUnknownKind);
  IntSide src = read_side(message.substr(from + kFrom.size(), to - from - kFrom.size()));
  IntSide dst = read_side(message.substr(to + kTo.size()));
  if (!src.ok || !dst.ok) return std::string(kUnknownKind);
  if (dst.bits < src.bits) {
    if (!src.is_signed && !dst.is_signed) return "implicit-unsigned-integer-truncation";
    if (src.is_signed != dst.is_signed && src.negative != dst.negative)
      return "implicit-signed-integer-truncation-or-sign-change";
    return "implicit-signed-integer-truncation";
  }
  if (src.is_signed != dst.is_signed) return "implicit-integer-sign-change";
  return std::string(kUnknownKind);
}

}  // namespace

// The kind a "SUMMARY: UndefinedBehaviorSanitizer: <kind> <location>" line names, if it is
// one of ubsan_checks.inc's SummaryKinds other than the generic "undefined-behavior" the
// runtime prints unless report_error_type=1.
std::string ubsan_summary_kind(std::string_view summary) {
  static constexpr std::string_view kSummaryKinds[] = {
      "null-pointer-use", "nullptr-with-offset", "nullptr-with-nonzero-offset",
      "nullptr-after-nonzero-offset", "pointer-overflow", "misaligned-pointer-use",
      "alignment-assumption", "insufficient-object-size", "signed-integer-overflow",
      "unsigned-integer-overflow", "integer-divide-by-zero", "float-divide-by-zero",
      "fixed-point-divide-by-zero", "invalid-builtin-use", "invalid-objc-cast",
      "implicit-unsigned-integer-truncation", "implicit-signed-integer-truncation",
      "implicit-integer-sign-change", "implicit-signed-integer-truncation-or-sign-change",
      "invalid-shift-base", "invalid-shift-exponent", "out-of-bounds-index",
      "local-out-of-bounds", "unreachable-call", "missing-return", "non-positive-vla-index",
      "float-cast-overflow", "invalid-bool-load", "invalid-enum-load", "function-type-mismatch",
      "invalid-null-return", "invalid-null-argument", "dynamic-type-mismatch", "cfi-bad-type",
  };
  constexpr std::string_view kMarker = "SUMMARY: UndefinedBehaviorSanitizer: ";
  std::size_t at = summary.find(kMarker);
  if (at == std::string_view::npos) return {};
  std::string_view word = leading_token(summary.substr(at + kMarker.size()));
  return one_of(word, kSummaryKinds) ? std::string(word) : std::string();
}

// ---------------------------------------------------------------------------------------
// ThreadSanitizer: ReportTypeString (tsan_report.cpp), printed as "WARNING: ThreadSanitizer:
// %s (pid=%d)". Parenthesised qualifications ("(ctor/dtor vs virtual call)", "(virtual call vs
// free)", "(potential deadlock)") follow the fixed words matched here.
std::string tsan_kind(std::string_view description) {
  // Longer prefixes first: "data race on vptr" before "data race".
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"data race on vptr", "data-race-vptr"},
      {"data race", "data-race"},
      {"heap-use-after-free", "heap-use-after-free"},
      // ReportTypeExternalRace: the default header, and the one tsan_external.cpp registers
      // for Swift. A header a library registers itself is program text: "unknown".
      {"race on external object", "race-on-external-object"},
      {"Swift access race", "race-on-external-object"},
      {"thread leak", "thread-leak"},
      {"destroy of a locked mutex", "destroy-of-locked-mutex"},
      {"double lock of a mutex", "double-lock"},
      {"use of an invalid mutex", "invalid-mutex"},
      {"unlock of an unlocked mutex", "unlock-of-unlocked-mutex"},
      {"read lock of a write locked mutex", "read-lock-of-write-locked-mutex"},
      {"read unlock of a write locked mutex", "read-unlock-of-write-locked-mutex"},
      {"signal-unsafe call inside of a signal", "signal-unsafe-call"},
      {"signal handler spoils errno", "signal-handler-spoils-errno"},
      {"lock-order-inversion", "lock-order-inversion"},
      {"mutex held in the wrong context", "mutex-held-in-the-wrong-context"},
  };
  description = trim(description);
  for (auto [prefix, kind] : kTable)
    if (starts_with(description, prefix)) return std::string(kind);
  return std::string(kUnknownKind);
}

// ---------------------------------------------------------------------------------------
// AddressSanitizer: the Print() of each error of asan_errors.h (asan_errors.cpp). The slug is
// the bug type the runtime names in its "SUMMARY: AddressSanitizer: <bug type>" line (the
// scariness description), with '_' as '-' and the "__" of an interface name dropped, so that
// every slug is letters, digits and '-' ("bad-__sanitizer_get_allocated_size" ->
// "bad-sanitizer-get-allocated-size").
std::string asan_kind(std::string_view description) {
  description = trim(description);
  // Errors whose headline is a sentence rather than their bug type.
  static constexpr std::pair<std::string_view, std::string_view> kSentences[] = {
      {"attempting double-free on", "double-free"},
      {"attempting free on address which was not malloc()-ed", "bad-free"},
      {"attempting to call malloc_usable_size() for pointer which is not owned",
       "bad-malloc-usable-size"},
      {"attempting to call __sanitizer_get_allocated_size() for pointer which is not owned",
       "bad-sanitizer-get-allocated-size"},
      {"calloc parameters overflow", "calloc-overflow"},
      {"reallocarray parameters overflow", "reallocarray-overflow"},
      {"pvalloc parameters overflow", "pvalloc-overflow"},
      {"invalid allocation alignment", "invalid-allocation-alignment"},
      {"invalid alignment requested in aligned_alloc", "invalid-aligned-alloc-alignment"},
      {"invalid alignment requested in posix_memalign", "invalid-posix-memalign-alignment"},
      {"requested allocation size", "allocation-size-too-big"},
      {"specified RSS limit exceeded", "rss-limit-exceeded"},
      {"allocator is out of memory trying to allocate", "out-of-memory"},
      {"out of memory: allocator is trying to allocate", "out-of-memory"},  // older runtimes
      {"bad parameters to __sanitizer_annotate_contiguous_container",
       "bad-sanitizer-annotate-contiguous-container"},
      {"bad parameters to __sanitizer_annotate_double_ended_contiguous_container",
       "bad-sanitizer-annotate-double-ended-contiguous-container"},
      {"bad parameters to __sanitizer_copy_contiguous_container_annotations",
       "bad-sanitizer-copy-contiguous-container-annotations"},
  };
  for (auto [prefix, kind] : kSentences)
    if (starts_with(description, prefix)) return std::string(kind);
  // Errors whose headline starts with their bug type: ErrorGeneric's "%s on address" (the
  // shadow-byte kinds of getBugDescAndScariness), "%s on %p in thread" (type mismatches),
  // "%s (%s vs %s) on %p", "%s: memory ranges ... overlap" (CHECK_RANGES_OVERLAP's
  // interceptors), "%s: (size=%zd)", "%s (%p):" (ODR), "%s: %p %p" (pointer pairs).
  static constexpr std::string_view kLeading[] = {
      "heap-buffer-overflow", "heap-use-after-free", "stack-buffer-underflow",
      "initialization-order-fiasco", "stack-buffer-overflow", "stack-use-after-return",
      "use-after-poison", "container-overflow", "stack-use-after-scope",
      "global-buffer-overflow", "intra-object-overflow", "dynamic-stack-buffer-overflow",
      "unknown-crash", "new-delete-type-mismatch", "free-size-mismatch",
      "alloc-dealloc-mismatch", "memcpy-param-overlap", "strcpy-param-overlap",
      "strncpy-param-overlap", "strcat-param-overlap", "strncat-param-overlap",
      "negative-size-param", "odr-violation", "invalid-pointer-pair",
  };
  std::string_view word = leading_token(description);
  if (one_of(word, kLeading)) return std::string(word);
  return deadly_signal_kind(description);
}

// ---------------------------------------------------------------------------------------
// LeakSanitizer (lsan_common.cpp): "ERROR: LeakSanitizer: detected memory leaks". One report
// holds every leak, direct and indirect alike, so it has one kind; the standalone runtime's
// deadly signals are reported under its name too.
std::string lsan_kind(std::string_view description) {
  if (starts_with(trim(description), "detected memory leaks")) return "memory-leak";
  return deadly_signal_kind(description);
}

std::string ubsan_error_kind(std::string_view description) {
  return deadly_signal_kind(description);
}

// ---------------------------------------------------------------------------------------
// UndefinedBehaviorSanitizer: the Diag() messages of ubsan_handlers.cpp and
// ubsan_handlers_cxx.cpp, each under the SummaryKind of the ErrorType it reports
// (ubsan_checks.inc). TypeCheckKinds ("load of", "store to", "member call on", "downcast of",
// ...) start several messages; the rules match what follows them.
std::string ubsan_kind(std::string_view message, std::string_view summary) {
  if (std::string exact = ubsan_summary_kind(summary); !exact.empty()) return exact;
  const std::string text = without_quoted(trim(message));
  const std::string_view m = text;
  auto has = [&](std::string_view s) { return contains(m, s); };
  auto starts = [&](std::string_view s) { return starts_with(m, s); };

  // handleIntegerOverflowImpl, handleNegateOverflowImpl, handleDivremOverflowImpl
  if (starts("signed integer overflow:")) return "signed-integer-overflow";
  if (starts("unsigned integer overflow:")) return "unsigned-integer-overflow";
  if (starts("negation of ") && has(" cannot be represented in type ")) {
    return has("; cast to an unsigned type to negate this value to itself")
               ? "signed-integer-overflow"
               : "unsigned-integer-overflow";
  }
  if (starts("division of ") && has(" by -1 cannot be represented in type "))
    return "signed-integer-overflow";
  // Integer and float division print the same words; -fsanitize=undefined checks only the
  // integer one. A SUMMARY line naming float-divide-by-zero was taken above.
  if (starts("division by zero")) return "integer-divide-by-zero";
  // handleShiftOutOfBoundsImpl
  if (starts("shift exponent ")) return "invalid-shift-exponent";
  if (starts("left shift of ")) return "invalid-shift-base";
  // handleTypeMismatchImpl: "<TypeCheckKind> misaligned address ...", "<TypeCheckKind> address
  // ... with insufficient space for an object of type ...", "<TypeCheckKind> null pointer of
  // type ..." (also "_Nonnull binding to null pointer", the nullability-assign check).
  if (has(" misaligned address ")) return "misaligned-pointer-use";
  if (has(" with insufficient space for an object of type ")) return "insufficient-object-size";
  // handlePointerOverflowImpl
  if (starts("applying zero offset to null pointer")) return "nullptr-with-offset";
  if (starts("applying non-zero offset to non-null pointer ") && has(" produced null pointer"))
    return "nullptr-after-nonzero-offset";
  if (starts("applying non-zero offset ") && has(" to null pointer"))
    return "nullptr-with-nonzero-offset";
  if (starts("pointer index expression with base ") || starts("addition of unsigned offset to ") ||
      starts("subtraction of unsigned offset from "))
    return "pointer-overflow";
  // handleNonNullReturn, handleNonNullArg (attribute and nullability forms)
  if (starts("null pointer returned from function declared to never return null"))
    return "invalid-null-return";
  if (starts("null pointer passed as argument ")) return "invalid-null-argument";
  if (has(" null pointer of type ")) return "null-pointer-use";
  // ubsan_handlers_cxx.cpp: the vptr check ("downcast of address 0x... which does not point
  // to an object of type 'Derived'", "member call on address ...") and CFI's bad-type check
  if (has(" address ") && has(" which does not point to an object of type "))
    return "dynamic-type-mismatch";
  // handleCFIBadIcall and the C++ bad-type handler: "control flow integrity check for type
  // ... failed during indirect function call" / "... during cast to unrelated type ..."
  if (starts("control flow integrity check for type ")) return "cfi-bad-type";
  if (starts("call to function ") && has(" through pointer to incorrect function type "))
    return "function-type-mismatch";
  if (starts("assumption of ") && has(" byte alignment") && has(" failed"))
    return "alignment-assumption";
  // handleOutOfBoundsImpl, handleLocalOutOfBoundsImpl
  if (starts("index ") && has(" out of bounds for type ")) return "out-of-bounds-index";
  if (starts("access out of bounds")) return "local-out-of-bounds";
  // handleBuiltinUnreachableImpl (and the older "__builtin_unreachable() call" wording),
  // handleMissingReturnImpl, handleVLABoundNotPositive, handleFloatCastOverflow
  if (starts("execution reached an unreachable program point") ||
      starts("execution reached a __builtin_unreachable() call"))
    return "unreachable-call";
  if (starts("execution reached the end of a value-returning function"))
    return "missing-return";
  if (starts("variable length array bound evaluates to non-positive value"))
    return "non-positive-vla-index";
  if (has(" is outside the range of representable values of type ")) return "float-cast-overflow";
  // handleLoadInvalidValue: the runtime itself tells bool from enum by the type's name.
  if (starts("load of value ") && has(", which is not a valid value for type ")) {
    std::string_view type = message.substr(message.rfind(", which is not a valid value for type ") +
                                           std::string_view(", which is not a valid value for type ").size());
    type = trim(type);
    return type == "'bool'" || starts_with(type, "'BOOL'") ? "invalid-bool-load"
                                                           : "invalid-enum-load";
  }
  if (starts("implicit conversion from type ")) return implicit_conversion_kind(m);
  // handleInvalidBuiltin
  if ((starts("passing zero to ") && has(", which is not a valid argument")) ||
      starts("assumption is violated during execution"))
    return "invalid-builtin-use";
  if (starts("invalid ObjC cast, object is a ")) return "invalid-objc-cast";
  return std::string(kUnknownKind);
}

// ---------------------------------------------------------------------------------------
// Valgrind: Helgrind and DRD. Their kinds are racebook's where the bug is the same as a TSan
// kind's (data-race, lock-order-inversion, unlock-of-unlocked-mutex, destroy-of-locked-mutex,
// double-lock, invalid-mutex); the bugs only they report get slugs of their own words:
//   mutex-still-locked-at-thread-exit  DRD "Mutex still locked at thread exit", Helgrind
//                                      "Exiting thread still holds N lock(s)"
//   pthread-api-error                  Helgrind "Thread #T's call to pthread_X failed" (its
//                                      error kind PthAPIerror)
//   pthread-api-misuse                 Helgrind's other pthread/semaphore complaints ("Misc":
//                                      "pthread_cond_{timed}wait called with invalid mutex", ...)
//                                      and DRD's condition variable, semaphore, barrier, rwlock
//                                      and thread id errors ("Misuses of the POSIX pthreads API",
//                                      as the Helgrind manual calls them)
//   lock-held-over-threshold           DRD "Lock on mutex 0x.. was held during N ms (threshold:
//                                      M ms)" (only with --exclusive-threshold/--shared-threshold)

namespace {

// "#12" at the start of `s` (Helgrind's thread number): its length, or 0.
std::size_t hg_thread_number(std::string_view s) {
  if (s.size() < 2 || s[0] != '#' || !is_digit(s[1])) return 0;
  std::size_t n = 1;
  while (n < s.size() && is_digit(s[n])) ++n;
  return n;
}

}  // namespace

std::string helgrind_kind(std::string_view headline) {
  const std::string_view h = trim(headline);
  const std::string unknown(kUnknownKind);
  if (starts_with(h, "Possible data race during ")) return "data-race";
  if (!starts_with(h, "Thread #")) return unknown;
  std::string_view rest = h.substr(7);
  const std::size_t number = hg_thread_number(rest);
  if (number == 0) return unknown;
  rest.remove_prefix(number);
  // HG_(pp_Error)'s UnlockUnlocked, UnlockBogus, UnlockForeign (a lock held by another thread:
  // TSan's "unlock of an unlocked mutex (or by a wrong thread)").
  if (starts_with(rest, " unlocked a not-locked lock at ") ||
      starts_with(rest, " unlocked an invalid lock at ") ||
      (starts_with(rest, " unlocked lock at ") && contains(rest, " currently held by thread #")))
    return "unlock-of-unlocked-mutex";
  if (starts_with(rest, "'s call to ") && ends_with(rest, " failed")) return "pthread-api-error";
  if (!starts_with(rest, ": ")) return unknown;
  const std::string_view what = rest.substr(2);
  if (starts_with(what, "lock order \"") && ends_with(what, "\" violated"))
    return "lock-order-inversion";
  // Misc errors (hg_main.c).
  if (what == "pthread_mutex_destroy of a locked mutex" ||
      what == "pthread_rwlock_destroy of a locked mutex")
    return "destroy-of-locked-mutex";
  if (what == "Attempt to re-lock a non-recursive lock I already hold") return "double-lock";
  if (starts_with(what, "Exiting thread still holds ")) return "mutex-still-locked-at-thread-exit";
  // The rest of hg_main.c's pthread and semaphore complaints, each starting with the call it is
  // about, and the destroyed-while-waited-upon condition variable.
  static constexpr std::string_view kMisuse[] = {"pthread_", "sem_",
                                                  "condition variable has been destroyed "};
  for (std::string_view prefix : kMisuse)
    if (starts_with(what, prefix)) return "pthread-api-misuse";
  return unknown;
}

std::string drd_kind(std::string_view headline) {
  const std::string_view h = trim(headline);
  if (starts_with(h, "Conflicting load by thread ") || starts_with(h, "Conflicting store by thread "))
    return "data-race";
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"Destroying locked mutex: ", "destroy-of-locked-mutex"},
      {"Destroying locked rwlock: ", "destroy-of-locked-mutex"},
      {"Mutex not locked: ", "unlock-of-unlocked-mutex"},
      {"Mutex not locked by calling thread: ", "unlock-of-unlocked-mutex"},
      {"Reader-writer lock not locked by calling thread: ", "unlock-of-unlocked-mutex"},
      {"Not a reader-writer lock: ", "invalid-mutex"},
      {"Recursive locking not allowed: ", "double-lock"},
      {"Recursive writer locking not allowed: ", "double-lock"},
      {"Mutex still locked at thread exit: ", "mutex-still-locked-at-thread-exit"},
      {"Reader-writer lock still locked at thread exit: ", "mutex-still-locked-at-thread-exit"},
      {"Probably a race condition: condition variable ", "pthread-api-misuse"},
  };
  for (auto [prefix, kind] : kPrefixes)
    if (starts_with(h, prefix)) return std::string(kind);
  if (starts_with(h, "The object at address ") && ends_with(h, " is not a mutex."))
    return "invalid-mutex";
  if ((starts_with(h, "Lock on mutex ") || starts_with(h, "Lock on rwlock ")) &&
      contains(h, " was held during ") && contains(h, " ms (threshold: "))
    return "lock-held-over-threshold";
  // drd_error.c's formats for the other mutex, condition variable, semaphore, barrier and
  // rwlock errors ("<what>: cond 0x..", "<what>: semaphore 0x..", ...) and the invalid thread
  // ids of pthread_join()/pthread_detach(): the object's word after the colon is the runtime's.
  static constexpr std::string_view kObjects[] = {": mutex 0x", ": cond 0x", ": condition variable 0x",
                                                  ": semaphore 0x", ": barrier 0x", ": rwlock 0x",
                                                  "(): invalid thread ID 0x"};
  for (std::string_view object : kObjects)
    if (contains(h, object)) return "pthread-api-misuse";
  return std::string(kUnknownKind);
}

}  // namespace racebook
