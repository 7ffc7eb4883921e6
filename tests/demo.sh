#!/usr/bin/env bash
# make demo: a master, two slaves and three sentinels, each under its own
# redis-init as PID 1 of a PID namespace, on loopback ports.
#   tests/demo.sh          start (or restart) the cluster
#   tests/demo.sh stop     stop it (SIGTERM to each redis-init)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${DEMO_DIR:-/tmp/redis-init-demo}
export TEMPLATE_DIR=$ROOT/templates

stop() {
    local f
    for f in "$DIR"/*.pid; do
        [ -f "$f" ] || continue
        p=$(pgrep -P "$(cat "$f")" | head -1 || true)
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
        rm -f "$f"
    done
}

start() {  # NAME ROLE VAR=VALUE...
    local name=$1 role=$2; shift 2
    env REDIS_DATA_DIR="$DIR/$name" "$@" \
        setsid unshare --pid --fork --mount-proc --kill-child \
        "$ROOT/redis-init" "$role" >"$DIR/$name.log" 2>&1 < /dev/null &
    echo $! > "$DIR/$name.pid"
}

if [ "${1:-}" = stop ]; then
    stop
    echo "demo stopped; data and logs stay in $DIR"
    exit 0
fi

stop
mkdir -p "$DIR" && chmod 755 "$DIR"
common=(MASTER_HOST=127.0.0.1 MASTER_PORT=6380 SENTINEL_QUORUM=2
        SENTINEL_DOWN_AFTER=2000 SENTINEL_HOSTS=127.0.0.1:26380,127.0.0.1:26381,127.0.0.1:26382)
start master master REDIS_PORT=6380 "${common[@]}"
start slave1 slave REDIS_PORT=6381 "${common[@]}"
start slave2 slave REDIS_PORT=6382 "${common[@]}"
for i in 0 1 2; do start sentinel$i sentinel SENTINEL_PORT=2638$i "${common[@]}"; done

for p in 6380 6381 6382 26380 26381 26382; do
    for _ in $(seq 50); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.1; done
done
sleep 2
cat <<MSG
redis-init demo is running (logs and data in $DIR):
  master     127.0.0.1:6380     redis-cli -p 6380
  slaves     127.0.0.1:6381, :6382
  sentinels  127.0.0.1:26380, :26381, :26382
             redis-cli -p 26380 sentinel get-master-addr-by-name mymaster
  -> $(redis-cli -p 26380 sentinel get-master-addr-by-name mymaster | tr '\n' ' ')
Try a failover:   kill -STOP \$(pgrep -f 'redis-server \*:6380')  (then -CONT)
Stop it all:      tests/demo.sh stop
MSG
