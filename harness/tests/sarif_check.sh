#!/usr/bin/env bash
# Validates the SARIF that `racebook-harness parse --format sarif` writes for
# every captured log, with a source root and without, against the official SARIF 2.1.0 schema
# (docs/sarif-schema-2.1.0.json, JSON Schema draft 4), with Debian's python3-jsonschema.
# Formats are checked too where python3-jsonschema can (a URI with an unencoded space or
# non-ASCII letter is not a 'uri-reference' when python3-rfc3987 is installed).
#   sarif_check.sh HARNESS SCHEMA CAPTURED_DIR
set -uo pipefail
harness=$1 schema=$2 captured=$3
python=/usr/bin/python3
if ! "$python" -c 'import jsonschema' 2>/dev/null; then
  echo "sarif_check: $python cannot import jsonschema; install Debian's python3-jsonschema" >&2
  exit 1
fi
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
count=0
while IFS= read -r -d '' log; do
  # The logs were captured from sources under /tmp/racebook-capture/<toolchain>/.
  for root in "" /tmp/racebook-capture; do
    count=$((count + 1))
    if ! "$harness" parse --format sarif ${root:+--source-root "$root"} "$log" > "$work/$count.sarif"; then
      echo "sarif_check: parse --format sarif failed on $log" >&2
      exit 1
    fi
    printf '%s\t%s (source root "%s")\n' "$work/$count.sarif" "$log" "$root" >> "$work/list.tsv"
  done
done < <(find "$captured" -name '*.log' -print0 | sort -z)
[ "$count" -gt 800 ] || { echo "sarif_check: only $count SARIF files from $captured" >&2; exit 1; }
"$python" - "$schema" "$work/list.tsv" <<'PY'
import json, sys
from jsonschema import Draft4Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
Draft4Validator.check_schema(schema)
validator = Draft4Validator(schema, format_checker=FormatChecker())
bad = 0
results = 0
rooted = 0
files = 0
for line in open(sys.argv[2]):
    files += 1
    out, log = line.rstrip("\n").split("\t")
    doc = json.load(open(out))
    for run in doc.get("runs", []):
        for result in run.get("results", []):
            results += 1
            for loc in result.get("locations", []):
                if loc["physicalLocation"]["artifactLocation"].get("uriBaseId") == "SRCROOT":
                    rooted += 1
    for error in validator.iter_errors(doc):
        bad += 1
        if bad <= 20:
            print(f"{log}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
print(f"sarif_check: {results} results ({rooted} locations under SRCROOT) in {files} SARIF files, {bad} schema errors")
if results == 0 or rooted == 0:
    print("sarif_check: no results or no location under the source root: the check checked nothing")
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
