#!/usr/bin/env bash
# Verdict integrity, end to end: each check runs the real harness on real processes and fails
# if a report could be turned into a clean verdict, a process could outlive the harness, or bad
# input could abort or pass silently. One CTest test per check (harness/tests/CMakeLists.txt):
#   integrity_checks.sh CHECK
# with HARNESS, FIXTURE (+ FIXTURE_SOURCE), PLAIN_PROGRAM (+ PLAIN_SOURCE), FIXTURES, SANITIZER,
# COMPILER, CTEST, READER, BUILD and WORK in the environment.
set -uo pipefail

check=${1:?which check}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1
unset TSAN_OPTIONS ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS RACEBOOK_REPEAT

fail() { printf 'FAIL %s: %s\n' "$check" "$*" >&2; [ -f out.txt ] && { echo '---- last output ----' >&2; tail -c 6000 out.txt >&2; }; exit 1; }
ok() { printf 'ok %s: %s\n' "$check" "$*"; }

# run_harness VARIANT [extra args...]: runs the fixture's variant; status in $rc, output in out.txt
run_harness() {
  local variant=$1; shift
  "$HARNESS" run --program "$FIXTURE" --variant "$variant" --source "$FIXTURE_SOURCE" \
    --sanitizer "$SANITIZER" --compiler "$COMPILER" --retries 3 --timeout 60 "$@" >out.txt 2>&1
  rc=$?
}
expect_rc() { [ "$rc" = "$1" ] || fail "exit status $rc, expected $1${2:+ ($2)}"; }
expect_text() { grep -qF -- "$1" out.txt || fail "the output lacks \"$1\""; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

case $check in

# Row 1: options that would keep a race report from the harness are racebook's. (Paths are
# quoted as the runtimes' grammar wants: the work directory may contain a space.)
options_cannot_hide_a_race)
  printf 'race:count_up\n' > suppressions.txt
  for options in report_bugs=0 "suppressions='$WORK/suppressions.txt'" "log_path='$WORK/x':exitcode=0" \
                 "color=always" "force_seq_cst_atomics=1:io_sync=2" "halt_on_error=1:exitcode=0"; do
    TSAN_OPTIONS=$options run_harness race_declared_clean
    expect_rc 1 "TSAN_OPTIONS=$options must not hide the race"
    expect_text "unexpected report: data-race"
    expect_text "overridden"
  done
  # clang's TSan also reads common flags from UBSAN_OPTIONS.
  UBSAN_OPTIONS="log_path='$WORK/y':exitcode=0" run_harness race_declared_clean
  expect_rc 1 "UBSAN_OPTIONS must not hide the race"
  # An include= file is parsed before racebook's options; racebook refuses it.
  printf 'report_bugs=0\n' > flags.txt
  TSAN_OPTIONS="include='$WORK/flags.txt'" run_harness race_declared_clean
  expect_rc 2; expect_text "include="
  TSAN_OPTIONS="verbosity='1" run_harness race_declared_clean
  expect_rc 2; expect_text "unterminated"
  # The options a run used are in its result and shown on failure.
  TSAN_OPTIONS=report_bugs=0 run_harness race_declared_clean --results "$WORK/results"
  jq -e 'any(.sanitizer_options_overridden[]; contains("report_bugs=0 overridden by report_bugs=1"))' \
    "$WORK/results/integrity.race_declared_clean.json" >/dev/null ||
    fail "the override is not recorded in the result"
  jq -e 'any(.sanitizer_options.TSAN_OPTIONS | split(":")[]; . == "report_bugs=1")' \
    "$WORK/results/integrity.race_declared_clean.json" >/dev/null ||
    fail "the options the run used are not recorded in the result"
  expect_text "TSAN_OPTIONS="
  # Other options still pass through.
  TSAN_OPTIONS=verbosity=1 run_harness race_declared_racy
  expect_rc 0 "verbosity=1 passes through"
  ok "report_bugs, suppressions, log_path, exitcode, color, halt_on_error, UBSAN_OPTIONS, include"
  ;;

# Row 2: options that would hide a leak are racebook's.
options_cannot_hide_a_leak)
  for var in "ASAN_OPTIONS=detect_leaks=0" "LSAN_OPTIONS=exitcode=0:log_path='$WORK/leak'" \
             "LSAN_OPTIONS=detect_leaks=0" "ASAN_OPTIONS=suppressions='$WORK/s.txt'"; do
    printf 'leak:leak_declared_clean\nleak:*\n' > s.txt
    env "$var" "$HARNESS" run --program "$FIXTURE" --variant leak_declared_clean --source "$FIXTURE_SOURCE" \
      --sanitizer "$SANITIZER" --compiler "$COMPILER" >out.txt 2>&1
    rc=$?
    expect_rc 1 "$var must not hide the leak"
    expect_text "unexpected report: memory-leak"
  done
  ok "detect_leaks=0, LSAN exitcode/log_path, suppressions"
  ;;

# Row 3: a report in the middle of 10 MiB of output, beyond what is kept for display.
report_in_dropped_output_counts)
  run_harness ubsan_in_the_middle
  expect_rc 1 "a UBSan report in dropped output must count"
  expect_text "unexpected report: signed-integer-overflow"
  ok "the report between 5 MiB and 5 MiB of output was found"
  ;;

# Row 4: the completion sentinel after output that did not end its line.
sentinel_after_unterminated_output)
  run_harness count_without_newline
  expect_rc 0 "the sentinel follows 'count: 100000' on the same line"
  expect_text "PASS integrity.count_without_newline"
  ok "found"
  ;;

# Row 5 and 12: a checkout path with a space and a non-ASCII letter; a relative --source.
path_with_space_and_relative_source)
  case $FIXTURE_SOURCE in *" "*é*) ;; *) fail "the fixture's path has no space and é: $FIXTURE_SOURCE" ;; esac
  run_harness race_declared_racy
  expect_rc 0 "markers must match frames whose path has a space"
  (cd "$(dirname "$FIXTURE_SOURCE")" && "$HARNESS" run --program "$FIXTURE" --variant race_declared_racy \
     --source integrity.cpp --sanitizer "$SANITIZER" --compiler "$COMPILER" --retries 3) >out.txt 2>&1
  rc=$?
  expect_rc 0 "a relative --source from its own directory"
  # parse keeps the whole path.
  TSAN_OPTIONS=log_path=stderr "$FIXTURE" race_declared_racy >/dev/null 2>log.txt
  "$HARNESS" parse log.txt >out.txt 2>&1 || fail "parse failed"
  expect_text "\"file\": \"$FIXTURE_SOURCE\""
  ok "paths with spaces are data"
  ;;

# Row 7: no process outlives a run, even one that left the group with setsid().
no_orphan_after_a_run)
  RACEBOOK_FIXTURE_PID_FILE=$WORK/pid run_harness escaping_grandchild
  [ -s pid ] || fail "the fixture did not record its grandchild"
  grandchild=$(cat pid)
  alive "$grandchild" && { kill -9 "$grandchild"; fail "grandchild $grandchild outlived the harness"; }
  ok "the setsid() grandchild $grandchild was killed"
  ;;

no_orphan_after_sigterm|no_orphan_after_sigint|no_orphan_after_sighup)
  sig=${check##*_sig}; sig=${sig^^}
  # Job control: a background job of a script would otherwise start with SIGINT ignored, and
  # an ignored signal stays ignored (as under nohup), by design.
  set -m
  RACEBOOK_FIXTURE_PID_FILE=$WORK/pid "$HARNESS" run --program "$FIXTURE" --variant escaping_grandchild_then_hang \
    --source "$FIXTURE_SOURCE" --sanitizer "$SANITIZER" --compiler "$COMPILER" --timeout 60 >out.txt 2>&1 &
  harness_pid=$!
  for _ in $(seq 600); do [ -s pid ] && break; sleep 0.1; done
  [ -s pid ] || { kill -9 $harness_pid; fail "the fixture never started its grandchild"; }
  grandchild=$(cat pid)
  child=$(pgrep -P $harness_pid | head -1)
  kill -s "$sig" $harness_pid
  wait $harness_pid; rc=$?
  for _ in $(seq 50); do alive "$grandchild" || break; sleep 0.1; done
  survivors=""
  for p in $grandchild $child; do alive "$p" && survivors="$survivors $p"; done
  [ -z "$survivors" ] || { kill -9 $survivors; fail "after SIG$sig these outlived the harness:$survivors"; }
  want=$((128 + $(kill -l "$sig")))
  [ "$rc" = "$want" ] || fail "the harness exited $rc after SIG$sig, expected death by the signal ($want)"
  ok "SIG$sig: harness died of it, child $child and grandchild $grandchild are gone"
  ;;

# Row 8: the summary counts a test without a result as failed, and never reads stale results.
summary_counts_missing_and_stale_results)
  mkdir -p build/results
  cat > build/CTestTestfile.cmake <<EOT
add_test([=[racebook.results.reset]=] [=[$CMAKE]=] -E rm -rf [=[$WORK/build/results]=])
set_tests_properties([=[racebook.results.reset]=] PROPERTIES FIXTURES_SETUP racebook_results)
add_test([=[case.failures.crash]=] [=[$HARNESS]=] run --program [=[$PLAIN_PROGRAM]=] --variant crash --source [=[$PLAIN_SOURCE]=] --sanitizer normal --compiler gcc --results [=[$WORK/build/results]=])
set_tests_properties([=[case.failures.crash]=] PROPERTIES FIXTURES_REQUIRED racebook_results)
add_test([=[case.failures.huge_output]=] [=[$HARNESS]=] run --program [=[$PLAIN_PROGRAM]=] --variant huge_output --source [=[$PLAIN_SOURCE]=] --sanitizer normal --compiler gcc --results [=[$WORK/build/results]=])
set_tests_properties([=[case.failures.huge_output]=] PROPERTIES FIXTURES_REQUIRED racebook_results)
EOT
  # A stale passing result for the crash variant, and none for huge_output: both must fail.
  jq -n '{scenario: "failures", variant: "crash", sanitizer: "normal", compiler: "gcc", expected: "clean",
          kind: "clean", expected_text: "clean", observed: "no report", pass: true}' > build/results/failures.crash.json
  "$HARNESS" summary build >out.txt 2>&1; rc=$?
  expect_rc 1 "a missing result is a failure"
  expect_text "case.failures.huge_output"
  # A ctest run that only runs huge_output still clears the stale crash result first.
  "$CTEST" --test-dir build -R huge_output >ctest.txt 2>&1
  [ -e build/results/failures.crash.json ] && fail "the stale result survived a new ctest run"
  "$HARNESS" summary build >out.txt 2>&1; rc=$?
  expect_rc 1; expect_text "1 without a result"
  # A failure before the program ran (a missing binary) still writes a result.
  "$HARNESS" run --program "$WORK/missing" --variant crash --source "$PLAIN_SOURCE" --sanitizer normal \
    --compiler gcc --results "$WORK/build/results" >out.txt 2>&1
  jq -e '.pass == false' build/results/failures.crash.json >/dev/null || fail "no failing result for a missing binary"
  # For GitHub: the same, and one annotation for each failed variant and each missing result.
  rm -f build/results/failures.huge_output.json
  "$HARNESS" summary build --format github >out.txt 2>&1; rc=$?
  expect_rc 1 "summary --format github"
  expect_text "::error title=racebook%3A case.failures.crash failed::"
  expect_text "::error title=racebook%3A case.failures.huge_output has no result::"
  # As JSON (the counts and every result) and as SARIF (valid against the official schema).
  "$HARNESS" summary build --format json >out.txt 2>&1; rc=$?
  expect_rc 1 "summary --format json"
  /usr/bin/python3 -c 'import json, sys
s = json.load(open("out.txt"))
assert s["format"] == "racebook-summary" and s["failed"] == 2, s
assert s["without_result"] == ["case.failures.huge_output"], s
assert [r["variant"] for r in s["results"]] == ["crash"] and not s["results"][0]["pass"], s' ||
    fail "summary --format json does not hold the failure and the missing result"
  "$HARNESS" summary build --format sarif >out.txt 2>&1; rc=$?
  expect_rc 1 "summary --format sarif"
  /usr/bin/python3 - "$FIXTURES/../../../docs/sarif-schema-2.1.0.json" <<'PY' || fail "summary --format sarif is not the two problems in valid SARIF"
import json, sys
from jsonschema import Draft4Validator
sarif = json.load(open("out.txt"))
Draft4Validator(json.load(open(sys.argv[1]))).validate(sarif)
results = sarif["runs"][0]["results"]
assert sorted(r["ruleId"] for r in results) == ["no-result", "verdict-failed"], results
PY
  ok "missing and stale results fail the summary"
  ;;

# Row 9: CTest's time limit grows with RACEBOOK_REPEAT; repeat runs print progress.
repeat_scales_the_ctest_timeout)
  timeout_of() {
    RACEBOOK_REPEAT=$1 "$CTEST" --test-dir "$BUILD" --show-only=json-v1 -R '^case\.counter_race\.unlocked$' |
      python3 -c 'import json,sys; t=json.load(sys.stdin)["tests"][0]; print([p["value"] for p in t["properties"] if p["name"]=="TIMEOUT"][0])'
  }
  plain=$(timeout_of "") && repeated=$(timeout_of 100) || fail "cannot read the TIMEOUT property"
  [ "${repeated%.*}" -ge $((100 * 60)) ] || fail "TIMEOUT with RACEBOOK_REPEAT=100 is $repeated (without: $plain)"
  run_harness quick --repeat 20
  expect_rc 0; expect_text "run 2 of 20"
  ok "TIMEOUT $plain s alone, $repeated s at 100 repeats; progress printed"
  ;;

# Row 10: stability refuses results that are not a complete repeat run, and keeps the docs.
stability_refuses_incomplete_input)
  mkdir -p project/docs project/build/tsan/results
  cat > project/build/tsan/CTestTestfile.cmake <<EOT
add_test([=[case.integrity.quick]=] [=[$HARNESS]=] run --program [=[$FIXTURE]=] --variant quick --source [=[$FIXTURE_SOURCE]=] --sanitizer $SANITIZER --compiler $COMPILER --results [=[$WORK/project/build/tsan/results]=])
EOT
  jq -n --arg compiler "$COMPILER" --arg sanitizer "$SANITIZER" \
    '{$compiler, $sanitizer, compiler_version: "x", case_flags: ""}' > project/build/tsan/racebook-build.json
  echo "the record of 100 runs" > project/docs/stability.md
  "$CTEST" --test-dir project/build/tsan >ctest.txt 2>&1 || fail "the ordinary run failed: $(cat ctest.txt)"
  "$HARNESS" stability project tsan >out.txt 2>&1; rc=$?
  expect_rc 2 "ordinary results are not a stability run"
  expect_text "not a --repeat run"
  [ "$(cat project/docs/stability.md)" = "the record of 100 runs" ] || fail "docs/stability.md was overwritten"
  ok "refused; docs kept"
  ;;

# Row 13: a binary without the runtime it claims is refused.
uninstrumented_binary_refused)
  "$HARNESS" run --program "$PLAIN_PROGRAM" --variant crash --source "$PLAIN_SOURCE" --sanitizer tsan \
    --compiler gcc >out.txt 2>&1; rc=$?
  expect_rc 3; expect_text "carries no ThreadSanitizer runtime"
  "$HARNESS" run --program "$PLAIN_PROGRAM" --variant crash --source "$PLAIN_SOURCE" --sanitizer asan \
    --compiler gcc >out.txt 2>&1; rc=$?
  expect_rc 3; expect_text "carries no AddressSanitizer runtime"
  ok "refused, naming the build to use"
  ;;

# Row 14: bad input gets a message and a documented status, never an abort.
bad_input_never_aborts)
  "$HARNESS" parse "$WORK" >out.txt 2>&1; rc=$?
  expect_rc 2; expect_text "is a directory"
  mkdir -p b1/results b2/results
  for dir in b1 b2; do
    printf 'add_test([=[case.failures.crash]=] true)\n' > $dir/CTestTestfile.cmake
  done
  echo '[]' > b1/results/failures.crash.json
  echo '{"pass":"yes"}' > b2/results/failures.crash.json
  for dir in b1 b2; do
    "$HARNESS" summary $dir >out.txt 2>&1; rc=$?
    expect_rc 1 "summary over a result that is not one"
    expect_text "not a racebook result"
  done
  "$HARNESS" summary "$WORK/nowhere" >out.txt 2>&1; rc=$?
  expect_rc 3
  "$HARNESS" run --program "$FIXTURE" >out.txt 2>&1; rc=$?
  expect_rc 2; expect_text "--variant is required"
  # The command line (CLI11): help and version exit 0; a usage error is one line, exit 2, that
  # names what was wrong and where to read about it.
  "$HARNESS" --help >out.txt 2>&1; rc=$?
  expect_rc 0 "--help"
  for command in run parse summary variants docs stability env; do
    grep -qE "^  $command( |$)" out.txt || fail "--help does not list the command $command"
  done
  expect_text "Exit status: 0 pass, 1 a verdict failed, 2 usage or bad input"
  help_of() {
    local command=$1; shift
    "$HARNESS" "$command" --help >out.txt 2>&1; rc=$?
    expect_rc 0 "$command --help"
    for word in "$@"; do expect_text "$word"; done
  }
  help_of run --program --variant --source --sanitizer --compiler --timeout --retries --results \
    --source-root --repeat RACEBOOK_REPEAT
  help_of parse LOG "standard input"
  help_of summary BUILD_DIR
  help_of variants --program --source --sanitizer --compiler
  help_of docs PROJECT --check
  help_of stability PROJECT PRESET
  help_of env "sanitizer options"
  "$HARNESS" --version >out.txt 2>&1; rc=$?
  expect_rc 0 "--version"
  grep -qxE 'racebook-harness [0-9]+\.[0-9]+\.[0-9]+' out.txt || fail "--version printed: $(cat out.txt)"
  usage_error() {  # usage_error TEXT ARGS...: exit 2, one line on standard error naming TEXT
    local want=$1; shift
    "$HARNESS" "$@" >stdout.txt 2>out.txt; rc=$?
    expect_rc 2 "$*"; expect_text "$want"; expect_text "--help"
    [ "$(wc -l < out.txt)" = 1 ] || fail "racebook-harness $* said more than one line"
  }
  usage_error "unknown option or extra argument: --bogus 1" run --bogus 1 --program "$FIXTURE" --variant quick --source "$FIXTURE_SOURCE" \
    --sanitizer "$SANITIZER" --compiler "$COMPILER"
  usage_error '--bogus' parse --bogus
  usage_error '--frobnicate' --frobnicate
  usage_error 'unknown command "frobnicate"' frobnicate
  usage_error 'no command given'
  usage_error 'PRESET is required' stability .
  usage_error '--timeout must be a whole number from 1 to 3600, not "abc"' run --timeout abc \
    --program "$FIXTURE" --variant quick --source "$FIXTURE_SOURCE" --sanitizer "$SANITIZER" \
    --compiler "$COMPILER"
  "$HARNESS" run --timeout abc --program "$FIXTURE" --variant quick --source "$FIXTURE_SOURCE" \
    --sanitizer "$SANITIZER" --compiler "$COMPILER" --results "$WORK/r" >/dev/null 2>&1; rc=$?
  expect_rc 2 "--timeout abc"
  jq -e '.pass == false' "$WORK/r/integrity.quick.json" >/dev/null || fail "no failing result for --timeout abc"
  ok "parse DIR, summary over [] and {\"pass\":\"yes\"}, missing options, --help, --version, usage errors"
  ;;

# Row 15: RACEBOOK_REPEAT is validated like --repeat.
repeat_value_validated)
  for value in abc 5abc 1e3 -5 0 " 5" 999999999999; do
    RACEBOOK_REPEAT=$value run_harness quick
    expect_rc 2 "RACEBOOK_REPEAT=$value"
    expect_text "RACEBOOK_REPEAT must be a whole number"
    run_harness quick --repeat "$value"
    expect_rc 2 "--repeat $value"
    expect_text "--repeat must be a whole number"
  done
  # --repeat wins over RACEBOOK_REPEAT; an empty RACEBOOK_REPEAT is no repeat mode.
  RACEBOOK_REPEAT=abc run_harness quick --repeat 2
  expect_rc 0 "--repeat 2 with RACEBOOK_REPEAT=abc"; expect_text "matched in all 2 runs"
  RACEBOOK_REPEAT= run_harness quick
  expect_rc 0 "RACEBOOK_REPEAT empty"
  ok "abc, 5abc, 1e3, -5, 0, ' 5' and an overflow are refused, from RACEBOOK_REPEAT and --repeat"
  ;;

parse_stdin_closed)
  "$HARNESS" parse - <&- >out.txt 2>&1; rc=$?
  expect_rc 3; expect_text "standard input"
  ok "a closed standard input is an error"
  ;;

results_not_writable)
  echo "a file" > not-a-dir
  run_harness quick --results "$WORK/not-a-dir/results"
  expect_rc 3; expect_text "cannot write results to"
  ok "refused before running"
  ;;

# Row 6: a TEST_CASE the CMake regex could not see; a variant the case file does not declare.
variant_hidden_from_the_reader)
  printf 'int x;  // @w\n// truth: data-race @w @w\n\n\nTEST_CASE(\n    "split_over_lines") {}\n' > split.cpp
  "$READER" split.cpp "$SANITIZER" "$COMPILER" >out.txt 2>&1 || fail "the reader refused split.cpp"
  expect_text "split_over_lines"
  # The fixture binary has variants this case file does not declare.
  "$HARNESS" variants --program "$FIXTURE" --source split.cpp --sanitizer "$SANITIZER" --compiler "$COMPILER" >out.txt 2>&1; rc=$?
  expect_rc 1; expect_text 'the program has the variant "race_declared_clean"'
  expect_text 'split.cpp:5: the variant "split_over_lines" is not in'
  "$HARNESS" variants --program "$FIXTURE" --source "$FIXTURE_SOURCE" --sanitizer "$SANITIZER" --compiler "$COMPILER" >out.txt 2>&1; rc=$?
  expect_rc 0 "the fixture matches its own case file"
  ok "split TEST_CASE read; undeclared variants fail"
  ;;

# Clear messages for case-file mistakes.
case_file_messages)
  reader_says() { printf '%b' "$1" > c.cpp; "$READER" c.cpp tsan gcc >out.txt 2>&1 && fail "accepted: $1"; expect_text "$2"; }
  reader_says 'x; // @a\n// expect tsan: data-race @a\n// expect asan: clean\n// expect normal: clean\nTEST_CASE("v") {}\n' 'c.cpp:2: "data-race" needs 2 markers'
  reader_says 'x; // @a\n// expect tsan: data-rase @a @a\n// expect asan: clean\n// expect normal: clean\nTEST_CASE("v") {}\n' 'unknown report kind "data-rase"'
  expect_text "lock-order-inversion"
  reader_says '// expect tsan: clean\n// expect asan: clean\n// expect normal: clean\nTEST_CASE("v") { // @a\n}\n' 'c.cpp:4: marker @a is on a TEST_CASE line'
  reader_says '// expect tsan: clean\nTEST_CASE("v") {}\n// expect tsan: clean\nTEST_CASE("v") {}\n' 'c.cpp:4: a second variant named "v" (the first is on line 2)'
  reader_says '// expect asan: clean\nTEST_CASE("v") {}\n' 'has no expectation for tsan'
  ok "marker counts, unknown kinds, markers on TEST_CASE lines, duplicates"
  ;;

missing_variant_lists_what_it_has)
  printf '// truth: clean\nTEST_CASE("no_such_variant") {}\n' > integrity.cpp
  touch -d '2000-01-01' integrity.cpp
  "$HARNESS" run --program "$FIXTURE" --variant no_such_variant --source integrity.cpp --sanitizer "$SANITIZER" \
    --compiler "$COMPILER" >out.txt 2>&1; rc=$?
  expect_rc 1; expect_text 'has no variant "no_such_variant" (it has: race_declared_clean'
  ok "lists the variants"
  ;;

binary_older_than_source)
  cp "$FIXTURE_SOURCE" integrity.cpp && touch -d '+1 hour' integrity.cpp
  "$HARNESS" run --program "$FIXTURE" --variant quick --source integrity.cpp --sanitizer "$SANITIZER" \
    --compiler "$COMPILER" >out.txt 2>&1; rc=$?
  expect_rc 3; expect_text "is older than its case file"; expect_text "rebuild"
  ok "rebuild"
  ;;

# Row 11: TSAN_OPTIONS=color=always; a colored log given to parse.
color_always_still_parses)
  TSAN_OPTIONS=color=always run_harness race_declared_racy
  expect_rc 0 "color=always must not break the verdict"
  TSAN_OPTIONS=color=always:log_path=stderr "$FIXTURE" race_declared_racy >/dev/null 2>colored.log
  grep -q $'\e\[' colored.log || fail "the runtime printed no colour codes"
  "$HARNESS" parse colored.log >out.txt 2>&1 || fail "parse failed"
  expect_text '"kind": "data-race"'
  grep -q 'integrity.cpp' out.txt || fail "no frame of the fixture in the colored parse"
  ok "colour codes are ignored"
  ;;

# Row 16: two processes' logs interleaved line by line, each line with its ==pid== prefix.
interleaved_process_logs)
  cat > a.log <<'EOT'
=================================================================
==111==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55 bp 0x7ff sp 0x7ff
READ of size 4 at 0x602000000010 thread T0
    #0 0x55d1 in reader /src/a.cpp:10:5
    #1 0x55d2 in main /src/a.cpp:20:3
0x602000000010 is located 0 bytes inside of 4-byte region [0x602000000010,0x602000000014)
freed by thread T0 here:
    #0 0x55e1 in operator delete(void*) (/usr/lib/libasan.so.8+0xb0)
    #1 0x55e2 in freer /src/a.cpp:30:3
SUMMARY: AddressSanitizer: heap-use-after-free /src/a.cpp:10:5 in reader
==111==ABORTING
EOT
  cat > b.log <<'EOT'
=================================================================
==222==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000034 at pc 0x66 bp 0x7ff sp 0x7ff
WRITE of size 4 at 0x602000000034 thread T0
    #0 0x66d1 in writer /src/b.cpp:40:7
    #1 0x66d2 in main /src/b.cpp:50:3
0x602000000034 is located 0 bytes after 4-byte region [0x602000000030,0x602000000034)
SUMMARY: AddressSanitizer: heap-buffer-overflow /src/b.cpp:40:7 in writer
==222==ABORTING
EOT
  paste -d '\n' <(sed 's/^/==111== /' a.log) <(sed 's/^/==222== /' b.log) | grep -v '^$' > mixed.log
  "$HARNESS" parse mixed.log >out.txt 2>&1 || fail "parse failed"
  python3 - out.txt <<'EOT' || fail "reports of the two processes were mixed"
import json, sys
output = json.load(open(sys.argv[1]))
assert output["format"] == "racebook-parse" and output["version"] == 1, output
reports = output["reports"]
assert len(reports) == 2, f"{len(reports)} reports"
for r in reports:
    files = {f["file"] for a in r["accesses"] for f in a["stack"]["frames"] if f["file"]}
    files |= {f["file"] for s in r["sections"] for f in s["stack"]["frames"] if f["file"]}
    want = "/src/a.cpp" if r["kind"] == "heap-use-after-free" else "/src/b.cpp"
    assert files == {want}, (r["kind"], files)
EOT
  ok "each report keeps its own process's frames"
  ;;

*)
  echo "unknown check $check" >&2; exit 2 ;;
esac
