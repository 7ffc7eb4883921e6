#!/usr/bin/env bash
# Instructions a request: the image's Redis against Debian's, counted by
# valgrind's callgrind. A count is the same for the same binary and the same
# requests whatever else the machine does, where tests/bench/redis.sh's
# times move with the machine's load (and this VM gives perf no hardware
# counters). redis-benchmark's default suite, not pipelined and -P 16, in
# the suite's order on an empty server; each server is started STARTS times
# and the median taken, because Redis seeds its hash tables at random at
# each start, and the chains of its tables move a request's count by 1-3%
# (MSET's by up to 6%). Counts are of user space only: the kernel's work
# (the socket reads and writes) is in neither. The clock (gettimeofday, two
# a command) is left out of both: valgrind hides the vDSO, so under it both
# libcs make a system call there, through wrappers of different lengths,
# which neither does in a real run.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}
STARTS=${STARTS:-3}
N1=${INSTR_REQUESTS:-10000}         # not pipelined
N16=${INSTR_PIPE_REQUESTS:-50000}   # and -P 16; LRANGE_* run a tenth
# The image's redis-server before it was stripped: callgrind needs its
# symbols to leave the clock out. Its code is checked to be the image's.
# (IMAGE_REDIS: another build's, with its symbols, unchecked.)
SHIPPED=$ROOT/build/redis/bin/redis-server
IMG=${IMAGE_REDIS:-$ROOT/build/redis/src/redis-src/src/redis-server}
DEB=${DEBIAN_REDIS:-/usr/bin/redis-server}
[ -x "$SHIPPED" ] || make -s -C "$ROOT" redis-static >/dev/null || exit 1
text() { objcopy -O binary --only-section=.text "$1" /dev/stdout | cksum; }
[ -n "${IMAGE_REDIS:-}" ] || [ "$(text "$IMG")" = "$(text "$SHIPPED")" ] ||
    { echo "redis-instr.sh: $IMG is not the code of $SHIPPED" >&2; exit 1; }
for b in "$IMG" "$DEB" /usr/bin/redis-benchmark /usr/bin/valgrind /usr/bin/callgrind_control; do
    [ -x "$b" ] || { echo "redis-instr.sh: $b missing" >&2; exit 1; }
done
T=$(mktemp -d /tmp/redis-init-rinstr.XXXXXX)
VG=
trap '[ -z "$VG" ] || kill -KILL "$VG" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$OUT"
. "$ROOT/tests/bench/stats.sh"
. "$ROOT/tests/bench/redis-suite.sh"
port=$BASE
# measure NAME BINARY START: one start of one server, every test; appends
# "pipeline test name instructions/request" to $T/samples.
measure() {
    local name=$1 bin=$2 s=$3 run=$T/$1.$3 p t n i dumps=0 total
    mkdir -p "$run.dir"
    valgrind --tool=callgrind --callgrind-out-file="$run.cg" \
        --toggle-collect='*gettimeofday*' --collect-atstart=yes \
        "$bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$run.dir" --logfile "$run.log" 2> "$run.vg" &
    VG=$!
    for i in $(seq 300); do
        redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
        sleep 0.1
    done
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG ||
        { echo "redis-instr.sh: $name did not start under valgrind:" >&2; cat "$run.vg" "$run.log" >&2; exit 1; }
    for p in 1 16; do
        redis-cli -p "$port" flushall >/dev/null
        for t in $TESTS; do
            n=$N1; [ "$p" = 16 ] && n=$N16
            case $t in LRANGE_*) n=$(( n / 10 )) ;; esac
            # the suite's "LPUSH (needed to benchmark LRANGE)": as many as an LPUSH run
            [ "$t" = LRANGE_100 ] &&
                redis-benchmark -p "$port" -c 50 -n "$(( p == 16 ? N16 : N1 ))" -P "$p" lpush mylist xxx >/dev/null 2>&1
            callgrind_control -z "$VG" >/dev/null 2>&1
            redis-benchmark -p "$port" -c 50 -n "$n" -P "$p" $(args "$t") >/dev/null 2>&1 ||
                { echo "redis-instr.sh: redis-benchmark $t failed on $name" >&2; exit 1; }
            # callgrind_control returns once the dump is written: OUT.1, OUT.2...
            callgrind_control --dump="$t-$p" "$VG" >/dev/null 2>&1
            dumps=$((dumps + 1))
            total=$(awk '/^(totals|summary):/ {print $2; exit}' "$run.cg.$dumps" 2>/dev/null)
            [ -n "$total" ] || { echo "redis-instr.sh: no callgrind dump for $t on $name" >&2; exit 1; }
            echo "$p $t $name $(( total / n ))" >> "$T/samples"
        done
    done
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
    wait "$VG" 2>/dev/null
    VG=
}
for s in $(seq "$STARTS"); do
    measure debian "$DEB" "$s"
    measure image "$IMG" "$s"
done
cp "$T/samples" "$OUT/redis-instr-samples.txt"

col() { awk -v p="$1" -v t="$2" -v n="$3" '$1==p && $2==t && $3==n {print $4}' "$T/samples" | median; }
{
echo "**Instructions a request, the image's Redis against Debian's** (\`tests/bench/redis-instr.sh\`; valgrind's callgrind, user space only; redis-benchmark -c 50 -n $N1 (-P 16: -n $N16; LRANGE a tenth); median of $STARTS starts of each server; ratio above 1: the image runs fewer):"
echo
echo "| test | pipeline | Debian | image | ratio |"
echo "|---|---|---|---|---|"
for p in 1 16; do
    for t in $TESTS; do
        d=$(col "$p" "$t" debian); i=$(col "$p" "$t" image)
        awk -v t="$t" -v p="$p" -v d="$d" -v i="$i" 'BEGIN {
            printf "| %s | %s | %.0f | %.0f | %.3f |\n", t, (p == 1 ? "no" : "-P " p), d, i, (i > 0 ? d / i : 0) }'
    done
done
} > "$T/table"
cp "$T/table" "$OUT/redis-instr.md"
cat "$T/table"
