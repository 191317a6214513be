// The report kinds: kinds.cpp (what an expectation may name), classify.cpp (what the parser
// gives) and README.md's kind table must agree, and each kind must come out of a headline its
// runtime prints. The headlines below follow the runtimes' format strings (tsan_report.cpp's
// ReportTypeString, the Print() of each error in asan_errors.cpp, sanitizer_common's deadly
// signal report, lsan_common.cpp, ubsan_handlers.cpp and ubsan_handlers_cxx.cpp) with made-up
// values filled in.

#include <catch2/catch.hpp>

#include "racebook/classify.hpp"
#include "racebook/kinds.hpp"
#include "racebook/report.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef RACEBOOK_README
#error "RACEBOOK_README must name the project's README.md"
#endif

using racebook::find_kind;
using racebook::known_kinds;
using racebook::parse_reports;

namespace {

const std::string kTsan = "WARNING: ThreadSanitizer: ";
const std::string kAsan = "==4242==ERROR: AddressSanitizer: ";
const std::string kLsan = "==4242==ERROR: LeakSanitizer: ";
const std::string kUbsanError = "==4242==ERROR: UndefinedBehaviorSanitizer: ";
const std::string kUbsan = "/src/x.cpp:12:7: runtime error: ";
const std::string kSignalTail = " on unknown address 0x000000000010 (pc 0x55d1 bp 0x7ffd sp 0x7ffc T0)";
// Valgrind: "==PID== " before each line; a headline is followed by its stack.
const std::string kVg = "==4242== ";
const std::string kVgStack = "\n==4242==    at 0x10919D: main (/src/x.cpp:7)";
const std::string kHgSeparator =
    "==4242== ----------------------------------------------------------------\n==4242== \n";

struct Sample {
  std::string kind;
  std::string log;  // a headline, sometimes with the lines after it
};

// At least one realistic headline per kind, and one per tool for kinds several tools print.
const std::vector<Sample>& samples() {
  static const std::vector<Sample> all = {
      // ThreadSanitizer
      {"data-race", kTsan + "data race (pid=4242)"},
      {"data-race-vptr", kTsan + "data race on vptr (ctor/dtor vs virtual call) (pid=4242)"},
      {"heap-use-after-free", kTsan + "heap-use-after-free (pid=4242)"},
      {"heap-use-after-free", kTsan + "heap-use-after-free (virtual call vs free) (pid=4242)"},
      {"race-on-external-object", kTsan + "race on external object (pid=4242)"},
      {"race-on-external-object", kTsan + "Swift access race (pid=4242)"},
      {"thread-leak", kTsan + "thread leak (pid=4242)"},
      {"destroy-of-locked-mutex", kTsan + "destroy of a locked mutex (pid=4242)"},
      {"double-lock", kTsan + "double lock of a mutex (pid=4242)"},
      {"invalid-mutex",
       kTsan + "use of an invalid mutex (e.g. uninitialized or destroyed) (pid=4242)"},
      {"unlock-of-unlocked-mutex",
       kTsan + "unlock of an unlocked mutex (or by a wrong thread) (pid=4242)"},
      {"read-lock-of-write-locked-mutex", kTsan + "read lock of a write locked mutex (pid=4242)"},
      {"read-unlock-of-write-locked-mutex",
       kTsan + "read unlock of a write locked mutex (pid=4242)"},
      {"signal-unsafe-call", kTsan + "signal-unsafe call inside of a signal (pid=4242)"},
      {"signal-handler-spoils-errno", kTsan + "signal handler spoils errno (pid=4242)"},
      {"lock-order-inversion", kTsan + "lock-order-inversion (potential deadlock) (pid=4242)"},
      {"mutex-held-in-the-wrong-context", kTsan + "mutex held in the wrong context (pid=4242)"},
      // Helgrind (hg_errors.c, hg_main.c) and DRD (drd_error.c and its error strings)
      {"data-race", kVg + "Possible data race during write of size 4 at 0x10C014 by thread #3" + kVgStack},
      {"data-race", kVg + "Possible data race during read of size 8 at 0x4D78C80 by thread #1" + kVgStack},
      {"data-race", kVg + "Conflicting load by thread 3 at 0x0010c054 size 4" + kVgStack},
      {"data-race", kVg + "Conflicting store by thread 1 at 0x0010c054 size 8" + kVgStack},
      {"lock-order-inversion", kVg + "Thread #3: lock order \"0x10C0A0 before 0x10C0E0\" violated"},
      {"unlock-of-unlocked-mutex", kVg + "Thread #1 unlocked a not-locked lock at 0x1FFF000540" + kVgStack},
      {"unlock-of-unlocked-mutex", kVg + "Thread #1 unlocked an invalid lock at 0x10C040" + kVgStack},
      {"unlock-of-unlocked-mutex",
       kVg + "Thread #2 unlocked lock at 0x10C060 currently held by thread #1" + kVgStack},
      {"unlock-of-unlocked-mutex",
       kVg + "Mutex not locked: mutex 0x10c060, recursion count 0, owner 0." + kVgStack},
      {"unlock-of-unlocked-mutex", kVg + "Mutex not locked by calling thread: mutex 0x1ffefffd10, "
                                         "recursion count 0, owner 1." + kVgStack},
      {"unlock-of-unlocked-mutex",
       kVg + "Reader-writer lock not locked by calling thread: rwlock 0x10c060." + kVgStack},
      {"destroy-of-locked-mutex", kVg + "Thread #1: pthread_mutex_destroy of a locked mutex" + kVgStack},
      {"destroy-of-locked-mutex", kVg + "Thread #1: pthread_rwlock_destroy of a locked mutex" + kVgStack},
      {"destroy-of-locked-mutex", kVg + "Destroying locked mutex: mutex 0x1ffefffd10, recursion "
                                        "count 1, owner 1." + kVgStack},
      {"destroy-of-locked-mutex", kVg + "Destroying locked rwlock: rwlock 0x10c060." + kVgStack},
      {"double-lock",
       kVg + "Thread #1: Attempt to re-lock a non-recursive lock I already hold" + kVgStack},
      {"double-lock", kVg + "Recursive locking not allowed: mutex 0x1ffefffd10, recursion count 1, "
                            "owner 1." + kVgStack},
      {"double-lock", kVg + "Recursive writer locking not allowed: rwlock 0x10c060." + kVgStack},
      {"invalid-mutex", kVg + "The object at address 0x10c040 is not a mutex." + kVgStack},
      {"invalid-mutex", kVg + "Not a reader-writer lock: rwlock 0x10c060." + kVgStack},
      {"mutex-still-locked-at-thread-exit", kVg + "Thread #2: Exiting thread still holds 1 lock" + kVgStack},
      {"mutex-still-locked-at-thread-exit",
       kVg + "Thread #1: Exiting thread still holds 2 locks" + kVgStack},
      {"mutex-still-locked-at-thread-exit", kVg + "Mutex still locked at thread exit: mutex "
                                                  "0x10c100, recursion count 1, owner 2." + kVgStack},
      {"mutex-still-locked-at-thread-exit", kVg + "Reader-writer lock still locked at thread "
                                                  "exit: rwlock 0x10c060." + kVgStack},
      {"pthread-api-error", kVg + "Thread #1's call to pthread_mutex_lock failed\n" + kVg +
                                "   with error code 22 (EINVAL: Invalid argument)" + kVgStack},
      {"pthread-api-misuse",
       kVg + "Thread #1: pthread_cond_{timed}wait called with invalid mutex" + kVgStack},
      {"pthread-api-misuse",
       kVg + "Thread #1: pthread_cond_{signal,broadcast}: dubious: associated lock is not held "
             "by any thread" + kVgStack},
      {"pthread-api-misuse",
       kVg + "Thread #1: pthread_barrier_destroy: barrier was never initialised" + kVgStack},
      {"pthread-api-misuse", kVg + "Thread #2: sem_init: initial value exceeds 10000; using 10000" + kVgStack},
      {"pthread-api-misuse",
       kVg + "Probably a race condition: condition variable 0x10c0a0 has been signaled but the "
             "associated mutex 0x10c060 is not locked by the signalling thread." + kVgStack},
      {"pthread-api-misuse", kVg + "Destroying condition variable that is being waited upon: "
                                   "cond 0x10c0a0" + kVgStack},
      {"pthread-api-misuse", kVg + "Not a semaphore: semaphore 0x10c0a0" + kVgStack},
      {"pthread-api-misuse", kVg + "Not a barrier: barrier 0x10c0a0" + kVgStack},
      {"pthread-api-misuse", kVg + "Mutex reinitialization: mutex 0x10c060, recursion count 0, "
                                   "owner 0." + kVgStack},
      {"pthread-api-misuse", kVg + "pthread_join(): invalid thread ID 0x5a3b640" + kVgStack},
      {"lock-held-over-threshold", kVg + "Acquired at:" + kVgStack + "\n" + kVg +
                                       "Lock on mutex 0x10c060 was held during 521 ms "
                                       "(threshold: 10 ms)." + kVgStack},
      // AddressSanitizer: ErrorGeneric
      {"heap-buffer-overflow", kAsan + "heap-buffer-overflow on address 0x602000000014 at pc "
                                       "0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"heap-use-after-free",
       kAsan + "heap-use-after-free on address 0x602000000010 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"stack-buffer-underflow", kAsan + "stack-buffer-underflow on address 0x7ffd at pc 0x55d1 "
                                         "bp 0x7ffd sp 0x7ffc"},
      {"initialization-order-fiasco", kAsan + "initialization-order-fiasco on address "
                                              "0x55d10 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"stack-buffer-overflow",
       kAsan + "stack-buffer-overflow on address 0x7ffd at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"stack-use-after-return",
       kAsan + "stack-use-after-return on address 0x7f00 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"use-after-poison",
       kAsan + "use-after-poison on address 0x6020 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"container-overflow",
       kAsan + "container-overflow on address 0x6030 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"stack-use-after-scope",
       kAsan + "stack-use-after-scope on address 0x7ffd at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"global-buffer-overflow",
       kAsan + "global-buffer-overflow on address 0x55d2 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"intra-object-overflow",
       kAsan + "intra-object-overflow on address 0x6040 at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"dynamic-stack-buffer-overflow", kAsan + "dynamic-stack-buffer-overflow on address "
                                                "0x7ffd at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      {"unknown-crash",
       kAsan + "unknown-crash on address 0x7ffd at pc 0x55d1 bp 0x7ffd sp 0x7ffc"},
      // AddressSanitizer: the other errors of asan_errors.h
      {"double-free", kAsan + "attempting double-free on 0x602000000010 in thread T0:"},
      {"bad-free", kAsan + "attempting free on address which was not malloc()-ed: "
                           "0x7ffd4 in thread T0"},
      {"alloc-dealloc-mismatch",
       kAsan + "alloc-dealloc-mismatch (operator new [] vs operator delete) on 0x603000000010"},
      {"new-delete-type-mismatch", kAsan + "new-delete-type-mismatch on 0x602000000010 in "
                                           "thread T0:"},
      {"free-size-mismatch", kAsan + "free-size-mismatch on 0x602000000010 in thread T0:"},
      {"bad-malloc-usable-size", kAsan + "attempting to call malloc_usable_size() for pointer "
                                         "which is not owned: 0x7ffd4"},
      {"bad-sanitizer-get-allocated-size",
       kAsan + "attempting to call __sanitizer_get_allocated_size() for pointer which is not "
               "owned: 0x7ffd4"},
      {"calloc-overflow", kAsan + "calloc parameters overflow: count * size (-1 * 8) cannot be "
                                  "represented in type size_t (thread T0)"},
      {"reallocarray-overflow", kAsan + "reallocarray parameters overflow: count * size (-1 * 8) "
                                        "cannot be represented in type size_t (thread T0)"},
      {"pvalloc-overflow", kAsan + "pvalloc parameters overflow: size 0xffffffffffffff00 rounded "
                                   "up to system page size 0x1000 cannot be represented in type "
                                   "size_t (thread T0)"},
      {"invalid-allocation-alignment", kAsan + "invalid allocation alignment: 3, alignment must "
                                               "be a power of two (thread T0)"},
      {"invalid-aligned-alloc-alignment",
       kAsan + "invalid alignment requested in aligned_alloc: 3, alignment must be a power of "
               "two and the requested size 0x10 must be a multiple of alignment (thread T0)"},
      {"invalid-posix-memalign-alignment",
       kAsan + "invalid alignment requested in posix_memalign: 3, alignment must be a power of "
               "two and a multiple of sizeof(void*) == 8 (thread T0)"},
      {"allocation-size-too-big",
       kAsan + "requested allocation size 0xffffffffffffffff (0x800 after adjustments for "
               "alignment, red zones etc.) exceeds maximum supported size of 0x10000000000 "
               "(thread T0)"},
      {"rss-limit-exceeded",
       kAsan + "specified RSS limit exceeded, currently set to soft_rss_limit_mb=100"},
      {"out-of-memory", kAsan + "allocator is out of memory trying to allocate 0x100000 bytes"},
      {"out-of-memory", kAsan + "out of memory: allocator is trying to allocate 0x100000 bytes"},
      {"memcpy-param-overlap", kAsan + "memcpy-param-overlap: memory ranges [0x7ffd0,0x7ffd5) "
                                       "and [0x7ffd2, 0x7ffd7) overlap"},
      {"strcpy-param-overlap", kAsan + "strcpy-param-overlap: memory ranges [0x7ffd0,0x7ffd5) "
                                       "and [0x7ffd2, 0x7ffd7) overlap"},
      {"strncpy-param-overlap", kAsan + "strncpy-param-overlap: memory ranges [0x7ffd0,0x7ffd5) "
                                        "and [0x7ffd2, 0x7ffd7) overlap"},
      {"strcat-param-overlap", kAsan + "strcat-param-overlap: memory ranges [0x7ffd0,0x7ffd5) "
                                       "and [0x7ffd2, 0x7ffd7) overlap"},
      {"strncat-param-overlap", kAsan + "strncat-param-overlap: memory ranges [0x7ffd0,0x7ffd5) "
                                        "and [0x7ffd2, 0x7ffd7) overlap"},
      {"negative-size-param", kAsan + "negative-size-param: (size=-1)"},
      {"bad-sanitizer-annotate-contiguous-container",
       kAsan + "bad parameters to __sanitizer_annotate_contiguous_container:"},
      {"bad-sanitizer-annotate-double-ended-contiguous-container",
       kAsan + "bad parameters to __sanitizer_annotate_double_ended_contiguous_container:"},
      {"bad-sanitizer-copy-contiguous-container-annotations",
       kAsan + "bad parameters to __sanitizer_copy_contiguous_container_annotations:"},
      {"invalid-pointer-pair", kAsan + "invalid-pointer-pair: 0x602000000010 0x603000000010"},
      {"odr-violation", kAsan + "odr-violation (0x55d100001020):"},
      // Deadly signals, under each runtime that reports them
      {"stack-overflow", kAsan + "stack-overflow on address 0x7ffd (pc 0x55d1 bp 0x7ffd sp "
                                 "0x7ffc T0)"},
      {"stack-overflow", kUbsanError + "stack-overflow on address 0x7ffd (pc 0x55d1 bp 0x7ffd "
                                       "sp 0x7ffc T0)"},
      {"stack-overflow", kLsan + "stack-overflow on address 0x7ffd (pc 0x55d1 bp 0x7ffd sp "
                                 "0x7ffc T0)"},
      {"SEGV", kAsan + "SEGV" + kSignalTail},
      {"SEGV", kAsan + "SEGV on unknown address (pc 0x55d1 bp 0x7ffd sp 0x7ffc T0)"},
      {"SEGV", kUbsanError + "SEGV" + kSignalTail},
      {"SEGV", kLsan + "SEGV" + kSignalTail},
      {"BUS", kAsan + "BUS" + kSignalTail},
      {"BUS", kUbsanError + "BUS" + kSignalTail},
      {"BUS", kLsan + "BUS" + kSignalTail},
      {"FPE", kAsan + "FPE" + kSignalTail},
      {"FPE", kUbsanError + "FPE" + kSignalTail},
      {"FPE", kLsan + "FPE" + kSignalTail},
      {"ILL", kAsan + "ILL" + kSignalTail},
      {"ILL", kUbsanError + "ILL" + kSignalTail},
      {"ILL", kLsan + "ILL" + kSignalTail},
      {"ABRT", kAsan + "ABRT" + kSignalTail},
      {"ABRT", kUbsanError + "ABRT" + kSignalTail},
      {"ABRT", kLsan + "ABRT" + kSignalTail},
      {"TRAP", kAsan + "TRAP" + kSignalTail},
      {"TRAP", kUbsanError + "TRAP" + kSignalTail},
      {"TRAP", kLsan + "TRAP" + kSignalTail},
      // LeakSanitizer
      {"memory-leak", kLsan + "detected memory leaks"},
      // UndefinedBehaviorSanitizer
      {"null-pointer-use", kUbsan + "load of null pointer of type 'int'"},
      {"null-pointer-use", kUbsan + "member call on null pointer of type 'Foo'"},
      {"null-pointer-use", kUbsan + "_Nonnull binding to null pointer of type 'int *'"},
      {"nullptr-with-offset", kUbsan + "applying zero offset to null pointer"},
      {"nullptr-with-nonzero-offset", kUbsan + "applying non-zero offset 8 to null pointer"},
      {"nullptr-after-nonzero-offset",
       kUbsan + "applying non-zero offset to non-null pointer 0xfffffffffffffff8 produced null "
                "pointer"},
      {"pointer-overflow",
       kUbsan + "pointer index expression with base 0x7ffd overflowed to 0xfffffffffffffffd"},
      {"pointer-overflow",
       kUbsan + "addition of unsigned offset to 0x7ffd overflowed to 0x7ff0"},
      {"pointer-overflow",
       kUbsan + "subtraction of unsigned offset from 0x7ff0 overflowed to 0x7ffd"},
      {"misaligned-pointer-use", kUbsan + "load of misaligned address 0x7ffd1 for type 'int', "
                                          "which requires 4 byte alignment"},
      {"alignment-assumption", kUbsan + "assumption of 32 byte alignment for pointer of type "
                                        "'char *' failed"},
      {"alignment-assumption", kUbsan + "assumption of 32 byte alignment (with offset of 1 byte) "
                                        "for pointer of type 'char *' failed"},
      {"insufficient-object-size", kUbsan + "store to address 0x602000000010 with insufficient "
                                            "space for an object of type 'long'"},
      {"signed-integer-overflow", kUbsan + "signed integer overflow: 2147483647 + 1 cannot be "
                                           "represented in type 'int'"},
      {"signed-integer-overflow",
       kUbsan + "negation of -2147483648 cannot be represented in type 'int'; cast to an "
                "unsigned type to negate this value to itself"},
      {"signed-integer-overflow", kUbsan + "division of -2147483648 by -1 cannot be represented "
                                           "in type 'int'"},
      {"unsigned-integer-overflow", kUbsan + "unsigned integer overflow: 0 - 1 cannot be "
                                             "represented in type 'unsigned int'"},
      {"unsigned-integer-overflow",
       kUbsan + "negation of 1 cannot be represented in type 'unsigned int'"},
      {"integer-divide-by-zero", kUbsan + "division by zero"},
      {"integer-divide-by-zero", kUbsan + "division by zero\nSUMMARY: UndefinedBehaviorSanitizer: "
                                          "undefined-behavior /src/x.cpp:12:7 in "},
      {"float-divide-by-zero", kUbsan + "division by zero\nSUMMARY: UndefinedBehaviorSanitizer: "
                                        "float-divide-by-zero /src/x.cpp:12:7 in "},
      {"fixed-point-divide-by-zero",
       kUbsan + "division by zero\nSUMMARY: UndefinedBehaviorSanitizer: "
                "fixed-point-divide-by-zero /src/x.cpp:12:7 in "},
      {"invalid-builtin-use",
       kUbsan + "passing zero to __builtin_ctz(), which is not a valid argument"},
      {"invalid-builtin-use", kUbsan + "passing zero to clz(), which is not a valid argument"},
      {"invalid-builtin-use", kUbsan + "assumption is violated during execution"},
      {"invalid-objc-cast",
       kUbsan + "invalid ObjC cast, object is a 'NSString', but expected a 'NSArray *'"},
      {"implicit-unsigned-integer-truncation",
       kUbsan + "implicit conversion from type 'uint32_t' (aka 'unsigned int') of value "
                "4294967295 (32-bit, unsigned) to type 'uint8_t' (aka 'unsigned char') changed "
                "the value to 255 (8-bit, unsigned)"},
      {"implicit-signed-integer-truncation",
       kUbsan + "implicit conversion from type 'long' of value 4294967296 (64-bit, signed) to "
                "type 'int' changed the value to 0 (32-bit, signed)"},
      {"implicit-signed-integer-truncation",
       kUbsan + "implicit conversion from type 'int' of value 300 (32-bit, signed) to type "
                "'unsigned char' changed the value to 44 (8-bit, unsigned)"},
      {"implicit-integer-sign-change",
       kUbsan + "implicit conversion from type 'int' of value -1 (32-bit, signed) to type "
                "'unsigned int' changed the value to 4294967295 (32-bit, unsigned)"},
      {"implicit-signed-integer-truncation-or-sign-change",
       kUbsan + "implicit conversion from type 'int' of value -1 (32-bit, signed) to type "
                "'uint8_t' (aka 'unsigned char') changed the value to 255 (8-bit, unsigned)"},
      {"implicit-signed-integer-truncation",
       kUbsan + "implicit conversion from type 'int' of value 9 (32-bit, signed) to type 'int' "
                "changed the value to -7 (4-bit bitfield, signed)"},
      {"invalid-shift-base", kUbsan + "left shift of negative value -1"},
      {"invalid-shift-base",
       kUbsan + "left shift of 1073741824 by 2 places cannot be represented in type 'int'"},
      {"invalid-shift-exponent", kUbsan + "shift exponent -1 is negative"},
      {"invalid-shift-exponent", kUbsan + "shift exponent 40 is too large for 32-bit type 'int'"},
      {"out-of-bounds-index", kUbsan + "index 10 out of bounds for type 'int[4]'"},
      {"local-out-of-bounds", kUbsan + "access out of bounds"},
      {"unreachable-call", kUbsan + "execution reached an unreachable program point"},
      {"unreachable-call", kUbsan + "execution reached a __builtin_unreachable() call"},
      {"missing-return", kUbsan + "execution reached the end of a value-returning function "
                                  "without returning a value"},
      {"non-positive-vla-index",
       kUbsan + "variable length array bound evaluates to non-positive value 0"},
      {"float-cast-overflow", kUbsan + "1e+10 is outside the range of representable values of "
                                       "type 'int'"},
      {"invalid-bool-load",
       kUbsan + "load of value 2, which is not a valid value for type 'bool'"},
      {"invalid-enum-load",
       kUbsan + "load of value 7, which is not a valid value for type 'Color'"},
      {"function-type-mismatch",
       kUbsan + "call to function f(int) through pointer to incorrect function type "
                "'void (*)(long)'"},
      {"invalid-null-return",
       kUbsan + "null pointer returned from function declared to never return null"},
      {"invalid-null-argument", kUbsan + "null pointer passed as argument 1, which is declared "
                                         "to never be null"},
      {"dynamic-type-mismatch", kUbsan + "downcast of address 0x602000000010 which does not "
                                         "point to an object of type 'Derived'"},
      {"dynamic-type-mismatch", kUbsan + "member call on address 0x602000000010 which does not "
                                         "point to an object of type 'Base'"},
      {"cfi-bad-type", kUbsan + "control flow integrity check for type 'void (int)' failed "
                                "during indirect function call"},
      {"cfi-bad-type", kUbsan + "control flow integrity check for type 'Derived' failed during "
                                "cast to unrelated type (vtable address 0x55d1)"},
  };
  return all;
}

std::string only_kind(const std::string& log) {
  const auto reports = parse_reports(log + "\n");
  INFO(log);
  REQUIRE(reports.size() == 1);
  return reports[0].kind;
}

// The rows of README.md's "## Report kinds" table: slug -> tool cell.
std::vector<std::pair<std::string, std::string>> readme_kind_rows() {
  std::ifstream in(RACEBOOK_README);
  INFO("reading " << RACEBOOK_README);
  REQUIRE(in.good());
  std::vector<std::pair<std::string, std::string>> rows;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_section = line == "## Report kinds";
      continue;
    }
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    const std::size_t end = line.find('`', 3);
    REQUIRE(end != std::string::npos);
    const std::size_t tool_begin = line.find("| ", end) + 2;
    const std::size_t tool_end = line.find(" |", tool_begin);
    rows.emplace_back(line.substr(3, end - 3), line.substr(tool_begin, tool_end - tool_begin));
  }
  return rows;
}

}  // namespace

TEST_CASE("kinds.readme_table_lists_exactly_the_known_kinds", "[kinds]") {
  const auto rows = readme_kind_rows();
  REQUIRE_FALSE(rows.empty());
  std::map<std::string, std::string> table;
  for (const auto& [slug, tool] : rows) {
    INFO("README row " << slug);
    CHECK(table.emplace(slug, tool).second);  // listed once
  }
  std::set<std::string> known;
  for (const auto& k : known_kinds()) {
    const std::string slug(k.slug);
    INFO("kind " << slug);
    CHECK(known.insert(slug).second);  // kinds.cpp lists it once
    auto row = table.find(slug);
    CHECK(row != table.end());
    if (row == table.end()) continue;
    // Each tool kinds.cpp names ("ThreadSanitizer/AddressSanitizer") is in the row's tool cell.
    std::string_view tools = k.tool;
    while (!tools.empty()) {
      std::string_view tool = tools.substr(0, tools.find('/'));
      CHECK_THAT(row->second, Catch::Contains(std::string(tool)));
      tools.remove_prefix(std::min(tools.size(), tool.size() + 1));
    }
  }
  for (const auto& [slug, tool] : table) {
    INFO("README lists " << slug);
    CHECK(known.count(slug) == 1);
  }
}

TEST_CASE("kinds.unknown_is_no_expectation_kind", "[kinds]") {
  CHECK(find_kind(racebook::kUnknownKind) == nullptr);
  for (const auto& k : known_kinds()) {
    INFO(k.slug);
    CHECK(k.min_markers >= 1);
    CHECK((k.max_markers == -1 || k.max_markers >= k.min_markers));
    // What an expectation's kind may be made of (expectation.cpp).
    for (char c : k.slug) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-'));
  }
  // The marker counts the verdict relies on.
  CHECK(find_kind("data-race")->min_markers == 2);
  CHECK(find_kind("data-race")->max_markers == 2);
  CHECK(find_kind("heap-use-after-free")->min_markers == 2);
  CHECK(find_kind("lock-order-inversion")->min_markers == 2);
  CHECK(find_kind("lock-order-inversion")->max_markers == -1);
  CHECK(find_kind("thread-leak")->max_markers == -1);
  CHECK(find_kind("memory-leak")->max_markers == -1);
}

TEST_CASE("kinds.every_kind_comes_from_a_runtime_headline", "[kinds]") {
  std::set<std::string> covered;
  for (const Sample& s : samples()) {
    INFO("headline: " << s.log);
    CHECK(find_kind(s.kind) != nullptr);
    CHECK(only_kind(s.log) == s.kind);
    covered.insert(s.kind);
  }
  for (const auto& k : known_kinds()) {
    INFO("no sample headline for " << k.slug);
    CHECK(covered.count(std::string(k.slug)) == 1);
  }
}

TEST_CASE("kinds.tool_of_each_sample", "[kinds]") {
  // A deadly signal keeps the tool that reported it.
  CHECK(parse_reports(kUbsanError + "SEGV" + kSignalTail + "\n").at(0).tool ==
        "UndefinedBehaviorSanitizer");
  CHECK(parse_reports(kLsan + "SEGV" + kSignalTail + "\n").at(0).tool == "LeakSanitizer");
  CHECK(parse_reports(kAsan + "SEGV" + kSignalTail + "\n").at(0).tool == "AddressSanitizer");
  // Valgrind's tools, from the headline's form or the preamble.
  CHECK(parse_reports(kVg + "Thread #1: pthread_mutex_destroy of a locked mutex" + kVgStack + "\n")
            .at(0).tool == "Helgrind");
  CHECK(parse_reports(kVg + "Destroying locked mutex: mutex 0x1, recursion count 1, owner 1." +
                      kVgStack + "\n").at(0).tool == "DRD");
}

TEST_CASE("kinds.unknown_headlines_are_unknown", "[kinds]") {
  // Headlines of known tools that no rule knows: never a slug made of their words.
  const std::string unknown(racebook::kUnknownKind);
  CHECK(only_kind(kTsan + "race on a library object (pid=1)") == unknown);  // registered header
  CHECK(only_kind(kTsan + "some future report (pid=1)") == unknown);
  CHECK(only_kind(kTsan) == unknown);  // cut short
  CHECK(only_kind(kAsan + "UNKNOWN SIGNAL on unknown address 0x0 (pc 0x1 bp 0x2 sp 0x3 T0)") ==
        unknown);
  CHECK(only_kind(kAsan + "wstrcpy-param-overlap: memory ranges [0x1,0x2) and [0x1, 0x2) "
                          "overlap") == unknown);
  CHECK(only_kind(kAsan + "brand-new-error on address 0x1 at pc 0x2 bp 0x3 sp 0x4") == unknown);
  CHECK(only_kind(kLsan + "something else") == unknown);
  // UBSan's own runtime reports only deadly signals under ERROR:.
  CHECK(only_kind(kUbsanError + "heap-buffer-overflow on address 0x1 at pc 0x2 bp 0x3 sp 0x4") ==
        unknown);
  CHECK(only_kind(kUbsan + "some new check: 0x1") == unknown);
  // Valgrind: a Helgrind report (after its separator) or a DRD one (a line at the margin after a
  // blank line, with a stack under it) that no rule knows. Its words stay in the headline.
  const auto hg = parse_reports(kHgSeparator + kVg + "Thread #1: a brand new complaint" + kVgStack + "\n");
  REQUIRE(hg.size() == 1);
  CHECK(hg[0].kind == unknown);
  CHECK(hg[0].tool == "Helgrind");
  CHECK(hg[0].headline == "Thread #1: a brand new complaint");
  CHECK(only_kind(kHgSeparator + kVg + "Possible data race during somethingelse" + kVgStack) == "data-race");
  CHECK(only_kind(kHgSeparator + kVg + "Thread #1: lock order is odd" + kVgStack) == unknown);
  CHECK(only_kind(kHgSeparator + kVg + "Thread #1's call to pthread_mutex_lock" + kVgStack) == unknown);
  const auto drd = parse_reports(kVg + "drd, a thread error detector\n" + kVg + "\n" + kVg +
                                 "Semaphore juggling detected: juggler 0x10c060" + kVgStack + "\n");
  REQUIRE(drd.size() == 1);
  CHECK(drd[0].kind == unknown);
  CHECK(drd[0].tool == "DRD");
  CHECK(drd[0].headline == "Semaphore juggling detected: juggler 0x10c060");
  REQUIRE(drd[0].stack.frames.size() == 1);
  CHECK(drd[0].stack.frames[0].line == 7);
  CHECK(only_kind(kUbsan + "value 12 is bad") == unknown);
  // A SUMMARY kind the runtime does not have, or the generic one, does not decide.
  CHECK(only_kind(kUbsan + "division by zero\nSUMMARY: UndefinedBehaviorSanitizer: "
                           "made-up-kind /src/x.cpp:12:7 in ") == "integer-divide-by-zero");
}

TEST_CASE("kinds.program_text_never_decides", "[kinds]") {
  // Type and function names are the program's: words in them that look like the runtime's
  // must not change the kind.
  CHECK(only_kind(kUbsan + "load of misaligned address 0x7ffd1 for type 'null pointer of type "
                           "x', which requires 4 byte alignment") == "misaligned-pointer-use");
  CHECK(only_kind(kUbsan + "load of value 3, which is not a valid value for type 'E' (aka "
                           "'misaligned address ')") == "invalid-enum-load");
  CHECK(only_kind(kUbsan + "index 5 out of bounds for type 'access out of bounds[2]'") ==
        "out-of-bounds-index");
  CHECK(racebook::ubsan_kind("load of value 2, which is not a valid value for type 'boolean'") ==
        "invalid-enum-load");
  CHECK(racebook::tsan_kind("data race on vptr (ctor/dtor vs virtual call) (pid=1)") ==
        "data-race-vptr");
}
