#!/usr/bin/env bash
# Partition figures, side by side in one run: the master cut off from its
# replicas and sentinels for 20 s (the application still reaches it) with
# Sentinel's stock behaviour, with the stock knobs (min-replicas-to-write),
# and with redis-init's fence (the default). For each: acknowledged writes
# lost, the span of the longest run of them, and how long two masters took
# writes at once. Topology of tests/e2e/partition.sh. Each figure: min /
# median / max of REPEATS (default 3) partitions.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/netns.sh"
DOWN_AFTER=1000
. "$ROOT/tests/hatopo.sh"
. "$ROOT/tests/parttopo.sh"
. "$ROOT/tests/bench/stats.sh"
mkdir -p "$OUT"
COMMON=("${COMMON[@]/SENTINEL_FAILOVER=*/SENTINEL_FAILOVER=3000}")
CUT_S=${CUT_S:-20}
hosts_entry redis-master 1
for i in 4 5 6; do net_start x$i $i "${COMMON[@]}" -- sentinel; done

# with LABEL VAR=VALUE...: REPEATS times, the data hosts restarted with
# these settings, then one measured partition of whichever host is
# master; one table row.
with() {
    local label=$1 i r lost="$T/row$RUN_N.lost" run="$T/row$RUN_N.run" two="$T/row$RUN_N.two"
    shift
    for r in $(seq "$REPEATS"); do
        for i in 1 2 3; do
            [ -z "${NS[${NAME[$i]}]:-}" ] && continue
            ri_signal ${NAME[$i]} TERM; ri_wait ${NAME[$i]}
        done
        for i in 1 2 3; do
            net_start "${NAME[$i]}" $i "${COMMON[@]}" "$@" -- $([ $i = 1 ] && echo master || echo slave)
        done
        RUN_N=$((RUN_N + 1))
        if partition "run$RUN_N" "$CUT_S" others; then
            sed -n 's/^\([0-9]*\) of.*/\1/p' <<<"$LOST_N" >> "$lost"
            echo "$RUN" >> "$run"; echo "$TWO" >> "$two"
        else
            echo "no-agreed-master" | tee -a "$lost" "$run" >> "$two"
        fi
    done
    ROWS+=("| $label | $(stats < "$lost") | $(stats < "$run") ms | $(stats < "$two") s |")
}
RUN_N=0 ROWS=()
with "Sentinel alone (FENCE=no)" FENCE=no
with "FENCE=no, MIN_REPLICAS_TO_WRITE=1, MIN_REPLICAS_MAX_LAG=10" FENCE=no MIN_REPLICAS_TO_WRITE=1 MIN_REPLICAS_MAX_LAG=10
with "FENCE=no, MIN_REPLICAS_TO_WRITE=1, MIN_REPLICAS_MAX_LAG=1" FENCE=no MIN_REPLICAS_TO_WRITE=1 MIN_REPLICAS_MAX_LAG=1
with "redis-init defaults (FENCE=yes)"
{
echo "| settings (down-after 1000 ms, ${CUT_S} s partition; min / median / max of $REPEATS) | acknowledged writes lost | longest run of lost writes | two masters taking writes |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/partition.md"
finish
