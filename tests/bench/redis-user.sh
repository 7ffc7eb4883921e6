#!/usr/bin/env bash
# The servers' own code, side by side at the same moment. tests/bench/
# redis.sh runs one server at a time at -P 16, where about half of a
# request's CPU time is the kernel's (the socket reads and writes, the same
# code for every build) and the machine's speed moves between one run and
# the next: both dilute what the builds differ in. Here every server runs
# on CPU 0 at once, each with its own redis-benchmark on CPU 1, all started
# together, so a change in the machine's speed falls on all of them alike;
# with -P 256 and 4 clients the kernel's share falls to about 15%. The
# servers: Debian's, the image's, and a copy of the image's binary (the
# same bytes in other pages of memory: how far two equal servers differ,
# the bench's own noise). All three are started afresh and warmed up every
# round (redis-suite.sh's restart), so the rounds' median is not one
# start's luck. The default suite in its order, ROUNDS rounds;
# CPU = the server's CPU time per request (/proc/PID/task/*/schedstat);
# ratios are medians of each round's own ratio, above 1: the image (or the
# copy) is faster. Not the goal's figure (one server at a time, -P 16:
# redis.sh): this is the one that shows a build's own speed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
ROUNDS=${ROUNDS:-7}
N=${REQUESTS:-1000000}
. "$ROOT/tests/bench/redis-suite.sh"
bench_setup redis-user.sh
cp "$IMG" "$T/redis-server-copy"

NAMES=(debian image copy)
BINS=("$DEB" "$IMG" "$T/redis-server-copy")

. "$ROOT/tests/bench/stats.sh"
requests() { # TEST: an LRANGE request costs about its length: fewer of them
    case $1 in LRANGE_*) echo $(( N * 40 / ${1#LRANGE_} )) ;; *) echo "$N" ;; esac
}
# together ROUND TEST N ARGS...: one redis-benchmark per server, all at
# once; appends "ROUND TEST NAME ns_per_req" for each to the samples.
together() {
    local r=$1 t=$2 n=$3 s c0=() b=() i=0; shift 3
    for s in "${NAMES[@]}"; do c0+=("$(cpu_ns "$s")"); done
    for s in "${NAMES[@]}"; do
        timeout 300 $CLI redis-benchmark -p "${PORT[$s]}" -c 4 -P 256 -n "$n" -q "$@" >/dev/null 2>&1 & b+=($!)
    done
    for i in "${b[@]}"; do
        wait "$i" || { echo "redis-user.sh: redis-benchmark $* failed" >&2; exit 1; }
    done
    i=0
    for s in "${NAMES[@]}"; do
        echo "$r $t $s $(( ($(cpu_ns "$s") - c0[i]) / n ))" >> "$T/samples"; i=$((i + 1))
    done
}
for r in $(seq "$ROUNDS"); do
    restart "$r"
    for t in $TESTS; do
        # the suite's "LPUSH (needed to benchmark LRANGE)"
        [ "$t" != LRANGE_100 ] || together 0 - "$N" lpush mylist xxx
        together "$r" "$t" "$(requests "$t")" $(args "$t")
    done
done
cp "$T/samples" "$OUT/redis-user-samples.txt"

col() { # TEST NAME: the median of the rounds' ns a request
    awk -v t="$1" -v n="$2" '$2==t && $3==n {print $4}' "$T/samples" | median
}
ratio() { # TEST A B: the median of the rounds' own ratios A / B
    awk -v t="$1" -v a="$2" -v b="$3" '$2==t {v[$1, $3] = $4; r[$1] = 1}
        END {for (i in r) if (v[i, a] > 0 && v[i, b] > 0) print v[i, a] / v[i, b]}' "$T/samples" | median
}
{
echo "**The servers' own code, side by side at the same moment** (\`tests/bench/redis-user.sh\`: the three servers on CPU 0 at once, started afresh every round, one redis-benchmark each on CPU 1 started together, -P 256 -c 4, $N requests a test (LRANGE fewer), $ROUNDS rounds; CPU ns a request, medians; ratios the medians of each round's own ratio, above 1: the image (the copy) is faster):"
echo
echo "| test | Debian CPU ns/req | image | copy of the image | image vs Debian | copy vs image |"
echo "|---|---|---|---|---|---|"
for t in $TESTS; do
    printf '| %s | %.0f | %.0f | %.0f | %.3f | %.3f |\n' "$t" "$(col "$t" debian)" "$(col "$t" image)" \
        "$(col "$t" copy)" "$(ratio "$t" debian image)" "$(ratio "$t" image copy)"
done
} > "$T/table"
cp "$T/table" "$OUT/redis-user.md"
cat "$T/table"
