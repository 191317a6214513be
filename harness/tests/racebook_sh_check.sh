#!/usr/bin/env bash
# racebook.sh's arguments and its --cxx checks, on the paths that stop before anything is
# configured: each must exit 2 with a message that says what to do. Nothing is installed
# (RACEBOOK_NO_INSTALL); the fake compilers stand for a C driver and for a clang++ without its
# sanitizer runtime.
#   racebook_sh_check.sh <harness/racebook.sh> <scratch dir>
set -uo pipefail
script=$1 work=$2
export RACEBOOK_NO_INSTALL=1
rm -rf "$work" && mkdir -p "$work" || exit 1
failures=0

# expect_refusal "<words>" <pattern of the message>...
# The words are split at spaces; @WORK@ in a word stands for the scratch directory, whose path
# may itself have spaces (a checkout at "/tmp/fresh space é").
expect_refusal() {
  local words=$1 out rc=0 word argv=()
  shift
  for word in $words; do argv+=("${word//@WORK@/$work}"); done
  out=$("$script" "${argv[@]}" 2>&1) || rc=$?
  local ok=1 pattern
  [ "$rc" -eq 2 ] || ok=0
  for pattern in "$@"; do
    grep -qE -- "$pattern" <<<"$out" || ok=0
  done
  if [ $ok -eq 1 ]; then
    echo "ok: racebook.sh $words"
  else
    echo "FAIL: racebook.sh $words exited $rc; wanted 2 and a message matching: $*"
    sed 's/^/    /' <<<"$out"
    failures=$((failures + 1))
  fi
}

# A C driver: says it is gcc 77, compiles C++ (-x c++), but is not g++.
cat >"$work/gcc-77" <<'FAKE'
#!/bin/sh
printf '#define __GNUC__ 77\n#define __cplusplus 202002L\n'
FAKE
# A clang++ 77 that compiles C++ and links nothing: its runtimes are missing.
cat >"$work/clang++-77" <<'FAKE'
#!/bin/sh
case " $* " in
  *" -dM "*) printf '#define __GNUC__ 4\n#define __clang_major__ 77\n#define __cplusplus 202002L\n' ;;
  *) echo "/usr/bin/ld: cannot find libclang_rt.tsan-x86_64.a" >&2; exit 1 ;;
esac
FAKE
chmod +x "$work/gcc-77" "$work/clang++-77"

expect_refusal "check --cxx" "--cxx needs a compiler"
expect_refusal "check tsan --cxx" "--cxx needs a compiler"
expect_refusal "check tsan --cxx=" "--cxx needs a compiler"
expect_refusal "check tsan --cxx g++ --cxx clang++" "given twice"
expect_refusal "check tsan --bogus" "unknown option '--bogus'"
expect_refusal "check no_such_preset" "'no_such_preset' is not a preset of the corpus" "tsan"
expect_refusal "check tsan no_such_preset --cxx g++" "'no_such_preset' is not a preset"
expect_refusal "matrix --fast" "matrix: unknown option '--fast'"
expect_refusal "test --cxx g++" "test takes at most 0"
expect_refusal "check tsan --cxx /bin/true" "is not a C\+\+ compiler racebook knows" "g\+\+-N" "libclang-rt-N-dev"
expect_refusal "check tsan --cxx @WORK@/no-such-compiler" "no such file"
expect_refusal "check tsan --cxx @WORK@" "not an executable file"
expect_refusal "check tsan --cxx no-such-compiler" "no such command"
expect_refusal "check tsan --cxx clang++-99" "not installed" "clang-99 libclang-rt-99-dev"
expect_refusal "check tsan --cxx g++-99" "not installed" "install g\+\+-99"
expect_refusal "check tsan --cxx @WORK@/gcc-77" "C driver of gcc 77" "g\+\+-77"
expect_refusal "check tsan --cxx @WORK@/clang++-77" "cannot link a C\+\+ program with ThreadSanitizer" \
  "ThreadSanitizer runtime is missing" "clang-77 libclang-rt-77-dev" "not from a Debian package"
expect_refusal "check normal --cxx @WORK@/clang++-77" "cannot link a C\+\+ program \(its own words" "clang-77"

[ $failures -eq 0 ] || { echo "$failures refusal(s) wrong"; exit 1; }
echo "every refusal as expected"
