#!/usr/bin/env bash
# racebook's benchmark: measures on the machine at hand and writes docs/performance.md.
#
#   harness/benchmark.sh [RUNS]               the whole page (also: ./harness/racebook.sh bench [RUNS])
#   harness/benchmark.sh parse [MIB] [RUNS]   only its section "Parsing large logs", see (f) below
#
# RUNS (default 3): the timed runs of every command hyperfine measures, after its warm-up, and of
# the incremental check. From the environment:
#   RACEBOOK_BENCH_COLD_RUNS=N            how often each cold measurement, (1) and (2), is made
#                                         (default 1); the page gives the median and the count
#   RACEBOOK_BENCH_PRESETS="tsan normal"  measure only these corpus presets (default: all of them,
#                                         harness/presets.sh reads them from CMakePresets.json),
#                                         for trying the script out; goal (1) then says it was
#                                         not measured
#
# How. The working tree's tracked files (uncommitted edits included, untracked files not) are
# copied to build/bench/checkout and the project's own commands run in that copy, so the
# developer's build trees are never touched; "cold" means the copy has no build/ at all (the
# operating system's file cache is not dropped). In this order:
# (2) `./harness/racebook.sh check` cold, RACEBOOK_BENCH_COLD_RUNS times;
# (3) `./harness/racebook.sh check` again after `touch cases/counter_race.cpp`, RUNS times;
# (1) `cmake --workflow --preset harness`, then `cmake --workflow --preset P` for each corpus
#     preset, cold: what `./harness/racebook.sh test` does before its fuzz run, docs check and
#     package test. The trees this leaves are what the rest measures:
# (4) the cost of one scenario per preset: the compile and the link (with the variants check
#     that follows it) of each case program, from the tree's .ninja_log, its tests' time from
#     CTest's record of (1), the mean per scenario and the translation units each one adds;
#     a compile profile: each tree's 5 slowest translation units (.ninja_log); and, beside
#     the goals, why each is where it is, from those build logs (written last, into the page);
# (d) every variant's case program run bare — the program alone, started by hyperfine without a
#     shell, with racebook's sanitizer options (`racebook-harness env`) set beforehand — and its
#     slowdown under TSan and ASan against the normal build;
# (b) each preset's test phase (`ctest -L case -j CORES`) against its physical limit: the sum of
#     the bare runtimes of (d) divided by the cores;
# (c) `racebook-harness run` (one run of the program, the verdict, the result file) against the
#     bare program, both started by hyperfine without a shell;
# (e) the naive way — each program run with the runtimes' default options, racy when its output
#     matches a regex — against racebook's test phase, both on CORES jobs: time and verdicts.
# (f) `parse`: racebook-harness parse on a large log against `grep -c WARNING`, with the harness
#     built in build/bench/harness; the full run keeps that section as it is.
# Timed with hyperfine (installed with apt-get if missing; medians), except the cold builds,
# which are timed here, one shot each. Progress goes to stderr, the commands' output to
# build/bench/logs, hyperfine's results to build/bench/json; the copy and its build trees stay
# in build/bench/checkout (about 1.5 GB) until the next run. With RACEBOOK_BENCH_PRESETS, (1),
# (4), (b), (d) cover those presets, (e) the sanitizer ones among them, (c) tsan and normal if
# there (else the first); (2) and (3) always check tsan, as the command does by default.
# Run it on a quiet machine: it measures wall time. At RUNS=3 it takes about
# 15-25 minutes on 2 cores. It stops with a non-zero status, naming the step and its log, when a
# build or a test fails; goals that are not met are reported, never asserted.
set -euo pipefail
LC_NUMERIC=C  # decimal points, for $EPOCHREALTIME and awk

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
bench=$top/build/bench
cores=$(nproc)
started=$EPOCHREALTIME

say() { printf 'benchmark [%s s]: %s\n' "$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')" "$*" >&2; }
die() { printf 'benchmark: %s\n' "$*" >&2; exit 1; }
usage() { printf 'benchmark: %s\n' "$*" >&2; awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}" >&2; exit 2; }
positive() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

# Numbers: the median of the values on stdin; sums and ratios; rounding.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
ratio() { awk -v a="$1" -v b="$2" -v n="${3:-2}" 'BEGIN { if (a == "" || b == "" || b + 0 <= 0) print "-"; else printf "%.*f", n, a / b }'; }
fix() { awk -v a="$1" -v n="${2:-1}" 'BEGIN { if (a == "" || a == "nan") print "-"; else printf "%.*f", n, a }'; }
ms() { awk -v a="$1" 'BEGIN { if (a == "") print "-"; else printf "%.1f", a * 1000 }'; }
# A word for hyperfine's own splitting of a command (shell words, no shell run).
sq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

# hyperfine, installed the way ./harness/racebook.sh installs its packages (as root or through sudo).
need_hyperfine() {
  command -v hyperfine >/dev/null && return 0
  say "installing hyperfine (Debian package) for the timings"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "hyperfine is missing and this is not root: install it with apt-get install hyperfine"
    sudo=(sudo)
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends hyperfine >/dev/null ||
    { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends hyperfine >/dev/null; } ||
    die "could not install hyperfine with apt-get; install it and run again"
}
command -v jq >/dev/null || die "jq is missing: ./harness/racebook.sh installs it (apt-get install jq)"
# shellcheck source=harness/presets.sh
source "$top/harness/presets.sh"

# Runs a command with its output appended to LOG; on failure shows the end of the log and stops.
# Sets $took to the seconds it took.
took=0
logged() {
  local log=$1 what=$2 t0
  shift 2
  t0=$EPOCHREALTIME
  if ! "$@" >>"$log" 2>&1; then
    tail -n 25 "$log" >&2
    die "$what failed: $* (in $PWD; the whole output is in $log)"
  fi
  took=$(sub "$EPOCHREALTIME" "$t0")
}

# hyperfine JSON LOG [hyperfine options and commands]: output to LOG, results to JSON.
hf() {
  local json=$1 log=$2
  shift 2
  if ! hyperfine --style basic --export-json "$json" "$@" >>"$log" 2>&1; then
    tail -n 15 "$log" >&2
    die "hyperfine failed (a command above exited non-zero or could not start); the whole output is in $log"
  fi
}

# ---- (f) `racebook-harness parse` on a large log, against `grep -c WARNING` on it ----
#   harness/benchmark.sh parse [MIB] [RUNS]   (only this section; default 1024 MiB, 3 runs)
# The log is every captured log of harness/tests/data/captured with a few lines of program output
# before each, repeated up to MIB MiB, in $TMPDIR (not kept). `grep -c WARNING` reads the same
# file from the page cache: the practical limit of a program that reads the log once. Peak
# memory from /usr/bin/time -v. Writes the section "## Parsing large logs" of
# docs/performance.md, which the full benchmark keeps.
if [ "${1:-}" = parse ]; then
  mib=${2:-1024}
  runs=${3:-3}
  positive "$mib" || usage "parse: MIB must be a whole number above 0, not '$mib'"
  positive "$runs" || usage "parse: RUNS must be a whole number above 0, not '$runs'"
  [ -x /usr/bin/time ] || die "(f) needs /usr/bin/time (GNU time, apt-get install time) for peak memory"
  mkdir -p "$bench/logs"
  say "(f) building racebook-harness in build/bench/harness (preset harness)"
  logged "$bench/logs/parse-build.log" "configuring build/bench/harness" cmake --preset harness -B "$bench/harness"
  logged "$bench/logs/parse-build.log" "building racebook-harness in build/bench/harness" \
    cmake --build "$bench/harness" --target racebook-harness
  harness=$bench/harness/bin/racebook-harness
  [ -x "$harness" ] || die "(f) the build did not leave $harness"
  log=$(mktemp "${TMPDIR:-/tmp}/racebook-parse-bench.XXXXXX")
  trap 'rm -f "$log" "$log.pass" "$log.time" "$log.count"' EXIT
  say "(f) writing a $mib MiB log to $log"
  i=0
  for f in harness/tests/data/captured/*/*.log; do
    i=$((i + 1))
    for ((k = 0; k < i % 7 + 3; k++)); do printf 'worker %d: processed item %d of the batch\n' "$k" "$i"; done
    cat "$f"
    printf '\n'
  done >"$log.pass"
  cp "$log.pass" "$log"
  while [ "$(stat -c %s "$log")" -lt $((mib * 1024 * 1024)) ]; do
    cat "$log" "$log" >"$log.pass" && mv "$log.pass" "$log"
  done
  truncate -s $((mib * 1024 * 1024)) "$log"
  bytes=$(stat -c %s "$log")
  cat "$log" >/dev/null  # into the page cache
  parse_s=() grep_s=() rss=()
  for ((r = 1; r <= runs; r++)); do
    say "(f) run $r of $runs"
    t0=$EPOCHREALTIME
    # Into a file: with its output on /dev/null, GNU grep stops at the first match.
    grep -c WARNING "$log" >"$log.count" || true
    grep_s+=("$(sub "$EPOCHREALTIME" "$t0")")
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$log.time" "$harness" parse "$log" >/dev/null || die "(f) racebook-harness parse $log failed"
    parse_s+=("$(sub "$EPOCHREALTIME" "$t0")")
    rss+=("$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$log.time")")
  done
  reports=$("$harness" parse "$log" | grep -c '"log_line"' || true)
  p=$(printf '%s\n' "${parse_s[@]}" | median)
  g=$(printf '%s\n' "${grep_s[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | median)
  mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
  section=$(
    echo "## Parsing large logs"
    echo
    echo "\`racebook-harness parse\` on a $mib MiB log of $reports reports (the captured logs of"
    echo "\`harness/tests/data/captured\`, program output between them), median of $runs runs on"
    echo "$cores cores of this machine on $(date -u '+%Y-%m-%d'), measured by \`harness/benchmark.sh parse $mib $runs\`:"
    echo
    echo "| | seconds | MB/s | peak memory |"
    echo "|---|---|---|---|"
    echo "| \`racebook-harness parse LOG > /dev/null\` | $(fix "$p" 3) | $(mbs "$p") | $((${m%.*} / 1024)) MiB |"
    echo "| \`grep -c WARNING LOG\` (the limit: one read of the log) | $(fix "$g" 3) | $(mbs "$g") | |"
  )
  if [ -f docs/performance.md ] && grep -q '^## Parsing large logs' docs/performance.md; then
    # Replace the section, keep what follows it.
    awk -v s="$section" '/^## Parsing large logs/ { print s; skip = 1; next }
                         skip && /^## / { skip = 0; print "" }
                         !skip' docs/performance.md >docs/performance.md.new
    mv docs/performance.md.new docs/performance.md
  else
    printf '\n%s\n' "$section" >>docs/performance.md
  fi
  say "(f) parse: $(fix "$p" 3) s ($(mbs "$p") MB/s, peak $((${m%.*} / 1024)) MiB); grep -c WARNING: $(fix "$g" 3) s; written to docs/performance.md"
  exit 0
fi

# ---- Settings ----
runs=${1:-3}
positive "$runs" || usage "RUNS must be a whole number above 0, not '$runs'"
[ $# -le 1 ] || usage "one argument at most (RUNS), or: parse [MIB] [RUNS]"
cold_runs=${RACEBOOK_BENCH_COLD_RUNS:-1}
positive "$cold_runs" || usage "RACEBOOK_BENCH_COLD_RUNS must be a whole number above 0, not '$cold_runs'"
mapfile -t all_presets < <(corpus_presets)
[ ${#all_presets[@]} -gt 0 ] || die "CMakePresets.json has no corpus preset (one that inherits 'corpus')"
read -r -a presets <<<"${RACEBOOK_BENCH_PRESETS:-${all_presets[*]}}"
[ ${#presets[@]} -gt 0 ] || usage "RACEBOOK_BENCH_PRESETS names no preset"
for p in "${presets[@]}"; do
  [[ " ${all_presets[*]} " == *" $p "* ]] || usage "RACEBOOK_BENCH_PRESETS: '$p' is not one of: ${all_presets[*]}"
done
all_measured=1
[ ${#presets[@]} -eq ${#all_presets[@]} ] || all_measured=0
# The measured presets with a sanitizer, and for each its baseline (the same compiler, none).
sanitizer_presets=()
declare -A baseline=()
with_sanitizer=" $(sanitizer_presets | paste -sd' ') "
for p in "${presets[@]}"; do
  [[ $with_sanitizer == *" $p "* ]] || continue
  sanitizer_presets+=("$p")
  baseline[$p]=$(baseline_preset "$p")
done
sanitized() { [[ " ${sanitizer_presets[*]} " == *" $1 "* ]]; }
warmup=1  # hyperfine's warm-up runs before the timed runs of (b), (c), (d)
scratch=$bench/checkout
logs=$bench/logs
json=$bench/json
regex='WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'
need_hyperfine
mkdir -p "$bench"
# The per-preset trees of an earlier version of this script (build/bench/<preset>) are not used.
for p in "${all_presets[@]}"; do rm -rf "${bench:?}/$p"; done
rm -rf "$logs" "$json" "$bench/work"
mkdir -p "$logs" "$json" "$bench/work"
say "RUNS=$runs, cold runs $cold_runs, presets: ${presets[*]}; logs in $logs"

# The machine, before anything runs.
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=""
git diff --quiet HEAD -- 2>/dev/null || dirty=" with uncommitted changes"

# A copy of the working tree's tracked files, without its build trees.
make_scratch() {
  say "copying the tracked files of $top to $scratch"
  rm -rf "$scratch"
  mkdir -p "$scratch"
  git ls-files -z | while IFS= read -r -d '' f; do
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi  # deleted but not yet committed: skip
  done | xargs -0 cp -d --parents -t "$scratch" || die "could not copy the working tree to $scratch"
}
# ctest's "Total Test time (real) = X sec" lines of a log: the test phases it holds.
test_times() { sed -n 's/^Total Test time (real) = *\([0-9.]*\) sec.*/\1/p' "$1"; }

make_scratch
cd "$scratch"

# ---- (2) `./harness/racebook.sh check`, cold ----
check_cold=() check_cold_tests=()
for ((r = 1; r <= cold_runs; r++)); do
  rm -rf build
  say "(2) cold ./harness/racebook.sh check, run $r of $cold_runs"
  logged "$logs/check-cold-$r.log" "(2) the cold ./harness/racebook.sh check" ./harness/racebook.sh check
  check_cold+=("$took")
  check_cold_tests+=("$(test_times "$logs/check-cold-$r.log" | tail -1)")
done
check_cold_s=$(printf '%s\n' "${check_cold[@]}" | median)
check_cold_test_s=$(printf '%s\n' "${check_cold_tests[@]}" | median)

# ---- (3) the same after touching one case file ----
say "(3) ./harness/racebook.sh check after touch cases/counter_race.cpp, $runs runs (hyperfine)"
hf "$json/check-incremental.json" "$logs/check-incremental.log" --runs "$runs" --warmup 0 \
  --prepare 'touch cases/counter_race.cpp' -n 'check after touch' \
  "./harness/racebook.sh check >>$(sq "$logs/check-incremental-output.log") 2>&1"
check_inc_s=$(jq -r '.results[0].median' "$json/check-incremental.json")
check_inc_min=$(jq -r '.results[0].min' "$json/check-incremental.json")
check_inc_max=$(jq -r '.results[0].max' "$json/check-incremental.json")
check_inc_test_s=$(test_times "$logs/check-incremental-output.log" | median)

# ---- (1) cold configure + build + test: the harness build, then each corpus preset ----
declare -A cold_samples cold_test_samples
for ((r = 1; r <= cold_runs; r++)); do
  rm -rf build
  total=0
  for p in harness "${presets[@]}"; do
    say "(1) cold cmake --workflow --preset $p, run $r of $cold_runs"
    logged "$logs/cold-$p-$r.log" "(1) cmake --workflow --preset $p" cmake --workflow --preset "$p"
    cold_samples[$p]+="$took "
    cold_test_samples[$p]+="$(test_times "$logs/cold-$p-$r.log" | tail -1) "
    total=$(add "$total" "$took")
  done
  cold_samples[total]+="$total "
done
declare -A cold cold_test
for k in harness "${presets[@]}" total; do
  cold[$k]=$(tr ' ' '\n' <<<"${cold_samples[$k]}" | grep . | median)
done
for k in harness "${presets[@]}"; do
  cold_test[$k]=$({ tr ' ' '\n' <<<"${cold_test_samples[$k]}" | grep . || true; } | median)
done

# The harness of these trees, and racebook's sanitizer options as a run gets them (from an
# environment without the user's own).
harness=$scratch/build/harness/bin/racebook-harness
[ -x "$harness" ] || die "the harness build did not leave $harness"
unset_sanitizer_options() { unset TSAN_OPTIONS ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; }
mapfile -t racebook_env < <(unset_sanitizer_options; "$harness" env)
[ ${#racebook_env[@]} -gt 0 ] || die "racebook-harness env printed no options"

# Each preset's variants, from the tests CTest knows there: key, expected verdict, program,
# variant, the bare command and the harness's command (one run, results into the bench dir),
# both as shell words for hyperfine.
declare -A variants_of
for p in "${presets[@]}"; do
  ctest --test-dir "build/$p" --show-only=json-v1 >"$bench/work/$p.tests.json" ||
    die "ctest --test-dir build/$p --show-only=json-v1 failed"
  jq -r --arg results "$bench/work/results-$p" '
    .tests[] | select(.name | startswith("case.")) | .name as $name | .command as $c
    | ([.properties[]? | select(.name == "LABELS") | .value[]] | if index("racy") then "racy" else "clean" end) as $expected
    | [range(0; $c | length) as $i | select($c[$i] == "--program") | $c[$i + 1]][0] as $program
    | [range(0; $c | length) as $i | select($c[$i] == "--variant") | $c[$i + 1]][0] as $variant
    | [range(0; $c | length) as $i
       | if $i > 0 and $c[$i - 1] == "--retries" then "1"
         elif $i > 0 and $c[$i - 1] == "--results" then $results
         else $c[$i] end] as $run
    | [($name | ltrimstr("case.")), $expected, $program, $variant,
       ([$program, $variant, "--warn", "NoTests"] | @sh), ($run | @sh)] | @tsv' \
    "$bench/work/$p.tests.json" >"$bench/work/$p.variants.tsv"
  [ -s "$bench/work/$p.variants.tsv" ] || die "build/$p has no case tests (ctest -N lists none)"
  variants_of[$p]=$(cut -f1 "$bench/work/$p.variants.tsv" | tr '\n' ' ')
done
# The scenarios, in the order of the first preset's tests.
mapfile -t scenarios < <(cut -f1 "$bench/work/${presets[0]}.variants.tsv" | sed 's/\..*//' | awk '!seen[$0]++')
read -r -a keys <<<"${variants_of[${presets[0]}]}"

# ---- (4) the cost of one scenario, and the compile profile, from the trees of (1) ----
# .ninja_log: "start end mtime path hash" in ms since the build started; the last entry of a
# path is its last build. Translation units are the objects and precompiled headers.
ninja_times() {
  awk -F'\t' '!/^#/ && NF >= 4 { s[$4] = $1; e[$4] = $2 }
              END { for (p in s) printf "%.3f\t%s\n", (e[p] - s[p]) / 1000, p }' "$1/.ninja_log"
}
tu_times() { ninja_times "$1" | awk -F'\t' '$2 ~ /\.(o|obj|gch|pch)$/' | sort -t$'\t' -k1,1gr; }
declare -A sc_compile sc_link sc_test sc_tus
for p in "${presets[@]}"; do
  [ -f "build/$p/.ninja_log" ] || die "build/$p has no .ninja_log"
  ninja_times "build/$p" >"$bench/work/$p.ninja.tsv"
  cost=build/$p/Testing/Temporary/CTestCostData.txt
  [ -f "$cost" ] || die "$cost is missing: did (1) run the tests of $p?"
  for s in "${scenarios[@]}"; do
    sc_compile[$p,$s]=$(awk -F'\t' -v t="cases/CMakeFiles/case_$s.dir/$s.cpp.o" '$2 == t { print $1 }' "$bench/work/$p.ninja.tsv")
    sc_link[$p,$s]=$(awk -F'\t' -v t="cases/$s" '$2 == t { print $1 }' "$bench/work/$p.ninja.tsv")
    sc_tus[$p,$s]=$(awk -F'\t' -v d="cases/CMakeFiles/case_$s.dir/" 'index($2, d) == 1 && $2 ~ /\.(o|obj|gch|pch)$/ { n++ } END { print n + 0 }' "$bench/work/$p.ninja.tsv")
    # CTest's record of (1): "name runs average-seconds", failed tests after "---".
    sc_test[$p,$s]=$(awk -v pre="case.$s." '$0 == "---" { exit } NF == 3 && index($1, pre) == 1 { t += $3 } END { print t + 0 }' "$cost")
    if [ -z "${sc_compile[$p,$s]}" ] || [ -z "${sc_link[$p,$s]}" ]; then
      die "build/$p/.ninja_log has no compile or link of cases/$s (expected cases/CMakeFiles/case_$s.dir/$s.cpp.o and cases/$s)"
    fi
  done
done
max_tus=0
for k in "${!sc_tus[@]}"; do
  if [ "${sc_tus[$k]}" -gt "$max_tus" ]; then max_tus=${sc_tus[$k]}; fi
done

# ---- (d) every variant run bare, in every preset ----
# hyperfine starts each program itself (no shell), with racebook's options in the environment
# already; a racy variant's non-zero exit status is expected (-i).
declare -A bare
for p in "${presets[@]}"; do
  say "(d) bare runs of the ${#keys[@]} variants in $p ($runs runs each after $warmup warm-up)"
  args=()
  while IFS=$'\t' read -r key _expected _program _variant bare_cmd _run_cmd; do
    args+=(-n "$key" "$bare_cmd")
  done <"$bench/work/$p.variants.tsv"
  (
    unset_sanitizer_options
    export "${racebook_env[@]}"
    # A runtime that cannot start here would time nothing but its failure.
    IFS=$'\t' read -r _key _expected program variant _rest <"$bench/work/$p.variants.tsv"
    "$program" "$variant" --warn NoTests >"$bench/work/first-$p.log" 2>&1 || true
    if grep -q 'FATAL: .*Sanitizer' "$bench/work/first-$p.log"; then
      die "the sanitizer runtime of build/$p cannot start on this machine ($program $variant says FATAL); on kernels with vm.mmap_rnd_bits above 28: sysctl vm.mmap_rnd_bits=28"
    fi
    hf "$json/bare-$p.json" "$logs/bare-$p.log" -N -i --runs "$runs" --warmup "$warmup" "${args[@]}"
  )
  while IFS=$'\t' read -r key m; do bare[$p,$key]=$m; done < <(jq -r '.results[] | "\(.command)\t\(.median)"' "$json/bare-$p.json")
done

# ---- (b) and (e): the test phase at CORES jobs, with the verdicts it got right ----
# Each side is a small script started by hyperfine without a shell; after its run it counts
# its right verdicts into a tally (jq over the results, a few milliseconds of the time).
cat >"$bench/work/racebook-side.sh" <<'EOF'
#!/usr/bin/env bash
# racebook-side.sh TREE JOBS TALLY: racebook's test phase, then how many variants passed.
ctest --test-dir "$1" -L case -j "$2" >/dev/null 2>&1
shopt -s nullglob
results=("$1"/results/*.json)
verdicts=$([ ${#results[@]} -eq 0 ] ||
  jq -r 'if .pass == true then "right" else "wrong \(input_filename)" end' "${results[@]}")
right=$(grep -c '^right$' <<<"$verdicts")
wrong=$(sed -n 's|^wrong .*/||; s|\.json$||p' <<<"$verdicts" | tr '\n' ' ')
echo "$right|${#results[@]}|$wrong" >>"$3"
EOF
cat >"$bench/work/naive-one.sh" <<'EOF'
#!/usr/bin/env bash
# naive-one.sh OUTDIR REGEX KEY EXPECTED PROGRAM VARIANT: one variant the naive way.
log=$1/$3.log
"$5" "$6" >"$log" 2>&1
if grep -Eq "$2" "$log"; then said=racy; else said=clean; fi
if [ "$said" = "$4" ]; then echo "right $3"; else echo "wrong $3"; fi
EOF
cat >"$bench/work/naive-side.sh" <<'EOF'
#!/usr/bin/env bash
# naive-side.sh LIST JOBS REGEX TALLY: every variant of LIST (NUL-separated key, expected,
# program, variant) run with default sanitizer options on JOBS jobs; racy if the regex matches.
out=$(mktemp -d)
xargs -0 -n 4 -P "$2" "$(dirname "$0")/naive-one.sh" "$out" "$3" <"$1" >"$out/verdicts"
right=$(grep -c '^right ' "$out/verdicts")
total=$(grep -c . "$out/verdicts")
wrong=$(sed -n 's/^wrong //p' "$out/verdicts" | tr '\n' ' ')
echo "$right|$total|$wrong" >>"$4"
rm -rf "$out"
EOF
chmod +x "$bench/work/"*.sh

declare -A phase phase_right naive_time naive_right naive_wrong rb_wrong limit longest longest_key sum_bare
tally_range() { cut -d'|' -f1 "$1" | sort -n | sed -n '1p;$p' | paste -sd' ' | awk '{ print ($1 == $2 || $2 == "") ? $1 : $1 "–" $2 }'; }
tally_wrong() { { cut -d'|' -f3 "$1" | tr ' ' '\n' | grep . || true; } | sort | uniq -c | awk -v n="$(wc -l <"$1")" '{ printf "%s%s (%d of %d runs)", sep, $2, $1, n; sep = ", " }'; }
for p in "${presets[@]}"; do
  say "(b) test phase of $p: ctest -L case -j $cores, $runs runs"
  rm -f "$bench/work/tally-racebook-$p"
  (
    unset_sanitizer_options
    hf "$json/phase-$p.json" "$logs/phase-$p.log" -N --runs "$runs" --warmup 0 -n "racebook $p" \
      "$(sq "$bench/work/racebook-side.sh") $(sq "$scratch/build/$p") $cores $(sq "$bench/work/tally-racebook-$p")"
  )
  phase[$p]=$(jq -r '.results[0].median' "$json/phase-$p.json")
  phase_right[$p]=$(tally_range "$bench/work/tally-racebook-$p")
  rb_wrong[$p]=$(tally_wrong "$bench/work/tally-racebook-$p")
  sum=0 longest[$p]=0 longest_key[$p]=""
  for key in ${variants_of[$p]}; do
    sum=$(add "$sum" "${bare[$p,$key]}")
    if awk -v a="${bare[$p,$key]}" -v b="${longest[$p]}" 'BEGIN { exit !(a > b) }'; then
      longest[$p]=${bare[$p,$key]} longest_key[$p]=$key
    fi
  done
  sum_bare[$p]=$sum
  limit[$p]=$(awk -v s="$sum" -v c="$cores" 'BEGIN { print s / c }')
done
for p in "${sanitizer_presets[@]}"; do
  say "(e) the naive way in $p: default options, regex, $cores jobs, $runs runs"
  list=$bench/work/naive-$p.list
  while IFS=$'\t' read -r key expected program variant _rest; do
    printf '%s\0%s\0%s\0%s\0' "$key" "$expected" "$program" "$variant"
  done <"$bench/work/$p.variants.tsv" >"$list"
  rm -f "$bench/work/tally-naive-$p"
  (
    unset_sanitizer_options
    hf "$json/naive-$p.json" "$logs/naive-$p.log" -N --runs "$runs" --warmup 0 -n "naive $p" \
      "$(sq "$bench/work/naive-side.sh") $(sq "$list") $cores $(sq "$regex") $(sq "$bench/work/tally-naive-$p")"
  )
  naive_time[$p]=$(jq -r '.results[0].median' "$json/naive-$p.json")
  naive_right[$p]=$(tally_range "$bench/work/tally-naive-$p")
  naive_wrong[$p]=$(tally_wrong "$bench/work/tally-naive-$p")
done

# ---- (c) the harness's overhead per run ----
overhead_presets=()
for p in tsan normal; do [[ " ${presets[*]} " == *" $p "* ]] && overhead_presets+=("$p"); done
[ ${#overhead_presets[@]} -gt 0 ] || overhead_presets=("${presets[0]}")
declare -A oh_bare oh_run oh_self
for p in "${overhead_presets[@]}"; do
  say "(c) racebook-harness run against the bare program, every variant of $p ($runs runs each after $warmup warm-up)"
  args=()
  while IFS=$'\t' read -r key _expected _program _variant bare_cmd run_cmd; do
    args+=(-n "bare $key" "$bare_cmd" -n "run $key" "$run_cmd")
  done <"$bench/work/$p.variants.tsv"
  rm -rf "$bench/work/results-$p"
  (
    unset_sanitizer_options
    export "${racebook_env[@]}"
    hf "$json/overhead-$p.json" "$logs/overhead-$p.log" -N -i --runs "$runs" --warmup "$warmup" "${args[@]}"
  )
  while IFS=$'\t' read -r name m; do
    case $name in
      "bare "*) oh_bare[$p,${name#bare }]=$m ;;
      "run "*) oh_run[$p,${name#run }]=$m ;;
    esac
  done < <(jq -r '.results[] | "\(.command)\t\(.median)"' "$json/overhead-$p.json")
  # The harness's own measure of itself (time outside the child) in each result file written.
  oh_self[$p]=$({ cat "$bench/work/results-$p"/*.json 2>/dev/null || true; } | jq -r '.harness_overhead_us_per_run // empty' | median)
done

# ---- docs/performance.md ----
cd "$top"
say "writing docs/performance.md"
met() { awk -v a="$1" -v g="$2" 'BEGIN { if (a == "" || a == "nan") print "not measured"; else if (a + 0 <= g + 0) print "met ✓"; else print "not met ✗" }'; }
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
n_variants=${#keys[@]}
{
  echo "# Performance"
  echo
  echo "Written by \`harness/benchmark.sh $runs\` on $(date -u '+%Y-%m-%d %H:%M UTC') from a copy of the working tree at"
  echo "commit $commit$dirty; every number on this page comes from that run."
  echo
  echo "- Machine: ${cpu:-unknown CPU}, $cores cores (\`nproc\`), $mem, Linux $(uname -r), \`vm.mmap_rnd_bits\` ="
  echo "  $(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo '?'); load average $load_at_start when the run started."
  echo "- Tools: $(g++ --version | head -1); $(clang++ --version | head -1); $(cmake --version | head -1);"
  echo "  ninja $(ninja --version); $(hyperfine --version)."
  echo "- Runs: cold measurements (1) and (2) $cold_runs time(s) each (\`RACEBOOK_BENCH_COLD_RUNS\`), median;"
  echo "  everything else timed by hyperfine, $runs timed run(s) each (RUNS), medians: after $warmup warm-up run"
  echo "  for the bare runs of (b) and (d) and for (c); after none for (3) and the test phases of (b)"
  echo "  and (e), whose commands had just run."
  echo "- Presets measured: ${presets[*]}; $n_variants variants in ${#scenarios[@]} scenarios per preset."
  echo "- Cold: the copy of the working tree has no \`build/\` at all; the file cache of the system is"
  echo "  not dropped. The copy holds the tracked files (uncommitted edits included), in \`build/bench/checkout\`."
  echo
  echo "## Goals (issue 10)"
  echo
  echo "| goal | measured | target | |"
  echo "|---|---|---|---|"
  if [ "$all_measured" = 1 ]; then
    echo "| (1) cold configure + build + test: the harness build and all ${#all_presets[@]} corpus presets | $(fix "${cold[total]}") s | ≤ 90 s | $(met "${cold[total]}" 90) |"
  else
    echo "| (1) cold configure + build + test: the harness build and all ${#all_presets[@]} corpus presets | $(fix "${cold[total]}") s for harness + ${presets[*]} only | ≤ 90 s | not measured (${#presets[@]} of ${#all_presets[@]} presets) |"
  fi
  echo "| (2) \`./harness/racebook.sh check\`, cold | $(fix "$check_cold_s") s | ≤ 40 s | $(met "$check_cold_s" 40) |"
  echo "| (3) \`./harness/racebook.sh check\` after \`touch cases/counter_race.cpp\` | $(fix "$check_inc_s") s | ≤ 10 s | $(met "$check_inc_s" 10) |"
  echo "| (4) translation units a scenario adds, per preset (most of any scenario and preset) | $max_tus | 1 | $(met "$max_tus" 1) |"
  echo
  echo "## (1) Cold configure, build and test, as \`./harness/racebook.sh test\` does them"
  echo
  echo "\`cmake --workflow --preset harness\`, then \`cmake --workflow --preset P\` for each preset, one after"
  echo "the other in a copy without build trees: what the test command runs before its fuzz run, docs"
  echo "check and package test. Median of $cold_runs cold run(s); the tests' part is CTest's own"
  echo "\"Total Test time\"."
  echo
  echo "| step | seconds | of which tests |"
  echo "|---|---|---|"
  for p in harness "${presets[@]}"; do
    echo "| \`cmake --workflow --preset $p\` | $(fix "${cold[$p]}") | $(fix "${cold_test[$p]}") |"
  done
  echo "| **all** | **$(fix "${cold[total]}")** | |"
  echo
  echo "## (2), (3) \`./harness/racebook.sh check\`"
  echo
  echo "| | runs | seconds (median) | min–max | of which tests |"
  echo "|---|---|---|---|---|"
  echo "| cold: no build trees | $cold_runs | $(fix "$check_cold_s") | $(fix "$(printf '%s\n' "${check_cold[@]}" | sort -g | head -1)")–$(fix "$(printf '%s\n' "${check_cold[@]}" | sort -g | tail -1)") | $(fix "$check_cold_test_s") |"
  echo "| after \`touch cases/counter_race.cpp\` | $runs | $(fix "$check_inc_s") | $(fix "$check_inc_min")–$(fix "$check_inc_max") | $(fix "$check_inc_test_s") |"
  echo
  echo "Each is the whole command, as a developer types it in the copy: installing nothing (all is"
  echo "there), configuring, building and testing the preset \`tsan\` as \`harness/racebook.sh\` does it,"
  echo "and the verdict matrix. After the touch, configure runs again (the case file is a configure"
  echo "input) and the build compiles and links that scenario's program again before the tests run;"
  echo "\"of which tests\" is CTest's own \"Total Test time\" in the command's output."
  echo
  echo "## (4) The cost of one scenario"
  echo
  echo "From the trees of (1): the compile of \`cases/CMakeFiles/case_<name>.dir/<name>.cpp.o\` and the"
  echo "link of \`cases/<name>\` (with the \`racebook-harness variants\` check that runs right after it),"
  echo "from the tree's \`.ninja_log\` (with ${cores} jobs, other steps ran beside them); the tests: the"
  echo "sum of the scenario's variant tests in CTest's record of that run; translation units: the"
  echo "objects and precompiled headers built for the scenario's program alone. Seconds."
  echo
  echo "| preset | compile (mean) | link (mean) | tests (mean) | one scenario (mean) | translation units per scenario |"
  echo "|---|---|---|---|---|---|"
  all_sum=0
  for p in "${presets[@]}"; do
    c=0 l=0 t=0 lo=999 hi=0
    for s in "${scenarios[@]}"; do
      c=$(add "$c" "${sc_compile[$p,$s]}") l=$(add "$l" "${sc_link[$p,$s]}") t=$(add "$t" "${sc_test[$p,$s]}")
      if [ "${sc_tus[$p,$s]}" -lt "$lo" ]; then lo=${sc_tus[$p,$s]}; fi
      if [ "${sc_tus[$p,$s]}" -gt "$hi" ]; then hi=${sc_tus[$p,$s]}; fi
    done
    n=${#scenarios[@]}
    mc=$(awk -v a="$c" -v n="$n" 'BEGIN { print a / n }') ml=$(awk -v a="$l" -v n="$n" 'BEGIN { print a / n }')
    mt=$(awk -v a="$t" -v n="$n" 'BEGIN { print a / n }')
    one=$(add "$(add "$mc" "$ml")" "$mt")
    all_sum=$(add "$all_sum" "$one")
    tus=$lo; [ "$lo" = "$hi" ] || tus="$lo–$hi"
    echo "| $p | $(fix "$mc" 2) | $(fix "$ml" 2) | $(fix "$mt" 2) | $(fix "$one" 2) | $tus |"
  done
  echo "| **all measured presets** | | | | **$(fix "$all_sum" 2)** | |"
  echo
  echo "Each scenario, compile / link / tests in seconds:"
  echo
  printf '| scenario |'; for p in "${presets[@]}"; do printf ' %s |' "$p"; done; echo
  printf '|---|'; for _ in "${presets[@]}"; do printf -- '---|'; done; echo
  for s in "${scenarios[@]}"; do
    printf '| %s |' "$s"
    for p in "${presets[@]}"; do
      printf ' %s / %s / %s |' "$(fix "${sc_compile[$p,$s]}")" "$(fix "${sc_link[$p,$s]}")" "$(fix "${sc_test[$p,$s]}")"
    done
    echo
  done
  echo
  echo "## Compile profile"
  echo
  echo "The 5 slowest translation units of each build tree of (1), from its \`.ninja_log\` (the last"
  echo "build of each output), with the tree's count of translation units and their summed time."
  for tree in harness "${presets[@]}"; do
    tu_times "$scratch/build/$tree" >"$bench/work/$tree.tus"
    echo
    echo "**$tree** ($(wc -l <"$bench/work/$tree.tus") translation units, $(awk -F'\t' '{ t += $1 } END { printf "%.1f", t }' "$bench/work/$tree.tus") s compiling):"
    echo
    echo "| translation unit | seconds |"
    echo "|---|---|"
    head -5 "$bench/work/$tree.tus" | awk -F'\t' '{ printf "| `%s` | %.1f |\n", $2, $1 }'
  done
  echo
  echo "## (b) Test phase against its physical limit"
  echo
  echo "The test phase is \`ctest --test-dir build/P -L case -j $cores\` (the case tests alone, through the"
  echo "harness), timed by hyperfine. The limit is the sum of the bare runtimes of (d) — the case"
  echo "programs alone, their environment set beforehand — divided by the $cores cores: no scheduler can"
  echo "do better, nor finish before the longest variant does."
  echo
  echo "| preset | test phase (s) | sum of bare runs (s) | limit: sum / $cores (s) | phase / limit | longest variant (s) |"
  echo "|---|---|---|---|---|---|"
  for p in "${presets[@]}"; do
    echo "| $p | $(fix "${phase[$p]}" 3) | $(fix "${sum_bare[$p]}" 3) | $(fix "${limit[$p]}" 3) | $(ratio "${phase[$p]}" "${limit[$p]}") | $(fix "${longest[$p]}" 3) ${longest_key[$p]} |"
  done
  echo
  echo "## (c) The harness's overhead per run"
  echo
  echo "Both sides started by hyperfine without a shell, with racebook's sanitizer options in the"
  echo "environment. **Bare**: the case program \`PROGRAM VARIANT --warn NoTests\`, its output to"
  echo "/dev/null, until it exits. **Harness**: \`racebook-harness run --retries 1 --results DIR\` with the"
  echo "test's other arguments: the harness starts, reads the case file, derives the sanitizer options,"
  echo "starts the same program in its own process group with its output on pipes, reads and parses"
  echo "that output, judges the verdict, writes the result file, prints the verdict, exits."
  echo
  echo "| preset | variants | bare, sum of medians (s) | harness, sum of medians (s) | overhead per run, median over variants (ms) | mean (ms) | the harness's own measure, median (µs) |"
  echo "|---|---|---|---|---|---|---|"
  for p in "${overhead_presets[@]}"; do
    sb=0 sr=0 diffs=()
    for key in ${variants_of[$p]}; do
      sb=$(add "$sb" "${oh_bare[$p,$key]}") sr=$(add "$sr" "${oh_run[$p,$key]}")
      diffs+=("$(sub "${oh_run[$p,$key]}" "${oh_bare[$p,$key]}")")
    done
    n=${#diffs[@]}
    echo "| $p | $n | $(fix "$sb" 3) | $(fix "$sr" 3) | $(ms "$(printf '%s\n' "${diffs[@]}" | median)") | $(ms "$(awk -v a="$sr" -v b="$sb" -v n="$n" 'BEGIN { print (a - b) / n }')") | $(fix "${oh_self[$p]}" 0) |"
  done
  echo
  echo "The harness's own measure is the time it spent outside its child per run (reading the case"
  echo "file, parsing, judging, writing), from the \`harness_overhead_us_per_run\` of the result files"
  echo "these runs wrote; it leaves out the harness's own start and exit."
  echo
  echo "## (d) Slowdown under the sanitizers"
  echo
  echo "Bare runtime of each variant (median, seconds) as in (b), and its ratio to the normal build of"
  echo "the same compiler. Sanitizer builds are \`-O0\`, normal builds \`-O2\`, so a ratio includes that."
  echo
  printf '| variant |'
  for p in "${presets[@]}"; do
    printf ' %s |' "$p"
    ! sanitized "$p" || printf ' × |'
  done
  echo
  printf '|---|'
  for p in "${presets[@]}"; do printf -- '---|'; ! sanitized "$p" || printf -- '---|'; done
  echo
  for key in "${keys[@]}"; do
    printf '| %s |' "$key"
    for p in "${presets[@]}"; do
      printf ' %s |' "$(fix "${bare[$p,$key]:-}" 3)"
      ! sanitized "$p" || printf ' %s |' "$(ratio "${bare[$p,$key]:-}" "${bare[${baseline[$p]},$key]:-}" 1)"
    done
    echo
  done
  printf '| **median ratio** |'
  for p in "${presets[@]}"; do
    printf ' |'
    if sanitized "$p"; then
      b=${baseline[$p]} rs=()
      for key in "${keys[@]}"; do
        r=$(ratio "${bare[$p,$key]:-}" "${bare[$b,$key]:-}")
        [ "$r" = - ] || rs+=("$r")
      done
      if [ ${#rs[@]} -gt 0 ]; then printf ' **%s** |' "$(fix "$(printf '%s\n' "${rs[@]}" | median)")"; else printf ' - |'; fi
    fi
  done
  echo
  echo
  echo "## (e) The naive way, for comparison"
  echo
  echo "The naive way: every case program run directly with the runtimes' default options, $cores at a"
  echo "time (\`xargs -P $cores\`), called racy when its output matches \`$regex\`, compared"
  echo "with the expected verdict (racy or clean). racebook: the test phase of (b), on the same $cores"
  echo "jobs; a variant counts as right when its test passed, which asks more: the report's kind and"
  echo "its marked lines, or for a clean variant a finished run and the right result. Both timed by"
  echo "hyperfine over $runs runs, each including a count of its verdicts (a grep, milliseconds)."
  echo
  echo "| preset | naive (s) | right (of $n_variants) | wrong, naive | racebook (s) | right (of $n_variants) | wrong, racebook |"
  echo "|---|---|---|---|---|---|---|"
  for p in "${sanitizer_presets[@]}"; do
    echo "| $p | $(fix "${naive_time[$p]}" 3) | ${naive_right[$p]} | ${naive_wrong[$p]:-none} | $(fix "${phase[$p]}" 3) | ${phase_right[$p]} | ${rb_wrong[$p]:-none} |"
  done
  [ ${#sanitizer_presets[@]} -gt 0 ] || echo "| (no sanitizer preset measured) | | | | | | |"
  echo
  echo "\"right\" is the range over the runs when it varied."
} >docs/performance.md.new
# Keep the section that `harness/benchmark.sh parse` writes.
if [ -f docs/performance.md ] && grep -q '^## Parsing large logs' docs/performance.md; then
  { echo; awk '/^## Parsing large logs/ { keep = 1; print; next } keep && /^## / { exit } keep' docs/performance.md; } >>docs/performance.md.new
  # No blank line doubled at the end.
  sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' docs/performance.md.new
fi
mv docs/performance.md.new docs/performance.md

# ---- Why the goals are where they are: from this run's build logs ----
# Each translation unit's compile time from the .ninja_log of (1)'s trees (they ran two at a time
# on two cores, so these are close to CPU seconds), set beside the goals.
tu_sum() { tu_times "$1" | awk -F'\t' -v re="$2" '$2 ~ re { s += $1 } END { printf "%.1f", s + 0 }'; }
why_all=0 why_catch=0 why_cases=0 why_harness_all=0 why_harness_check=0
for t in harness "${presets[@]}"; do
  tree=$scratch/build/$t
  [ -f "$tree/.ninja_log" ] || continue
  why_all=$(add "$why_all" "$(tu_sum "$tree" '.')")
  why_catch=$(add "$why_catch" "$(tu_sum "$tree" 'case_main\.cpp\.o$')")
  if [ "$t" = harness ]; then
    why_harness_all=$(tu_sum "$tree" '.')
    why_harness_check=$(tu_sum "$tree" '^harness/CMakeFiles/')
  else
    why_cases=$(add "$why_cases" "$(tu_sum "$tree" '^cases/CMakeFiles/(case_|racebook_case_pch)')")
  fi
done
why_tsan_main=$( [ -f "$scratch/build/tsan/.ninja_log" ] && tu_sum "$scratch/build/tsan" 'case_main\.cpp\.o$' || echo "-")
why_tests=0
for t in harness "${presets[@]}"; do why_tests=$(add "$why_tests" "${cold_test[$t]:-0}"); done
{
  echo "## Why the goals are where they are"
  echo
  echo "From this run's build logs: each translation unit's compile time in (1)'s trees, where they"
  echo "ran $cores at a time (so close to seconds of one core each)."
  echo
  echo "- (1) took $(fix "${cold[total]:-}") s. Its translation units took $(fix "$why_all") s to compile, at least"
  echo "  $(fix "$(ratio "$why_all" "$cores" 3)") s on $cores cores even if they always kept every core busy; the tests took"
  echo "  $(fix "$why_tests") s; configuring, linking and the variants check of every program the rest. Of the"
  echo "  compile time, Catch2's implementation took $(fix "$why_catch") s: once plain for the harness's tests and"
  echo "  once in every corpus build with that build's sanitizer, which it must be (compiled plain,"
  echo "  its copies of the standard library's inline functions replace the instrumented ones in the"
  echo "  case programs: see \`racebook_add_case_main\` in \`cmake/racebook-add-case.cmake\`). The"
  echo "  harness build's own units (harness, unit tests, plain fixture) took $(fix "$why_harness_all") s, once;"
  echo "  the case programs themselves (their units and the precompiled \`catch.hpp\`) $(fix "$why_cases") s over"
  echo "  all ${#presets[@]} corpus builds."
  echo "- (2) took $(fix "${check_cold_s:-}") s: \`check\` compiles the harness (its units took $(fix "$why_harness_check") s in (1)'s"
  echo "  harness build) and the tsan corpus, whose Catch2 main under ThreadSanitizer alone took"
  echo "  $(fix "$why_tsan_main") s of one core, then runs the case tests ($(fix "${check_cold_test_s:-}") s)."
  echo "- (3) took $(fix "${check_inc_s:-}") s, of which the case tests of tsan, all run again, $(fix "${check_inc_test_s:-}") s; the"
  echo "  rest is configure (the case file changed, so its variants are read again), one translation"
  echo "  unit and its link."
  echo
} >"$bench/work/why.md"
awk 'FNR == NR { why = why $0 "\n"; next } /^## \(1\)/ && !done { printf "%s", why; done = 1 } { print }' \
  "$bench/work/why.md" docs/performance.md >docs/performance.md.new
mv docs/performance.md.new docs/performance.md
say "wrote the reasons beside the goals into docs/performance.md"
say "done: docs/performance.md; cold check $(fix "$check_cold_s") s, incremental check $(fix "$check_inc_s") s, cold harness + ${#presets[@]} preset(s) $(fix "${cold[total]}") s"
