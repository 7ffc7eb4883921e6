# The handover keeps its promises when it cannot succeed: every way it can
# fail is forced, and each time writes are unpaused (a write blocked by the
# pause completes), the reason is logged, Redis saves, and the exit code is
# 0, inside STOP_TIMEOUT. A Redis crash during the handover ends redis-init
# with Redis' own status. And when the whole cluster stops at once, the
# master gives up at once instead of spending its grace period.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

# fake NAME PORT FAILOVER: a scripted sentinel naming master port $M.
fake() {
    FAKE_MASTER=127.0.0.1:$M FAKE_FAILOVER=$3 FAKE_FAILOVER_DELAY_MS=200 $PY "$ROOT/tests/fakepeer.py" \
        "$2" sentinel "$T/$1.fake" &
    CLEANUPS+=("kill $!")
    check "fake sentinel $1 listens" wait_until 10 grep -q listening "$T/$1.fake"
}

# pair NAME [VAR=VALUE...] -- [MASTER ARGS]: a master on $M and its replica
# on $R, both asking the fake sentinel on $F.
pair() {
    local name=$1; shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    ri_start $name-m REDIS_PORT=$M SENTINEL_HOSTS=127.0.0.1:$F STOP_TIMEOUT=8 \
        "${envs[@]}" -- master "$@"
    wait_until 10 rcli $M ping
    ri_start $name-r REDIS_PORT=$R MASTER_HOST=127.0.0.1 MASTER_PORT=$M \
        SENTINEL_HOSTS=127.0.0.1:$F -- slave
    wait_until 20 sh -c "redis-cli -p $M info replication | grep -q 'slave0:.*state=online'"
    rcli $M set before-stop 1 >/dev/null
}

# stop_master NAME: SIGTERM the master; a write sent once writes are paused
# must complete (unpaused) before Redis stops. Sets RC, MS, LATE.
stop_master() {
    local t0
    # A client connected beforehand sends its write within milliseconds of
    # the log saying writes are paused (the fake sentinel answers after
    # 200 ms, so the pause lasts at least that long).
    $PY - "$M" "$T/$1-m.log" > "$T/$1.late" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
open(sys.argv[2] + ".ready", "w").close()
end = time.time() + 10
while b"handover: writes paused" not in open(sys.argv[2], "rb").read():
    if time.time() > end:
        sys.exit("no pause seen")
    time.sleep(0.005)
s.sendall(b"SET during-pause 1\r\n")
print(s.recv(64).decode().strip().lstrip("+") or "closed")
PYEOF
    local late=$!
    wait_until 10 test -e "$T/$1-m.log.ready"      # connected: now stop
    t0=$(date +%s%N)
    ri_signal $1-m TERM
    wait $late
    LATE=$(cat "$T/$1.late")
    ri_wait $1-m
    MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# after NAME WHY: the checks every failed handover must pass.
after() {
    local name=$1 why=$2
    echo "# $name: SIGTERM to exit in $MS ms"
    check "$name: the reason is logged ($why)" \
        grep -q "handover given up after [0-9]* ms: $why: writes unpaused" "$T/$name-m.log"
    check "$name: a write blocked by the pause completed ($LATE)" test "$LATE" = OK
    check "$name: Redis saved on the way out" grep -q 'DB saved on disk' "$T/$name-m.log"
    check "$name: exit 0 (got $RC)" test "$RC" = 0
    check "$name: inside STOP_TIMEOUT=8 s ($MS ms)" test "$MS" -lt 8000
    # The saved data has the write made during the pause.
    ri_start $name-again REDIS_DATA_DIR="$T/$name-m" REDIS_PORT=$M START_WAIT=0 -- master
    check "$name: restarted, the write made during the pause is there" \
        wait_until 10 sh -c "[ \"\$(redis-cli -p $M get during-pause)\" = 1 ]"
    ri_signal $name-again TERM; ri_wait $name-again
    ri_signal $name-r TERM; ri_wait $name-r
}

n=0
for c in "silent:SENTINEL FAILOVER: no answer before the deadline" \
         "NOGOODSLAVE No suitable replica to promote:SENTINEL FAILOVER: NOGOODSLAVE No suitable replica to promote" \
         "ok:the sentinels aborted the failover"; do
    n=$((n + 1))
    M=$(port $((n * 3))) R=$(port $((n * 3 + 1))) F=$(port $((n * 3 + 2)))
    fake f$n $F "${c%%:*}"
    pair h$n --
    stop_master h$n
    after h$n "${c#*:}"
    check "h$n: the sentinel was asked to fail over" grep -q 'SENTINEL FAILOVER' "$T/f$n.fake"
done

# CLIENT PAUSE refused (the command renamed away): no handover, said why.
M=$(port 20) R=$(port 21) F=$(port 22)
fake f4 $F ok
pair h4 -- -- --rename-command CLIENT ""
t0=$(date +%s%N); ri_signal h4-m TERM; ri_wait h4-m
check "CLIENT PAUSE refused: said why" \
    grep -q 'handover skipped: CLIENT PAUSE refused (ERR unknown command' "$T/h4-m.log"
check "CLIENT PAUSE refused: no failover asked" sh -c "! grep -q 'SENTINEL FAILOVER' '$T/f4.fake'"
check "CLIENT PAUSE refused: saved, exit 0 (got $RC)" \
    sh -c "[ '$RC' = 0 ] && grep -q 'DB saved on disk' '$T/h4-m.log'"
ri_signal h4-r TERM; ri_wait h4-r

# A replica that never catches up (frozen): the handover waits until its
# deadline, half of STOP_TIMEOUT, and Redis still saves in time.
M=$(port 30) R=$(port 31) F=$(port 32)
fake f5 $F silent
pair h5 --
rcli $M set after-freeze 1 >/dev/null
kill -STOP $(redis_pid h5-r)
stop_master h5
kill -CONT $(redis_pid h5-r) 2>/dev/null
after h5 "no replica caught up with the master's offset in time"
check "h5: it waited for its deadline, about 4 s ($MS ms)" test "$MS" -ge 3500

# Redis crashes during the handover: redis-init ends at once with Redis'
# status instead of waiting for the handover.
M=$(port 40) R=$(port 41) F=$(port 42)
fake f6 $F silent
pair h6 --
kill -STOP $(redis_pid h6-r)
rs=$(redis_pid h6-m)
ri_signal h6-m TERM
wait_until 10 grep -q 'handover: writes paused' "$T/h6-m.log"
kill -KILL "$rs"
ri_wait h6-m
kill -CONT $(redis_pid h6-r) 2>/dev/null
check "Redis killed during the handover: exit 137 (got $RC)" test "$RC" = 137
check "... and the log says so" grep -q 'the child exited during the handover' "$T/h6-m.log"
ri_signal h6-r TERM; ri_wait h6-r

# The whole cluster stops at once (docker-compose down, a node shutdown):
# three real sentinels, a master, a replica, SIGTERM to all at the same
# moment. The master must not spend its grace period waiting.
M=$(port 50) R=$(port 51)
S="127.0.0.1:$(port 52),127.0.0.1:$(port 53),127.0.0.1:$(port 54)"
for i in 2 3 4; do
    ri_start s$i SENTINEL_PORT=$(port 5$i) MASTER_HOST=127.0.0.1 MASTER_PORT=$M \
        SENTINEL_HOSTS="$S" SENTINEL_QUORUM=2 -- sentinel
done
ri_start all-m REDIS_PORT=$M SENTINEL_HOSTS="$S" START_WAIT=0 -- master
ri_start all-r REDIS_PORT=$R MASTER_HOST=127.0.0.1 MASTER_PORT=$M SENTINEL_HOSTS="$S" -- slave
check "whole stop: the sentinels know the replica and each other" wait_until 30 sh -c "
    for p in $(port 52) $(port 53) $(port 54); do
        redis-cli -p \$p sentinel master mymaster | tr '\n' ' ' |
            grep -q 'num-slaves 1 .*num-other-sentinels 2 ' || exit 1
    done"
rcli $M set whole 1 >/dev/null
t0=$(date +%s%N)
for n in s2 s3 s4 all-r all-m; do ri_signal $n TERM; done
declare -A code
for n in s2 s3 s4 all-r all-m; do ri_wait $n; code[$n]=$RC; done
MS=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# whole cluster stopped at once: the last instance exited after $MS ms"
for n in s2 s3 s4 all-r all-m; do
    check "whole stop: $n exits 0 (got ${code[$n]})" test "${code[$n]}" = 0
done
check "whole stop: master and replica saved" \
    sh -c "grep -q 'DB saved on disk' '$T/all-m.log' && grep -q 'DB saved on disk' '$T/all-r.log'"
check "whole stop: the master did not wait for its deadline ($MS ms < 3000)" test "$MS" -lt 3000
finish
