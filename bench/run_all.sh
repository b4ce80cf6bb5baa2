#!/usr/bin/env bash
# The runs recorded in bench/RESULTS.md: PostgreSQL with two workers (with the
# handbook figures) and SQLite with one worker at 2,000 examinees (a 6-minute
# window), then each pushed to 5,000 (a 2.5-minute window). About 40 minutes.
# Output: bench/.var/run-<label>.txt (what was printed) and .json (the figures).
set -u
cd "$(dirname "$0")/.."
run() {
  local label=$1; shift
  .venv/bin/python bench/exam_load.py --wait-quiet 20 --json "bench/.var/run-$label.json" "$@" \
    2>&1 | tee "bench/.var/run-$label.txt"
}
mkdir -p bench/.var
run postgres-2000 --db postgres --workers 2 --examinees 2000
run sqlite-2000   --db sqlite   --workers 1 --examinees 2000 --no-handbook
run postgres-5000 --db postgres --workers 2 --examinees 5000 --compression 24 --saturation-seconds 10 --ceiling-seconds 5 --no-handbook
run sqlite-5000   --db sqlite   --workers 1 --examinees 5000 --compression 24 --saturation-seconds 10 --ceiling-seconds 5 --no-handbook
