#!/usr/bin/env bash
# Validates what `racebook-harness parse` prints for every captured log (and the project's own
# captured logs) against docs/parse.schema.json, with Debian's python3-jsonschema.
#   schema_check.sh HARNESS SCHEMA DATA_DIR
set -uo pipefail
harness=$1 schema=$2 data=$3
python=/usr/bin/python3
if ! "$python" -c 'import jsonschema' 2>/dev/null; then
  echo "schema_check: $python cannot import jsonschema; install Debian's python3-jsonschema" >&2
  exit 1
fi
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
count=0
while IFS= read -r -d '' log; do
  count=$((count + 1))
  if ! "$harness" parse "$log" > "$work/$count.json"; then
    echo "schema_check: parse failed on $log" >&2
    exit 1
  fi
  printf '%s\t%s\n' "$work/$count.json" "$log" >> "$work/list.tsv"
done < <(find "$data" -name '*.log' -print0 | sort -z)
[ "$count" -gt 400 ] || { echo "schema_check: only $count logs under $data" >&2; exit 1; }
"$python" - "$schema" "$work/list.tsv" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
bad = 0
reports = 0
for line in open(sys.argv[2]):
    out, log = line.rstrip("\n").split("\t")
    doc = json.load(open(out))
    reports += len(doc.get("reports", []))
    for error in validator.iter_errors(doc):
        bad += 1
        if bad <= 20:
            print(f"{log}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
print(f"schema_check: {reports} reports of {sum(1 for _ in open(sys.argv[2]))} logs, {bad} schema errors")
sys.exit(1 if bad else 0)
PY
