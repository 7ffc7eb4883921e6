# High availability on a six-host topology without Docker: hosts are network
# namespaces on one bridge, each running redis-init as PID 1 of its own PID
# namespace. One master, two slaves, three sentinels, a client host for the
# writer, and a host for a misconfigured replica. Every wait is for a state
# all running sentinels agree on (tests/hatopo.sh's agreed_master).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../hatopo.sh"
# --- sentinels start before the master exists -----------------------------
for i in 4 5 6; do net_start x$i $i "${COMMON[@]}" -- sentinel; done
check "sentinels wait for MASTER_HOST to resolve instead of exiting" \
    wait_until 15 grep -q 'MASTER_HOST=redis-master does not resolve yet' "$T/x4.log"
check "... and are still running" kill -0 "$(pid1 x4)"
hosts_entry redis-master 1
start_data 1 master
start_data 2 slave
start_data 3 slave
check "sentinels then monitor the master" wait_until 30 sentinels_name 1 4 5 6
check "slave 2 replicates the master" wait_until 20 replica_of 2 1
check "slave 3 replicates the master" wait_until 20 replica_of 3 1
check "each sentinel sees 2 replicas and 2 other sentinels" wait_until 30 sh -c "
    for i in 4 5 6; do
        ip netns exec $(host 7) redis-cli --no-auth-warning -h $NET_PREFIX.\$i -p 26379 sentinel master mymaster |
            tr '\n' ' ' | grep -q 'num-slaves 2 .*num-other-sentinels 2 ' || exit 1
    done"
for n in 1:master 2:slave 3:slave 4:sentinel; do
    check "health of ${n#*:} on host ${n%:*}: exit 0" wait_until 20 health ${n%:*} ${n#*:}
done
out=$(health 1 master)
check "health says why it is ok ($out)" grep -q '^ok: master' <<<"$out"

# --- freeze the master (docker pause) --------------------------------------
writer_start "$T/w1"
freeze n1
start=$(date +%s%N)
check "frozen master: every sentinel names a new master" wait_until 30 switched_from 1
new=$(cur_master)
echo "# failover after freeze: $(( ($(date +%s%N) - start) / 1000000 )) ms, new master host $new"
check "the new master (host $new) accepts writes" wait_until 10 writes_ok $new
t=$(now_s)
check "the writer's writes go on through the new master" \
    wait_until 15 sh -c "[ \$(awk -v t=$t '\$2 > t' $T/w1/acked | wc -l) -gt 20 ]"
thaw n1
check "thawed old master becomes a replica of the agreed master" wait_until 30 follows_agreed 1
check "one master in the end" wait_until 20 one_master
writer_stop "$T/w1"

# --- kill -9 the master, start it again with role master -------------------
check "calm before kill -9" wait_until 60 settled
# The writer pauses and the replicas are in sync before the kill, so no
# write can be lost by Redis' asynchronous replication: what this proves is
# that the restart path itself loses nothing (the old master comes back as
# a replica and forks no history).
cur=$(cur_master)
writer_start "$T/w2"
touch "$T/w2/PAUSE"
check "before kill -9: every replica has the master's offset" wait_until 15 in_sync $cur
kill -KILL "$(pid1 ${NAME[$cur]})"; ri_wait ${NAME[$cur]}
rm -f "$T/w2/PAUSE"
check "kill -9: every sentinel names a new master" wait_until 30 switched_from $cur
new=$(cur_master)
start_data $cur master
check "restarted with role master, it comes back as a replica of the agreed master" \
    wait_until 30 follows_agreed $cur
new=$(cur_master)
check "... and its log says why" \
    grep -q 'starting as its replica (role master ignored' "$T/${NAME[$cur]}.log"
check "one master" wait_until 20 one_master
writer_stop "$T/w2"
m=$(missing "$T/w2" $new)
check "kill -9 after sync, restart as master: no acknowledged write lost ($m)" \
    holds '^missing=0 of=[1-9]' "$m"
check "the rejoined node has the same data as the master" wait_until 20 sh -c "
    [ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of $cur) dbsize)\" = \
      \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of $new) dbsize)\" ]"

# --- kill -9 under a running writer: the honest figure ---------------------
# Replication is asynchronous: writes acknowledged in the last moments
# before the kill may not have reached a replica. The loss is reported, and
# it must stay within the last second before the kill.
check "calm before the second kill -9" wait_until 60 settled
cur=$(cur_master)
check "before the second kill -9: replicas linked" wait_until 20 in_sync $cur
writer_start "$T/w4"
wait_until 10 sh -c "[ \$(wc -l < $T/w4/acked) -gt 100 ]"
tk=$(now_s)
kill -KILL "$(pid1 ${NAME[$cur]})"; ri_wait ${NAME[$cur]}
check "kill -9 under writes: every sentinel names a new master" wait_until 30 switched_from $cur
new=$(cur_master)
check "kill -9 under writes: the writer goes on through host $new" \
    wait_until 15 sh -c "[ \$(awk -v t=$tk '\$2 > t' $T/w4/acked | wc -l) -gt 20 ]"
writer_stop "$T/w4"
m=$(missing "$T/w4" $new "$(awk -v t=$tk 'BEGIN {printf "%.6f", t - 1}')")
echo "# kill -9 under a running writer: $m (lost writes were acknowledged within 1 s before the kill)"
check "kill -9 under writes: no write acknowledged more than 1 s before the kill is lost ($m)" \
    holds ' of=[1-9][0-9]* missing_before_cutoff=0( |$)' "$m"
start_data $cur master
check "restarted, it rejoins as a replica of the agreed master" wait_until 30 follows_agreed $cur

# --- SIGTERM the master: planned handover ----------------------------------
check "calm before the handover" wait_until 60 settled
cur=$(cur_master)
check "all replicas are linked before the handover" wait_until 20 in_sync $cur
writer_start "$T/w3"
wait_until 10 sh -c "[ \$(wc -l < $T/w3/acked) -gt 100 ]"
ts=$(now_s)
start=$(date +%s%N)
ri_signal ${NAME[$cur]} TERM; ri_wait ${NAME[$cur]}
echo "# SIGTERM to exit of the old master: $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "SIGTERM: the master exits 0" test "$RC" = 0
check "SIGTERM: it handed mastership over first" \
    grep -q 'handover: .* is the new master after' "$T/${NAME[$cur]}.log"
check "SIGTERM: every sentinel names a new master" wait_until 20 switched_from $cur
new=$(cur_master)
check "SIGTERM: writes go on through the new master (host $new) after the stop" \
    wait_until 15 sh -c "[ \$(awk -v t=$ts '\$2 > t' $T/w3/acked | wc -l) -gt 50 ]"
writer_stop "$T/w3"
m=$(missing "$T/w3" $new)
echo "# planned handover: $m, $(acked_after "$T/w3" "$ts") acknowledged after the SIGTERM, $(cat "$T/w3/summary")"
check "planned handover: zero acknowledged writes lost ($m)" holds '^missing=0 of=[1-9]' "$m"
start_data $cur master
check "the stopped master, restarted, is a replica of the agreed master" wait_until 30 follows_agreed $cur

# --- cut the master's link, then heal --------------------------------------
check "calm before the link cut" wait_until 60 settled
cur=$(cur_master)
ip -n "$(host $cur)" link set eth0 down
check "link cut: every sentinel names a new master" wait_until 30 switched_from $cur
new=$(cur_master)
ip -n "$(host $cur)" link set eth0 up
check "healed: the cut-off master becomes a replica of the agreed master" \
    wait_until 40 follows_agreed $cur
check "healed: exactly one master" wait_until 20 one_master

# --- one of three sentinels stops ------------------------------------------
id_before=$(sen 4 sentinel myid)
check "calm before a sentinel stops" wait_until 60 settled
ri_signal x4 TERM; ri_wait x4
check "a sentinel stops cleanly" test "$RC" = 0
SENTINELS="5 6"
cur=$(cur_master)
freeze ${NAME[$cur]}
check "with 2 of 3 sentinels a failover still happens" wait_until 30 switched_from $cur
new=$(cur_master)
thaw ${NAME[$cur]}
check "the thawed master rejoins as a replica of the agreed master" wait_until 30 follows_agreed $cur
net_start x4 4 "${COMMON[@]}" -- sentinel
SENTINELS="4 5 6"
check "restarted sentinel keeps its myid" \
    wait_until 10 sh -c "[ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of 4) -p 26379 sentinel myid)\" = $id_before ]"
check "restarted sentinel asked its peers and monitors the current master" \
    wait_until 10 grep -q "peer sentinels name $(ip_of $new):6379 as master" "$T/x4.log"
check "no sentinel counts a stale peer: each sees exactly 2 others" wait_until 30 sh -c "
    for i in 4 5 6; do
        ip netns exec $(host 7) redis-cli --no-auth-warning -h $NET_PREFIX.\$i -p 26379 sentinel master mymaster |
            grep -A1 -x num-other-sentinels | tail -1 | grep -qx 2 || exit 1
    done"

# --- a replica with the wrong password --------------------------------------
BADPW='wr0ng-s3cret'
net_start bad 8 "${COMMON[@]}" "REDIS_PASSWORD=$BADPW" START_WAIT=1 -- slave
check "wrong password: a clear error in the log" \
    wait_until 15 grep -q "refuses this replica's REDIS_PASSWORD" "$T/bad.log"
# Redis retries the sync about once a second: three refusals mean it kept
# running through several rounds.
check "wrong password: Redis keeps retrying, still under redis-init" \
    wait_until 20 sh -c "[ \$(grep -c 'Unable to AUTH to MASTER' '$T/bad.log') -ge 3 ] && kill -0 $(pid1 bad)"
rc=0; out=$(on 8 env "${COMMON[@]}" "REDIS_PASSWORD=$BADPW" "$RI" health slave) || rc=$?
check "wrong password: health exits 1 ($out)" test "$rc" = 1
check "wrong password: health says the link is down" grep -q 'link to its master is down' <<<"$out"
check "wrong password: the log names the problem but not the password" \
    sh -c "grep -q 'REDIS_PASSWORD' '$T/bad.log' && ! grep -qF '$BADPW' '$T/bad.log'"
finish
