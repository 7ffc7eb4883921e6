# Sourced by redis.sh, redis-user.sh and redis-instr.sh: redis-benchmark's
# default suite, in its order (LPOP after LPUSH...; before LRANGE_100 the
# suite runs an "LPUSH (needed to benchmark LRANGE)" of as many requests as
# an LPUSH).
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
# every pid in PIDS killed and T removed on exit; OUT made.
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
}
