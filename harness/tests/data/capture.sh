#!/usr/bin/env bash
# Captures real sanitizer and Valgrind logs as test data. Steps (arguments; none means the first
# three; "valgrind" runs only when named):
#
#   legacy    programs/<name>.cpp -> <name>.gcc.log / <name>.clang.log next to this script,
#             built with g++-12 and clang++-14: the logs harness/tests/parser_test.cpp reads.
#   kinds     programs/kinds/*.cpp -> captured/<toolchain>/<config>.<case>.log, one log per
#             report kind and toolchain (g++-11, g++-12, clang++-14, clang++-16, clang++-19).
#   variants  a few of those logs again in edited layouts: *.ci-prefix.log (every line
#             prefixed with a CI timestamp), *.crlf.log (CRLF line ends), both made by editing
#             a captured log, and *.color.log (run again with color=always, not edited).
#   valgrind  programs/vg_*.cpp and the tsan_*.cpp programs listed in vg_programs below ->
#             <name>.helgrind.log / <name>.drd.log next to this script (Valgrind's Helgrind and
#             DRD on the plain build; read by parser_test.cpp and captured_test.cpp).
#
# captured/index.tsv (toolchain, program/switch, expected kind slug, log path relative to
# this directory) is rewritten after the kinds and variants steps from the logs present.
# The kinds step is described in detail above its code below.
#
# ---- Step "legacy"
#
# Every programs/<name>.cpp is copied to a temporary directory, compiled there with g++-12
# and with clang++-14, run once, and its stdout+stderr written verbatim to
# <name>.gcc.log / <name>.clang.log next to this script. Names starting with "tsan_" get
# -fsanitize=thread; every other name gets -fsanitize=address,undefined. Logs are never
# edited by hand; re-running this script regenerates them (addresses, pids, tids and the
# temporary directory name change, nothing the tests assert on).
#
# tsan_unexpected_memory_mapping.issue1716.log is the one log not produced here: this machine
# does not hit that start-up failure, so its text is the runtime's line exactly as printed in
# https://github.com/google/sanitizers/issues/1716 ("Thread Sanitizer FATAL error on kernel
# version 6.6.6-x", rohumm, 2023-12-30: `$ ./run.me` for `int main() {}`).
#
# What was tried and could not be captured:
#  - tsan "double lock of a mutex" with plain pthreads: locking a normal mutex twice
#    deadlocks, and an error-checking mutex returns EDEADLK, which TSan does not report. The
#    program uses TSan's AnnotateRWLockAcquired instead (as compiler-rt's own test does).
#  - tsan "[failed to restore the stack]" (tsan_failed_restore): history_size=0 plus a write
#    followed by ~0.5 s of churn while the racing thread runs. g++-12's libtsan prints it
#    reliably. A first version whose writer thread had finished before the race was
#    restored fine by both runtimes. clang++-14's runtime reports no race at all for this
#    program (its log is kept: an empty report list is an honest result, not a parse bug).
set -u

here=$(cd "$(dirname "$0")" && pwd)

step_legacy() {  # run in a subshell: it exports options and sets an EXIT trap
  work=$(mktemp -d /tmp/racebook-capture.XXXXXX)
  trap 'rm -rf "$work"' EXIT

  export TSAN_OPTIONS="color=never:atexit_sleep_ms=0:second_deadlock_stack=1"
  export ASAN_OPTIONS="color=never:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="color=never:print_stacktrace=1"

  common=(-std=c++20 -g -O1 -fno-omit-frame-pointer -pthread)

  for src in "$here"/programs/*.cpp; do
    name=$(basename "$src" .cpp)
    case "$name" in vg_*) continue ;; esac  # Valgrind's programs: step "valgrind"
    case "$name" in
      tsan_*) sanitize=-fsanitize=thread ;;
      *) sanitize=-fsanitize=address,undefined ;;
    esac
    cp "$src" "$work/$name.cpp"
    for compiler in gcc clang; do
      case "$compiler" in
        gcc) cxx=g++-12 ;;
        clang) cxx=clang++-14 ;;
      esac
      exe="$work/$name.$compiler"
      if ! (cd "$work" && "$cxx" "${common[@]}" "$sanitize" "$name.cpp" -o "$exe"); then
        echo "capture: $name.$compiler did not compile; skipped" >&2
        continue
      fi
      # A hung program (a sanitizer that deadlocks) must not hang the capture.
      (cd "$work" && timeout 60 "$exe" >"$here/$name.$compiler.log" 2>&1)
      status=$?
      echo "capture: $name.$compiler exit $status" >&2
    done
  done

  if ! grep -q 'failed to restore the stack' "$here"/tsan_failed_restore.*.log 2>/dev/null; then
    echo "capture: note: no '[failed to restore the stack]' in tsan_failed_restore logs" >&2
  fi

  printf '%s\n' 'FATAL: ThreadSanitizer: unexpected memory mapping 0x70a076c72000-0x70a077100000' \
    >"$here/tsan_unexpected_memory_mapping.issue1716.log"
}

# ---- Step "kinds"
#
# Programs: programs/kinds/ (see programs/README.md). Most are one program per sanitizer
# with a command-line switch per kind. They are copied to the fixed directory
# /tmp/racebook-capture and built and run there, so the absolute paths inside the logs are
# the same on every capture and re-captures diff cleanly (the directory is wiped first).
# Every build: -g -O0 -fno-omit-frame-pointer -pthread. Every run: log_path=stderr,
# color=never, symbolize=1 in the *SAN_OPTIONS; clang's runs point *SAN_SYMBOLIZER_PATH at
# the toolchain's own /usr/lib/llvm-N/bin/llvm-symbolizer; the g++ runtimes are left to find
# one (this machine's /usr/bin/llvm-symbolizer, LLVM 14). Output (stdout+stderr, in that
# order of arrival) is capped at 64 KiB; the longest log, stack-overflow, is ~27 KiB.
#
# A case is kept only if its log has the expected headline; otherwise the log is removed
# and the step prints "skip: <toolchain> <case>: <why>" (no such report, did not compile,
# not supported by the toolchain). A case whose log holds more than one report headline is
# kept with a "note:" line (e.g. LSan's direct+indirect pair, which is one report).
#
# Build configurations (the <config> part of the log name):
#   tsan        tsan_kinds.cpp, -std=c++20 -fsanitize=thread
#   asan        asan_kinds.cpp, -std=c++20 -fsanitize=address,undefined
#               -fno-sanitize=integer-divide-by-zero (so that FPE reaches ASan's handler)
#               -D_GLIBCXX_SANITIZE_VECTOR (libstdc++'s vector annotations, for
#               container-overflow; no libc++ here), clang also -fsized-deallocation (needed
#               for new-delete-type-mismatch before clang 19, where it became the default)
#   asan        also asan_init_order_main.cpp + asan_init_order_other.cpp (that link order)
#               and asan_odr_main.cpp linked with libodr4.so and libodr8.so, two builds of
#               asan_odr_lib.cpp (-fPIC -shared, ODR_SIZE 4 and 8)
#   lsan-asan   lsan_kinds.cpp, -fsanitize=address (LSan inside ASan)
#   lsan        lsan_kinds.cpp, -fsanitize=leak (standalone LSan)
#   ubsan       ubsan_kinds.cpp, -std=c++17 (C++20 defines negative left shifts),
#               -fsanitize=undefined; g++ also -fsanitize=float-cast-overflow (not part of
#               g++'s "undefined"); clang also implicit-conversion, nullability,
#               unsigned-integer-overflow, function. insufficient-object-size is built with
#               -O1 (clang knows no object sizes at -O0). Every case is captured twice:
#               UBSAN_OPTIONS=print_stacktrace=1 -> ubsan.<case>.log and, in addition,
#               report_error_type=1 -> ubsan.<case>.report-error-type.log, whose SUMMARY line
#               names the check (ubsan_checks.inc's SummaryKind): that name is the case's
#               expected kind in the index, for both logs. g++'s libubsan prints no SUMMARY
#               for runtime errors at all, so its second capture is dropped and its kinds
#               come from the table (the same SummaryKind names).
#   cfi         ubsan_cfi.cpp, clang only: -fsanitize=cfi-icall,cfi-vcall
#               -fno-sanitize-trap=cfi -flto -fvisibility=hidden -fuse-ld=gold (the matching
#               LLVMgold.so), captured twice like ubsan.
#
# Per-case runtime options (besides the common ones): asan stack-use-after-return
# detect_stack_use_after_return=1, ILL handle_sigill=1, ABRT handle_abort=1,
# initialization-order-fiasco check_initialization_order=1; ubsan integer-divide-by-zero
# halt_on_error=1 (otherwise the division still runs and SIGFPE makes a second report),
# ubsan insufficient-object-size halt_on_error=1 (the downcast, the member access and the
# load are three reports otherwise).

# TOOLCHAINS="clang-19 gcc-12" restricts a run to some of them.
read -r -a toolchains <<<"${TOOLCHAINS:-gcc-11 gcc-12 clang-14 clang-16 clang-19}"
capture_dir=/tmp/racebook-capture
out="$here/captured"

cxx_of() {
  case "$1" in
    gcc-11) echo g++-11 ;; gcc-12) echo g++-12 ;;
    clang-14) echo clang++-14 ;; clang-16) echo clang++-16 ;; clang-19) echo clang++-19 ;;
  esac
}
symbolizer_of() {
  case "$1" in clang-*) echo "/usr/lib/llvm-${1#clang-}/bin/llvm-symbolizer" ;; esac
}

# The cases: config, switch, expected kind, headline (grep -E) that must be in the log,
# extra runtime options. For ubsan/cfi the kind is checked against the report-error-type
# capture's SUMMARY instead of being taken on trust.
cases() {
  cat <<'TABLE'
tsan data-race data-race WARNING:.ThreadSanitizer:.data.race.\(pid -
tsan data-race-vptr data-race-vptr WARNING:.ThreadSanitizer:.data.race.on.vptr -
tsan heap-use-after-free heap-use-after-free WARNING:.ThreadSanitizer:.heap-use-after-free -
tsan thread-leak thread-leak WARNING:.ThreadSanitizer:.thread.leak -
tsan destroy-of-locked-mutex destroy-of-locked-mutex WARNING:.ThreadSanitizer:.destroy.of.a.locked.mutex -
tsan double-lock double-lock WARNING:.ThreadSanitizer:.double.lock.of.a.mutex -
tsan unlock-of-unlocked-mutex unlock-of-unlocked-mutex WARNING:.ThreadSanitizer:.unlock.of.an.unlocked.mutex -
tsan read-lock-of-write-locked-mutex read-lock-of-write-locked-mutex WARNING:.ThreadSanitizer:.read.lock.of.a.write.locked.mutex -
tsan read-unlock-of-write-locked-mutex read-unlock-of-write-locked-mutex WARNING:.ThreadSanitizer:.read.unlock.of.a.write.locked.mutex -
tsan signal-unsafe-call signal-unsafe-call WARNING:.ThreadSanitizer:.signal-unsafe.call -
tsan signal-handler-spoils-errno signal-handler-spoils-errno WARNING:.ThreadSanitizer:.signal.handler.spoils.errno -
tsan lock-order-inversion lock-order-inversion WARNING:.ThreadSanitizer:.lock-order-inversion -
tsan external-race race-on-external-object WARNING:.ThreadSanitizer:.race.on.MyLibrary::Object -
tsan invalid-mutex invalid-mutex WARNING:.ThreadSanitizer:.use.of.an.invalid.mutex -
asan heap-buffer-overflow heap-buffer-overflow ERROR:.AddressSanitizer:.heap-buffer-overflow -
asan heap-buffer-underflow heap-buffer-overflow ERROR:.AddressSanitizer:.heap-buffer-overflow -
asan stack-buffer-overflow stack-buffer-overflow ERROR:.AddressSanitizer:.stack-buffer-overflow -
asan stack-buffer-underflow stack-buffer-underflow ERROR:.AddressSanitizer:.stack-buffer-underflow -
asan global-buffer-overflow global-buffer-overflow ERROR:.AddressSanitizer:.global-buffer-overflow -
asan dynamic-stack-buffer-overflow dynamic-stack-buffer-overflow ERROR:.AddressSanitizer:.dynamic-stack-buffer-overflow -
asan heap-use-after-free heap-use-after-free ERROR:.AddressSanitizer:.heap-use-after-free -
asan stack-use-after-return stack-use-after-return ERROR:.AddressSanitizer:.stack-use-after-return detect_stack_use_after_return=1
asan stack-use-after-scope stack-use-after-scope ERROR:.AddressSanitizer:.stack-use-after-scope -
asan use-after-poison use-after-poison ERROR:.AddressSanitizer:.use-after-poison -
asan double-free double-free ERROR:.AddressSanitizer:.attempting.double-free -
asan bad-free bad-free ERROR:.AddressSanitizer:.attempting.free.on.address.which.was.not.malloc -
asan alloc-dealloc-mismatch alloc-dealloc-mismatch ERROR:.AddressSanitizer:.alloc-dealloc-mismatch -
asan new-delete-type-mismatch new-delete-type-mismatch ERROR:.AddressSanitizer:.new-delete-type-mismatch -
asan container-overflow container-overflow ERROR:.AddressSanitizer:.container-overflow -
asan memcpy-param-overlap memcpy-param-overlap ERROR:.AddressSanitizer:.memcpy-param-overlap -
asan negative-size-param negative-size-param ERROR:.AddressSanitizer:.negative-size-param -
asan allocation-size-too-big allocation-size-too-big ERROR:.AddressSanitizer:.requested.allocation.size -
asan out-of-memory out-of-memory ERROR:.AddressSanitizer:.(allocator.is.)?out.of.memory -
asan calloc-overflow calloc-overflow ERROR:.AddressSanitizer:.calloc.parameters.overflow -
asan stack-overflow stack-overflow ERROR:.AddressSanitizer:.stack-overflow -
asan SEGV SEGV ERROR:.AddressSanitizer:.SEGV.on.unknown.address -
asan BUS BUS ERROR:.AddressSanitizer:.BUS.on.unknown.address -
asan FPE FPE ERROR:.AddressSanitizer:.FPE.on.unknown.address -
asan ILL ILL ERROR:.AddressSanitizer:.ILL.on.unknown.address handle_sigill=1
asan ABRT ABRT ERROR:.AddressSanitizer:.ABRT.on.unknown.address handle_abort=1
asan initialization-order-fiasco initialization-order-fiasco ERROR:.AddressSanitizer:.initialization-order-fiasco check_initialization_order=1
asan odr-violation odr-violation ERROR:.AddressSanitizer:.odr-violation -
lsan-asan direct memory-leak ERROR:.LeakSanitizer:.detected.memory.leaks -
lsan-asan indirect memory-leak ERROR:.LeakSanitizer:.detected.memory.leaks -
lsan direct memory-leak ERROR:.LeakSanitizer:.detected.memory.leaks -
lsan indirect memory-leak ERROR:.LeakSanitizer:.detected.memory.leaks -
ubsan signed-integer-overflow signed-integer-overflow runtime.error: -
ubsan unsigned-integer-overflow unsigned-integer-overflow runtime.error: -
ubsan integer-divide-by-zero integer-divide-by-zero runtime.error: halt_on_error=1
ubsan shift-exponent invalid-shift-exponent runtime.error: -
ubsan shift-base invalid-shift-base runtime.error: -
ubsan misaligned-pointer-use misaligned-pointer-use runtime.error: -
ubsan null-pointer-use null-pointer-use runtime.error: -
ubsan pointer-overflow pointer-overflow runtime.error: -
ubsan nullptr-with-nonzero-offset nullptr-with-nonzero-offset runtime.error: -
ubsan insufficient-object-size insufficient-object-size runtime.error: halt_on_error=1
ubsan out-of-bounds-index out-of-bounds-index runtime.error: -
ubsan invalid-bool-load invalid-bool-load runtime.error: -
ubsan invalid-enum-load invalid-enum-load runtime.error: -
ubsan float-cast-overflow float-cast-overflow runtime.error: -
ubsan missing-return missing-return runtime.error: -
ubsan unreachable-call unreachable-call runtime.error: -
ubsan implicit-signed-integer-truncation implicit-signed-integer-truncation runtime.error: -
ubsan implicit-unsigned-integer-truncation implicit-unsigned-integer-truncation runtime.error: -
ubsan implicit-integer-sign-change implicit-integer-sign-change runtime.error: -
ubsan non-positive-vla-index non-positive-vla-index runtime.error: -
ubsan invalid-builtin-use invalid-builtin-use runtime.error: -
ubsan nonnull-attribute invalid-null-argument runtime.error: -
ubsan nonnull-return invalid-null-return runtime.error: -
ubsan nullability-arg invalid-null-argument runtime.error: -
ubsan dynamic-type-mismatch dynamic-type-mismatch runtime.error: -
ubsan function-type-mismatch function-type-mismatch runtime.error: -
ubsan alignment-assumption alignment-assumption runtime.error: -
ubsan SEGV SEGV ERROR:.UndefinedBehaviorSanitizer:.SEGV.on.unknown.address -
cfi cfi-icall cfi-bad-type runtime.error:.control.flow.integrity -
cfi cfi-vcall cfi-bad-type runtime.error:.control.flow.integrity -
TABLE
}

# The program (and build variant) a case runs: prints "<build-id> <program/switch>".
build_of() {  # config switch
  case "$1:$2" in
    asan:initialization-order-fiasco) echo "asan-init-order asan_init_order_main+asan_init_order_other" ;;
    asan:odr-violation) echo "asan-odr asan_odr_main+asan_odr_lib" ;;
    asan:*) echo "asan asan_kinds/$2" ;;
    tsan:*) echo "tsan tsan_kinds/$2" ;;
    lsan-asan:*) echo "lsan-asan lsan_kinds/$2" ;;
    lsan:*) echo "lsan lsan_kinds/$2" ;;
    ubsan:insufficient-object-size) echo "ubsan-O1 ubsan_kinds/$2" ;;
    ubsan:*) echo "ubsan ubsan_kinds/$2" ;;
    cfi:*) echo "cfi ubsan_cfi/$2" ;;
  esac
}

# Builds <build-id> for <toolchain> in $capture_dir/<toolchain>/, once per run (the
# executable, or <build-id>.failed, is the record). Prints the executable's path, or nothing
# (and the reason on stderr) if it cannot be built.
build() {  # toolchain build-id
  local tc=$1 id=$2 cxx dir exe
  cxx=$(cxx_of "$tc")
  dir="$capture_dir/$tc"
  exe="$dir/$id"
  if [ -f "$exe" ]; then echo "$exe"; return; fi
  if [ -f "$exe.failed" ]; then cat "$exe.failed" >&2; return; fi
  mkdir -p "$dir"
  cp "$here"/programs/kinds/*.cpp "$dir"/
  local common=(-g -O0 -fno-omit-frame-pointer -pthread)
  local clang=false
  case "$tc" in clang-*) clang=true ;; esac
  local ubsan_flags=(-fsanitize=undefined)
  if $clang; then
    ubsan_flags=(-fsanitize=undefined,implicit-conversion,nullability,unsigned-integer-overflow,function)
  else
    ubsan_flags+=(-fsanitize=float-cast-overflow)
  fi
  local asan_flags=(-std=c++20 -fsanitize=address,undefined -fno-sanitize=integer-divide-by-zero
                    -D_GLIBCXX_SANITIZE_VECTOR)
  $clang && asan_flags+=(-fsized-deallocation)
  local rc=0
  (
    cd "$dir" || exit 1
    case "$id" in
      tsan) "$cxx" "${common[@]}" -std=c++20 -fsanitize=thread tsan_kinds.cpp -o "$id" ;;
      asan) "$cxx" "${common[@]}" "${asan_flags[@]}" asan_kinds.cpp -o "$id" ;;
      asan-init-order)
        "$cxx" "${common[@]}" "${asan_flags[@]}" asan_init_order_main.cpp \
          asan_init_order_other.cpp -o "$id" ;;
      asan-odr)
        # clang-14 finds the violation only through ODR indicators (default from clang 16).
        $clang && asan_flags+=(-fsanitize-address-use-odr-indicator)
        "$cxx" "${common[@]}" "${asan_flags[@]}" -fPIC -shared -DODR_SIZE=4 -DODR_FUNC=odr_lib4 \
          asan_odr_lib.cpp -o libodr4.so &&
        "$cxx" "${common[@]}" "${asan_flags[@]}" -fPIC -shared -DODR_SIZE=8 -DODR_FUNC=odr_lib8 \
          asan_odr_lib.cpp -o libodr8.so &&
        "$cxx" "${common[@]}" "${asan_flags[@]}" asan_odr_main.cpp -o "$id" \
          -L. -lodr4 -lodr8 '-Wl,-rpath,$ORIGIN' ;;
      lsan-asan) "$cxx" "${common[@]}" -std=c++20 -fsanitize=address lsan_kinds.cpp -o "$id" ;;
      lsan) "$cxx" "${common[@]}" -std=c++20 -fsanitize=leak lsan_kinds.cpp -o "$id" ;;
      ubsan) "$cxx" "${common[@]}" -std=c++17 "${ubsan_flags[@]}" ubsan_kinds.cpp -o "$id" ;;
      ubsan-O1)
        "$cxx" "${common[@]}" -O1 -std=c++17 "${ubsan_flags[@]}" ubsan_kinds.cpp -o "$id" ;;
      cfi)
        $clang || { echo "cfi needs clang (g++ has no -fsanitize=cfi-*)"; exit 1; }
        "$cxx" "${common[@]}" -std=c++20 -fsanitize=cfi-icall,cfi-vcall -fno-sanitize-trap=cfi \
          -flto -fvisibility=hidden -fuse-ld=gold ubsan_cfi.cpp -o "$id" ;;
    esac
  ) >"$dir/$id.build.txt" 2>&1 || rc=1
  if [ $rc = 0 ] && [ -f "$exe" ]; then
    echo "$exe"
  else
    echo "build failed: $(grep -m1 -E 'error|unsupported|not supported|needs' "$dir/$id.build.txt" ||
                          head -n1 "$dir/$id.build.txt")" | tee "$exe.failed" >&2
  fi
}

# Runs one case and writes its log. Returns 1 (and removes the log) if the expected headline
# is missing. color: never|always.
run_case() {  # toolchain config switch headline extra-options color log
  local tc=$1 config=$2 sw=$3 headline=$4 extra=$5 color=$6 log=$7 id prog exe sym
  read -r id prog <<<"$(build_of "$config" "$sw")"
  exe=$(build "$tc" "$id" 2>"$capture_dir/why") || true
  if [ -z "$exe" ]; then
    echo "skip: $tc $config.$sw: $(cat "$capture_dir/why")" >&2
    return 1
  fi
  sym=$(symbolizer_of "$tc")
  local opts="log_path=stderr:color=$color:symbolize=1"
  [ "$extra" != - ] && opts="$opts:$extra"
  local args=("$sw")
  case "$id" in asan-init-order|asan-odr) args=() ;; esac
  mkdir -p "$(dirname "$log")"
  (
    cd "$(dirname "$exe")" || exit 1
    if [ -n "$sym" ]; then
      export ASAN_SYMBOLIZER_PATH=$sym TSAN_SYMBOLIZER_PATH=$sym UBSAN_SYMBOLIZER_PATH=$sym
      export LSAN_SYMBOLIZER_PATH=$sym
    fi
    ASAN_OPTIONS="$opts" LSAN_OPTIONS="$opts" UBSAN_OPTIONS="$opts:print_stacktrace=1" \
    TSAN_OPTIONS="$opts:atexit_sleep_ms=0:second_deadlock_stack=1" \
      timeout 60 "$exe" "${args[@]}" 2>&1 | head -c 65536 >"$log"
  )
  if ! grep -qE "$headline" "$log"; then
    echo "skip: $tc $config.$sw: no '$headline' in the output ($(head -c 120 "$log" | head -n1))" >&2
    rm -f "$log"
    return 1
  fi
  local n
  n=$(grep -cE 'WARNING: ThreadSanitizer:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:' "$log")
  [ "$n" -gt 1 ] && echo "note: $tc $config.$sw: $n headlines in $(basename "$log")" >&2
  return 0
}

step_kinds() {
  rm -rf "$capture_dir"
  mkdir -p "$capture_dir"
  local tc config sw kind headline extra base got
  for tc in "${toolchains[@]}"; do
    rm -f "$out/$tc"/*.log
    while read -r config sw kind headline extra; do
      base="$out/$tc/$config.$sw"
      run_case "$tc" "$config" "$sw" "$headline" "$extra" never "$base.log" || continue
      case "$config" in
        ubsan|cfi)
          local more="report_error_type=1"
          [ "$extra" != - ] && more="$extra:$more"
          run_case "$tc" "$config" "$sw" "$headline" "$more" never "$base.report-error-type.log" ||
            continue
          got=$(grep -m1 -oE 'SUMMARY: UndefinedBehaviorSanitizer: [A-Za-z-]+' \
                  "$base.report-error-type.log" | awk '{print $3}')
          if [ -z "$got" ]; then
            echo "skip: $tc $config.$sw.report-error-type: the runtime prints no SUMMARY line" \
                 "for a runtime error, so the capture would only repeat $config.$sw.log" >&2
            rm -f "$base.report-error-type.log"
            continue
          fi
          [ "$got" != "$kind" ] &&
            echo "note: $tc $config.$sw: the runtime names it '$got', the table '$kind'" >&2
          ;;
      esac
    done < <(cases)
    echo "kinds: $tc: $(ls "$out/$tc"/*.log 2>/dev/null | grep -vc report-error-type) cases captured" >&2
  done
}

# ---- Step "variants"
#
# Edited layouts of captured logs, for the parser's tolerance of how CI systems store logs:
#   <log>.ci-prefix.log  every line prefixed with an ISO timestamp, one millisecond apart
#                        ("2026-11-25T10:00:00.123Z "), as GitHub Actions stores its logs
#   <log>.crlf.log       every line ended by CRLF
#   <log>.color.log      the case run again with color=always (the runtime's own colors)
# made for the cases in variant_cases, for every toolchain that captured them.
variant_cases=(tsan.data-race asan.heap-buffer-overflow lsan-asan.indirect
               ubsan.signed-integer-overflow ubsan.SEGV)

step_variants() {
  mkdir -p "$capture_dir"
  local tc name base config sw kind headline extra
  for tc in "${toolchains[@]}"; do
    rm -f "$out/$tc"/*.ci-prefix.log "$out/$tc"/*.crlf.log "$out/$tc"/*.color.log
    for name in "${variant_cases[@]}"; do
      base="$out/$tc/$name"
      [ -f "$base.log" ] || continue
      awk '{ ms = 123 + NR - 1
             printf "2026-11-25T10:00:%02d.%03dZ %s\n", int(ms / 1000), ms % 1000, $0 }' \
        "$base.log" >"$base.ci-prefix.log"
      sed 's/$/\r/' "$base.log" >"$base.crlf.log"
      config=${name%%.*}
      sw=${name#*.}
      read -r _ _ kind headline extra < <(cases | awk -v c="$config" -v s="$sw" '$1 == c && $2 == s')
      # The headline pattern has no color codes in it; a colored headline is checked by its
      # runtime's name alone.
      run_case "$tc" "$config" "$sw" "Sanitizer|runtime.error" "$extra" always "$base.color.log" ||
        true
    done
  done
}

# ---- captured/index.tsv, from the logs present.
write_index() {
  local index="$out/index.tsv" tc config sw kind headline extra id prog base got v
  {
    printf 'toolchain\tprogram/switch\tkind\tlog\n'
    for tc in "${toolchains[@]}"; do
      while read -r config sw kind headline extra; do
        base="$out/$tc/$config.$sw"
        [ -f "$base.log" ] || continue
        read -r id prog <<<"$(build_of "$config" "$sw")"
        if [ -f "$base.report-error-type.log" ]; then
          got=$(grep -m1 -oE 'SUMMARY: UndefinedBehaviorSanitizer: [A-Za-z-]+' \
                  "$base.report-error-type.log" | awk '{print $3}')
          [ -n "$got" ] && kind=$got
        fi
        for v in "" .report-error-type .ci-prefix .crlf .color; do
          [ -f "$base$v.log" ] &&
            printf '%s\t%s\t%s\t%s\n' "$tc" "$prog" "$kind" "captured/$tc/$config.$sw$v.log"
        done
      done < <(cases)
    done
  } >"$index"
  echo "index: $(($(wc -l <"$index") - 1)) logs in $index" >&2
}

# ---- Step "valgrind"
#
# Each program is copied to "/tmp/racebook-capture/valgrind programs é" (a fixed directory whose
# name has a space and a non-ASCII letter, so that the logs hold such full paths and re-captures
# diff cleanly), built there plainly with g++ -std=c++20 -g -O0 -pthread (no sanitizer) and run
# under
#   valgrind --tool=helgrind --error-exitcode=66 --fullpath-after= ./<name>
#   valgrind --tool=drd --check-stack-var=yes --error-exitcode=66 --fullpath-after= ./<name>
# as the harness runs them (--fullpath-after= with nothing after it: every file a full path;
# --check-stack-var=yes: DRD ignores stack variables otherwise). stdout+stderr (the program's
# own output unprefixed, between Valgrind's "==PID==" lines) -> <name>.helgrind.log /
# <name>.drd.log. One more layout, not an edit: vg_heap_race under Helgrind with
# --history-level=none (<name>.helgrind-history-none.log), where a race names only one access.
# tsan_double_lock.cpp is left out (it calls TSan's AnnotateRWLockAcquired and does not link
# without TSan), and so are the TSan programs that neither tool reports on (heap use after free,
# signal-unsafe call) or that only TSan's history settings shape (failed restore).
vg_programs=(tsan_data_race tsan_data_race_atomic tsan_race_mutex_held tsan_two_reports
             tsan_lock_order_inversion tsan_destroy_locked tsan_unlock_unlocked tsan_thread_leak)

step_valgrind() {
  local dir="/tmp/racebook-capture/valgrind programs é" name src tool status
  command -v valgrind >/dev/null || { echo "capture: valgrind is not installed" >&2; return 1; }
  rm -rf "$dir"
  mkdir -p "$dir"
  local names=("${vg_programs[@]}")
  for src in "$here"/programs/vg_*.cpp; do names+=("$(basename "$src" .cpp)"); done
  run_vg() {  # name tool log extra-options...
    local name=$1 tool=$2 log=$3
    shift 3
    local extra=()
    [ "$tool" = drd ] && extra=(--check-stack-var=yes)
    (cd "$dir" && timeout 300 valgrind --tool="$tool" --error-exitcode=66 --fullpath-after= \
       "${extra[@]}" "$@" "./$name" >"$log" 2>&1)
    status=$?
    echo "capture: $(basename "$log") exit $status" >&2
  }
  for name in "${names[@]}"; do
    cp "$here/programs/$name.cpp" "$dir/$name.cpp"
    if ! (cd "$dir" && g++ -std=c++20 -g -O0 -pthread "$name.cpp" -o "$name"); then
      echo "capture: $name did not compile; skipped" >&2
      continue
    fi
    for tool in helgrind drd; do run_vg "$name" "$tool" "$here/$name.$tool.log"; done
  done
  run_vg vg_heap_race helgrind "$here/vg_heap_race.helgrind-history-none.log" --history-level=none
}

steps=("$@")
[ ${#steps[@]} = 0 ] && steps=(legacy kinds variants)
for step in "${steps[@]}"; do
  case "$step" in
    legacy) (step_legacy) ;;
    kinds) step_kinds ;;
    variants) step_variants ;;
    valgrind) step_valgrind ;;
    *) echo "capture.sh: unknown step '$step' (legacy, kinds, variants, valgrind)" >&2; exit 2 ;;
  esac
done
case " ${steps[*]} " in *" kinds "*|*" variants "*) write_index ;; esac
