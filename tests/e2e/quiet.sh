# The watcher beside a master and a replica at the default
# SENTINEL_DOWN_AFTER=5000: once all is calm it stops looking once a second
# and holds a connection to each sentinel (init/hold.h), woken only by a
# sentinel's event, a sentinel lost (the kernel's keepalive) or its 30 s
# look. Checked: its idle wake-ups; no false fence while it waits (a
# sentinel and a replica restarted, forks, a 200 ms hiccup); a master cut
# off for 20 s still fences before the sentinels can promote another, and
# follows them when the partition heals; a planned failover wakes every
# watcher, and all wait quietly again after it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
DOWN_AFTER=5000
. "$(dirname "$0")/../hatopo.sh"
ha_up 120
. "$(dirname "$0")/../parttopo.sh"

# is_quiet N: host N's watcher waits quietly now (its last "watch:" line).
is_quiet() { grep 'watch: ' "$T/${NAME[$1]}.log" | tail -1 | grep -q 'all calm'; }
all_quiet() { local i; for i in 1 2 3; do is_quiet $i || return 1; done; }
watcher() { pgrep -P "$(pid1 "${NAME[$1]}")" -x redis-init | head -1; }
ctx() { awk '/ctxt_switches/ {s += $2} END {print s}' "/proc/$1/status"; }
# wakeups N SECONDS: context switches of host N's watcher over SECONDS.
wakeups() {
    local w a b
    w=$(watcher "$1") && a=$(ctx "$w") && sleep "$2" && b=$(ctx "$w") &&
        echo $((b - a))
}

check "every data host's watcher comes to wait quietly" wait_until 60 all_quiet
m=$(cur_master)
r=$([ "$m" = 2 ] && echo 3 || echo 2)
wm=$(wakeups $m 10) wr=$(wakeups $r 10)
echo "# figure: wake-ups in 10 s idle: the master's watcher ${wm:-?}, a replica's ${wr:-?} (at most one look every 30 s)"
check "the master's watcher: at most one wake-up a second idle (${wm:-?} in 10 s)" \
    test "${wm:-99}" -le 10
check "a replica's watcher: at most one wake-up a second idle (${wr:-?} in 10 s)" \
    test "${wr:-99}" -le 10

# --- no false fence while it waits -------------------------------------------
before=$(fences $m)
writer_start "$T/calm"
ri_signal x5 TERM; ri_wait x5
net_start x5 5 "${COMMON[@]}" -- sentinel                  # one sentinel restarted
ri_signal "${NAME[$r]}" TERM; ri_wait "${NAME[$r]}"
start_data $r slave                                         # one replica restarted
cli "$(ip_of $m)" bgsave >/dev/null                          # a fork
cli "$(ip_of $m)" bgrewriteaof >/dev/null                    # another
cut $m $(others_of $m); sleep 0.2; heal $m                   # a 200 ms hiccup
wait_until 30 replica_of $r $m
sleep 3                                                      # writes go on
writer_stop "$T/calm"
check "quiet: no false fence, not one write refused" sh -c "! grep -q NOREPLICAS '$T/calm/errors'"
check "... and the master never fenced" test "$(fences $m)" = "$before"

# --- an event during a cut: the fence counts from the cut --------------------
# Cut from 2 of 3 sentinels, the master's watcher is woken 0.5 s later by an
# event of the third (+set), before the kernel gives up on the other two
# (1-2 s): the fence must count from when it last heard from a majority
# (TCP_INFO), about the cut, and not from the event: refusing writes
# about 2.5-3 s after the cut (counting from the event, 3.6 s or more).
settled_quiet() { settled && all_quiet; }
# still_quiet: every watcher waits quietly, and none has looked again for 2 s.
watch_lines() { cat "$T"/n[123].log | grep -c 'watch: '; }
still_quiet() {
    local a
    a=$(watch_lines) && settled_quiet && sleep 2 && all_quiet && [ "$(watch_lines)" = "$a" ]
}
refused() { cli "$(ip_of $1)" set fk 1 2>&1 | grep -q NOREPLICAS; }
check "calm and quiet before a cut from two sentinels" wait_until 90 still_quiet
m=$(cur_master)
cut $m 5 6
t0=$(now_s)
sleep 0.5
sen 4 sentinel set mymaster down-after-milliseconds 5000 >/dev/null
wait_until 10 refused $m
el=$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN {printf "%.2f", b - a}')
heal $m
echo "# figure: cut from 2 of 3 sentinels, an event 0.5 s later: writes refused ${el} s after the cut"
check "an event during a cut: writes refused within 3.3 s of the cut (${el} s)" \
    awk -v t="$el" 'BEGIN {exit !(t < 3.3)}'
check "... healed: it takes writes again, no failover" wait_until 30 writes_ok $m
check "... the sentinels still name it" test "$(cur_master)" = "$m"

# --- the master cut off for 20 s ---------------------------------------------
check "calm and quiet before the partition" wait_until 90 all_quiet
check "full partition: healed, exactly one master agreed by every sentinel" \
    partition full 20 others
echo "# full partition at SENTINEL_DOWN_AFTER=5000: old master host $OLD, now host $NEW; $LOST; two masters accepting writes for ${TWO} s"
echo "# figure: quiet watcher, 20 s partition: $LOST_N lost over ${SPAN} ms; two masters ${TWO} s"
check "full partition: the kernel reported the sentinels lost" \
    grep -q 'watch: looking every 1000 ms until all is calm again: a sentinel went unanswered' \
    "$T/${NAME[$OLD]}.log"
check "full partition: lost writes span under 4 s, before any failover could start ($SPAN ms)" \
    test "$SPAN" -lt 4000
healed_checks
check "full partition: every watcher waits quietly again" wait_until 90 all_quiet

# --- a planned failover wakes the watchers --------------------------------
# Without the sentinels' events the new master's watcher would look only
# after its 30 s: its fence arms within 10 s of the switch only if woken.
armed() { grep -c 'fence: armed' "$T/${NAME[$1]}.log"; }
armed_since() { [ "$(armed $1)" -gt "$2" ]; }
check "calm before a planned failover" wait_until 90 settled
m=$(cur_master)
declare -A ARMED
for i in 1 2 3; do ARMED[$i]=$(armed $i); done
sen 4 sentinel failover mymaster >/dev/null
check "failover: every sentinel names another master" wait_until 60 switched_from $m
new=$(cur_master)
check "... the new master's fence armed within 10 s: its watcher was woken" \
    wait_until 10 armed_since $new "${ARMED[$new]}"
check "... one master, and every watcher waits quietly again" wait_until 90 settled_quiet

# --- WATCH_WAIT=looks: a look a period throughout ----------------------------
m=$(cur_master)
r=$([ "$m" = 2 ] && echo 3 || echo 2)
ri_signal "${NAME[$r]}" TERM; ri_wait "${NAME[$r]}"
calm=$(grep -c 'watch: all calm' "$T/${NAME[$r]}.log")
net_start "${NAME[$r]}" $r "${COMMON[@]}" WATCH_WAIT=looks -- slave
check "WATCH_WAIT=looks: the replica is back" wait_until 60 replica_of $r $m
w=$(wakeups $r 10)
echo "# figure: WATCH_WAIT=looks: a replica's watcher woke ${w:-?} times in 10 s"
check "WATCH_WAIT=looks: its watcher looks every second (${w:-?} wake-ups in 10 s)" \
    test "${w:-0}" -ge 10
check "... and never waits for events" \
    test "$(grep -c 'watch: all calm' "$T/${NAME[$r]}.log")" = "$calm"
finish
