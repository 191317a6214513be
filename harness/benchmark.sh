#!/usr/bin/env bash
# racebook's benchmark: measures on the machine at hand, writes docs/performance.md.
#
#   harness/benchmark.sh [RUNS]     (default 3; also: ./harness/racebook.sh bench [RUNS])
#   RACEBOOK_BENCH_COLD_RUNS=N      measure (a) N times instead of RUNS
#   harness/benchmark.sh parse [MIB] [RUNS]   only (f): parse on a large log, see below
#
# (a) a cold configure + build + test of each of the six presets;
# (b) each sanitizer preset's test phase (the case tests) against its physical limit: the sum of
#     the bare variant runtimes divided by the cores;
# (c) the harness's overhead per run against running the same binaries directly;
# (d) each variant's slowdown under TSan and ASan against the normal build;
# (e) the corpus checked the naive way — each binary run with default sanitizer options, racy
#     if the output matches a regex — for time and for what it gets right.
# Every figure is the median of RUNS runs. Builds go to build/bench/<preset>, apart from the
# developer's own build/<preset>. Run it on a quiet machine: it measures wall time.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
runs=${1:-3}
# The cold builds of (a) take most of the time (about 1 minute a preset here); they can be
# measured fewer times than the rest.
cold_runs=${RACEBOOK_BENCH_COLD_RUNS:-$runs}
presets=(normal tsan asan normal-clang tsan-clang asan-clang)
bench=build/bench
cores=$(nproc)
mkdir -p "$bench"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
say() { printf 'benchmark: %s\n' "$*" >&2; }

# ---- (f) `racebook-harness parse` on a large log, against `grep -c WARNING` on it ----
#   harness/benchmark.sh parse [MIB] [RUNS]   (only this section; default 1024 MiB, 3 runs)
# The log is every captured log of harness/tests/data/captured with a few lines of program output
# before each, repeated up to MIB MiB, in $TMPDIR (not kept). `grep -c WARNING` reads the same
# file from the page cache: the practical limit of a program that reads the log once. Peak
# memory from /usr/bin/time -v. Writes the section "## Parsing large logs" of
# docs/performance.md (kept by the full benchmark, which rewrites only what comes before "## Why").
if [ "${1:-}" = parse ]; then
  mib=${2:-1024}
  runs=${3:-3}
  [ -x /usr/bin/time ] || { say "(f) needs /usr/bin/time (GNU time) for peak memory"; exit 3; }
  say "(f) building the harness in $bench/normal"
  cmake --preset normal -B "$bench/normal" >/dev/null
  cmake --build "$bench/normal" --target racebook-harness >/dev/null
  harness=$bench/normal/harness/racebook-harness
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
    t0=$(now)
    # Into a file: with its output on /dev/null, GNU grep stops at the first match.
    grep -c WARNING "$log" >"$log.count" || true
    grep_s+=("$(elapsed "$t0" "$(now)")")
    t0=$(now)
    /usr/bin/time -v -o "$log.time" "$harness" parse "$log" >/dev/null
    parse_s+=("$(elapsed "$t0" "$(now)")")
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
    echo "$(nproc) cores of this machine, measured by \`harness/benchmark.sh parse $mib $runs\`:"
    echo
    echo "| | seconds | MB/s | peak memory |"
    echo "|---|---|---|---|"
    echo "| \`racebook-harness parse LOG > /dev/null\` | $p | $(mbs "$p") | $((m / 1024)) MiB |"
    echo "| \`grep -c WARNING LOG\` (the limit: one read of the log) | $g | $(mbs "$g") | |"
  )
  if grep -q '^## Parsing large logs' docs/performance.md; then
    # Replace the section, keep what follows it.
    awk -v s="$section" '/^## Parsing large logs/ { print s; skip = 1; next }
                         skip && /^## / { skip = 0; print "" }
                         !skip' docs/performance.md >docs/performance.md.new
    mv docs/performance.md.new docs/performance.md
  else
    printf '\n%s\n' "$section" >>docs/performance.md
  fi
  say "(f) parse: $p s ($(mbs "$p") MB/s, peak $((m / 1024)) MiB); grep -c WARNING: $g s; written to docs/performance.md"
  exit 0
fi

# ---- (a) cold configure + build + test, per preset ----
declare -A cold
for preset in "${presets[@]}"; do
  samples=()
  for ((r = 1; r <= cold_runs; r++)); do
    rm -rf "${bench:?}/$preset"
    say "(a) cold $preset, run $r of $cold_runs"
    t0=$(now)
    cmake --preset "$preset" -B "$bench/$preset" >/dev/null
    cmake --build "$bench/$preset" >/dev/null
    ctest --test-dir "$bench/$preset" -j "$cores" >/dev/null ||
      { say "tests failed in $bench/$preset: run ctest --test-dir $bench/$preset to see why"; exit 1; }
    samples+=("$(elapsed "$t0" "$(now)")")
  done
  cold[$preset]=$(printf '%s\n' "${samples[@]}" | median)
done

harness=$bench/tsan/harness/racebook-harness
# The variants, as scenario.variant, from the corpus's own test list.
mapfile -t variants < <(ctest --test-dir "$bench/tsan" -L case -N | sed -n 's/.*Test *#[0-9]*: case\.\(.*\)$/\1/p')
mapfile -t racy < <(ctest --test-dir "$bench/tsan" -L racy -N | sed -n 's/.*Test *#[0-9]*: case\.\(.*\)$/\1/p')
is_racy() { local v; for v in "${racy[@]}"; do [ "$v" = "$1" ] && return 0; done; return 1; }

# One bare run of a variant: the binary alone, with the sanitizer options the harness would set
# (or, with naive=1, the runtimes' defaults). Prints seconds; leaves the output in $bench/out.
bare_run() {
  local preset=$1 key=$2 naive=${3:-0} scenario=${2%%.*} variant=${2#*.} t0
  t0=$(now)
  if [ "$naive" = 1 ]; then
    env -u TSAN_OPTIONS -u ASAN_OPTIONS -u UBSAN_OPTIONS "$bench/$preset/cases/$scenario" "$variant" \
      >"$bench/out" 2>&1 || true
  else
    env $("$harness" env) "$bench/$preset/cases/$scenario" "$variant" >"$bench/out" 2>&1 || true
  fi
  elapsed "$t0" "$(now)"
}

# ---- (d) bare runtime of every variant in every preset ----
declare -A bare   # preset,key -> median seconds
for preset in "${presets[@]}"; do
  say "(d) bare runs in $preset"
  for key in "${variants[@]}"; do
    bare[$preset,$key]=$(for ((r = 1; r <= runs; r++)); do bare_run "$preset" "$key"; done | median)
  done
done

# ---- (b) test phase of each sanitizer preset against sum(bare) / cores ----
declare -A phase limit longest
for preset in tsan asan tsan-clang asan-clang; do
  say "(b) test phase of $preset"
  phase[$preset]=$(for ((r = 1; r <= runs; r++)); do
    t0=$(now); ctest --test-dir "$bench/$preset" -L case -j "$cores" >/dev/null || true; elapsed "$t0" "$(now)"
  done | median)
  sum=0
  for key in "${variants[@]}"; do sum=$(awk -v s="$sum" -v b="${bare[$preset,$key]}" 'BEGIN { print s + b }'); done
  limit[$preset]=$(awk -v s="$sum" -v c="$cores" 'BEGIN { printf "%.3f", s / c }')
  longest[$preset]=$(for key in "${variants[@]}"; do echo "${bare[$preset,$key]} $key"; done | sort -g | tail -1)
done

# ---- (c) harness overhead per run ----
# Exact: each result file of the test phases above says how long the harness itself worked
# (reading the case file, parsing the output, judging, writing) outside the child's run.
overhead_us=$(cat "$bench"/{tsan,asan,tsan-clang,asan-clang}/results/*.json |
  sed -n 's/.*"harness_overhead_us_per_run": \([0-9]*\).*/\1/p' | median)
# End to end: every variant through `racebook-harness run` against the same binary run directly
# with the same options, both timed from this script; the difference includes spawning the
# harness itself, and run-to-run noise of the same order.
sum_h=0 sum_b=0 count=0
for preset in tsan normal; do
  for key in "${variants[@]}"; do
    scenario=${key%%.*} variant=${key#*.}
    sanitizer=${preset%%-*}
    for ((r = 1; r <= runs; r++)); do
      b=$(bare_run "$preset" "$key")
      t0=$(now)
      "$bench/$preset/harness/racebook-harness" run --program "$bench/$preset/cases/$scenario" \
        --variant "$variant" --source "$top/cases/$scenario.cpp" --sanitizer "$sanitizer" \
        --compiler gcc --retries 1 >/dev/null 2>&1 || true
      h=$(elapsed "$t0" "$(now)")
      sum_h=$(awk -v s="$sum_h" -v x="$h" 'BEGIN { print s + x }')
      sum_b=$(awk -v s="$sum_b" -v x="$b" 'BEGIN { print s + x }')
      count=$((count + 1))
    done
  done
done
overhead_wall_ms=$(awk -v h="$sum_h" -v b="$sum_b" -v n="$count" 'BEGIN { printf "%.1f", (h - b) / n * 1000 }')

# ---- (e) the naive way: default options, regex on the output ----
declare -A naive_time naive_right
for preset in tsan tsan-clang; do
  say "(e) naive check in $preset"
  times=() rights=()
  for ((r = 1; r <= runs; r++)); do
    t0=$(now) right=0
    for key in "${variants[@]}"; do
      bare_run "$preset" "$key" 1 >/dev/null
      if grep -q "WARNING: ThreadSanitizer" "$bench/out"; then said=racy; else said=clean; fi
      if is_racy "$key"; then want=racy; else want=clean; fi
      [ "$said" = "$want" ] && right=$((right + 1))
    done
    times+=("$(elapsed "$t0" "$(now)")")
    rights+=("$right")
  done
  naive_time[$preset]=$(printf '%s\n' "${times[@]}" | median)
  naive_right[$preset]="$(printf '%s\n' "${rights[@]}" | sort -n | head -1)–$(printf '%s\n' "${rights[@]}" | sort -n | tail -1)"
done

# ---- docs/performance.md ----
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
{
  echo "# Performance"
  echo
  echo "Measured by \`./harness/benchmark.sh $runs\` on $(date -u '+%Y-%m-%d %H:%M UTC'): every figure is"
  echo "the median of $runs runs. Machine: $cpu, $cores cores, $mem, Linux $(uname -r),"
  echo "\`vm.mmap_rnd_bits\` = $(cat /proc/sys/vm/mmap_rnd_bits); $(g++ --version | head -1); $(clang++ --version | head -1)."
  echo "${#variants[@]} variants per preset."
  echo
  echo "## (a) Cold configure + build + test"
  echo
  echo "Median of $cold_runs cold run(s) per preset: configure, build and every test of the preset."
  echo
  echo "| preset | seconds |"
  echo "|---|---|"
  total=0
  for p in "${presets[@]}"; do
    echo "| $p | ${cold[$p]} |"
    total=$(awk -v t="$total" -v c="${cold[$p]}" 'BEGIN { print t + c }')
  done
  echo "| **all six** | **$total** |"
  echo
  echo "## (b) Test phase against its physical limit"
  echo
  echo "The case tests of a preset (\`ctest -L case -j $cores\`) against the sum of the bare variant"
  echo "runtimes divided by the $cores cores: no scheduler can do better."
  echo
  echo "| preset | test phase (s) | limit (s) | ratio | longest variant (s) |"
  echo "|---|---|---|---|---|"
  for p in tsan asan tsan-clang asan-clang; do
    echo "| $p | ${phase[$p]} | ${limit[$p]} | $(awk -v a="${phase[$p]}" -v b="${limit[$p]}" 'BEGIN { printf "%.2f", a / b }') | ${longest[$p]} |"
  done
  echo
  echo "## (c) Harness overhead per run"
  echo
  echo "- The harness's own work per run — reading the case file, parsing the output, judging,"
  echo "  writing the result — measured by the harness around its child: median **$overhead_us µs**"
  echo "  over every variant of the four sanitizer presets' test phases."
  echo "- End to end, every variant through \`racebook-harness run\` against the same binary run"
  echo "  directly with the same options ($count pairs in tsan and normal): **$overhead_wall_ms ms** per run"
  echo "  on average (total $(printf '%.1f' "$sum_h") s against $(printf '%.1f' "$sum_b") s). This includes starting the harness"
  echo "  and is of the order of the run-to-run noise of the variants themselves."
  echo
  echo "## (d) Slowdown under the sanitizers"
  echo
  echo "Bare runtime of each variant (seconds) and its ratio to the normal build of the same compiler."
  echo "Sanitizer builds are \`-O0\`, normal builds \`-O2\`, so the ratio includes the optimisation level."
  echo
  echo "| variant | normal | tsan | × | asan | × | normal-clang | tsan-clang | × | asan-clang | × |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
  for key in "${variants[@]}"; do
    n=${bare[normal,$key]} t=${bare[tsan,$key]} a=${bare[asan,$key]}
    nc=${bare[normal-clang,$key]} tc=${bare[tsan-clang,$key]} ac=${bare[asan-clang,$key]}
    echo "| $key | $n | $t | $(ratio "$t" "$n") | $a | $(ratio "$a" "$n") | $nc | $tc | $(ratio "$tc" "$nc") | $ac | $(ratio "$ac" "$nc") |"
  done
  echo
  echo "## (e) The naive way, for comparison"
  echo
  echo "Each binary run directly with the runtimes' default options, one after the other, called racy"
  echo "when its output matches \`WARNING: ThreadSanitizer\`; compared with the expected verdicts."
  echo
  echo "| preset | seconds | right verdicts (of ${#variants[@]}, min–max over runs) | racebook's test phase (s) |"
  echo "|---|---|---|---|"
  for p in tsan tsan-clang; do
    echo "| $p | ${naive_time[$p]} | ${naive_right[$p]} | ${phase[$p]} |"
  done
} > docs/performance.md.new
say "measurements written; see docs/performance.md (the analysis section is kept)"
# Keep the hand-written analysis (everything from '## Why' on) of an earlier docs/performance.md.
if [ -f docs/performance.md ] && grep -q '^## Why' docs/performance.md; then
  { echo; sed -n '/^## Why/,$p' docs/performance.md; } >> docs/performance.md.new
fi
mv docs/performance.md.new docs/performance.md
