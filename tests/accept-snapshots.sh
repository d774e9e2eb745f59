#!/usr/bin/env bash
# Accepts received snapshots: every *.received.cs under tests/ replaces its *.verified.cs.
# Review the change with `git diff` before committing.
set -euo pipefail
cd "$(dirname "$0")"
count=0
while IFS= read -r -d '' received; do
  mv "$received" "${received%.received.cs}.verified.cs"
  echo "accepted ${received%.received.cs}.verified.cs"
  count=$((count + 1))
done < <(find . -name '*.received.cs' -print0)
echo "$count snapshot(s) accepted"
