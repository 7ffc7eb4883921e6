#!/usr/bin/env bash
# Full-restart figures (issue: the HA brain): every host stopped and
# started again with a new address, with stable names (tests/e2e/brain.sh)
# and with addresses only and REDIS_HOSTS (tests/e2e/ghost.sh): the time
# from the last host started to a Sentinel client's first acknowledged
# write; and the keys lost when a master's data volume is lost. The suites
# measure as they check; this runs each REPEATS (default 3) times and
# keeps their figures as min / median / max.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
. "$ROOT/tests/bench/stats.sh"
mkdir -p "$OUT"
F=$(mktemp)
trap 'rm -f "$F"' EXIT
for _ in $(seq "$REPEATS"); do
    for s in brain ghost; do
        bash "$ROOT/tests/e2e/$s.sh" 2>/dev/null |
            sed -n 's/^# figure: \(.*\): \([^:]*\)$/\1\t\2/p' >> "$F"
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
} | tee "$OUT/restart.md"
