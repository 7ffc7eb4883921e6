# PID 1 duties with any command: exit codes, signals, the child's clean
# signal mask, stop timeout escalation, zombie reaping, subreaper mode.
. "$(dirname "$0")/../lib.sh"

# run_ns ARGS...: redis-init as PID 1 of a fresh namespace, in the foreground.
run_ns() { unshare --pid --fork --mount-proc "$RI" "$@"; }

bad=
for i in $(seq 0 255); do
    run_ns sh -c "exit $i" 2>/dev/null
    rc=$?
    [ "$rc" = "$i" ] || bad="$bad $i->$rc"
done
check "exit codes 0..255 pass through${bad:+ (wrong:$bad)}" test -z "$bad"

run_ns sh -c 'kill -USR1 $$'; rc=$?
check "a child killed by SIGUSR1 gives 138 (128+10)" test $rc = 138
run_ns /nonexistent/command 2>"$T/127.err"; rc=$?
check "a command that does not exist gives 127" test $rc = 127
check "... with a message naming it" grep -q 'redis-init: fatal: cannot run /nonexistent/command' "$T/127.err"
touch "$T/noexec"; chmod 644 "$T/noexec"
run_ns "$T/noexec" 2>/dev/null; rc=$?
check "a command that cannot be executed gives 126" test $rc = 126
out=$(run_ns sh -c 'echo hi from $$')
check "redis-init sh -c ... runs the command as PID 2" test "$out" = "hi from 2"

# The child's mask and dispositions are clean even when redis-init itself
# was started with signals ignored (as CI runners and background jobs do),
# libc's internal real-time signals 32..34 included.
cc -O2 -o "$T/ignsig" "$ROOT/tests/ignsig.c"
out=$(unshare --pid --fork --mount-proc "$T/ignsig" "$RI" sh -c 'grep -E "^Sig(Blk|Ign)" /proc/self/status' 2>&1 | tr -s '\t\n' '  ')
check "the child starts with no blocked and no ignored signals ($out)" \
    test "$out" = "SigBlk: 0000000000000000 SigIgn: 0000000000000000 "

# Signals are forwarded: the child reports each one it receives.
cat > "$T/trapper.sh" <<'SH'
for s in HUP INT QUIT USR1 USR2 WINCH CONT TERM; do
    trap "echo got $s >> $OUT" $s
done
trap 'echo got TERM >> $OUT; exit 42' TERM
touch $OUT.ready
while :; do sleep 0.05; done
SH
OUT="$T/signals" ri_start trap -- bash "$T/trapper.sh"
wait_until 5 test -e "$T/signals.ready"
for s in HUP INT QUIT USR1 USR2 WINCH; do
    ri_signal trap $s
    wait_until 5 grep -qx "got $s" "$T/signals"   # bash runs one trap at a time
done
ri_signal trap TERM
ri_wait trap
for s in HUP INT QUIT USR1 USR2 WINCH TERM; do
    check "SIG$s is forwarded to the child" grep -qx "got $s" "$T/signals"
done
check "the child's own exit code (42) after SIGTERM" test "$RC" = 42

# A child that ignores SIGTERM is killed at STOP_TIMEOUT, with anything left.
ri_start stubborn STOP_TIMEOUT=2 -- sh -c 'trap "" TERM; sleep 300 & touch '"$T"'/stubborn.ready; while :; do sleep 1; done'
wait_until 5 test -e "$T/stubborn.ready"
start=$(date +%s%N)
ri_signal stubborn TERM
ri_wait stubborn
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# stubborn child killed after ${ms} ms"
check "a child ignoring SIGTERM ends with 137 (SIGKILL)" test "$RC" = 137
check "... at STOP_TIMEOUT=2 s (${ms} ms, 1900..6000)" test $ms -ge 1900 -a $ms -lt 6000
check "... and the log says why" grep -q 'did not stop within STOP_TIMEOUT=2' "$T/stubborn.log"

# 1000 orphans re-parented to PID 1 are all reaped.
cat > "$T/orphans.sh" <<'SH'
for i in $(seq 1000); do sh -c 'true & exit 0'; done
for i in $(seq 100); do
    [ "$(ps -eo stat= | grep -c '^Z')" = 0 ] && break
    sleep 0.1
done
ps -eo stat= | grep -c '^Z'
SH
out=$(run_ns sh "$T/orphans.sh")
check "1000 orphaned children leave no zombie (found: $out)" test "$out" = 0

# Not PID 1: a child subreaper, so orphans still come to us.
out=$("$RI" sh -c 'sh -c "sleep 2 & echo \$!" > '"$T"'/orphan.pid; ps -o ppid= -p $(cat '"$T"'/orphan.pid); echo $PPID')
check "not PID 1: orphans are re-parented to redis-init (subreaper)" \
    test "$(echo $out | awk '{print $1}')" = "$(echo $out | awk '{print $2}')"
finish
