#!/usr/bin/env bash
# The image's Redis against Debian's, side by side in one run:
# redis-benchmark's default suite, not pipelined and pipelined (-P 16), each
# test run on both servers back to back (which one goes first alternates
# every round), ROUNDS rounds, medians. Two figures per test: requests per
# second as redis-benchmark reports them, and the server's CPU time per
# request (from /proc/PID/task/*/schedstat: steadier than rps on a shared
# machine). Ratios are Debian / image for CPU time and image / Debian for
# rps: above 1 the image is faster. Then RSS and INFO memory after one
# million SETs of 120-byte values to distinct keys. Image sizes at the end.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
ROUNDS=${ROUNDS:-5}
# Requests per run: about 2 s each (shorter runs, 0.1 s pipelined, moved
# by 5-10% from one round to the next).
N1=${REQUESTS:-100000}       # not pipelined
N16=${PIPE_REQUESTS:-1000000} # and pipelined
IMG=${IMAGE_REDIS:-$ROOT/build/redis/bin/redis-server}
DEB=${DEBIAN_REDIS:-/usr/bin/redis-server}
[ -x "$IMG" ] || make -s -C "$ROOT" redis-static >/dev/null || exit 1
for b in "$IMG" "$DEB" /usr/bin/redis-benchmark; do
    [ -x "$b" ] || { echo "redis.sh: $b missing" >&2; exit 1; }
done
T=$(mktemp -d /tmp/redis-init-rbench.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -KILL "$p"; done 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$OUT"
# Server on CPU 0, client on CPU 1 when there are two.
if [ "$(nproc)" -ge 2 ]; then SRV="taskset -c 0"; CLI="taskset -c 1"; else SRV=; CLI=; fi

base=$(( 30000 + RANDOM % 5000 ))
declare -A PORT PID
start() { # NAME BINARY PORT
    mkdir -p "$T/$1"
    $SRV "$2" --port "$3" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$T/$1" --logfile "$T/$1.log" &
    PID[$1]=$!; PORT[$1]=$3; PIDS+=($!)
    local i
    for i in $(seq 100); do
        redis-cli -p "$3" ping 2>/dev/null | grep -q PONG && return 0
        sleep 0.1
    done
    echo "redis.sh: $1 did not start" >&2; exit 1
}
start debian "$DEB" "$base"
start image "$IMG" $((base + 1))

cpu_ns() { # the server's CPU time so far, all its threads, ns
    if ! kill -0 "${PID[$1]}" 2>/dev/null; then
        echo "redis.sh: the $1 server is gone; its log:" >&2
        tail -n 20 "$T/$1.log" >&2
        exit 1
    fi
    cat /proc/"${PID[$1]}"/task/*/schedstat | awk '{s+=$1} END {printf "%.0f\n", s}'
}
# bench NAME ARGS...: run redis-benchmark on NAME; prints "rps ns_per_req".
bench() {
    local name=$1; shift
    local c0 c1 rps N=$N1
    [ "$2" = 16 ] && N=$N16
    c0=$(cpu_ns "$name")
    rps=$($CLI redis-benchmark -p "${PORT[$name]}" -c 50 -n "$N" --csv "$@" 2>/dev/null |
          tail -n 1 | awk -F'","' '{print $2}')
    c1=$(cpu_ns "$name")
    echo "${rps:-0} $(( (c1 - c0) / N ))"
}

. "$ROOT/tests/bench/stats.sh"
. "$ROOT/tests/bench/redis-suite.sh"
# One round: both servers start empty; each test runs on both, in the
# default suite's order (LPOP after LPUSH...), so both see the same data.
round() { # ROUND PIPELINE
    local r=$1 p=$2 first second t n
    if (( r % 2 )); then first=debian second=image; else first=image second=debian; fi
    for n in debian image; do redis-cli -p "${PORT[$n]}" flushall >/dev/null; done
    for t in $TESTS; do
        if [ "$t" = LRANGE_100 ]; then # the suite's "LPUSH (needed to benchmark LRANGE)"
            for n in $first $second; do bench "$n" -P "$p" lpush mylist xxx >/dev/null; done
        fi
        for n in $first $second; do
            echo "$p $t $n $(bench "$n" -P "$p" $(args "$t"))" >> "$T/samples"
        done
    done
}
for r in $(seq "$ROUNDS"); do
    for p in 1 16; do round "$r" "$p"; done
done
cp "$T/samples" "$OUT/redis-samples.txt"

col() { # PIPELINE TEST NAME FIELD(4=rps,5=ns)
    awk -v p="$1" -v t="$2" -v n="$3" -v f="$4" '$1==p && $2==t && $3==n {print $f}' "$T/samples" | median
}
{
echo "**Redis: the image's against Debian's** (\`tests/bench/redis.sh\`; redis-benchmark -c 50 -n $N1 (-P 16: -n $N16), each test on both servers back to back, the order alternating, median of $ROUNDS rounds; server on CPU 0, client on CPU 1; CPU = the server's CPU time per request; ratios above 1: the image is faster):"
echo
echo "| test | pipeline | Debian rps | image rps | rps ratio | Debian CPU ns/req | image CPU ns/req | CPU ratio |"
echo "|---|---|---|---|---|---|---|---|"
for p in 1 16; do
    for t in $TESTS; do
        dr=$(col "$p" "$t" debian 4); ir=$(col "$p" "$t" image 4)
        dc=$(col "$p" "$t" debian 5); ic=$(col "$p" "$t" image 5)
        awk -v t="$t" -v p="$p" -v dr="$dr" -v ir="$ir" -v dc="$dc" -v ic="$ic" 'BEGIN {
            printf "| %s | %s | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n",
                t, (p == 1 ? "no" : "-P " p), dr, ir, (dr > 0 ? ir / dr : 0), dc, ic, (ic > 0 ? dc / ic : 0) }'
    done
done
} > "$T/table"

# Memory: one million SETs of 120-byte values to distinct keys.
val=$(head -c 120 /dev/zero | tr '\0' v)
awk -v v="$val" 'BEGIN { for (i = 0; i < 1000000; i++) {
    k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$120\r\n%s\r\n", length(k), k, v } }' > "$T/load"
{
echo
echo "**Memory after 1,000,000 SETs of 120-byte values** (distinct keys, \`redis-cli --pipe\`):"
echo
echo "| server | keys | used_memory (MiB) | RSS (MiB) | mem_fragmentation_ratio | allocator_frag_ratio | allocator |"
echo "|---|---|---|---|---|---|---|"
for n in debian image; do
    redis-cli -p "${PORT[$n]}" flushall >/dev/null
    redis-cli -p "${PORT[$n]}" --pipe < "$T/load" >/dev/null
    redis-cli -p "${PORT[$n]}" info memory | tr -d '\r' > "$T/mem.$n"
    keys=$(redis-cli -p "${PORT[$n]}" dbsize)
    rss=$(awk '/^VmRSS/ {print $2}' /proc/"${PID[$n]}"/status)
    g() { awk -F: -v k="$1" '$1==k {print $2}' "$T/mem.$n"; }
    awk -v n="$n" -v k="$keys" -v u="$(g used_memory)" -v r="$rss" -v f="$(g mem_fragmentation_ratio)" \
        -v a="$(g allocator_frag_ratio)" -v m="$(g mem_allocator)" 'BEGIN {
        printf "| %s | %d | %.1f | %.1f | %s | %s | %s |\n", n, k, u / 1048576, r / 1024, f, a, m }'
done
echo
echo "sizes (bytes, stripped): image's redis-server $(stat -c %s "$IMG"), redis-cli $(stat -c %s "$(dirname "$IMG")/redis-cli" 2>/dev/null || echo '?'); Debian's redis-server $(stat -c %s "$(readlink -f "$DEB")") plus its shared libraries."
} >> "$T/table"
cp "$T/table" "$OUT/redis.md"
cat "$T/table"
