# A sentinel that missed a failover catches up with its peers. Sentinel
# learns a newer master only from the hello messages of its peers, which
# reach it through the instances it monitors: a sentinel that starts while
# it reaches no peer, and whose master then dies, monitors the dead
# address forever, knows no peer and no replica, and is out of every later
# majority (seen in Docker when every container restarted at once). Here
# sentinel 6 starts again at a new address while cut off from every host, the master
# is frozen, sentinels 4 and 5 fail over, and sentinel 6 is let reach
# everyone but the dead master: its watcher points it at the master the
# others name. Then it must count: with sentinel 4 stopped, sentinels 5
# and 6 fail over alone.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../hatopo.sh"
. "$(dirname "$0")/../parttopo.sh"
ha_up 60
m=$(cur_master)

# Sentinel 6 starts again at a new address (its old one is where the
# others send it their hellos), reaching no other host.
ri_signal x6 TERM; ri_wait x6
SENTINELS="4 5"
readdress 6 9
cut 6 1 2 3 4 5
net_start x6 6 "${COMMON[@]}" START_WAIT=1 MASTER_HOST="$(ip_of $m)" -- sentinel
starts() { [ "$(grep -c 'starting redis-sentinel' "$T/x6.log")" = 2 ]; }
check "sentinel 6 starts again, cut off from every host" wait_until 30 starts
check "... monitoring host $m, as MASTER_HOST says" wait_until 10 sentinels_name $m 6
other_sentinels() {  # N: how many other sentinels sentinel N knows
    sen $1 sentinel master mymaster 2>/dev/null | tr -d '\r' |
        grep -A1 -x num-other-sentinels | tail -1
}
check "... knowing no other sentinel" test "$(other_sentinels 6)" = 0

# The master dies while sentinel 6 hears nobody: 4 and 5 fail over.
freeze "${NAME[$m]}"
check "sentinels 4 and 5 fail over from host $m" wait_until 60 switched_from $m
n=$(cur_master)
heal 6
cut 6 $m
check "sentinel 6, which reaches them now, still names host $m at first" \
    sentinels_name $m 6
check "sentinel 6 names host $n by itself" wait_until 40 sentinels_name $n 6
check "... and its log says why" \
    grep -q "catchup: this sentinel has seen its master $(ip_of $m):6379 down for .* ms while a majority of the sentinels names $(ip_of $n):6379 master (config epoch [1-9][0-9]*, this one's 0): monitoring it now" "$T/x6.log"
hears_both() { [ "$(other_sentinels 6)" = 2 ]; }
check "... it hears sentinels 4 and 5" wait_until 30 hears_both
epoch() { sen $1 sentinel master mymaster 2>/dev/null | tr -d '\r' | grep -A1 -x config-epoch | tail -1; }
same_epoch() { [ "$(epoch 6)" = "$(epoch 4)" ] && [ "$(epoch 6)" -gt 0 ]; }
check "... and has their config epoch" wait_until 30 same_epoch
check "... with the options of its sentinel.conf" \
    test "$(sen 6 sentinel master mymaster | tr -d '\r' | grep -A1 -x down-after-milliseconds | tail -1)" = 1000

# The old master back: it rejoins as a replica and all three agree.
heal 6
thaw "${NAME[$m]}"
SENTINELS="4 5 6"
check "settled again with all three sentinels" wait_until 90 settled
p=$(cur_master)

# Sentinel 6 counts: without sentinel 4, sentinels 5 and 6 fail over.
ri_signal x4 TERM; ri_wait x4
SENTINELS="5 6"
freeze "${NAME[$p]}"
check "with sentinel 4 stopped, sentinels 5 and 6 fail over from host $p" \
    wait_until 60 switched_from $p
thaw "${NAME[$p]}"
check "no other sentinel ever caught up (normal failovers are Sentinel's)" \
    test "$(cat "$T"/x[456].log | grep -c 'catchup:')" = 1
finish
