#!/usr/bin/env bash
# Captures the logs under shapes/: real reports whose frames carry the shapes that a naive
# "split on the last space" parser gets wrong, each with and without color.
#
# The programs are built and run in a directory whose path holds a space and a non-ASCII
# letter ("/tmp/racebook shapes.XXXXXX/é"), so that source files and (for ASan) module paths
# contain both. Function names with spaces at bracket depth 0 come from the programs
# themselves ("(anonymous namespace)::Flag::operator bool() const", "operator new(unsigned
# long)"). ubsan_segv is built with UBSan alone, whose runtime reports a deadly signal as
# "==PID==ERROR: UndefinedBehaviorSanitizer: SEGV ..." (clang++-14's does; g++-12's does not
# handle the signal, so its log has only the runtime error). Every program is run twice with the same binary: color=never -> <name>.<cc>.log,
# color=always -> <name>_color.<cc>.log. Logs are never edited by hand.
set -u

here=$(cd "$(dirname "$0")" && pwd)
base=$(mktemp -d "/tmp/racebook shapes.XXXXXX")
trap 'rm -rf "$base"' EXIT
work="$base/é"
mkdir -p "$work"

common=(-std=c++20 -g -O0 -pthread)

for src in "$here"/*.cpp; do
  name=$(basename "$src" .cpp)
  case "$name" in
    tsan_*) sanitize=-fsanitize=thread ;;
    ubsan_*) sanitize=-fsanitize=undefined ;;  # UBSan's own runtime, reporting the SEGV itself
    *) sanitize=-fsanitize=address,undefined ;;
  esac
  cp "$src" "$work/$name.cpp"
  for compiler in gcc clang; do
    case "$compiler" in
      gcc) cxx=g++-12 ;;
      clang) cxx=clang++-14 ;;
    esac
    exe="$work/$name.$compiler"
    (cd "$work" && "$cxx" "${common[@]}" "$sanitize" "$name.cpp" -o "$exe") || continue
    for color in never always; do
      suffix=""
      [ "$color" = always ] && suffix=_color
      (cd "$work" &&
        TSAN_OPTIONS="color=$color:atexit_sleep_ms=0" \
        ASAN_OPTIONS="color=$color" \
        UBSAN_OPTIONS="color=$color:print_stacktrace=1" \
        timeout 60 "$exe" >"$here/$name$suffix.$compiler.log" 2>&1)
      echo "capture: $name$suffix.$compiler exit $?" >&2
    done
  done
done
