# A master cut off by a network partition fences itself (FENCE=yes, the
# default): seven hosts, SENTINEL_DOWN_AFTER=1000, SENTINEL_FAILOVER=3000,
# an application on host 7 with one redis-py Sentinel client kept for the
# whole run, and a prober writing to each data host directly. Reported for
# each case: acknowledged writes lost, their time span, and how long two
# masters accepted writes at once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
DOWN_AFTER=1000
. "$(dirname "$0")/../hatopo.sh"
COMMON=("${COMMON[@]/SENTINEL_FAILOVER=*/SENTINEL_FAILOVER=3000}")
ha_up 90

. "$(dirname "$0")/../parttopo.sh"

declare -A FIG
# scenario NAME SECONDS CUT...: one measured partition, checked and reported.
scenario() {
    local name=$1
    check "$name: healed, exactly one master agreed by every sentinel" partition "$@"
    echo "# $name: old master host $OLD, now host $NEW; $LOST; two masters accepting writes for ${TWO} s"
    FIG[$name]="$LOST_N lost over ${SPAN} ms; two masters ${TWO} s"
    LOST_SPAN=$SPAN
}

# --- the master cut off from everything but the application ---------------
scenario full 20 others
check "full partition: acknowledged writes lost span under 1 s ($LOST_SPAN ms)" test "$LOST_SPAN" -lt 1000
healed_checks

# --- the master cut off from the sentinels only (keeps its replicas) ------
scenario sentinels-only 10 4 5 6
check "sentinels only: acknowledged writes lost span under 1 s ($LOST_SPAN ms)" test "$LOST_SPAN" -lt 1000
check "sentinels only: two masters at once for at most 0.5 s (${TWO} s)" \
    awk -v t="$TWO" 'BEGIN {exit !(t <= 0.5)}'

# --- the sentinels cut off from every data host: no failover can happen;
#     the master refuses writes meanwhile and takes them again after --------
check "calm before isolating the sentinels" wait_until 90 settled
old=$(cur_master)
before=$(fences $old)
for i in 4 5 6; do cut $i 1 2 3; done
check "sentinels isolated: the master fences" \
    wait_until 10 fenced_since $old $before
check "... writes are refused (NOREPLICAS)" \
    sh -c "ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of $old) set k v 2>&1 | grep -q NOREPLICAS"
for i in 4 5 6; do heal $i; done
check "... healed: the sentinels name it still, and it takes writes again" \
    wait_until 20 writes_ok $old
check "... no failover happened" test "$(cur_master)" = "$old"

# --- flapping: cut and heal every 2 s for 30 s ------------------------------
check "calm before flapping" wait_until 90 settled
old=$(cur_master)
writer_start "$T/flap"
prober_start "$T/flap.probe"
for i in $(seq 8); do cut $old $(others_of $old); sleep 2; heal $old; sleep 2; done
check "flapping: in the end, exactly one master" wait_until 60 one_master
check "flapping: the sentinels agree" wait_until 60 agreed_master
m=$(cur_master)
writer_stop "$T/flap"
prober_stop "$T/flap.probe"
lost=$(missing "$T/flap" "$m")
run=$(sed -n 's/.*missing_run_ms=\([0-9]*\).*/\1/p' <<<"$lost")
echo "# flapping: $lost"
FIG[flapping]="${lost%% *} of ${lost#* of=}; longest loss window ${run:-0} ms"
check "flapping: every loss window under 1 s ($lost)" test "${run:-0}" -lt 1000

# --- no false fences: in normal operation not one write is refused --------
check "calm before the no-false-fence run" wait_until 90 settled
m=$(cur_master)
before=$(fences $m)
writer_start "$T/calm"
ri_signal x5 TERM; ri_wait x5
net_start x5 5 "${COMMON[@]}" -- sentinel                  # one sentinel restarted
r=$([ $m = 2 ] && echo 3 || echo 2)
ri_signal ${NAME[$r]} TERM; ri_wait ${NAME[$r]}
start_data $r slave                                         # one replica restarted
cli "$(ip_of $m)" bgsave >/dev/null                          # a fork
cli "$(ip_of $m)" bgrewriteaof >/dev/null                    # another
# A hiccup of about 200 ms from the cut's start to the heal's end (the two
# iptables runs take about 100 ms here); the fence tolerates one shorter
# than SENTINEL_DOWN_AFTER/2 less a period: 300 ms.
t0=$(date +%s%N)
cut $m $(others_of $m); sleep 0.1; heal $m
hiccup=$((($(date +%s%N) - t0) / 1000000))
echo "# the hiccup: $hiccup ms from the cut's start to the heal's end"
wait_until 30 replica_of $r $m
sleep 3                                                      # writes go on meanwhile
writer_stop "$T/calm"
check "no false fence: not one write refused" sh -c "! grep -q NOREPLICAS '$T/calm/errors'"
check "... and the master never fenced (a $hiccup ms hiccup)" test "$(fences $m)" = "$before"
for k in "${!FIG[@]}"; do echo "# figure: $k: ${FIG[$k]}"; done
finish
