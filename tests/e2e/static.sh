# The static musl binary: fully static, stripped, small, and it works as
# PID 1 with hiredis and libconfuse inside.
. "$(dirname "$0")/../lib.sh"
S=$ROOT/build/static/redis-init
size=$(stat -c %s "$S")
echo "# static binary: $size bytes"
check "the static binary exists" test -x "$S"
check "it is statically linked" sh -c "file '$S' | grep -q 'statically linked'"
check "it is stripped" sh -c "file '$S' | grep -q ', stripped'"
check "it is at most 200 KB ($size bytes)" test "$size" -le 200000
check "it runs --version" sh -c "'$S' --version | grep -q '^redis-init '"
printf 'redis_port = %s\n' "$(port 1)" > "$T/conf"
RI=$S ri_start s REDIS_INIT_CONF="$T/conf" -- master
check "as PID 1 it starts a master from a libconfuse file" wait_until 10 rcli $(port 1) ping
rc=0; out=$(REDIS_PORT=$(port 1) "$S" health master) || rc=$?
check "its health check (hiredis) exits 0 ($out)" test "$rc" = 0
check "... and says ok: master" grep -q '^ok: master' <<<"$out"
finish
