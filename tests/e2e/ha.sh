# High availability on a six-host topology without Docker: hosts are network
# namespaces on one bridge, each running redis-init as PID 1 of its own PID
# namespace. One master, two slaves, three sentinels, a client host for the
# writer, and a host for a misconfigured replica.
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
check "frozen master: the sentinels promote a slave" \
    wait_until 30 sh -c "! ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of 4) -p 26379 sentinel get-master-addr-by-name mymaster | grep -qx $(ip_of 1)"
new=$(cur_master)
echo "# failover after freeze: $(( ($(date +%s%N) - start) / 1000000 )) ms, new master host $new"
check "the new master (host $new) accepts writes" \
    wait_until 10 sh -c "[ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of $new) set probe 1)\" = OK ]"
n_before=$(acked "$T/w1")
check "the writer's writes go on through the new master" \
    wait_until 15 sh -c "[ \$(wc -l < $T/w1/acked) -gt $((n_before + 20)) ]"
thaw n1
check "thawed old master becomes a replica of the new one" wait_until 30 replica_of 1 $new
check "one master in the end" wait_until 20 one_master
writer_stop "$T/w1"

# --- kill -9 the master, start it again with role master -------------------
cur=$(cur_master)
writer_start "$T/w2"
touch "$T/w2/PAUSE"
check "before kill -9: every replica has the master's offset" wait_until 15 in_sync $cur
kill -KILL "$(pid1 ${NAME[$cur]})"; ri_wait ${NAME[$cur]}
rm -f "$T/w2/PAUSE"
check "kill -9: a slave is promoted" \
    wait_until 30 sh -c "[ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of 4) -p 26379 sentinel get-master-addr-by-name mymaster | head -1)\" != $(ip_of $cur) ]"
new=$(cur_master)
start_data $cur master
check "restarted with role master, it comes back as a replica of host $new" \
    wait_until 30 replica_of $cur $new
check "... and its log says why" \
    grep -q 'starting as its replica (role master ignored' "$T/${NAME[$cur]}.log"
check "one master" wait_until 20 one_master
writer_stop "$T/w2"
check "kill -9: no acknowledged write that reached a replica is lost" \
    grep -q '^missing=0 ' <<<"$(missing "$T/w2" $new)"
check "the rejoined node has the same data as the master" wait_until 20 sh -c "
    [ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of $cur) dbsize)\" = \
      \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of $new) dbsize)\" ]"

# --- SIGTERM the master: planned handover ----------------------------------
cur=$(cur_master)
check "all replicas are linked before the handover" wait_until 20 in_sync $cur
writer_start "$T/w3"
sleep 1
start=$(date +%s%N)
ri_signal ${NAME[$cur]} TERM; ri_wait ${NAME[$cur]}
echo "# SIGTERM to exit of the old master: $(( ($(date +%s%N) - start) / 1000000 )) ms"
check "SIGTERM: the master exits 0" test "$RC" = 0
check "SIGTERM: it handed mastership over first" \
    grep -q 'handover: .* is the new master after' "$T/${NAME[$cur]}.log"
new=$(cur_master)
check "SIGTERM: a new master (host $new) is named" test "$new" != "$cur"
n_before=$(acked "$T/w3")
wait_until 10 sh -c "[ \$(wc -l < $T/w3/acked) -gt $((n_before + 20)) ]"
writer_stop "$T/w3"
m=$(missing "$T/w3" $new)
echo "# planned handover: $m, $(cat "$T/w3/summary")"
check "planned handover: zero acknowledged writes lost ($m)" grep -q '^missing=0 ' <<<"$m"
start_data $cur master
check "the stopped master, restarted, is a replica of host $new" wait_until 30 replica_of $cur $new

# --- cut the master's link, then heal --------------------------------------
cur=$(cur_master)
ip -n "$(host $cur)" link set eth0 down
check "link cut: a failover happens" \
    wait_until 30 sh -c "[ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of 4) -p 26379 sentinel get-master-addr-by-name mymaster | head -1)\" != $(ip_of $cur) ]"
new=$(cur_master)
ip -n "$(host $cur)" link set eth0 up
check "healed: the cut-off master becomes a replica of host $new" \
    wait_until 40 replica_of $cur $new
check "healed: exactly one master" wait_until 20 one_master

# --- one of three sentinels stops ------------------------------------------
id_before=$(sen 4 sentinel myid)
ri_signal x4 TERM; ri_wait x4
check "a sentinel stops cleanly" test "$RC" = 0
cur=$(cur_master)
freeze ${NAME[$cur]}
check "with 2 of 3 sentinels a failover still happens" \
    wait_until 30 sh -c "[ \"\$(ip netns exec $(host 7) redis-cli --no-auth-warning -h $(ip_of 5) -p 26379 sentinel get-master-addr-by-name mymaster | head -1)\" != $(ip_of $cur) ]"
new=$(cur_master)
thaw ${NAME[$cur]}
check "the thawed master rejoins as a replica of host $new" wait_until 30 replica_of $cur $new
net_start x4 4 "${COMMON[@]}" -- sentinel
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
net_start bad 8 "${COMMON[@]}" REDIS_PASSWORD=wrong START_WAIT=1 -- slave
check "wrong password: a clear error in the log" \
    wait_until 15 grep -q "refuses this replica's REDIS_PASSWORD" "$T/bad.log"
sleep 3
check "wrong password: still running, not crash-looping" kill -0 "$(pid1 bad)"
check "wrong password: health says the link is down (exit 1)" \
    sh -c "! ip netns exec $(host 8) env REDIS_PASSWORD=wrong '$RI' health slave | grep -q '^ok'"
check "wrong password: the password is not in the log" sh -c "! grep -q 'ha p\"w' '$T/bad.log'"
finish
