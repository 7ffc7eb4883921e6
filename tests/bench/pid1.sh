#!/usr/bin/env bash
# PID 1 figures, side by side in one run: redis-init (static), tini,
# dumb-init, the seed's shell entrypoint, and bare redis-server.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RI=$ROOT/build/static/redis-init
OUT=${BENCH_OUT:-$ROOT/build/bench}
RUNS=${RUNS:-40}           # interleaved starts of each
REPEATS=${REPEATS:-3}      # idle, stop and reap measures of each
IDLE=${IDLE:-10}           # seconds of idle watched
ORPHANS=${ORPHANS:-10000}  # orphans to reap
T=$(mktemp -d /tmp/redis-init-bench.XXXXXX); chmod 755 "$T"
trap 'pkill -KILL -f "$T/" 2>/dev/null; for p in $(jobs -p); do pkill -KILL -P $p; kill -KILL $p; done 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$OUT"
cc -O2 -o "$T/orphans" "$ROOT/tests/bench/orphans.c"
# Below the ephemeral range (32768-60999): a client's port in TIME_WAIT
# there blocks a listener's bind (tests/lib.sh).
PORT=$(( 28000 + RANDOM % 4000 ))
export TEMPLATE_DIR=$ROOT/templates START_WAIT=0 SENTINEL_HOSTS=127.0.0.1:1

# A plain redis.conf as redis-init renders it, for the other supervisors.
REDIS_DATA_DIR=$T/conf REDIS_PORT=$PORT "$RI" render master > "$T/redis.conf"
sed -i "s|^dir .*|dir \"$T/data\"|" "$T/redis.conf"
mkdir -p "$T/data"
sed "s/^port .*/port \$redis_port/" "$T/redis.conf" > "$T/redis.conf.tmpl"

# cmd_for NAME: the command that starts Redis under NAME, as PID 1.
cmd_for() {
    local u="unshare --pid --fork --mount-proc"
    case $1 in
    redis-init) echo "env REDIS_DATA_DIR=$T/ri REDIS_PORT=$PORT $u $RI master" ;;
    tini)       echo "$u /usr/bin/tini -- redis-server $T/redis.conf" ;;
    dumb-init)  echo "$u /usr/bin/dumb-init redis-server $T/redis.conf" ;;
    shell)      echo "env DATA=$T/sh TEMPLATE=$T/redis.conf.tmpl redis_port=$PORT $u /bin/sh $ROOT/tests/bench/start.sh" ;;
    bare)       echo "$u redis-server $T/redis.conf" ;;
    esac
}
mkdir -p "$T/sh"
NAMES="redis-init tini dumb-init shell bare"

. "$ROOT/tests/bench/stats.sh"

# Size of what each adds to an image.
size_of() {
    case $1 in
    redis-init) stat -c %s "$RI" ;;
    tini)       stat -c %s /usr/bin/tini-static ;;
    dumb-init)  stat -c %s /usr/bin/dumb-init ;;
    shell)      echo $(( $(stat -c %s "$ROOT/tests/bench/start.sh") + $(stat -c %s "$(readlink -f /bin/sh)") )) ;;
    bare)       echo 0 ;;
    esac
}

# Resident memory and wake-ups of the supervisor while Redis idles IDLE s,
# then a docker-stop-like stop; each appended to $T/NAME.{rss,wake,stop}.
idle_figures() {
    local name=$1 u p1 c0 c1
    $(cmd_for "$name") > "$T/$name.idle.log" 2>&1 &
    u=$!
    for _ in $(seq 100); do redis-cli -p $PORT ping >/dev/null 2>&1 && break; sleep 0.1; done
    sleep 1
    p1=$(pgrep -P $u | head -1)
    ctx() { awk '/ctxt_switches/ {s += $2} END {print s}' /proc/$1/status 2>/dev/null; }
    # redis-init's second child is its watcher (a master's fence, FENCE=yes).
    local w=$(pgrep -P "$p1" -x redis-init | head -1) w0=0 w1=0
    c0=$(ctx $p1); [ -z "$w" ] || w0=$(ctx $w)
    sleep "$IDLE"
    c1=$(ctx $p1); [ -z "$w" ] || w1=$(ctx $w)
    [ -z "$w" ] || echo $(( w1 - w0 )) >> "$T/$name.watch"
    awk '/VmRSS/ {print $2}' /proc/$p1/status >> "$T/$name.rss"
    echo $(( c1 - c0 )) >> "$T/$name.wake"
    # docker stop: SIGTERM, then SIGKILL after 10 s.
    local t0=$(date +%s%N) i
    kill -TERM "$p1"
    for i in $(seq 100); do kill -0 "$p1" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p1" 2>/dev/null; then
        kill -KILL "$p1"; echo killed >> "$T/$name.stop"
    else
        echo $(( ($(date +%s%N) - t0) / 1000000 )) >> "$T/$name.stop"
        grep -c 'DB saved on disk' "$T/$name.idle.log" >> "$T/$name.saves"
    fi
    wait $u 2>/dev/null
    rm -rf "$T/ri" "$T/data"/* "$T/sh"/*
}

# The watchers of each role at SENTINEL_DOWN_AFTER=5000, with a sentinel
# that answers: a redis-init master (its fence armed), a redis-init
# replica and a redis-init sentinel watching them; each watcher's wake-ups
# while all idle, to $T/{master,replica,sentinel}.watch.
role_watch() {
    local u="unshare --pid --fork --mount-proc" sp=$((PORT + 1)) rp=$((PORT + 2))
    local m s r p w role a b
    local sh="SENTINEL_HOSTS=127.0.0.1:$sp"
    env REDIS_DATA_DIR=$T/ri REDIS_PORT=$PORT $sh $u "$RI" master > "$T/swm.log" 2>&1 &
    m=$!
    env REDIS_DATA_DIR=$T/rs SENTINEL_PORT=$sp MASTER_HOST=127.0.0.1 \
        MASTER_PORT=$PORT $sh $u "$RI" sentinel > "$T/sws.log" 2>&1 &
    s=$!
    for _ in $(seq 100); do redis-cli -p $sp ping >/dev/null 2>&1 && break; sleep 0.1; done
    env REDIS_DATA_DIR=$T/rr REDIS_PORT=$rp MASTER_HOST=127.0.0.1 MASTER_PORT=$PORT \
        $sh $u "$RI" slave > "$T/swr.log" 2>&1 &
    r=$!
    # Calm: the sentinel knows the replica (its "+slave" event wakes both
    # watchers), the fence is armed and both watchers wait (or 60 s).
    for _ in $(seq 600); do
        redis-cli -p $sp sentinel master mymaster 2>/dev/null | grep -A1 -x num-slaves |
            tail -1 | grep -qx 1 &&
            [ "$(cat "$T/swm.log" "$T/swr.log" | grep -c 'watch: all calm')" -ge 2 ] && break
        sleep 0.1
    done
    sleep 2
    ctx() { awk '/ctxt_switches/ {s += $2} END {print s}' /proc/$1/status 2>/dev/null; }
    for role in master:$m replica:$r sentinel:$s; do
        p=$(pgrep -P "${role#*:}" | head -1)
        w=$(pgrep -P "$p" -x redis-init | head -1)
        eval "w_${role%%:*}=$w a_${role%%:*}=$(ctx "$w")"
    done
    sleep "$IDLE"
    for role in master replica sentinel; do
        eval "w=\$w_$role a=\$a_$role"
        b=$(ctx "$w")
        echo $(( b - a )) >> "$T/$role.watch"
    done
    for p in $(pgrep -P $r) $(pgrep -P $s) $(pgrep -P $m); do kill -TERM "$p"; done
    wait $r $s $m 2>/dev/null
    rm -rf "$T/ri" "$T/rs" "$T/rr" "$T/data"/*
}

declare -A RSS WAKE START STARTS REAP SIZE STOP
for _ in $(seq "$REPEATS"); do role_watch; done
for _ in $(seq "$REPEATS"); do
    for n in redis-init tini dumb-init shell; do idle_figures $n; done
done
for n in redis-init tini dumb-init shell; do
    RSS[$n]=$(stats < "$T/$n.rss")
    WAKE[$n]=$(stats < "$T/$n.wake")
    k=$(grep -c killed "$T/$n.stop")
    if [ "$k" -gt 0 ]; then
        STOP[$n]="killed after 10 s ($k of $REPEATS)"
    else
        STOP[$n]="$(stats < "$T/$n.stop") ms, saves $(sort -n "$T/$n.saves" | uniq | paste -sd/)"
    fi
done

# Starts are interleaved (one of each in turn) so that drift hits all alike.
for _ in $(seq "$RUNS"); do
    for n in $NAMES; do
        /usr/bin/python3 "$ROOT/tests/bench/pong.py" $PORT $(cmd_for $n) >> "$T/$n.start"
        rm -rf "$T/ri" "$T/data"/* "$T/sh"/*
    done
done
for n in $NAMES; do
    START[$n]=$(median < "$T/$n.start")
    STARTS[$n]=$(stats < "$T/$n.start")
    SIZE[$n]=$(size_of $n)
done

u="unshare --pid --fork --mount-proc"
for _ in $(seq "$REPEATS"); do
    $u "$RI" "$T/orphans" "$ORPHANS" >> "$T/redis-init.reap"
    $u /usr/bin/tini -- "$T/orphans" "$ORPHANS" >> "$T/tini.reap"
    $u /usr/bin/dumb-init "$T/orphans" "$ORPHANS" >> "$T/dumb-init.reap"
    timeout 30 $u /bin/sh -c "$T/orphans $ORPHANS" >> "$T/shell.reap" || echo never >> "$T/shell.never"
done
for n in redis-init tini dumb-init shell; do
    REAP[$n]=$(stats < "$T/$n.reap")
    [ -s "$T/$n.never" ] && REAP[$n]="never ($(wc -l < "$T/$n.never") of $REPEATS)"
done

{
echo "Each figure: min / median / max of $REPEATS runs (exec → PONG: of $RUNS interleaved starts; vs bare: the medians' ratio)."
echo
echo "| PID 1 | size (bytes) | supervisor RSS (KiB) | wake-ups in $IDLE s idle | exec → PONG (ms) | vs bare | reap $ORPHANS orphans (ms) | docker-stop-like SIGTERM → exit |"
echo "|---|---|---|---|---|---|---|---|"
for n in $NAMES; do
    ratio=$(awk -v a="${START[$n]}" -v b="${START[bare]}" 'BEGIN {printf "%.3f", a / b}')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "${SIZE[$n]}" \
        "${RSS[$n]:-n/a}" "${WAKE[$n]:-n/a}" "${STARTS[$n]}" "$ratio" "${REAP[$n]:-n/a}" "${STOP[$n]:-n/a}"
done
echo
echo "redis-init's watcher beside PID 1, wake-ups in $IDLE s idle at SENTINEL_DOWN_AFTER=5000 with one sentinel answering: beside a master (its fence armed, waiting for the sentinel's events) $(stats < "$T/master.watch" 2>/dev/null || echo n/a); beside a replica $(stats < "$T/replica.watch" 2>/dev/null || echo n/a); beside a sentinel (its catch-up, a look every 5 s) $(stats < "$T/sentinel.watch" 2>/dev/null || echo n/a); beside a master whose sentinels never answer (SENTINEL_HOSTS=127.0.0.1:1: a look every second) $(stats < "$T/redis-init.watch" 2>/dev/null || echo n/a)."
echo
echo "size: redis-init static musl stripped (libconfuse + hiredis inside); tini-static; dumb-init as Debian ships it (dynamic); shell = start.sh + /bin/sh."
} | tee "$OUT/pid1.md"
