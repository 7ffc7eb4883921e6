# Resource faults: each gives a clear message and loses no acknowledged
# write. A full disk at start and while writing, a secret file that cannot
# be read, a data directory owned by someone else or behind a parent the
# Redis user cannot pass, a data directory that is a symlink, a save that
# fails when the stop comes and then can, a SYN lost.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

# small_fs DIR SIZE: a tmpfs of SIZE at DIR, unmounted at the end.
small_fs() {
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2" tmpfs "$1"
    CLEANUPS+=("umount -l '$1'")
}

# --- a full disk at start: exit 73, nothing started, no temp file left ----
small_fs "$T/full" 1m
dd if=/dev/zero of="$T/full/fill" bs=64k 2>/dev/null
rc=0
REDIS_DATA_DIR="$T/full/data" REDIS_PORT=$(port 1) \
    unshare --pid --fork --mount-proc "$RI" master >"$T/full.out" 2>"$T/full.err" || rc=$?
check "full disk at start: exit 73 (got $rc)" test "$rc" = 73
check "... says so, naming the file" grep -q "cannot write $T/full/data/redis.conf.*No space left on device" "$T/full.err"
check "... no Redis started" sh -c "! grep -q 'Ready to accept' '$T/full.out'"
check "... no temporary file left" sh -c "! ls '$T/full/data' | grep -q tmp"

# --- the disk fills up while writing --------------------------------------
small_fs "$T/small" 4m
P=$(port 2)
ri_start small REDIS_DATA_DIR="$T/small/data" REDIS_PORT=$P STOP_TIMEOUT=4 -- master
wait_until 10 rcli $P ping
$PY - "$P" "$T/acked" <<'PYEOF'
import sys, redis
r = redis.Redis(port=int(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(1000000):
        try:
            r.set("k%d" % i, "x" * 200)
        except redis.ResponseError as e:
            f.write("refused %s\n" % e)
            break
        f.write("%d\n" % i)
PYEOF
check "full disk while writing: writes are refused, not lost silently" \
    grep -q '^refused MISCONF Errors writing to the AOF file: No space left' "$T/acked"
acked=$(grep -c '^[0-9]' "$T/acked")
t0=$(date +%s%N)
ri_signal small TERM; ri_wait small
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "... SIGTERM: Redis cannot save and will not exit; SIGKILL at STOP_TIMEOUT (exit $RC, $ms ms)" \
    sh -c "[ '$RC' = 137 ] && [ $ms -lt 8000 ]"
check "... and the log says why it was killed" grep -q 'Redis refuses to exit when its last save fails' "$T/small.log"
cp -a "$T/small/data" "$T/moved"
Q=$(port 3)
ri_start moved REDIS_DATA_DIR="$T/moved" REDIS_PORT=$Q -- master
check "moved to a disk with room: it starts" wait_until 20 rcli $Q ping
# Redis acknowledges a write before its AOF write is known to fail
# (appendfsync everysec): the writes of that last batch exist only in
# memory, and Redis cannot save them anywhere. Only those may be missing.
missing=$($PY - "$Q" "$acked" <<'PYEOF'
import sys, redis
r = redis.Redis(port=int(sys.argv[1]))
n = int(sys.argv[2])
gone = [i for i in range(n) if not r.exists("k%d" % i)]
print(len(gone), min(gone) if gone else n)
PYEOF
)
echo "# full disk: ${missing% *} of $acked acknowledged writes missing, the oldest at index ${missing#* }"
check "... no write older than the last batch before the disk filled is lost ($missing)" \
    test "${missing#* }" -ge $((acked - 1000))

# --- a secret file that cannot be read (run as another user) --------------
printf 'pw\n' > "$T/root-only"; chmod 600 "$T/root-only"
rc=0
REDIS_PASSWORD_FILE="$T/root-only" REDIS_DATA_DIR="$T/unread" setpriv --reuid=999 \
    --regid=999 --clear-groups "$RI" master >"$T/unread.out" 2>"$T/unread.err" || rc=$?
check "unreadable REDIS_PASSWORD_FILE: exit 78 (got $rc)" test "$rc" = 78
check "... names it and says why" grep -q "REDIS_PASSWORD_FILE=\"$T/root-only\": cannot read: Permission denied" "$T/unread.err"
check "... nothing written" test ! -e "$T/unread"

# --- a data directory owned by root, redis-init run as another user -------
mkdir -p "$T/rootdir"; chmod 755 "$T/rootdir"
rc=0
REDIS_DATA_DIR="$T/rootdir" REDIS_PORT=$(port 4) unshare --pid --fork --mount-proc \
    setpriv --reuid=999 --regid=999 --clear-groups "$RI" master >"$T/rootdir.out" 2>"$T/rootdir.err" || rc=$?
check "data directory not ours (not root): exit 73 (got $rc)" test "$rc" = 73
check "... naming the file it cannot create" grep -q "cannot create $T/rootdir/redis.conf.*Permission denied" "$T/rootdir.err"

# --- as root, a directory of another user is handed to the Redis user -----
mkdir -p "$T/other"; touch "$T/other/dump.rdb"; chown -R 1234:1234 "$T/other"
ri_start other REDIS_DATA_DIR="$T/other" REDIS_PORT=$(port 5) -- master
check "data directory of another user (root): Redis starts" wait_until 10 rcli $(port 5) ping
check "... the directory and its files are given to redis" \
    test "$(stat -c %U "$T/other") $(stat -c %U "$T/other/dump.rdb")" = "redis redis"

# --- a parent the Redis user cannot pass: refused by name -----------------
mkdir -p "$T/closed/inner"; chmod 700 "$T/closed"
rc=0
REDIS_DATA_DIR="$T/closed/inner/data" REDIS_PORT=$(port 6) \
    unshare --pid --fork --mount-proc "$RI" master >"$T/closed.out" 2>"$T/closed.err" || rc=$?
check "a parent the redis user cannot search: exit 73 (got $rc)" test "$rc" = 73
check "... naming that parent" grep -q "user $(id -u redis):$(id -g redis) cannot reach it: $T/closed is not searchable" "$T/closed.err"
# A data directory created with its parents: Redis can reach its config.
ri_start deep REDIS_DATA_DIR="$T/new/a/b/data" REDIS_PORT=$(port 7) -- master
check "missing parents are created so that Redis reaches its data" wait_until 10 rcli $(port 7) ping
check "... 0755 parents, a 0700 data directory" \
    test "$(stat -c %a "$T/new/a") $(stat -c %a "$T/new/a/b/data")" = "755 700"

# --- a data directory that is a symlink ------------------------------------
mkdir -p "$T/target"; ln -s "$T/target" "$T/link"
ri_start link REDIS_DATA_DIR="$T/link" REDIS_PORT=$(port 8) -- master
check "a symlinked data directory: Redis starts" wait_until 10 rcli $(port 8) ping
check "... its config is in the link's target, owned by redis" \
    test "$(stat -c %U "$T/target/redis.conf")" = redis

# --- a save that fails when the stop comes, and then can ------------------
# Redis drops a shutdown it cannot do yet ("Error trying to save the DB,
# can't exit"; in CI: "Writing initial AOF, can't exit" after a full sync)
# and never tries again by itself; redis-init sends SIGTERM again every
# second, so Redis saves and exits 0 once it can, inside STOP_TIMEOUT.
ri_start drop REDIS_PORT=$(port 9) STOP_TIMEOUT=8 -- master
wait_until 10 rcli $(port 9) ping
rcli $(port 9) set k v >/dev/null
chmod 500 "$T/drop"             # the redis user cannot write its save there
ri_signal drop TERM
check "a stop whose save fails: Redis refuses to exit" wait_until 5 grep -q "can't exit" "$T/drop.log"
chmod 700 "$T/drop"
ri_wait drop
check "... then, the disk writable again, it saves and exits 0 (got $RC)" test "$RC" = 0
check "... at redis-init's repeated SIGTERM" grep -q 'SIGTERM again every 1000 ms' "$T/drop.log"
check "... with the key saved" sh -c "tail -5 '$T/drop.log' | grep -q 'DB saved on disk'"

# --- a SYN lost: the connect is tried again long before the kernel would --
# In a network namespace of its own, a Redis whose port drops every SYN for
# 1.2 s; redis-init health (a 2 s deadline) asks it meanwhile. The kernel
# sends its first SYN again after 1 s and the next after 3 s: alone, it
# would miss the deadline. redis-init dials again after 100, 200, 400 and
# 800 ms, so the firewall counts several SYNs by 0.5 s, and the dial at
# 1.5 s gets through.
cat > "$T/syn.sh" <<EOS
set -u
ip link set lo up
redis-server --port 7001 --save '' --appendonly no --logfile '' >/dev/null &
for i in \$(seq 100); do redis-cli -p 7001 ping >/dev/null 2>&1 && break; sleep 0.1; done
iptables -A INPUT -p tcp --dport 7001 --syn -j DROP
REDIS_PORT=7001 "$RI" health master > "$T/syn.out" 2>&1 & h=\$!
sleep 0.5
iptables -L INPUT -v -x -n | awk '/dpt:7001/ {print \$1}' > "$T/syn.count"
sleep 0.7
iptables -F INPUT
rc=0; wait \$h || rc=\$?
echo \$rc > "$T/syn.rc"
redis-cli -p 7001 shutdown nosave >/dev/null 2>&1
wait
EOS
# A PID namespace too: whatever ends the script ends its Redis with it.
timeout 30 unshare --net --pid --fork --kill-child bash "$T/syn.sh"
check "a SYN dropped: dialled again, $(cat "$T/syn.count") SYNs in 0.5 s (the kernel alone: 1)" \
    test "$(cat "$T/syn.count")" -ge 2
check "... health answers once the SYNs pass, within its deadline (exit $(cat "$T/syn.rc"): $(cat "$T/syn.out"))" \
    test "$(cat "$T/syn.rc")" = 0
finish
