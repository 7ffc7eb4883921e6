#!/usr/bin/env bash
# Docker figures with the compose defaults: image size, container start ->
# healthy for each role, failover time under `docker pause`, and the write
# gap of the handover on `docker stop` (writer on the host). The failover
# and the handover: min / median / max of REPEATS (default 3) runs.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/bench/stats.sh"
mkdir -p "$OUT"
if ! docker info >/dev/null 2>&1 || ! command -v docker-compose >/dev/null; then
    echo "no Docker engine: no Docker figures" | tee "$OUT/docker.md"
    finish
fi
PY=/usr/bin/python3
IMAGE=redis-init:bench$$ P=rib$$
export IMAGE REDISCLI_AUTH='b3nch pw' REDIS_PASSWORD_SECRET=$T/pw
printf '%s\n' "$REDISCLI_AUTH" > "$T/pw"
. "$ROOT/tests/dockertopo.sh"
CLEANUPS+=("dc down -v --remove-orphans -t 1" "docker image rm -f $IMAGE")
make -s -C "$ROOT" image IMAGE="$IMAGE" >"$T/image.log" 2>&1
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# healthy_ms T0 CONTAINER: ms from T0 until `redis-init health` passes in it
# (polled here: Docker's own health status moves only every interval).
healthy_ms() {
    local t0=$1 c=$2
    until docker exec "$c" redis-init health >/dev/null 2>&1; do
        [ $(( $(now_ms) - t0 )) -lt 120000 ] || { echo timeout; return; }
        sleep 0.05
    done
    echo $(( $(now_ms) - t0 ))
}
# The whole cluster starts at once, as `docker-compose up` does.
t=$(now_ms)
dc up -d --scale slave=2 --scale sentinel=3 >/dev/null 2>&1
H_MASTER=$(healthy_ms $t "$(cids master)")
H_SLAVE=$(healthy_ms $t "$(cids slave | head -1)")
H_SENTINEL=$(healthy_ms $t "$(cids sentinel | head -1)")
wait_until 60 ready 2 3

SENTINEL_IPS=$(sentinel_ips)      # stable from here on; polled directly
# Sentinel starts no failover of a master within twice its failover
# timeout (10 s in the compose file) of the last one's start: each run
# waits that out, or it would measure the wait.
last_failover=0
settle() {
    local left=$(( last_failover + 21000 - $(now_ms) ))
    [ "$left" -le 0 ] || sleep "$(awk -v m="$left" 'BEGIN {print m / 1000}')"
}
for r in $(seq "$REPEATS"); do
    settle
    old=$(cur_ip); oc=$(cid_of_ip "$old"); t=$(now_ms); last_failover=$t
    docker pause "$oc" >/dev/null
    until switched_from "$old" && [ "$(rc "$(cur_ip)" set probe 1 2>/dev/null)" = OK ]; do
        [ $(( $(now_ms) - t )) -lt 120000 ] || break
        sleep 0.05
    done
    switched_from "$old" && echo $(( $(now_ms) - t )) >> "$T/pause" || echo timeout >> "$T/pause"
    docker unpause "$oc" >/dev/null
    wait_until 60 is_replica_of "$oc" "$(cur_ip)"
    wait_until 60 ready 2 3

    old=$(cur_ip); oc=$(cid_of_ip "$old")
    mkdir -p "$T/w$r"
    REDIS_PASSWORD=$REDISCLI_AUTH $PY "$ROOT/tests/writer.py" "$T/w$r" $(sentinel_ips) &
    W=$!
    wait_until 20 test -s "$T/w$r/acked"; sleep 1
    t=$(now_ms); last_failover=$t      # SENTINEL FAILOVER is not delayed
    docker stop "$oc" >/dev/null; echo $(( $(now_ms) - t )) >> "$T/stop"
    sleep 2; touch "$T/w$r/STOP"; wait $W
    REDIS_PASSWORD=$REDISCLI_AUTH $PY "$ROOT/tests/acked.py" "$T/w$r" "$(cur_ip)" 6379 |
        sed -n 's/^missing=\([0-9]*\).*/\1/p' >> "$T/lost"
    sed -n 's/.*longest_gap_ms=//p' "$T/w$r/summary" >> "$T/gap"
    # A gap over a second: the writer's errors and the sentinels' log kept.
    if [ "$(tail -1 "$T/gap")" -gt 1000 ] 2>/dev/null; then
        cp "$T/w$r/errors" "$OUT/docker-gap-$r.errors"
        dc logs --no-color --timestamps sentinel > "$OUT/docker-gap-$r.sentinels" 2>&1
    fi
    docker start "$oc" >/dev/null
    wait_until 60 is_replica_of "$oc" "$(cur_ip)"
    wait_until 60 ready 2 3
done
{
echo "| figure (Docker, compose defaults: down-after 5000 ms; min / median / max of $REPEATS) | value |"
echo "|---|---|"
echo "| image size (docker image inspect) | $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes ($(docker image ls --format '{{.Size}}' "$IMAGE")) |"
echo "| docker-compose up → healthy, master (waits START_WAIT for sentinels) | $H_MASTER ms |"
echo "| docker-compose up → healthy, slave (then its initial sync) | $H_SLAVE ms |"
echo "| docker-compose up → healthy, sentinel | $H_SENTINEL ms |"
echo "| failover under docker pause → new master accepts writes | $(stats < "$T/pause") ms |"
echo "| docker stop of the master (handover + save) | $(stats < "$T/stop") ms |"
echo "| handover write gap on docker stop | $(stats < "$T/gap") ms |"
echo "| acknowledged writes lost in that handover | $(stats < "$T/lost") |"
} | tee "$OUT/docker.md"
finish
