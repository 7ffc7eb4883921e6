# Partitions on the HA topology (tests/hatopo.sh), shared by
# tests/e2e/partition.sh and tests/bench/partition.sh: cut and heal links
# with iptables inside a host's namespace, a prober that writes to each
# data host directly, and one measured partition of the master.

# cut N HOSTS...: host N's namespace drops all traffic to and from them,
# every rule at once (one iptables-restore).
cut() {
    local n=$1 h rules=$'*filter\n'; shift
    for h in "$@"; do
        rules+="-A INPUT -s $(ip_of $h) -j DROP"$'\n'
        rules+="-A OUTPUT -d $(ip_of $h) -j DROP"$'\n'
    done
    ip netns exec "$(host $n)" iptables-restore --noflush <<<"${rules}COMMIT"
}
heal() { ip netns exec "$(host $1)" iptables -F; }
others_of() { local h; for h in 1 2 3 4 5 6; do [ $h = "$1" ] || echo $h; done; }  # N
fences() { grep -c 'fence: only' "$T/${NAME[$1]}.log"; }  # N: fences so far
fenced_since() { [ "$(fences $1)" -gt "$2" ]; }          # N COUNT
prober_start() {  # OUT [N...]: probe hosts N (default 1 2 3) from host 7
    local out=$1 n hosts=(); shift
    [ $# -gt 0 ] || set -- 1 2 3
    for n in "$@"; do hosts+=("$(ip_of $n)"); done
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/prober.py" "$out" "${hosts[@]}" &
    PROBER=$!
}
prober_stop() { touch "$1.stop"; wait "$PROBER"; }
acked_over() { [ "$(wc -l < "$1/acked")" -gt "$2" ]; }   # DIR N

# partition NAME SECONDS CUT...: from a calm cluster, cut the master from
# hosts CUT (or "others": every other host but the application's) for SECONDS while the application writes, heal, wait until one
# master is agreed by every sentinel (returns 1 if not within 30 s), and
# set OLD, NEW, LOST ("missing=N of=N ..."), LOST_N ("N of N"), SPAN and RUN (ms: all lost
# writes; the longest run of them) and TWO (s, two masters at once).
partition() {
    local name=$1 secs=$2 rc=0; shift 2
    wait_until 90 settled || return 1
    OLD=$(cur_master)
    # "others": every host but the master's and the application's.
    [ "$1" != others ] || set -- $(others_of $OLD)
    writer_start "$T/$name"
    prober_start "$T/$name.probe"
    wait_until 10 acked_over "$T/$name" 100
    cut $OLD "$@"
    sleep "$secs"               # the partition's length is the scenario
    heal $OLD
    wait_until 30 one_master && wait_until 30 agreed_master || rc=1
    NEW=$(cur_master)
    writer_stop "$T/$name"
    prober_stop "$T/$name.probe"
    LOST=$(missing "$T/$name" "$NEW")
    lost_figures "$T/$name.probe"
    return $rc
}

# lost_figures PROBE_LOG: from LOST (acked.py's or cacked.py's line) and a
# prober's log, set LOST_N ("N of N"), SPAN and RUN (ms: all lost writes;
# the longest run of them; 0 when none) and TWO (s, two masters at once).
lost_figures() {
    TWO=$($PY "$ROOT/tests/twomasters.py" "$1")
    SPAN=$(sed -n 's/.*missing_span_ms=\([0-9]*\).*/\1/p' <<<"$LOST")
    RUN=$(sed -n 's/.*missing_run_ms=\([0-9]*\).*/\1/p' <<<"$LOST")
    SPAN=${SPAN:-0} RUN=${RUN:-0}
    LOST_N=$(sed -n 's/^missing=\([0-9]*\) of=\([0-9]*\).*/\1 of \2/p' <<<"$LOST")
}

# healed_checks: after partition (OLD, NEW, TWO set), the checks every
# full-partition scenario makes: never two masters for more than 0.5 s;
# the old master fenced itself, followed the sentinels at once when the
# partition healed, and is a linked replica of the new master, which
# served one full sync only (the old master's: its writes since the cut
# are given up; the replica that stayed healthy resynced partially).
sync_full() { cli "$(ip_of $1)" info stats | tr -d '\r' | sed -n 's/^sync_full://p'; }
healed_checks() {
    check "full partition: two masters at once for at most 0.5 s (${TWO} s)" \
        awk -v t="$TWO" 'BEGIN {exit !(t <= 0.5)}'
    check "full partition: the old master fenced itself and said why" \
        grep -q 'fence: only 0 of 3 sentinels answered' "$T/${NAME[$OLD]}.log"
    check "full partition: healed, it followed the sentinels at once" \
        grep -q 'fence: the sentinels name .* as master: following it now' "$T/${NAME[$OLD]}.log"
    check "full partition: the old master is a replica of host $NEW" wait_until 20 replica_of $OLD $NEW
    check "full partition: the healthy replica did not resync in full (full syncs served by host $NEW: $(sync_full $NEW))" \
        test "$(sync_full $NEW)" -le 1
}
