#!/usr/bin/env bash
# make demo: a master, two slaves and three sentinels, each under its own
# redis-init as PID 1. With Docker: the image and the compose cluster, and a
# live failover. Without: PID namespaces on loopback ports.
#   tests/demo.sh          start (or restart) the cluster, Docker if it answers
#   tests/demo.sh local    the loopback cluster, even with Docker
#   tests/demo.sh stop     stop whichever runs
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

COMPOSE="docker-compose -p redis-init-demo -f $ROOT/compose/docker-compose.yml"

docker_demo() {
    make -s -C "$ROOT" image
    secret=$ROOT/compose/secrets/redis_password
    if [ ! -f "$secret" ]; then
        mkdir -p "$(dirname "$secret")"
        (umask 077; head -c 18 /dev/urandom | base64 > "$secret")
    fi
    export REDIS_PASSWORD_SECRET=$secret REDISCLI_AUTH
    REDISCLI_AUTH=$(cat "$secret")
    $COMPOSE up -d --scale slave=2 --scale sentinel=3
    echo "waiting for every container to be healthy..."
    for _ in $(seq 120); do
        [ -z "$($COMPOSE ps -q | xargs docker inspect -f '{{.State.Health.Status}}' | grep -v '^healthy$')" ] && break
        sleep 1
    done
    cip() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
    s1=$(cip "$($COMPOSE ps -q sentinel | head -1)")
    ask() { redis-cli --no-auth-warning -h "$s1" -p 26379 sentinel get-master-addr-by-name mymaster | head -1; }
    for _ in $(seq 30); do
        redis-cli --no-auth-warning -h "$s1" -p 26379 sentinel master mymaster |
            tr '\n' ' ' | grep -q 'num-slaves 2 .*num-other-sentinels 2 ' && break
        sleep 1
    done
    $COMPOSE ps
    old=$(ask)
    echo; echo "master: $old. Pausing its container (docker pause), as the seed's test.sh does..."
    c=$(for id in $($COMPOSE ps -q); do [ "$(cip "$id")" != "$old" ] || echo "$id"; done)
    docker pause "$c" >/dev/null
    t0=$(date +%s)
    while [ "$(ask)" = "$old" ] && [ $(( $(date +%s) - t0 )) -lt 60 ]; do sleep 0.5; done
    echo "the sentinels promoted $(ask) after $(( $(date +%s) - t0 )) s; unpausing the old master..."
    docker unpause "$c" >/dev/null
    for _ in $(seq 60); do
        [ "$(redis-cli --no-auth-warning -h "$old" role | head -1)" = slave ] && break
        sleep 0.5
    done
    echo "the old master $old is now a $(redis-cli --no-auth-warning -h "$old" role | head -1) of $(ask)"
    cat <<MSG

redis-init demo runs in Docker (project redis-init-demo); the password is in
$secret.
  sentinels:  REDISCLI_AUTH=\$(cat $secret) redis-cli -h $s1 -p 26379 sentinel get-master-addr-by-name mymaster
  logs:       $COMPOSE logs -f
  stop:       tests/demo.sh stop
MSG
}

if [ "${1:-}" = stop ]; then
    stop
    if command -v docker-compose >/dev/null && docker info >/dev/null 2>&1; then
        $COMPOSE down -v --remove-orphans -t 15 2>/dev/null || true
    fi
    echo "demo stopped; local data and logs stay in $DIR"
    exit 0
fi
if [ "${1:-}" != local ] && command -v docker-compose >/dev/null &&
   docker info >/dev/null 2>&1; then
    docker_demo
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
