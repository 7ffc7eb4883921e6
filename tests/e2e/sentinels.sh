# Three sentinels under redis-init monitor a master and agree on it; a
# restarted sentinel keeps its identity (myid, epochs) while a changed
# setting still takes effect.
. "$(dirname "$0")/../lib.sh"
M=$(port 0) S=$(port 1)
ri_start m REDIS_PORT=$M -- master
ri_start s REDIS_PORT=$S MASTER_HOST=127.0.0.1 MASTER_PORT=$M -- slave
common=(MASTER_HOST=localhost MASTER_PORT=$M SENTINEL_QUORUM=2 SENTINEL_DOWN_AFTER=1000)
for i in 1 2 3; do
    ri_start x$i SENTINEL_PORT=$(port $((10 + i))) "${common[@]}" -- sentinel
done

for i in 1 2 3; do
    X=$(port $((10 + i)))
    check "sentinel $i answers PING" wait_until 10 rcli $X ping
    check "sentinel $i names the master 127.0.0.1:$M" \
        wait_until 10 sh -c "redis-cli -p $X sentinel get-master-addr-by-name mymaster | tr '\n' ' ' | grep -qx '127.0.0.1 $M '"
    check "sentinel $i knows the 2 other sentinels" \
        wait_until 20 sh -c "redis-cli -p $X sentinel master mymaster | grep -A1 -x num-other-sentinels | tail -1 | grep -qx 2"
    check "sentinel $i sees the replica" \
        wait_until 20 sh -c "redis-cli -p $X sentinel master mymaster | grep -A1 -x num-slaves | tail -1 | grep -qx 1"
done
check "sentinel.conf is 0600, owned by redis, rewritten by Sentinel" \
    sh -c "test \"\$(stat -c '%a %U' '$T/x1/sentinel.conf')\" = '600 redis' && grep -q '^sentinel myid ' '$T/x1/sentinel.conf'"
check "MASTER_HOST as a name: resolve-hostnames yes rendered" \
    grep -q '^sentinel resolve-hostnames yes' "$T/x1/sentinel.conf"

X1=$(port 11)
id_before=$(rcli $X1 sentinel myid)
epoch_before=$(sed -n 's/^sentinel current-epoch //p' "$T/x1/sentinel.conf")
ri_signal x1 TERM; ri_wait x1
check "sentinel stops cleanly on SIGTERM" test "$RC" = 0
# Restart with a changed setting: down-after 1000 -> 1500.
ri_start x1 SENTINEL_PORT=$X1 MASTER_HOST=localhost MASTER_PORT=$M \
    SENTINEL_QUORUM=2 SENTINEL_DOWN_AFTER=1500 -- sentinel
check "restarted sentinel answers" wait_until 10 rcli $X1 ping
check "restarted sentinel keeps its myid ($id_before)" \
    test "$(rcli $X1 sentinel myid)" = "$id_before"
check "restarted sentinel keeps its current epoch ($epoch_before)" \
    grep -qx "sentinel current-epoch $epoch_before" "$T/x1/sentinel.conf"
check "restarted sentinel uses the changed down-after (1500)" \
    wait_until 5 sh -c "redis-cli -p $X1 sentinel master mymaster | grep -A1 -x down-after-milliseconds | tail -1 | grep -qx 1500"
for i in 2 3; do
    X=$(port $((10 + i)))
    check "sentinel $i still counts exactly 2 other sentinels (no stale peer)" \
        wait_until 10 sh -c "redis-cli -p $X sentinel master mymaster | grep -A1 -x num-other-sentinels | tail -1 | grep -qx 2"
done

# ANNOUNCE_IP/ANNOUNCE_PORT reach replica-announce-* and sentinel announce-*:
# the others know these instances only by the announced address (NAT, or
# net: host with several addresses).
A=$(port 20) XA=$(port 21)
ri_start a REDIS_PORT=$A MASTER_HOST=127.0.0.1 MASTER_PORT=$M ANNOUNCE_IP=127.0.0.2 ANNOUNCE_PORT=$A -- slave
ri_start xa SENTINEL_PORT=$XA "${common[@]}" ANNOUNCE_IP=127.0.0.3 ANNOUNCE_PORT=$XA -- sentinel
check "the master lists the replica at its announced address 127.0.0.2" \
    wait_until 15 sh -c "redis-cli -p $M info replication | grep -q 'ip=127.0.0.2,port=$A,'"
check "a sentinel knows the replica at its announced address" \
    wait_until 20 sh -c "redis-cli -p $X1 sentinel replicas mymaster | grep -qx '127.0.0.2:$A'"
check "the other sentinels know the new sentinel at its announced address 127.0.0.3" \
    wait_until 20 sh -c "redis-cli -p $X1 sentinel sentinels mymaster | grep -qx '127.0.0.3'"
ri_signal a TERM; ri_signal xa TERM; ri_wait a; ri_wait xa

# All three restarted at once after a failover, with no peer to ask: each
# monitors the master it knew last, not the stale MASTER_HOST.
X2=$(port 12)
check "a forced failover promotes the slave" sh -c "redis-cli -p $X2 sentinel failover mymaster | grep -qx OK"
for i in 1 2 3; do
    check "sentinel $i names the new master 127.0.0.1:$S" \
        wait_until 20 sh -c "redis-cli -p $(port $((10 + i))) sentinel get-master-addr-by-name mymaster | tr '\n' ' ' | grep -qx '127.0.0.1 $S '"
done
sleep 1   # let each sentinel rewrite its config
for i in 1 2 3; do ri_signal x$i TERM; done
for i in 1 2 3; do ri_wait x$i; done
for i in 1 2 3; do
    ri_start x$i SENTINEL_PORT=$(port $((10 + i))) "${common[@]}" -- sentinel
done
for i in 1 2 3; do
    check "restarted together, sentinel $i still names 127.0.0.1:$S, not MASTER_HOST" \
        wait_until 10 sh -c "redis-cli -p $(port $((10 + i))) sentinel get-master-addr-by-name mymaster | tr '\n' ' ' | grep -qx '127.0.0.1 $S '"
done
check "... and its log says it used what it knew last" \
    grep -q 'monitoring the master this sentinel knew last, 127.0.0.1:'"$S" "$T/x1.log"
finish
