# shellcheck shell=bash
# The corpus presets, read from CMakePresets.json, the one place they are written: a preset
# added there (its configure, build, test and workflow entries) is run by every command of
# racebook.sh and measured by benchmark.sh, with no list to update here. Sourced by both
# scripts; needs jq and $top (the checkout).
#
#   corpus_presets        each configure preset that inherits the hidden preset `corpus`
#                         (directly or through another), in the file's order; `harness` and
#                         `fuzz` are not corpus presets
#   sanitizer_presets     those among them whose RACEBOOK_SANITIZER is not none, grouped by
#                         sanitizer in the order the sanitizers first appear (tsan tsan-clang
#                         asan asan-clang: the columns of docs/stability.md)
#   baseline_preset P     the corpus preset with P's compiler and no sanitizer
#   preset_sanitizer P    P's RACEBOOK_SANITIZER (none when it sets none)
#   preset_compiler P     P's CMAKE_CXX_COMPILER (g++, clang++)
#
# A preset's cache variables are resolved as CMake does: its own first, then those of the
# presets it inherits, the first one listed winning.

# One line per corpus preset: name, RACEBOOK_SANITIZER, CMAKE_CXX_COMPILER (tab-separated).
_preset_table() {
  : "${top:?presets.sh needs \$top, the checkout}"
  jq -r '
    .configurePresets as $all
    | def named($n): $all[] | select(.name == $n);
      def parents: [.inherits // []] | flatten | .[] as $n | named($n);
      def ancestry: ., (parents | ancestry);
      def cache: ([[.inherits // []] | flatten | reverse[] as $n | named($n) | cache] | add // {})
                 + ((.cacheVariables // {}) | map_values(if type == "object" then .value else . end));
      $all[]
    | select((.hidden // false) | not)
    | select(any(ancestry; .name == "corpus"))
    | cache as $c
    | [.name, ($c.RACEBOOK_SANITIZER // "none"), ($c.CMAKE_CXX_COMPILER // "")]
    | @tsv' "$top/CMakePresets.json"
}

corpus_presets() { _preset_table | cut -f1; }

sanitizer_presets() {
  _preset_table | awk -F'\t' '
    tolower($2) != "none" && $2 != "" {
      if (!($2 in of)) order[++n] = $2
      of[$2] = of[$2] $1 "\n"
    }
    END { for (i = 1; i <= n; i++) printf "%s", of[order[i]] }'
}

baseline_preset() {
  _preset_table | awk -F'\t' -v p="$1" '
    { compiler[$1] = $3 }
    tolower($2) == "none" || $2 == "" { plain[++n] = $1 }
    END { for (i = 1; i <= n; i++) if (compiler[plain[i]] == compiler[p]) { print plain[i]; exit } }'
}

# A corpus preset's RACEBOOK_SANITIZER (none, thread, address, ...) and CMAKE_CXX_COMPILER.
preset_sanitizer() { _preset_table | awk -F'\t' -v p="$1" '$1 == p { print ($2 == "" ? "none" : $2); exit }'; }
preset_compiler() { _preset_table | awk -F'\t' -v p="$1" '$1 == p { print $3; exit }'; }
