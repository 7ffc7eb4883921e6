#!/usr/bin/env bash
# The image's Redis against Debian's, side by side in one run:
# redis-benchmark's default suite, not pipelined and pipelined (-P 16), each
# test run SPLIT times on each server in turn (ABBA...), short runs, so
# that a change in the machine's load falls on both alike (a VM's
# neighbours move a 2 s run by up to 50%), ROUNDS rounds; each round's
# ratio of the two, then the median of those. Two figures per test: requests per
# second as redis-benchmark reports them, and the server's CPU time per
# request (from /proc/PID/task/*/schedstat: steadier than rps on a shared
# machine). Ratios are Debian / image for CPU time and image / Debian for
# rps: above 1 the image is faster. Then RSS and INFO memory after one
# million SETs of 120-byte values to distinct keys. Image sizes at the end.
# Both servers are started afresh for every round (redis-suite.sh's restart).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
ROUNDS=${ROUNDS:-5}
SPLIT=${SPLIT:-6}
# Requests a run: 0.15-0.3 s each on a quiet day (see requests()).
N1=${REQUESTS:-30000}        # not pipelined
N16=${PIPE_REQUESTS:-300000} # and pipelined
. "$ROOT/tests/bench/redis-suite.sh"
bench_setup redis.sh

NAMES=(debian image)
BINS=("$DEB" "$IMG")

# run NAME N ARGS...: one redis-benchmark run of N requests on NAME; prints
# "rps cpu_ns" (redis-benchmark's requests per second, the server's CPU
# time over the run).
run() {
    local name=$1 n=$2 c0 c1 rps; shift 2
    c0=$(cpu_ns "$name")
    rps=$($CLI redis-benchmark -p "${PORT[$name]}" -c 50 -n "$n" --csv "$@" 2>/dev/null |
          tail -n 1 | awk -F'","' '{print $2}')
    c1=$(cpu_ns "$name")
    echo "${rps:-0} $(( c1 - c0 ))"
}

. "$ROOT/tests/bench/stats.sh"
# requests PIPELINE TEST: requests a run, about 0.15-0.3 s on a quiet day
# (an LRANGE request costs about its length: fewer of them).
requests() {
    case $1.$2 in
    1.LRANGE_*) echo $(( N1 * 200 / (${2#LRANGE_} + 100) )) ;;
    *.LRANGE_*) echo $(( N16 * 40 / ${2#LRANGE_} )) ;;
    1.*) echo "$N1" ;;
    *) echo "$N16" ;;
    esac
}
# pair ROUND PIPELINE TEST: SPLIT runs of TEST on each server, alternating
# (ABBA...: the first of a pair alternates too), so that a change in the
# machine's load falls on both; prints one sample line a server:
# "ROUND PIPELINE TEST NAME rps ns_per_req" over its SPLIT runs (rps: the
# requests over the seconds redis-benchmark counted).
pair() {
    local r=$1 p=$2 t=$3 n k N out runs=
    N=$(requests "$p" "$t")
    for k in $(seq "$SPLIT"); do
        if (( (r + k) % 2 )); then set -- debian image; else set -- image debian; fi
        for n in "$@"; do
            out=($(run "$n" "$N" -P "$p" $(args "$t")))
            [ "${out[0]:-0}" != 0 ] || { echo "redis.sh: $t -P $p on the $n server failed" >&2; exit 1; }
            runs+="$n ${out[*]}"$'\n'
        done
    done
    printf %s "$runs" | awk -v r="$r" -v p="$p" -v t="$t" -v N="$N" \
        '{q[$1] += N; s[$1] += N / $2; c[$1] += $3}
         END {for (n in q) printf "%s %s %s %s %.0f %.0f\n", r, p, t, n, q[n] / s[n], c[n] / q[n]}'
}
# One round: both servers start afresh, warmed up, empty; each test runs on
# both, in the default suite's order (LPOP after LPUSH...), so both see the
# same data.
round() { # ROUND PIPELINE
    local r=$1 p=$2 t n
    restart $(( r + p ))
    for t in $TESTS; do
        if [ "$t" = LRANGE_100 ]; then # the suite's "LPUSH (needed to benchmark LRANGE)"
            for n in debian image; do run "$n" "$(requests "$p" LPUSH)" -P "$p" lpush mylist xxx >/dev/null; done
        fi
        pair "$r" "$p" "$t" >> "$T/samples"
    done
}
for r in $(seq "$ROUNDS"); do
    for p in 1 16; do round "$r" "$p"; done
done
cp "$T/samples" "$OUT/redis-samples.txt"

col() { # PIPELINE TEST NAME FIELD(5=rps,6=ns): the median of the rounds
    awk -v p="$1" -v t="$2" -v n="$3" -v f="$4" '$2==p && $3==t && $4==n {print $f}' "$T/samples" | median
}
# ratio PIPELINE TEST FIELD: the median of the rounds' own ratios (each
# round's two servers ran interleaved: their ratio is the figure the load
# moves least), image / Debian for rps, Debian / image for CPU time.
ratio() {
    awk -v p="$1" -v t="$2" -v f="$3" '$2==p && $3==t {v[$1, $4] = $f; r[$1] = 1}
        END {for (i in r) if (v[i, "debian"] > 0 && v[i, "image"] > 0)
            print (f == 5 ? v[i, "image"] / v[i, "debian"] : v[i, "debian"] / v[i, "image"])}' "$T/samples" | median
}
{
echo "**Redis: the image's against Debian's** (\`tests/bench/redis.sh\`; redis-benchmark -c 50, $SPLIT runs of each test on each server in turn (ABBA), $N1 requests a run ($N16 with -P 16; LRANGE fewer), $ROUNDS rounds, both servers started afresh for each; server on CPU 0, client on CPU 1; CPU = the server's CPU time per request; figures are medians of the rounds, ratios the medians of each round's own ratio; above 1: the image is faster):"
echo
echo "| test | pipeline | Debian rps | image rps | rps ratio | Debian CPU ns/req | image CPU ns/req | CPU ratio |"
echo "|---|---|---|---|---|---|---|---|"
for p in 1 16; do
    for t in $TESTS; do
        awk -v t="$t" -v p="$p" -v dr="$(col "$p" "$t" debian 5)" -v ir="$(col "$p" "$t" image 5)" \
            -v dc="$(col "$p" "$t" debian 6)" -v ic="$(col "$p" "$t" image 6)" \
            -v rr="$(ratio "$p" "$t" 5)" -v cr="$(ratio "$p" "$t" 6)" 'BEGIN {
            printf "| %s | %s | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n",
                t, (p == 1 ? "no" : "-P " p), dr, ir, rr, dc, ic, cr }'
    done
done
} > "$T/table"

# Memory: one million SETs of 120-byte values to distinct keys.
restart 1
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
