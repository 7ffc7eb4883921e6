# Sourced by redis.sh, redis-user.sh and redis-instr.sh: what the Redis
# benches share (below: their setup, start, stop, restart, cpu_ns).
# redis-benchmark's default suite, in its order (LPOP after LPUSH...;
# before LRANGE_100 the suite runs an "LPUSH (needed to benchmark LRANGE)"
# of as many requests as an LPUSH).
TESTS="SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET SPOP ZADD ZPOPMIN LRANGE_100 LRANGE_300 LRANGE_500 LRANGE_600 MSET"
# args TEST: redis-benchmark arguments for TEST, as the default suite runs it.
args() {
    case $1 in
    LRANGE_*) echo "lrange mylist 0 $(( ${1#LRANGE_} - 1 ))" ;;
    *) echo "-t ${1,,}" ;;
    esac
}

# bench_setup SCRIPT: IMG and DEB, the two servers (IMAGE_REDIS,
# DEBIAN_REDIS), checked with redis-benchmark; T a temporary directory;
# every pid in PIDS killed and T removed on exit; OUT made; SRV and CLI
# put a server on CPU 0 and its client on CPU 1 when there are two.
bench_setup() {
    IMG=${IMAGE_REDIS:-$ROOT/build/redis/bin/redis-server}
    DEB=${DEBIAN_REDIS:-/usr/bin/redis-server}
    [ -x "$IMG" ] || make -s -C "$ROOT" redis-static >/dev/null || exit 1
    local b
    for b in "$IMG" "$DEB" /usr/bin/redis-benchmark; do
        [ -x "$b" ] || { echo "$1: $b missing" >&2; exit 1; }
    done
    T=$(mktemp -d "/tmp/redis-init-${1%.sh}.XXXXXX")
    PIDS=()
    trap 'for p in "${PIDS[@]}"; do kill -KILL "$p"; done 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
    mkdir -p "$OUT"
    if [ "$(nproc)" -ge 2 ]; then SRV="taskset -c 0"; CLI="taskset -c 1"; else SRV=; CLI=; fi
}

# The first port of a bench's servers: below the ephemeral range
# (32768-60999), where a client's port in TIME_WAIT blocks a listener's
# bind (tests/lib.sh).
BASE=$(( 28000 + RANDOM % 4000 ))

# start NAME BINARY PORT: a server as the benches run it (no persistence,
# CPU 0 when SRV says so), waited for; PID[NAME], PORT[NAME], PIDS.
declare -A PORT PID
start() {
    mkdir -p "$T/$1"
    $SRV "$2" --port "$3" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$T/$1" --logfile "$T/$1.log" &
    PID[$1]=$!; PORT[$1]=$3; PIDS+=($!)
    local i
    for i in $(seq 100); do
        redis-cli -p "$3" ping 2>/dev/null | grep -q PONG && return 0
        sleep 0.1
    done
    echo "${0##*/}: the $1 server did not start; its log:" >&2
    cat "$T/$1.log" >&2; exit 1
}
# stop NAME: the server started as NAME, if any, killed and waited for.
stop() {
    [ -n "${PID[$1]:-}" ] || return 0
    kill "${PID[$1]}" 2>/dev/null
    wait "${PID[$1]}" 2>/dev/null
    return 0
}
# restart TURN: the bench's servers, NAMES (binaries BINS, ports BASE,
# BASE+1...), stopped and started afresh, in an order that turns with TURN
# so that none is always first to take pages: where a process's memory
# lands moves its speed by up to 9% on this machine for as long as it runs
# (redis.sh's MSET -P 16 at 0.91 in every round of one run, 1.00
# restarted), and a new start draws again. Each is warmed up by an untimed
# SET run, then emptied: a new server's first run pays for its start (SET
# not pipelined at 0.89-1.02 from round to round without it).
restart() {
    local k=${#NAMES[@]} i j
    for i in "${NAMES[@]}"; do stop "$i"; done
    for ((i = 0; i < k; i++)); do
        j=$(( (i + $1) % k ))
        start "${NAMES[j]}" "${BINS[j]}" $((BASE + j))
        $CLI redis-benchmark -p $((BASE + j)) -c 50 -n 30000 -P 16 -q -t set >/dev/null 2>&1
        redis-cli -p $((BASE + j)) flushall >/dev/null
    done
}
# cpu_ns NAME: the server's CPU time so far, all its threads, ns.
cpu_ns() {
    if ! kill -0 "${PID[$1]}" 2>/dev/null; then
        echo "${0##*/}: the $1 server is gone; its log:" >&2
        tail -n 20 "$T/$1.log" >&2
        exit 1
    fi
    cat /proc/"${PID[$1]}"/task/*/schedstat | awk '{s+=$1} END {printf "%.0f\n", s}'
}
