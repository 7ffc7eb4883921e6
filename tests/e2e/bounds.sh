# Every wait has one deadline, and no peer can break PID 1: sentinels that
# never answer, answer garbage, a reply that never ends or is huge, a
# sentinel that names a stranger as master. Start, handover and health
# stay bounded; redis-init stays up and Redis runs.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3

# fakes NAME PORTS MODE: fake peers on PORTS (a range) in MODE.
fakes() {
    $PY "$ROOT/tests/fakepeer.py" "$2" "$3" "$T/$1.fake" &
    CLEANUPS+=("kill $!")
    check "fake peers $1 listen on $2" wait_until 10 grep -q listening "$T/$1.fake"
}
# started NAME: ms from now until NAME's log says Redis started (or 30 s).
started_ms() {
    local t0=$1 name=$2
    wait_until 30 grep -q 'starting redis-server' "$T/$name.log"
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

# 40 sentinels that accept and never answer, START_WAIT=1: asked all at
# once, so Redis starts after about 1 s, not 40 times a timeout.
fakes silent40 $(port 100)-$(port 139) silent
list=$(for i in $(seq 100 139); do printf '127.0.0.1:%s,' "$(port $i)"; done)
t0=$(date +%s%N)
ri_start many REDIS_PORT=$(port 1) SENTINEL_HOSTS="${list%,}" START_WAIT=1 -- master
ms=$(started_ms $t0 many)
echo "# 40 silent sentinels, START_WAIT=1: Redis started after $ms ms"
check "40 silent sentinels, START_WAIT=1: started within 3 s ($ms ms)" test "$ms" -lt 3000
check "... all 40 were asked" test "$(grep -c accepted "$T/silent40.fake")" -ge 40
check "... and it says none answered" grep -q 'no sentinel of SENTINEL_HOSTS=.* answered within START_WAIT' "$T/many.log"

# Hostile sentinels: each mode, a master with START_WAIT=2 starts in time.
n=10
for mode in garbage huge endless deep close; do
    n=$((n + 1))
    fakes $mode $(port $((n + 140))) $mode
    t0=$(date +%s%N)
    ri_start h-$mode REDIS_PORT=$(port $n) SENTINEL_HOSTS=127.0.0.1:$(port $((n + 140))) \
        START_WAIT=2 -- master
    ms=$(started_ms $t0 h-$mode)
    check "a sentinel answering $mode: Redis starts within START_WAIT + 2 s ($ms ms)" test "$ms" -lt 4000
    check "... the sentinel was asked" grep -q accepted "$T/$mode.fake"
    check "... and answers" wait_until 10 rcli $(port $n) ping
    check "... under redis-init, alive" kill -0 "$(pid1 h-$mode)"
done

# The handover asks a sentinel whose reply never ends: skipped in time.
M=$(port 20) R=$(port 21)
ri_start hm REDIS_PORT=$M SENTINEL_HOSTS=127.0.0.1:$(port 153) START_WAIT=0 -- master
ri_start hr REDIS_PORT=$R MASTER_HOST=127.0.0.1 MASTER_PORT=$M START_WAIT=0 -- slave
wait_until 20 sh -c "redis-cli -p $M info replication | grep -q 'slave0:.*state=online'"
t0=$(date +%s%N)
ri_signal hm TERM; ri_wait hm
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "handover with an endless sentinel: skipped, said why ($ms ms)" \
    grep -q 'handover skipped: no sentinel of SENTINEL_HOSTS names this instance' "$T/hm.log"
check "... exit 0 after the save, within 3 s" \
    sh -c "[ '$RC' = 0 ] && [ $ms -lt 3000 ] && grep -q 'DB saved on disk' '$T/hm.log'"

# health of a port where something accepts and never answers: bounded.
fakes hsilent $(port 30) silent
t0=$(date +%s%N); rc=0
out=$(REDIS_PORT=$(port 30) "$RI" health master) || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "health of a silent port: exit 1 within 3 s ($ms ms: $out)" \
    sh -c "[ $rc = 1 ] && [ $ms -lt 3000 ]"
check "... and says why" holds 'no answer before the deadline' "$out"

# A sentinel that names a stranger (itself) as master: the replica starts
# as its replica, in time, and keeps running.
F=$(port 40)
FAKE_MASTER=127.0.0.1:$F $PY "$ROOT/tests/fakepeer.py" $F sentinel "$T/stranger.fake" &
CLEANUPS+=("kill $!")
check "the stranger-naming sentinel listens" wait_until 10 grep -q listening "$T/stranger.fake"
ri_start st REDIS_PORT=$(port 41) SENTINEL_HOSTS=127.0.0.1:$F START_WAIT=2 -- slave
check "a sentinel naming a stranger: the replica follows what it says" \
    wait_until 10 grep -q "sentinels name 127.0.0.1:$F as master" "$T/st.log"
check "... and Redis runs" wait_until 10 rcli $(port 41) ping
finish
