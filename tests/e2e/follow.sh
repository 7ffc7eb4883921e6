# A replica that no sentinel knows, pointed at an address where no master
# answers, follows the master the sentinels agree on. It is what a
# docker-compose restart of every container can leave behind: a replica
# starts while the master's address is changing, replicates from the old
# address, and Sentinel, which learns replicas only from the master's INFO,
# never tells it. Here: host 3 is made a replica of host 8 (nothing there)
# and every sentinel is reset, forgetting it. redis-init's watcher follows
# the agreed master once that has lasted SENTINEL_DOWN_AFTER.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../hatopo.sh"
hosts_entry redis-master 1
for i in 4 5 6; do net_start x$i $i "${COMMON[@]}" -- sentinel; done
start_data 1 master
start_data 2 slave
start_data 3 slave
check "settled: one master, two replicas, every sentinel agrees" wait_until 60 settled
m=$(cur_master)
r=$(for i in 1 2 3; do [ $i = "$m" ] || echo $i; done | tail -1)
cli "$(ip_of $m)" set before-follow 1 >/dev/null

# The stray replica, then every sentinel forgets it.
cli "$(ip_of $r)" replicaof "$(ip_of 8)" 6379 >/dev/null
master_of() {  # N: the master_host of host N
    cli "$(ip_of $1)" info replication | tr -d '\r' | sed -n 's/^master_host://p'
}
points_at() { [ "$(master_of $1)" = "$(ip_of $2)" ]; }
check "host $r replicates from host 8, where no Redis runs" wait_until 10 points_at $r 8
for i in 4 5 6; do sen $i sentinel reset mymaster >/dev/null; done
knows() {  # every sentinel knows host N as a replica
    local i
    for i in 4 5 6; do
        sen $i sentinel replicas mymaster 2>/dev/null | tr -d '\r' |
            grep -qx "$(ip_of $1)" || return 1
    done
}
knows_any() {  # some sentinel knows host N as a replica
    local i
    for i in 4 5 6; do
        sen $i sentinel replicas mymaster 2>/dev/null | tr -d '\r' |
            grep -qx "$(ip_of $1)" && return 0
    done
    return 1
}
unknown() { ! knows_any "$1"; }
check "right after the reset no sentinel knows host $r" unknown $r
cli "$(ip_of $m)" set after-reset 1 >/dev/null

# The watcher's follow, after SENTINEL_DOWN_AFTER (1 s here) and a look.
check "host $r follows the agreed master by itself" wait_until 30 replica_of $r $m
check "... and its log says why" \
    grep -q "follow: the link to $(ip_of 8):6379 has been down for .* ms while a majority of the sentinels names $(ip_of $m):6379 master: replicating from it now" "$T/${NAME[$r]}.log"
has_key() { [ "$(cli "$(ip_of $1)" get after-reset)" = 1 ]; }
check "... with the master's data" wait_until 10 has_key $r
check "the sentinels learn it again from the master" wait_until 30 knows $r
check "still one master" one_master
# A replica whose link is up is left alone, and so is the master.
check "no other follow was logged" \
    test "$(cat "$T"/n[123].log | grep -c 'follow: the link')" = 1
finish
