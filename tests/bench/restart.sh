#!/usr/bin/env bash
# Full-restart figures (issue: the HA brain): every host stopped and
# started again with a new address, with stable names (tests/e2e/brain.sh)
# and with addresses only and REDIS_HOSTS (tests/e2e/ghost.sh): the time
# from the last host started to a Sentinel client's first acknowledged
# write; and the keys lost when a master's data volume is lost. The suites
# measure as they check; this runs them and keeps their figures.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
mkdir -p "$OUT"
{
echo "| figure | value |"
echo "|---|---|"
for s in brain ghost; do
    bash "$ROOT/tests/e2e/$s.sh" 2>/dev/null |
        sed -n 's/^# figure: \(.*\): \([^:]*\)$/| \1 | \2 |/p'
done
} | tee "$OUT/restart.md"
