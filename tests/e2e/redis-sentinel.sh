# Redis' own Sentinel suite (./runtest-sentinel, from the Debian source
# tree the image's Redis is built from) run against the image's static
# redis-server, redis-sentinel and redis-cli (tests/redis/run.sh): the part
# of `make test-redis` that fits in `make test` (about two minutes). Each
# test of the suite is one result here; its whole log is
# build/test-logs/redis-sentinel.log.
. "$(dirname "$0")/../lib.sh"
make -s -C "$ROOT" redis-static >/dev/null 2>&1
check "the image's Redis builds (make redis-static)" test -x "$ROOT/build/redis/bin/redis-server"
out=$(bash "$ROOT/tests/redis/run.sh" sentinel 2>&1)
log=$ROOT/build/test-logs/redis-sentinel.log
sed 's/^/# /' <<<"$out"
# "HH:MM:SS> (unit) name: OK" per passed test; "FAILED: ..." per failure.
while IFS= read -r t; do ok "runtest-sentinel: $t"; done \
    < <(sed -n 's/^[0-9:]*> \(.*\): OK$/\1/p' "$log")
while IFS= read -r t; do not_ok "runtest-sentinel: $t"; done \
    < <(grep 'FAILED: ' "$log")
check "runtest-sentinel ran its tests ($(grep -c ': OK$' "$log") passed)" \
    test "$(grep -c '^[0-9:]*> .*: OK$' "$log")" -ge 100
check "runtest-sentinel: no test failed" holds ', 0 failed$' "$(tail -1 <<<"$out")"
finish
