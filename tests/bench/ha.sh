#!/usr/bin/env bash
# HA figures on the namespace topology of tests/e2e/ha.sh: start -> healthy
# for each role, unplanned failover time (freeze -> new master accepts
# writes) for down-after 1000 and 5000 ms, the planned handover's write gap
# and lost writes, and writes lost to kill -9. Each figure: min / median /
# max of REPEATS (default 3) runs.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/netns.sh"
. "$ROOT/tests/hatopo.sh"
. "$ROOT/tests/bench/stats.sh"
mkdir -p "$OUT"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# time_to_healthy N ROLE: ms until `redis-init health` passes on host N.
time_to_healthy() {
    local t0=$1 n=$2 role=$3
    wait_until 60 health "$n" "$role" && echo $(( $(now_ms) - t0 )) || echo timeout
}
# failover_ms: freeze the master, ms until another one accepts writes.
failover_ms() {
    local old t0 new
    old=$(cur_master); t0=$(now_ms)
    freeze ${NAME[$old]}
    until master_is_not "$old" && writes_ok "$(cur_master)"; do
        [ $(( $(now_ms) - t0 )) -lt 60000 ] || { echo timeout; thaw ${NAME[$old]}; return; }
        sleep 0.05
    done
    echo $(( $(now_ms) - t0 ))
    thaw ${NAME[$old]}
    new=$(cur_master)
    wait_until 60 replica_of "$old" "$new"
}
restart_sentinels() {  # with the current COMMON
    local i
    for i in 4 5 6; do ri_signal x$i TERM; ri_wait x$i; done
    for i in 4 5 6; do net_start x$i $i "${COMMON[@]}" -- sentinel; done
    wait_until 30 sentinels_name "$(cur_master)" 4 5 6
}

hosts_entry redis-master 1
t=$(now_ms); for i in 4 5 6; do net_start x$i $i "${COMMON[@]}" -- sentinel; done
H_SENTINEL=$(time_to_healthy $t 4 sentinel)
t=$(now_ms); start_data 1 master
H_MASTER=$(time_to_healthy $t 1 master)
t=$(now_ms); start_data 2 slave; start_data 3 slave
H_SLAVE=$(time_to_healthy $t 2 slave)
wait_until 30 sentinels_name 1 4 5 6
wait_until 30 replica_of 3 1
sleep 3     # let the sentinels discover each other and the replicas

for r in $(seq "$REPEATS"); do
    failover_ms >> "$T/f1000"; sleep 3

    # Planned handover under a running writer.
    cur=$(cur_master); wait_until 20 in_sync $cur
    writer_start "$T/h$r"; sleep 1
    ri_signal ${NAME[$cur]} TERM; ri_wait ${NAME[$cur]}
    sleep 2; writer_stop "$T/h$r"
    new=$(cur_master)
    missing "$T/h$r" $new | sed -n 's/^missing=\([0-9]*\).*/\1/p' >> "$T/ho_lost"
    sed -n 's/.*longest_gap_ms=//p' "$T/h$r/summary" >> "$T/ho_gap"
    sed -n 's/.*handover: .* is the new master after \([0-9]*\) ms/\1/p' \
        "$T/${NAME[$cur]}.log" | tail -1 >> "$T/ho_switch"
    start_data $cur master; wait_until 30 replica_of $cur $new; sleep 2

    # kill -9 under a running writer.
    cur=$(cur_master); wait_until 20 in_sync $cur
    writer_start "$T/k$r"; sleep 1
    kill -KILL "$(pid1 ${NAME[$cur]})"; ri_wait ${NAME[$cur]}
    wait_until 60 master_is_not $cur
    sleep 2; writer_stop "$T/k$r"
    missing "$T/k$r" "$(cur_master)" | sed -n 's/^missing=\([0-9]*\).*/\1/p' >> "$T/k_lost"
    start_data $cur master; wait_until 30 replica_of $cur "$(cur_master)"; sleep 2
done

COMMON=("${COMMON[@]/SENTINEL_DOWN_AFTER=*/SENTINEL_DOWN_AFTER=5000}")
restart_sentinels; sleep 3
for r in $(seq "$REPEATS"); do failover_ms >> "$T/f5000"; sleep 3; done

{
echo "| figure (min / median / max of $REPEATS runs; start: one) | value |"
echo "|---|---|"
echo "| start → healthy, master (asks the sentinels first) | $H_MASTER ms |"
echo "| start → healthy, slave (includes the initial sync) | $H_SLAVE ms |"
echo "| start → healthy, sentinel | $H_SENTINEL ms |"
echo "| unplanned failover, freeze → new master accepts writes, down-after 1000 ms | $(stats < "$T/f1000") ms |"
echo "| unplanned failover, down-after 5000 ms | $(stats < "$T/f5000") ms |"
echo "| planned handover (SIGTERM): pause → a sentinel names the new master | $(stats < "$T/ho_switch") ms |"
echo "| planned handover, writer's longest gap (its client asks the sentinels in turn) | $(stats < "$T/ho_gap") ms |"
echo "| planned handover, acknowledged writes lost | $(stats < "$T/ho_lost") |"
echo "| kill -9 of the master, acknowledged writes lost | $(stats < "$T/k_lost") |"
} | tee "$OUT/ha.md"
finish
