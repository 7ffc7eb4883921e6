# A replica that no sentinel knows, pointed at an address where no master
# answers, follows the master the sentinels agree on. It is what a
# docker-compose restart of every container can leave behind: a replica
# starts while the master's address is changing, replicates from the old
# address, and Sentinel, which learns replicas only from the master's INFO,
# never tells it. Here: host 3 is made a replica of host 8 (nothing there)
# and every sentinel is reset, forgetting it. redis-init's watcher follows
# the agreed master once that has lasted SENTINEL_DOWN_AFTER. Then the
# master itself is made a replica of host 8 while the sentinels still name
# it: its watcher makes it master again; the same when it is made a
# replica of itself. Last, a master that no sentinel knows becomes a
# replica of the one they name.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../hatopo.sh"
ha_up 60
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

# The master itself made a replica of a dead address (as when it started
# from MASTER_HOST while no sentinel answered) while every sentinel still
# names it: its watcher makes it master again, before Sentinel would fail
# it over (a master reporting a replica's role is down for Sentinel only
# after down-after + 2 info periods, 21 s here) and with no write lost.
cli "$(ip_of $m)" set before-demotion 1 >/dev/null
cli "$(ip_of $m)" replicaof "$(ip_of 8)" 6379 >/dev/null
check "host $m, the master, replicates from host 8" wait_until 10 points_at $m 8
is_master() { [ "$(role_of $1)" = master ]; }
check "host $m is master again by itself" wait_until 15 is_master $m
check "... and its log says why" \
    grep -q "follow: the link to $(ip_of 8):6379 has been down for .* ms while a majority of the sentinels names this instance master: master again" "$T/${NAME[$m]}.log"
check "... every sentinel still names it (no failover)" sentinels_name $m 4 5 6
check "... the replica that followed first follows it again" wait_until 20 replica_of $r $m
o=$(for i in 1 2 3; do [ $i = "$m" ] || [ $i = "$r" ] || echo $i; done)
check "... and the other one" wait_until 20 replica_of $o $m
keep() { [ "$(cli "$(ip_of $1)" get before-demotion)" = 1 ]; }
check "... with the key written before" keep $m
check "still one master" one_master

# The master made a replica of itself while the sentinels name it (what a
# sentinel that knew it twice, once under an empty address, did once in
# tests/e2e/docker.sh as it reconfigured the replicas after a handover):
# its link can never come up; its watcher makes it master again.
cli "$(ip_of $m)" replicaof "$(ip_of $m)" 6379 >/dev/null
check "host $m, the master, made a replica of itself" wait_until 10 points_at $m $m
check "... is master again by itself" wait_until 15 is_master $m
check "... and its log says why" \
    grep -q "follow: the link to $(ip_of $m):6379 has been down for .* ms while a majority of the sentinels names this instance master: master again" "$T/${NAME[$m]}.log"
check "... every sentinel still names it" sentinels_name $m 4 5 6
check "... with the key written before" keep $m
check "still one master" one_master

# A master that no sentinel knows (as one back at a new address after a
# failover began): replica $o promoted by hand, then forgotten by every
# sentinel. Its watcher makes it a replica of the master they name.
cli "$(ip_of $o)" replicaof no one >/dev/null
check "host $o is a master by hand" wait_until 10 is_master $o
for i in 4 5 6; do sen $i sentinel reset mymaster >/dev/null; done
check "right after the reset no sentinel knows host $o" unknown $o
check "host $o, a master no sentinel names, follows host $m by itself" \
    wait_until 20 replica_of $o $m
check "... and its log says why" \
    grep -q "follow: a master that no sentinel names, for .* ms, while a majority of them names $(ip_of $m):6379 master: replicating from it now" "$T/${NAME[$o]}.log"
check "one master again" one_master
check "the master never followed anyone" \
    test "$(grep -c 'follow: a master that no sentinel names' "$T/${NAME[$m]}.log")" = 0
finish
