#!/usr/bin/env bash
# `racebook-harness parse`'s CI options, as a pipeline uses them: --format github and sarif with
# --source-root, --write-baseline then --baseline (exit 1 only for a report not in it, named on
# standard error), and the errors for a bad format or baseline.
#   parse_cli_check.sh HARNESS DATA_DIR
set -uo pipefail
harness=$1 data=$2
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "parse_cli_check: $*" >&2; failures=$((failures + 1)); }

# A race captured from /tmp/racebook-capture.5roDLd/tsan_data_race.cpp, read as if the project
# lived at /src/my project (a path with a space, that does not exist here).
sed 's|/tmp/racebook-capture\.[A-Za-z0-9]*/|/src/my project/|g' "$data/tsan_data_race.gcc.log" > "$work/one.log"
sed 's|/tmp/racebook-capture\.[A-Za-z0-9]*/|/src/my project/|g' "$data/tsan_two_reports.gcc.log" > "$work/two.log"

out=$("$harness" parse --format github --source-root "/src/my project" "$work/one.log") ||
  fail "--format github exited $?"
[[ $out == "::error file=tsan_data_race.cpp,line=7,title=racebook%3A data-race::"* ]] ||
  fail "--format github: not an annotation of tsan_data_race.cpp line 7: $out"

"$harness" parse --format sarif --source-root "/src/my project" "$work/one.log" > "$work/one.sarif" ||
  fail "--format sarif exited $?"
/usr/bin/python3 - "$work/one.sarif" <<'PY' || fail "--format sarif: not the report at its relative path"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
result, = run["results"]
location = result["locations"][0]["physicalLocation"]
assert result["ruleId"] == "data-race", result["ruleId"]
assert location["artifactLocation"] == {"uri": "tsan_data_race.cpp", "uriBaseId": "SRCROOT"}, location
assert location["region"]["startLine"] == 7, location
assert "racebookSignature/v1" in result["partialFingerprints"]
PY

# The JSON carries the same signature the baseline holds.
"$harness" parse --source-root "/src/my project" --write-baseline "$work/known.json" "$work/one.log" > "$work/one.json" ||
  fail "--write-baseline exited $?"
/usr/bin/python3 - "$work/one.json" "$work/known.json" <<'PY' || fail "baseline and JSON signatures differ"
import json, sys
reports = json.load(open(sys.argv[1]))["reports"]
baseline = json.load(open(sys.argv[2]))
assert baseline["format"] == "racebook-baseline" and baseline["version"] == 1, baseline
assert baseline["signatures"] == sorted({r["signature"] for r in reports}), (baseline, reports)
PY

"$harness" parse --source-root "/src/my project" --baseline "$work/known.json" "$work/one.log" > /dev/null 2> "$work/err" ||
  fail "--baseline: a known report failed the run: $(cat "$work/err")"
"$harness" parse --source-root "/src/my project" --baseline "$work/known.json" "$work/two.log" > /dev/null 2> "$work/err"
status=$?
[ "$status" -eq 1 ] || fail "--baseline: two new reports exited $status, not 1"
grep -q "2 report(s) not in the baseline" "$work/err" && grep -q "race_first" "$work/err" &&
  grep -q "race_second" "$work/err" || fail "--baseline: the new reports are not named: $(cat "$work/err")"

# Moved to another machine (another root), the same race is still known.
sed 's|/src/my project/|/home/runner/work/p/p/|g' "$work/one.log" > "$work/moved.log"
"$harness" parse --source-root /home/runner/work/p/p --baseline "$work/known.json" "$work/moved.log" > /dev/null ||
  fail "--baseline: the same race under another root is new"

"$harness" parse --format xml "$work/one.log" > /dev/null 2> "$work/err"
status=$?
[ "$status" -eq 2 ] && grep -q "xml" "$work/err" || fail "--format xml: exit $status, $(cat "$work/err")"
echo '{"format": "something else"}' > "$work/bad.json"
"$harness" parse --baseline "$work/bad.json" "$work/one.log" > "$work/out" 2> "$work/err"
status=$?
[ "$status" -eq 2 ] && grep -q "bad.json" "$work/err" && [ ! -s "$work/out" ] ||
  fail "a malformed baseline: exit $status, output $(wc -c < "$work/out") bytes, $(cat "$work/err")"

"$harness" parse --write-baseline "$work/no such dir/known.json" "$work/one.log" > "$work/out" 2> "$work/err"
status=$?
[ "$status" -eq 3 ] && grep -q "no such dir" "$work/err" && [ ! -s "$work/out" ] ||
  fail "an unwritable baseline: exit $status, output $(wc -c < "$work/out") bytes, $(cat "$work/err")"

# SIGTERM (and Ctrl-C's SIGINT) end a parse of a log that never ends: the process dies of the
# signal, as any filter does, instead of reading on. (SIGTERM here: a background job of a
# non-interactive shell starts with SIGINT ignored.)
mkfifo "$work/endless"
( printf 'WARNING: ThreadSanitizer: data race (pid=1)\n'; while :; do echo "    #0 0x1 in f /x.cpp:1:2"; done ) > "$work/endless" &
writer=$!
"$harness" parse - < "$work/endless" > /dev/null 2>&1 &
parser=$!
sleep 1
kill -TERM "$parser"
for _ in $(seq 50); do kill -0 "$parser" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$parser" 2>/dev/null; then
  fail "parse of an endless log ignored SIGTERM for 10 s"
  kill -KILL "$parser"
fi
wait "$parser"
status=$?
[ "$status" -eq 143 ] || fail "parse of an endless log, sent SIGTERM: exit $status, not 143 (killed by SIGTERM)"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null

[ "$failures" -eq 0 ] && echo "parse_cli_check: all checks passed"
exit $((failures > 0))
