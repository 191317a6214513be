#!/usr/bin/env bash
# The two commands of the README, for a fresh Debian machine. Each installs what is missing
# (as root, or through sudo) and then runs CMake's workflow presets.
#
#   harness/racebook.sh check [PRESET...] [--cxx COMPILER]
#                                        the main job: build the corpus under ThreadSanitizer
#                                        (or each PRESET) and check every verdict, then
#                                        summarise. --cxx: with that g++ or clang++ (g++-11,
#                                        clang++-19, a path) in build/<preset>@<gcc|clang><major>
#   harness/racebook.sh test             every test of the project: the harness's own (once),
#                                        every corpus preset, TSan and ASan with clang++-19, a
#                                        fuzz run, then a check that docs/ matches what this run
#                                        printed, and the package
#   harness/racebook.sh matrix [COMPILER...]
#                                        the corpus under TSan and ASan with every installed
#                                        toolchain (g++ 11 and 12, clang 14, 16 and 19 at least,
#                                        installed when missing; or the COMPILERs named),
#                                        helgrind and drd once, then docs/detectors.md
#                                        (racebook-harness detectors)
#   harness/racebook.sh docs             run every corpus preset and regenerate docs/ from them
#   harness/racebook.sh stability [N]    run every variant N times (default 100) alone in each
#                                        sanitizer preset; write docs/stability.{md,json}
#   harness/racebook.sh fuzz [SECONDS] [EXECUTIONS]
#                                        fuzz the report parser for SECONDS (default 600) or
#                                        until EXECUTIONS, whichever comes first; docs/fuzzing.md
#   harness/racebook.sh bench [RUNS]     the benchmark (harness/benchmark.sh); docs/performance.md
#
# The corpus presets are the configure presets of CMakePresets.json that inherit `corpus`
# (harness/presets.sh reads them); stability runs those with a sanitizer. Debian packages that
# are missing are installed (apt-get, as root or with sudo); RACEBOOK_NO_INSTALL=1 installs
# nothing and says what is missing.
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
  # the presets helgrind and drd: valgrind and <valgrind/helgrind.h>
  [valgrind]=/usr/include/valgrind/helgrind.h
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
  [ -z "${RACEBOOK_NO_INSTALL:-}" ] ||
    die "missing Debian packages: ${missing[*]} (RACEBOOK_NO_INSTALL is set: install them yourself)"
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

# ---- Any toolchain: --cxx COMPILER ----
# A compiler is named as on the command line (g++-11, clang++-19, g++, a path) and checked before
# anything is configured: it must exist, be g++ or clang++ (what its preprocessor says, not its
# name), and link a program with the preset's sanitizer. A missing Debian compiler or runtime is
# installed like racebook's own needs; anything else stops with the package to install.

# The Debian packages of a compiler: g++-N; clang-N and its runtimes libclang-rt-N-dev. `g++` and
# `clang++` are Debian's defaults (g++; clang and libclang-rt-dev). $1: the name as given, or
# the family and major of a compiler found elsewhere ($2 $3).
compiler_packages() {
  local word=${1##*/} family=${2:-} major=${3:-}
  case $word in
    g++) echo "g++" ;;
    clang++) echo "clang libclang-rt-dev" ;;
    g++-[0-9]*) echo "g++-${word#g++-}" ;;
    clang++-[0-9]*) echo "clang-${word#clang++-} libclang-rt-${word#clang++-}-dev" ;;
    *)
      case $family in
        gcc) echo "g++-$major" ;;
        clang) echo "clang-$major libclang-rt-$major-dev" ;;
      esac ;;
  esac
}

# Installs Debian packages the apt sources have; stops naming the ones they do not have.
install_named_packages() {
  local why=$1 unknown=() pkg
  shift
  [ -z "${RACEBOOK_NO_INSTALL:-}" ] ||
    die "$why; install $* (RACEBOOK_NO_INSTALL is set: racebook installs nothing itself)"
  command -v apt-get >/dev/null ||
    die "$why; install the Debian packages $* (this machine has no apt-get)"
  for pkg in "$@"; do
    apt-cache show "$pkg" >/dev/null 2>&1 || unknown+=("$pkg")
  done
  if [ ${#unknown[@]} -ne 0 ]; then  # the package lists may be missing or old
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
    unknown=()
    for pkg in "$@"; do
      apt-cache show "$pkg" >/dev/null 2>&1 || unknown+=("$pkg")
    done
    [ ${#unknown[@]} -eq 0 ] ||
      die "$why, and the apt sources of this machine have no package ${unknown[*]}: install" \
        "$* from elsewhere, or pick an installed compiler"
  fi
  say "$why: installing $*"
  install_packages "$@"
}

# The sanitizer link flags of a RACEBOOK_SANITIZER value (the table is
# _racebook_sanitizer_options in cmake/racebook-add-case.cmake; configure checks them again),
# and the runtime's name for messages. Nothing for a build without a sanitizer runtime.
sanitizer_link_flags() {
  case ${1,,} in
    thread) echo "-fsanitize=thread" ;;
    address) echo "-fsanitize=address,undefined" ;;
  esac
}
sanitizer_runtime_name() {
  case ${1,,} in
    thread) echo "ThreadSanitizer" ;;
    address) echo "AddressSanitizer + UBSan" ;;
  esac
}

# Does compiler $1 link a program with the flags $2...? (No flags: a plain C++ program.)
compiler_links() {
  local cxx=$1 dir status=0
  shift
  dir=$(mktemp -d)
  printf '#include <thread>\nint main() { std::thread t([] {}); t.join(); }\n' >"$dir/probe.cpp"
  "$cxx" -std=c++20 "$@" "$dir/probe.cpp" -o "$dir/probe" >"$dir/log" 2>&1 || status=$?
  [ $status -eq 0 ] || sed -n '1,3s/^/    /p' "$dir/log" >&2
  rm -rf "$dir"
  return $status
}

# What compiler $1 is: sets cxx_path (absolute, as found), cxx_family (gcc|clang), cxx_major
# and cxx_name (gcc12, clang19: the harness's --compiler, the expectation keys). Installs a
# missing Debian compiler; stops on anything that is not g++ or clang++.
cxx_path='' cxx_family='' cxx_major='' cxx_name=''
resolve_cxx() {
  local word=$1 packages macros
  if [[ $word == */* ]]; then
    [ -e "$word" ] || die "--cxx $word: no such file"
    [ -x "$word" ] && [ ! -d "$word" ] || die "--cxx $word: not an executable file"
    cxx_path=$(cd "$(dirname "$word")" && pwd)/$(basename "$word")
  elif ! cxx_path=$(command -v "$word"); then
    packages=$(compiler_packages "$word")
    [ -n "$packages" ] ||
      die "--cxx $word: no such command; name a g++ or clang++ (g++-11, clang++-19) or give its path"
    # shellcheck disable=SC2086  # a list of package names
    install_named_packages "--cxx $word: the compiler is not installed" $packages
    cxx_path=$(command -v "$word") || die "--cxx $word: still missing after installing $packages"
  fi
  # The preprocessor says what the compiler is (clang defines __GNUC__ too).
  macros=$(timeout 60 "$cxx_path" -x c++ -E -dM - </dev/null 2>/dev/null) || macros=''
  if [[ $macros == *"#define __clang_major__ "* ]]; then
    cxx_family=clang
    cxx_major=$(sed -n 's/^#define __clang_major__ \([0-9]*\).*/\1/p' <<<"$macros")
  elif [[ $macros == *"#define __GNUC__ "* ]]; then
    cxx_family=gcc
    cxx_major=$(sed -n 's/^#define __GNUC__ \([0-9]*\).*/\1/p' <<<"$macros")
  else
    die "--cxx $word ($cxx_path) is not a C++ compiler racebook knows: it must be g++ or clang++" \
      "(Debian: g++-N, or clang-N with libclang-rt-N-dev)"
  fi
  # gcc and clang are C drivers: they compile C++ but do not link its library.
  case ${word##*/} in
    *++*) ;;
    *) die "--cxx $word is the C driver of $cxx_family $cxx_major; give its C++ driver" \
         "($( [ $cxx_family = gcc ] && echo "g++-$cxx_major" || echo "clang++-$cxx_major"))" ;;
  esac
  [[ $macros == *"#define __cplusplus "* ]] || die "--cxx $word does not compile C++"
  cxx_name=$cxx_family$cxx_major
}

# Checks that the compiler resolved above builds programs with the sanitizer of preset $1, and
# installs its Debian runtime when it does not (a compiler dpkg knows only; another one gets
# the message).
check_cxx_runtime() {
  local preset=$1 word=$2 sanitizer flags runtime packages owner=''
  sanitizer=$(preset_sanitizer "$preset")
  read -r -a flags <<<"$(sanitizer_link_flags "$sanitizer")"
  runtime=$(sanitizer_runtime_name "$sanitizer")
  if compiler_links "$cxx_path" "${flags[@]}" 2>/dev/null; then return 0; fi
  packages=$(compiler_packages "$word" "$cxx_family" "$cxx_major")
  local what="--cxx $word ($cxx_name) cannot link a C++ program${runtime:+ with $runtime (${flags[*]})}"
  if command -v dpkg >/dev/null; then
    owner=$(dpkg -S "$(readlink -f "$cxx_path")" 2>/dev/null | head -n 1 | cut -d: -f1) || owner=''
  fi
  if [ -z "$owner" ]; then
    compiler_links "$cxx_path" "${flags[@]}" || true  # its own words, for the message
    [ -n "$runtime" ] ||
      die "$what (its own words above). It is not from a Debian package: repair it, or pick" \
        "another compiler (Debian's $cxx_family $cxx_major: $packages)"
    die "$what: its $runtime runtime is missing. For Debian's $cxx_family $cxx_major that is the" \
      "package(s) $packages; this compiler ($cxx_path) is not from a Debian package, so install" \
      "its runtime yourself"
  fi
  # shellcheck disable=SC2086  # a list of package names
  install_named_packages "$what (no runtime?)" $packages
  if ! compiler_links "$cxx_path" "${flags[@]}"; then
    die "$what, even with $packages installed (above: the compiler's own words)"
  fi
}

# The build directory of preset $1 built with the compiler resolved above: build/<preset>, when
# it is the preset's own compiler; else build/<preset>@<gcc|clang><major> (build/tsan@clang19).
cxx_build_dir() {
  local preset=$1 own
  own=$(command -v "$(preset_compiler "$preset")" 2>/dev/null) || own=''
  if [ -n "$own" ] && [ "$(readlink -f "$own")" = "$(readlink -f "$cxx_path")" ]; then
    echo "build/$preset"
  else
    echo "build/$preset@$cxx_name"
  fi
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
# A preset runs in its own build directory, build/<preset>, through CMake's presets; with --cxx
# in build/<preset>@<gcc|clang><major> (cxx_build_dir), configured from the same preset with
# CMAKE_CXX_COMPILER set and built and tested with the test preset's settings.

# Configures preset $1 into directory $2 with the compiler resolved by resolve_cxx. A directory
# configured with another compiler (another install of the same major) is configured afresh.
configure_with_cxx() {
  local preset=$1 dir=$2 cached fresh=()
  if [ -f "$dir/CMakeCache.txt" ]; then
    cached=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")
    if [ "$cached" != "$cxx_path" ]; then
      say "$dir was configured with ${cached:-another compiler}: configuring it afresh with $cxx_path"
      fresh=(--fresh)
    fi
  fi
  cmake --preset "$preset" -B "$dir" -DCMAKE_CXX_COMPILER="$cxx_path" "${fresh[@]}"
}

# ctest in directory $1 as the test presets run it (CMakePresets.json, test-base), then $2...
ctest_in() {
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j 2 \
    --output-junit "$top/$dir/junit.xml" "$@"
}

# Configure, build and test (the workflow preset), then summarise the verdicts it produced.
# $2: the build directory (default build/$1; another one means the --cxx compiler).
run_preset() {
  local preset=$1 dir=${2:-build/$1} status=0
  rm -rf "$dir/results"
  if [ "$dir" = "build/$preset" ]; then
    say "== $preset: configure, build, test =="
    cmake --workflow --preset "$preset" || status=$?
  else
    say "== $preset with $cxx_name ($cxx_path) in $dir: configure, build, test =="
    { configure_with_cxx "$preset" "$dir" && cmake --build "$dir" && ctest_in "$dir"; } || status=1
  fi
  # The summary compares the results with the tests CTest knows: a test without a result (it
  # never ran, or died first) counts as failed, and results of earlier runs are gone.
  if [ -x "$harness" ] && [ -f "$dir/CTestTestfile.cmake" ]; then
    echo
    "$harness" summary "$dir" || status=1
  fi
  return $status
}

# The main job on one preset: configure, build the case programs (and the harness they need)
# and run the case tests, the verdicts, then summarise. The harness's own tests are left to
# `test` (and `cmake --workflow --preset <preset>`, which runs everything). $2 as in run_preset.
check_preset() {
  local preset=$1 dir=${2:-build/$1} status=0
  rm -rf "$dir/results"
  if [ "$dir" = "build/$preset" ]; then
    say "== $preset: configure, build the corpus, check every verdict =="
    cmake --preset "$preset" || return 1
    cmake --build --preset "$preset" --target racebook_cases || return 1
    ctest --preset "$preset" -L case || status=$?
  else
    say "== $preset with $cxx_name ($cxx_path) in $dir: configure, build the corpus, check every verdict =="
    configure_with_cxx "$preset" "$dir" || return 1
    cmake --build "$dir" --target racebook_cases || return 1
    ctest_in "$dir" -L case || status=$?
  fi
  echo
  "$harness" summary "$dir" || status=1
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


# ---- The matrix: every toolchain under TSan and ASan, Valgrind's detectors once ----
# The toolchains the matrix must have (installed when missing: g++-N; clang-N and
# libclang-rt-N-dev), and those the test command runs beside the presets' own compilers.
matrix_toolchains=(g++-11 g++-12 clang++-14 clang++-16 clang++-19)
test_toolchains=(clang++-19)

# Every g++-N and clang++-N the matrix runs: matrix_toolchains and any other on the PATH, gcc
# first, each family by version.
matrix_compilers() {
  { printf '%s\n' "${matrix_toolchains[@]}"; compgen -c | grep -E '^(g|clang)\+\+-[0-9]+$'; } |
    sort -u | sort -t- -k1,1r -k2,2n
}

# Resolves compiler $1 (resolve_cxx) and sets toolchain_presets to its TSan and ASan presets
# (tsan asan for a g++, tsan-clang asan-clang for a clang++), their runtimes checked (installed).
toolchain_presets=()
use_toolchain() {
  local word=$1 preset
  resolve_cxx "$word"
  toolchain_presets=()
  for preset in tsan asan; do
    [ "$cxx_family" = gcc ] || preset=$preset-clang
    check_cxx_runtime "$preset" "$word"
    toolchain_presets+=("$preset")
  done
}

# For each compiler ($@, default: matrix_compilers): its TSan and ASan presets (tsan/asan for g++, tsan-clang/asan-clang for
# clang++: the same flags, only the preset's own compiler differs) with --cxx, in
# build/<preset>@<name> (or build/<preset> where it is the preset's own compiler); then the
# presets without a compiler of their own to vary (helgrind, drd) once. Never stops at a failing
# preset: a detector that disagrees with its expectation is what the table is for. Then
# `racebook-harness detectors` reads every build that produced results (docs/detectors.md).
run_matrix() {
  local word preset dir started rc status=0 line row_sep=$'\t'
  local rows=() dirs=() compilers=("$@")
  [ ${#compilers[@]} -ne 0 ] || mapfile -t compilers < <(matrix_compilers)
  say "matrix: ${compilers[*]}, each under TSan and ASan; then helgrind and drd once"
  for word in "${compilers[@]}"; do
    if ! (resolve_cxx "$word"); then  # installs it when missing; says why not
      rows+=("$word$row_sep-$row_sep-$row_sep-${row_sep}not available (above)")
      status=1
      continue
    fi
    resolve_cxx "$word"
    for preset in tsan asan; do
      [ "$cxx_family" = gcc ] || preset=$preset-clang
      if [[ " ${all_presets[*]} " != *" $preset "* ]]; then
        rows+=("$word$row_sep$preset$row_sep-$row_sep-${row_sep}no such preset")
        continue
      fi
      if ! (check_cxx_runtime "$preset" "$word"); then
        rows+=("$word ($cxx_name)$row_sep$preset$row_sep-$row_sep-${row_sep}no runtime (above)")
        status=1
        continue
      fi
      dir=$(cxx_build_dir "$preset")
      started=$SECONDS rc=0
      check_preset "$preset" "$dir" || rc=$?
      echo
      matrix_row "$word ($cxx_name)" "$preset" "$dir" $rc $((SECONDS - started))
    done
  done
  for preset in helgrind drd; do
    if [[ " ${all_presets[*]} " != *" $preset "* ]]; then
      say "matrix: CMakePresets.json has no corpus preset '$preset' (yet): skipped"
      rows+=("valgrind$row_sep$preset$row_sep-$row_sep-${row_sep}skipped: not a preset yet")
      continue
    fi
    started=$SECONDS rc=0
    check_preset "$preset" || rc=$?
    echo
    matrix_row "$(preset_compiler "$preset") + valgrind" "$preset" "build/$preset" $rc $((SECONDS - started))
  done

  say "== detectors: docs/detectors.md from ${#dirs[@]} builds =="
  if [ ${#dirs[@]} -eq 0 ]; then
    say "no build produced results: docs/detectors.md is left as it was"
    status=1
  elif "$harness" detectors --help >/dev/null 2>&1; then
    "$harness" detectors . "${dirs[@]}" || status=1
  else
    say "this harness ($harness) has no 'detectors' command yet: docs/detectors.md is left as" \
      "it was. Once it has: $harness detectors . ${dirs[*]}"
    status=1
  fi

  echo
  say "matrix summary:"
  {
    printf 'toolchain\tpreset\tbuild\ttime\tverdicts\n'
    printf '%s\n' "${rows[@]}"
  } | awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
                 END { for (r = 1; r <= n; r++) { line = " "
                         for (i = 1; i <= 5; i++) line = line sprintf(" %-" w[i] "s", cell[r, i])
                         sub(/ +$/, "", line); print line } }'
  return $status
}

# One row of the matrix summary (rows, dirs and status of run_matrix): toolchain, preset, build
# directory, seconds, the verdict line of its summary (or the step that failed).
matrix_row() {
  local toolchain=$1 preset=$2 dir=$3 rc=$4 seconds=$5 verdicts
  if [ -d "$dir/results" ]; then
    dirs+=("$dir")
    verdicts=$("$harness" summary "$dir" 2>/dev/null | head -n 1 | sed 's/^[^—]*— //') || true
  elif [ -f "$dir/CMakeCache.txt" ]; then
    verdicts="build failed (above)"
  else
    verdicts="configure failed (above)"
  fi
  [ "$rc" -eq 0 ] || { status=1; [[ $verdicts == *failed* ]] || verdicts="$verdicts (exit $rc)"; }
  rows+=("$toolchain$row_sep$preset$row_sep$dir$row_sep$seconds s$row_sep${verdicts:-?}")
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
    shift
    presets=() cxx=''
    while [ $# -gt 0 ]; do
      case $1 in
        --cxx | --cxx=*)
          [ -z "$cxx" ] || die "check: --cxx is given twice; one compiler per run"
          if [[ $1 == --cxx=* ]]; then cxx=${1#--cxx=}; shift
          else [ $# -ge 2 ] || die "check: --cxx needs a compiler: g++-11, clang++-19 or a path"; cxx=$2; shift 2
          fi
          [ -n "$cxx" ] || die "check: --cxx needs a compiler: g++-11, clang++-19 or a path"
          ;;
        -*) die "check: unknown option '$1'; check takes presets and --cxx COMPILER" ;;
        *) [[ " ${presets[*]} " == *" $1 "* ]] || presets+=("$1"); shift ;;
      esac
    done
    [ ${#presets[@]} -ne 0 ] || presets=(tsan)
    load_presets
    for preset in "${presets[@]}"; do
      [[ " ${all_presets[*]} " == *" $preset "* ]] ||
        die "check: '$preset' is not a preset of the corpus; use one of: ${all_presets[*]}"
    done
    install_missing
    dirs=()
    if [ -n "$cxx" ]; then
      resolve_cxx "$cxx"
      for preset in "${presets[@]}"; do check_cxx_runtime "$preset" "$cxx"; done
      for preset in "${presets[@]}"; do dirs+=("$(cxx_build_dir "$preset")"); done
    else
      for preset in "${presets[@]}"; do dirs+=("build/$preset"); done
    fi
    failed=()
    for i in "${!presets[@]}"; do
      check_preset "${presets[$i]}" "${dirs[$i]}" || failed+=("${dirs[$i]}")
      [ ${#presets[@]} -eq 1 ] || echo
    done
    if [ ${#failed[@]} -ne 0 ]; then
      [ ${#presets[@]} -eq 1 ] || say "FAILED in: ${failed[*]}"
      exit 1
    fi
    [ ${#presets[@]} -eq 1 ] || say "all ${#presets[@]} checked: ${dirs[*]}"
    exit 0  # read no further: the file may have changed during a long run
    ;;
  matrix)
    shift
    for word in "$@"; do
      [[ $word != -* ]] || die "matrix: unknown option '$word'; matrix takes compilers (g++-11 clang++-19 ...)"
    done
    install_missing
    load_presets
    status=0
    run_matrix "$@" || status=$?
    exit $status
    ;;
  test)
    at_most 0 "$@"
    install_missing
    load_presets
    # The extra toolchains are installed (or refused) before anything runs.
    for word in "${test_toolchains[@]}"; do use_toolchain "$word"; done
    status=0
    # The harness and its own tests, once for all presets; then each preset's corpus and the
    # harness's checks against that preset's sanitizer.
    say "== harness: configure, build, test (its unit and failure tests, once for all presets) =="
    cmake --workflow --preset harness || status=1
    echo
    run_all_presets || status=1
    # Beyond the presets' own compilers (g++ and clang++ of Debian): TSan and ASan with each
    # compiler of test_toolchains, installed when missing, in build/<preset>@<name>.
    detector_dirs=()
    mapfile -t detector_presets < <(sanitizer_presets)
    for preset in "${detector_presets[@]}"; do detector_dirs+=("build/$preset"); done
    for word in "${test_toolchains[@]}"; do
      use_toolchain "$word"
      for preset in "${toolchain_presets[@]}"; do
        dir=$(cxx_build_dir "$preset")
        # Where that compiler is the preset's own (clang++ is clang++-19 on a newer Debian), the
        # preset already ran in build/<preset>: not again, and not a second, identical column.
        [[ " ${detector_dirs[*]} " == *" $dir "* ]] && continue
        run_preset "$preset" "$dir" || status=1
        detector_dirs+=("$dir")
        echo
      done
    done
    say "== fuzz: the report parser under libFuzzer, a short run =="
    cmake --workflow --preset fuzz || status=1
    say "== docs: do the report excerpts, verdict tables and matrix match this run? =="
    "$harness" docs . --check || status=1
    # docs/detectors.md comes from `matrix` (every toolchain); this run checks the columns it has.
    say "== detectors: do docs/detectors.md's columns of this run's detectors match it? =="
    "$harness" detectors . "${detector_dirs[@]}" --check || status=1
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
