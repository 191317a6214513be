#!/bin/sh
# docs.pictures_render: every picture under docs/pictures renders (rsvg-convert, librsvg), every
# picture a page links to exists, and every picture is linked from a page. A broken SVG fails
# here rather than showing as a broken image to a reviewer.
#   pictures_render.sh DOCS_DIR OUT_DIR
set -eu
docs=$1 out=$2
command -v rsvg-convert >/dev/null 2>&1 || {
  echo "docs.pictures_render: rsvg-convert is not installed (Debian: apt-get install librsvg2-bin;" \
    "./harness/racebook.sh installs it)" >&2
  exit 1
}
mkdir -p "$out"
rendered=0 failed=0
for svg in "$docs"/pictures/*.svg; do
  [ -e "$svg" ] || break
  png="$out/$(basename "$svg" .svg).png"
  rm -f "$png"
  if ! rsvg-convert --format=png --output="$png" "$svg" 2>"$png.err"; then
    echo "docs.pictures_render: $svg does not render: $(cat "$png.err")" >&2
    failed=$((failed + 1))
  elif [ "$(wc -c <"$png")" -lt 2000 ]; then
    echo "docs.pictures_render: $svg rendered to an image of $(wc -c <"$png") bytes: nothing drawn?" >&2
    failed=$((failed + 1))
  else
    rendered=$((rendered + 1))
  fi
  name=$(basename "$svg")
  grep -q "](pictures/$name)" "$docs"/*.md || {
    echo "docs.pictures_render: no page links to pictures/$name (remove it, or add its racebook:picture block)" >&2
    failed=$((failed + 1))
  }
done
# Every picture a page links to is there.
for name in $(grep -ho '](pictures/[^)]*\.svg)' "$docs"/*.md | sed 's/^](pictures\///; s/)$//' | sort -u); do
  [ -f "$docs/pictures/$name" ] || {
    echo "docs.pictures_render: a page links to pictures/$name, which does not exist (./harness/racebook.sh docs draws it)" >&2
    failed=$((failed + 1))
  }
done
if [ "$rendered" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "docs.pictures_render: no picture in $docs/pictures: the racy variants' pages should have them" >&2
  exit 1
fi
echo "docs.pictures_render: $rendered pictures rendered to $out, $failed problems"
[ "$failed" -eq 0 ]
