#!/usr/bin/env bash
# The two commands of the README, for a fresh Debian machine. Each installs what is missing
# (as root, or through sudo) and then runs CMake's workflow presets.
#
#   harness/racebook.sh check [PRESET]   the main job: build the corpus under ThreadSanitizer
#                                        (or PRESET) and check every verdict, then summarise
#   harness/racebook.sh test             every test of the project: the harness's own (once),
#                                        every corpus preset, a fuzz run, then a check that
#                                        docs/ matches what this run printed, and the package
#   harness/racebook.sh docs             run every corpus preset and regenerate docs/ from them
#   harness/racebook.sh stability [N]    run every variant N times (default 100) alone in each
#                                        sanitizer preset; write docs/stability.{md,json}
#   harness/racebook.sh fuzz [SECONDS] [EXECUTIONS]
#                                        fuzz the report parser for SECONDS (default 600) or
#                                        until EXECUTIONS, whichever comes first; docs/fuzzing.md
#   harness/racebook.sh bench [RUNS]     the benchmark (harness/benchmark.sh); docs/performance.md
#
# The corpus presets are the configure presets of CMakePresets.json that inherit `corpus`
# (harness/presets.sh reads them); stability runs those with a sanitizer.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

say() { printf 'racebook: %s\n' "$*"; }
die() { printf 'racebook: %s\n' "$*" >&2; exit 2; }

# ---- Dependencies: Debian packages only ----
# package -> a file that proves it is installed (dpkg may not know every minimal image's state),
# or `clang-runtime`: clang's ThreadSanitizer runtime where clang++ itself looks for it
declare -A needs=(
  [cmake]=/usr/bin/cmake
  [ninja-build]=/usr/bin/ninja
  [g++]=/usr/bin/g++
  [clang]=/usr/bin/clang++
  [llvm]=/usr/bin/llvm-symbolizer
  [libclang-rt-dev]=clang-runtime
  [catch2]=/usr/include/catch2/catch.hpp
  [nlohmann-json3-dev]=/usr/include/nlohmann/json.hpp
  [libcli11-dev]=/usr/include/CLI/CLI.hpp
  # the test that checks parse's output against docs/parse.schema.json
  [python3-jsonschema]=/usr/lib/python3/dist-packages/jsonschema/__init__.py
  # JSON read by the scripts (the presets of CMakePresets.json, the fuzzer's record, results)
  [jq]=/usr/bin/jq
  # the test that renders docs/pictures/*.svg (docs.pictures_render)
  [librsvg2-bin]=/usr/bin/rsvg-convert
)

# clang's ThreadSanitizer runtime as clang++ finds it (in its resource directory, whose path
# carries clang's version); nothing when clang++ is missing or finds none (it then prints the
# bare file name back).
clang_tsan_runtime() {
  local path
  command -v clang++ >/dev/null || return 0
  path=$(clang++ -print-file-name="libclang_rt.tsan-$(uname -m).a" 2>/dev/null) || return 0
  if [[ $path == /* && -f $path ]]; then printf '%s\n' "$path"; fi
}

installed() {
  local pkg=$1
  if [ "${needs[$pkg]}" = clang-runtime ]; then
    [ -n "$(clang_tsan_runtime)" ]  # the runtime of this clang, whatever dpkg says of the package
  else
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      [ -e "${needs[$pkg]}" ]
  fi
}

install_missing() {
  local missing=() pkg
  for pkg in "${!needs[@]}"; do
    installed "$pkg" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -ne 0 ]; then
    install_packages "${missing[@]}"
  fi
  # libclang-rt-dev is the runtime of Debian's default clang: another clang++ needs its own.
  command -v clang++ >/dev/null || die "clang++ is still missing after installing clang"
  [ -n "$(clang_tsan_runtime)" ] ||
    die "clang++ ($(clang++ --version | head -n 1)) has no ThreadSanitizer runtime: it finds no" \
      "libclang_rt.tsan-$(uname -m).a in $(clang++ --print-runtime-dir). Install the" \
      "libclang-rt-N-dev package of this clang (libclang-rt-dev for Debian's default clang++)."
}

install_packages() {
  local missing=("$@")
  say "installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root to install ${missing[*]}: run as root, or install them with apt-get yourself"
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq ||
    die "apt-get update failed; check the network or the apt sources, then install: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    die "apt-get install ${missing[*]} failed; see the messages above"
}

# ---- The corpus presets: read from CMakePresets.json (harness/presets.sh) ----
# shellcheck source=harness/presets.sh
source "$top/harness/presets.sh"
all_presets=()
load_presets() {
  local list
  command -v jq >/dev/null || install_missing
  list=$(corpus_presets) || die "could not read the presets from CMakePresets.json (above)"
  mapfile -t all_presets <<<"$list"
  [ -n "$list" ] || die "CMakePresets.json has no corpus preset (one that inherits 'corpus')"
}

# The harness every preset uses: built once, in the shared harness build (the preset `harness`;
# each corpus preset configures and updates it as needed).
harness=build/harness/bin/racebook-harness

# ---- Running one preset end to end ----
# Configure, build and test (the workflow preset), then summarise the verdicts it produced.
run_preset() {
  local preset=$1 status=0
  rm -rf "build/$preset/results"
  say "== $preset: configure, build, test =="
  cmake --workflow --preset "$preset" || status=$?
  # The summary compares the results with the tests CTest knows: a test without a result (it
  # never ran, or died first) counts as failed, and results of earlier runs are gone.
  if [ -x "$harness" ] && [ -f "build/$preset/CTestTestfile.cmake" ]; then
    echo
    "$harness" summary "build/$preset" || status=1
  fi
  return $status
}

# The main job on one preset: configure, build the case programs (and the harness they need)
# and run the case tests, the verdicts, then summarise. The harness's own tests are left to
# `test` (and `cmake --workflow --preset <preset>`, which runs everything).
check_preset() {
  local preset=$1 status=0
  rm -rf "build/$preset/results"
  say "== $preset: configure, build the corpus, check every verdict =="
  cmake --preset "$preset" || return 1
  cmake --build --preset "$preset" --target racebook_cases || return 1
  ctest --preset "$preset" -L case || status=$?
  echo
  "$harness" summary "build/$preset" || status=1
  return $status
}

# Runs every preset; returns non-zero when one failed (after running the others).
run_all_presets() {
  local failed=() preset
  for preset in "${all_presets[@]}"; do
    run_preset "$preset" || failed+=("$preset")
    echo
  done
  if [ ${#failed[@]} -ne 0 ]; then
    say "FAILED in: ${failed[*]}"
    return 1
  fi
  say "all ${#all_presets[@]} corpus presets passed: ${all_presets[*]}"
}


# A command's words beyond what it takes are refused, not ignored: `check tsan asan` would
# otherwise check tsan alone and pass.
at_most() {
  local most=$1 command=$2
  shift 2
  [ $# -le "$most" ] || die "$command takes at most $most argument(s), not $#: $*"
}

case "${1:-}" in
  check)
    at_most 1 "$@"
    preset=${2:-tsan}
    load_presets
    [[ " ${all_presets[*]} " == *" $preset "* ]] ||
      die "check: '$preset' is not a preset of the corpus; use one of: ${all_presets[*]}"
    install_missing
    check_preset "$preset"
    ;;
  test)
    at_most 0 "$@"
    install_missing
    load_presets
    status=0
    # The harness and its own tests, once for all presets; then each preset's corpus and the
    # harness's checks against that preset's sanitizer.
    say "== harness: configure, build, test (its unit and failure tests, once for all presets) =="
    cmake --workflow --preset harness || status=1
    echo
    run_all_presets || status=1
    say "== fuzz: the report parser under libFuzzer, a short run =="
    cmake --workflow --preset fuzz || status=1
    say "== docs: do the report excerpts, verdict tables and matrix match this run? =="
    "$harness" docs . --check || status=1
    # racebook as a package, proven from outside: install the tsan build into a scratch prefix,
    # then configure, build and test examples/spsc against it (find_package(racebook)).
    say "== package: install build/harness into build/install, then test examples/spsc against it =="
    rm -rf build/install examples/spsc/build
    if cmake --install build/harness --prefix "$top/build/install" >/dev/null; then
      for example_preset in tsan normal; do
        (cd examples/spsc &&
         cmake --preset "$example_preset" -DCMAKE_PREFIX_PATH="$top/build/install" &&
         cmake --build --preset "$example_preset" &&
         ctest --preset "$example_preset") || { say "examples/spsc ($example_preset) FAILED"; status=1; }
      done
    else
      say "cmake --install build/harness FAILED"
      status=1
    fi
    exit $status
    ;;
  docs)
    at_most 0 "$@"
    install_missing
    load_presets
    run_all_presets || say "some verdicts failed; the docs will show them as ✗"
    "$harness" docs .
    ;;
  fuzz)
    at_most 2 "$@"
    seconds=${2:-600}
    runs=${3:-0}
    [[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || die "fuzz: SECONDS must be a whole number above 0, not '$seconds'"
    [[ $runs =~ ^[0-9]+$ ]] || die "fuzz: EXECUTIONS must be a whole number (0: no limit), not '$runs'"
    install_missing
    cmake --preset fuzz -DRACEBOOK_FUZZ_SECONDS="$seconds" -DRACEBOOK_FUZZ_RUNS="$runs" >/dev/null &&
      cmake --build --preset fuzz || exit 1
    # The record is written by harness/fuzz/run_fuzzer.cmake (JSON, read with jq); one left
    # from an earlier run must never be recorded as this run's.
    record=build/fuzz/fuzz-parser/record.json
    rm -f "$record"
    status=0
    ctest --preset fuzz --timeout $((seconds + 300)) || status=1
    [ -f "$record" ] || die "fuzz: the run wrote no record ($record); docs/fuzzing.md is left as it was"
    sed -i '/^## The last long run/,$d' docs/fuzzing.md
    {
      echo "## The last long run"
      echo
      echo "Written by \`./harness/racebook.sh fuzz $seconds${3:+ $runs}\` from the fuzzer's own counts."
      echo
      echo "| seconds | executions | executions per second | crashes found | corpus after | edges covered | when |"
      echo "|---|---|---|---|---|---|---|"
      jq -r '"| \(.seconds) | \(.executions) | \(.executions_per_second) | \(.crashes) | \(.corpus) | \(.edges) | \(.when) |"' "$record"
    } >> docs/fuzzing.md
    say "recorded in docs/fuzzing.md: $(jq -c . "$record")"
    # Back to the short run for the test command.
    cmake --preset fuzz -DRACEBOOK_FUZZ_SECONDS=45 -DRACEBOOK_FUZZ_RUNS=0 >/dev/null
    exit $status
    ;;
  bench)
    at_most 1 "$@"
    install_missing
    exec "$top/harness/benchmark.sh" "${2:-3}"
    ;;
  stability)
    at_most 1 "$@"
    runs=${2:-100}
    # Checked before any preset's results are removed.
    [[ $runs =~ ^[0-9]+$ && $runs -gt 0 ]] || die "stability: N must be a whole number above 0, not '$runs'"
    install_missing
    mapfile -t sanitizer_presets < <(sanitizer_presets)
    [ ${#sanitizer_presets[@]} -gt 0 ] || die "stability: CMakePresets.json has no corpus preset with a sanitizer"
    status=0
    # Progress: which preset runs now, i of N, and the seconds since the start (ctest itself
    # prints each test as it ends, "i/N Test #...", with the run progress of long repeats).
    started=$SECONDS i=0 n=${#sanitizer_presets[@]}
    elapsed() { echo "$((SECONDS - started)) s elapsed"; }
    for preset in "${sanitizer_presets[@]}"; do
      i=$((i + 1)) preset_started=$SECONDS
      say "== stability, preset $i of $n: $preset, every variant $runs times ($(elapsed)) =="
      say "$preset ($i of $n): configure and build"
      cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset" || exit 1
      rm -rf "build/$preset/results"
      say "$preset ($i of $n): RACEBOOK_REPEAT=$runs ctest -L case ($(elapsed))"
      RACEBOOK_REPEAT=$runs ctest --preset "$preset" -L case || status=1
      say "$preset ($i of $n): done in $((SECONDS - preset_started)) s ($(elapsed))"
    done
    say "writing docs/stability.{md,json} from ${sanitizer_presets[*]} ($(elapsed))"
    "$harness" stability . "${sanitizer_presets[@]}" || status=1
    exit $status
    ;;
  *)
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
    exit 2
    ;;
esac
