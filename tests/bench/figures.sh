#!/usr/bin/env bash
# figures.sh NAME SUITE...: the figures end-to-end suites measure as they
# check ("# figure: WHAT: N unit" lines), each suite run REPEATS (default
# 3) times, as min / median / max, into $BENCH_OUT/NAME.md. `make bench`
# runs it for the full restarts (brain, ghost: every host stopped and
# started again with a new address, the time from the last host started to
# a Sentinel client's first acknowledged write, and the keys lost when a
# master's data volume is lost) and for Redis Cluster (cluster on
# namespaces, cluster-docker in Docker: creation, handover, kill -9, full
# restart, scale out).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
. "$ROOT/tests/bench/stats.sh"
mkdir -p "$OUT"
F=$(mktemp)
trap 'rm -f "$F" "$F.out" "$F.failed"' EXIT
NAME=$1; shift
for _ in $(seq "$REPEATS"); do
    for s in "$@"; do
        bash "$ROOT/tests/e2e/$s.sh" > "$F.out" 2>/dev/null
        sed -n 's/^# figure: \(.*\): \([^:]*\)$/\1\t\2/p' "$F.out" >> "$F"
        # A run that failed a check, or did not end, is named below.
        grep -qE '^RESULT [0-9]+ 0 ' "$F.out" || echo "$s" >> "$F.failed"
    done
done
{
echo "| figure (min / median / max of $REPEATS runs) | value |"
echo "|---|---|"
cut -f1 "$F" | awk '!seen[$0]++' | while IFS= read -r name; do
    # "403 ms" or "0 of 1332": the first number varies, the rest is kept
    # from the last run.
    rest=$(awk -F'\t' -v n="$name" '$1 == n {v = $2} END {sub(/^[0-9]+/, "", v); print v}' "$F")
    echo "| $name | $(awk -F'\t' -v n="$name" '$1 == n {print $2 + 0}' "$F" | stats)$rest |"
done
[ ! -s "$F.failed" ] ||
    echo "runs with a failed check (their figures are counted too): $(sort "$F.failed" | uniq -c | awk '{printf "%s%s x%s", NR > 1 ? ", " : "", $2, $1}')"
} | tee "$OUT/$NAME.md"
