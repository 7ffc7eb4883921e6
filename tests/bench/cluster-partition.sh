#!/usr/bin/env bash
# Redis Cluster under a partition, side by side in one run (issue #15's
# table for the cluster role): a master cut off from the other five nodes
# for 20 s while the application, one redis-py RedisCluster client kept for
# the whole run, still reaches it; with Redis' own default node timeout,
# redis-init's default, a short one, and the stock min-replicas knobs. For
# each: acknowledged writes lost, their span, and how long two masters took
# writes for the same slots. Topology and measure of
# tests/e2e/cluster-partition.sh; each figure min / median / max of REPEATS.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/netns.sh"
PY=/usr/bin/python3
export REDISCLI_AUTH='cpb p"w$% x'
NODE_TIMEOUT=5000
. "$ROOT/tests/clustertopo.sh"
. "$ROOT/tests/parttopo.sh"
. "$ROOT/tests/bench/stats.sh"
mkdir -p "$OUT"
CUT_S=${CUT_S:-20}
cluster_net

# with LABEL VAR=VALUE...: REPEATS times, every node restarted with these
# settings, then one measured partition; one table row.
with() {
    local label=$1 i r lost="$T/lost$RUN_N" span="$T/span$RUN_N" two="$T/two$RUN_N"
    shift
    for r in $(seq "$REPEATS"); do
        for i in 1 2 3 4 5 6; do [ -z "${NS[c$i]:-}" ] || ri_signal c$i TERM; done
        for i in 1 2 3 4 5 6; do [ -z "${NS[c$i]:-}" ] || ri_wait c$i; done
        for i in 1 2 3 4 5 6; do start_node $i "$@"; done
        RUN_N=$((RUN_N + 1))
        if cluster_partition "run$RUN_N" "$CUT_S"; then
            echo "${LOST_N%% *}" >> "$lost"; echo "$SPAN" >> "$span"; echo "$TWO" >> "$two"
        else
            echo "no-agreed-map" | tee -a "$lost" "$span" >> "$two"
        fi
    done
    ROWS+=("| $label | $(stats < "$lost") | $(stats < "$span") ms | $(stats < "$two") s |")
}
RUN_N=0 ROWS=()
with "Redis' default node timeout (CLUSTER_NODE_TIMEOUT=15000)" CLUSTER_NODE_TIMEOUT=15000
with "redis-init defaults (CLUSTER_NODE_TIMEOUT=5000)"
with "CLUSTER_NODE_TIMEOUT=1000" CLUSTER_NODE_TIMEOUT=1000
with "defaults, MIN_REPLICAS_TO_WRITE=1, MIN_REPLICAS_MAX_LAG=1" MIN_REPLICAS_TO_WRITE=1 MIN_REPLICAS_MAX_LAG=1
{
echo "| settings (${CUT_S} s partition; min / median / max of $REPEATS) | acknowledged writes lost | span of the lost writes | two masters taking writes |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/cluster-partition.md"
finish
