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

# Scale-in leaves ghosts: the replica and the sentinel just stopped stay
# known (s_down). sentinel-reset makes each sentinel forget them, one at a
# time, and waits until each counts exactly the live peers again.
counts() {  # PORT: "replicas others" as that sentinel counts them
    redis-cli -p "$1" sentinel master mymaster | tr '\n' ' ' |
        sed -n 's/.*num-slaves \([0-9]*\) .*num-other-sentinels \([0-9]*\) .*/\1 \2/p'
}
check "the stopped replica and sentinel are still counted (ghosts)" \
    wait_until 20 sh -c "[ \"\$($(declare -f counts); counts $X1)\" = '2 3' ]"
ALL="127.0.0.1:$X1,127.0.0.1:$(port 12),127.0.0.1:$(port 13),127.0.0.1:$XA"
rc=0
SENTINEL_HOSTS=$ALL timeout 300 "$RI" sentinel-reset > "$T/reset.log" 2>&1 || rc=$?
check "sentinel-reset exits 0 (got $rc)" test "$rc" = 0
check "... it reset the sentinels one at a time" \
    test "$(grep -c 'now counts 1 replicas and 2 other sentinels' "$T/reset.log")" = 3
for i in 1 2 3; do
    check "after sentinel-reset, sentinel $i counts exactly 1 replica and 2 sentinels" \
        test "$(counts $(port $((10 + i))))" = "1 2"
done
rc=0
SENTINEL_HOSTS=$ALL "$RI" sentinel-reset > "$T/reset2.log" 2>&1 || rc=$?
check "run again, it changes nothing and says so" \
    sh -c "[ $rc = 0 ] && [ \$(grep -c 'already counts exactly them' '$T/reset2.log') = 3 ] &&
           ! grep -q resetting '$T/reset2.log'"

# All three restarted at once after a failover, with no peer to ask: each
# monitors the master it knew last, not the stale MASTER_HOST.
X2=$(port 12)
check "a forced failover promotes the slave" sh -c "redis-cli -p $X2 sentinel failover mymaster | grep -qx OK"
for i in 1 2 3; do
    check "sentinel $i names the new master 127.0.0.1:$S" \
        wait_until 20 sh -c "redis-cli -p $(port $((10 + i))) sentinel get-master-addr-by-name mymaster | tr '\n' ' ' | grep -qx '127.0.0.1 $S '"
done
for i in 1 2 3; do
    check "sentinel $i has written the new master into its sentinel.conf" \
        wait_until 10 grep -q "^sentinel monitor mymaster 127.0.0.1 $S " "$T/x$i/sentinel.conf"
done
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

# RENAME_COMMANDS: dangerous commands disabled or renamed on the servers;
# the sentinel is told the new names and still fails over, and still
# rewrites the configs with the renamed CONFIG.
RN="FLUSHALL,KEYS,CONFIG:cfg-9f2k,SLAVEOF:sl-9f2k,REPLICAOF:rp-9f2k"
M2=$(port 30) S2=$(port 31) Y=$(port 32)
ri_start m2 REDIS_PORT=$M2 RENAME_COMMANDS=$RN SENTINEL_HOSTS=127.0.0.1:$Y -- master
ri_start s2 REDIS_PORT=$S2 MASTER_HOST=127.0.0.1 MASTER_PORT=$M2 RENAME_COMMANDS=$RN \
    SENTINEL_HOSTS=127.0.0.1:$Y -- slave
ri_start y SENTINEL_PORT=$Y MASTER_HOST=127.0.0.1 MASTER_PORT=$M2 SENTINEL_QUORUM=1 \
    SENTINEL_DOWN_AFTER=1000 RENAME_COMMANDS=$RN -- sentinel
wait_until 10 rcli $M2 ping
for c in "flushall" "keys *" "config get dir"; do
    check "RENAME_COMMANDS: '$c' is refused" sh -c "redis-cli -p $M2 $c 2>&1 | grep -q 'unknown command'"
done
check "RENAME_COMMANDS: the new name works" sh -c "redis-cli -p $M2 cfg-9f2k get port | grep -qx $M2"
check "RENAME_COMMANDS: render hides the new names" \
    sh -c "RENAME_COMMANDS=$RN '$RI' render master | grep -q '^rename-command (hidden)' &&
           ! RENAME_COMMANDS=$RN '$RI' render master | grep -q 9f2k"
check "... the sentinel sees the replica" wait_until 20 sh -c \
    "redis-cli -p $Y sentinel master mymaster | grep -A1 -x num-slaves | tail -1 | grep -qx 1"
# Sentinel refuses (NOGOODSLAVE) until it has the replica's own INFO,
# which comes up to 10 s after it learned of it: asked until it accepts.
check "... and fails over with the renamed commands" \
    wait_until 20 sh -c "redis-cli -p $Y sentinel failover mymaster | grep -qx OK"
check "... the replica is master, the old master its replica" wait_until 20 sh -c "
    redis-cli -p $S2 role | head -1 | grep -qx master &&
    redis-cli -p $M2 role | head -1 | grep -qx slave"
check "... and the old master's config was rewritten through the renamed CONFIG" \
    wait_until 10 grep -q "^replicaof 127.0.0.1 $S2" "$T/m2/redis.conf"
finish
