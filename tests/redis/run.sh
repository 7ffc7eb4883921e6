#!/usr/bin/env bash
# make test-redis: Redis' own test suites, from Debian's source tree, run
# against the image's static binaries (the stripped redis-server and
# redis-cli of build/redis/bin, copied over the ones the suites start).
#   tests/redis/run.sh [main] [sentinel] [cluster]    (default: all three)
# Each suite's whole output goes to build/test-logs/redis-SUITE.log; the
# last line is "N passed, N failed". Runs under nice; REDIS_TEST_CLIENTS
# (default 4) parallel clients for the main suite.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build/redis
LOGS=$ROOT/build/test-logs
SUITES=${*:-main sentinel cluster}
CLIENTS=${REDIS_TEST_CLIENTS:-4}
[ -x "$B/bin/redis-server" ] || make -s -C "$ROOT" redis-static || exit 1
command -v tclsh >/dev/null || { echo "tests/redis/run.sh: tclsh missing (make deps)"; exit 1; }
mkdir -p "$LOGS"

# fresh_tree SUITE: a fresh copy of the built tree for SUITE, with the
# image's binaries in it; prints its path.
fresh_tree() {
    local w=$ROOT/build/redis-test/$1 n
    rm -rf "$w"; mkdir -p "${w%/*}"
    cp -a "$B/src/redis-src" "$w"
    for n in redis-server redis-sentinel redis-check-aof redis-check-rdb; do
        cp "$B/bin/redis-server" "$w/src/$n"
    done
    cp "$B/bin/redis-cli" "$w/src/redis-cli"
    # redis-benchmark is not in the image: the suite's static one stays.
    file "$w/src/redis-server" | grep -q 'statically linked' ||
        { echo "tests/redis/run.sh: $w/src/redis-server is not static" >&2; exit 1; }
    echo "$w"
}

passed=0 failed=0 start=$(date +%s)
for s in $SUITES; do
    log=$LOGS/redis-$s.log
    t0=$(date +%s)
    case $s in
    main)     cmd=(./runtest --clients "$CLIENTS" --dump-logs) ;;
    sentinel) cmd=(./runtest-sentinel) ;;
    cluster)  cmd=(./runtest-cluster) ;;
    *) echo "tests/redis/run.sh: unknown suite $s"; exit 64 ;;
    esac
    W=$(fresh_tree "$s") || exit 1
    (cd "$W" && nice -n 10 "${cmd[@]}") < /dev/null > "$log" 2>&1
    rc=$?
    # Drop colours; count each test's verdict.
    sed -i 's/\x1b\[[0-9;]*m//g' "$log"
    if [ "$s" = main ]; then
        p=$(grep -c '^\[ok\]: ' "$log")
        f=$(grep -c '^\[err\]: \|^\[exception\]: ' "$log")
        k=$(grep -c '^\[skip\]: \|^\[ignore\]: ' "$log")
    else
        p=$(grep -c '^[0-9:]*> .*: OK$' "$log")
        f=$(grep -c 'FAILED: ' "$log")
        k=0
    fi
    # A suite that stops early with an error no test reported is one failure.
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "# $s: exit $rc with no failed test named"; fi
    echo "# $s: $p passed, $f failed, $k skipped, $(( $(date +%s) - t0 )) s (log: $log)"
    grep '^\[err\]: \|^\[exception\]: \|FAILED: ' "$log" | sed 's/^/#   /'
    passed=$((passed + p)); failed=$((failed + f))
done
echo "# all suites: $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
