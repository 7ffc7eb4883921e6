# Redis Cluster on network namespaces: six hosts, each a node under its own
# redis-init (role cluster) as PID 1, one name resolving to all six. The
# cluster forms by itself (CLUSTER_CREATE=yes: only the first address
# creates); a cluster client writes across every master; SIGTERM of a
# master hands its slots over with no acknowledged write lost; kill -9 of a
# master fails over; every node restarted at a new address comes back with
# all keys; cluster-create again is a no-op; bad settings and bad nodes are
# refused by name.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/netns.sh"
PY=/usr/bin/python3
export REDISCLI_AUTH='cl p"w$% x'
NODE_TIMEOUT=5000               # the default, so the figures are the real ones

# ---- bad settings: every problem at once, exit 78, nothing written ----
rc=0
out=$(env REDIS_DATA_DIR="$T/bad" REDIS_PORT=60000 CLUSTER_CREATE=yes \
      CLUSTER_REPLICAS=x "$RI" cluster 2>&1) || rc=$?
check "bad settings: exit 78 (got $rc)" test "$rc" = 78
check "... the three problems named at once" test "$(grep -c 'fatal:' <<<"$out")" = 3
check "... the bus port named" holds 'REDIS_PORT="60000": the cluster bus port' "$out"
check "... nothing written" test ! -e "$T/bad/cluster.conf"
rc=0; out=$("$RI" cluster-create 2>&1) || rc=$?
check "cluster-create without CLUSTER_HOSTS: exit 78 (got $rc)" test "$rc" = 78
rc=0; out=$("$RI" cluster-rebalance 2>&1) || rc=$?
check "cluster-rebalance without CLUSTER_HOSTS: exit 78 (got $rc)" test "$rc" = 78
check "... CLUSTER_HOSTS named" holds 'CLUSTER_HOSTS is not set' "$out"
rc=0
out=$(env REDIS_PASSWORD=secret-value RENAME_COMMANDS=CLUSTER:x CLUSTER_HOSTS=a \
      "$RI" render cluster 2>&1) || rc=$?
check "CLUSTER renamed on a cluster node: exit 78 (got $rc)" test "$rc" = 78
check "... the secret not shown" lacks secret-value "$out"

# ---- hostile peers: cluster-create keeps its one deadline, names each ----
hosts= k=0
for m in silent close garbage huge endless deep; do
    k=$((k + 1)); hosts="$hosts${hosts:+,}127.0.0.1:$(port $k)"
    $PY "$ROOT/tests/fakepeer.py" "$(port $k)" $m "$T/fake$k.out" &
    CLEANUPS+=("kill $!")
    wait_until 10 grep -q listening "$T/fake$k.out"
done
t0=$(date +%s%N); rc=0
out=$(env CLUSTER_HOSTS="$hosts" CLUSTER_WAIT=3 "$RI" cluster-create 2>&1) || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sed 's/^/# /' <<<"$out" | cut -c1-400
check "hostile peers: exit 69 (got $rc)" test "$rc" = 69
check "hostile peers: CLUSTER_WAIT=3 s kept ($ms ms)" \
    sh -c "[ $ms -ge 2900 ] && [ $ms -lt 4000 ]"
check "hostile peers: each of the six named" \
    test "$(grep -o '127\.0\.0\.1:[0-9]* (' <<<"$out" | sort -u | wc -l)" = 6

# ---- too few nodes: refused by name, nothing changed ----
few=
for k in 11 12 13; do
    ri_start few$k REDIS_PORT=$(port $k) -- cluster
    few="$few${few:+,}127.0.0.1:$(port $k)"
done
for k in 11 12 13; do wait_until 10 rcli "$(port $k)" ping >/dev/null; done
rc=0
out=$(env CLUSTER_HOSTS="$few" CLUSTER_SIZE=3 CLUSTER_WAIT=10 "$RI" cluster-create 2>&1) || rc=$?
sed 's/^/# /' <<<"$out"
check "three nodes, CLUSTER_REPLICAS=1: refused, exit 65 (got $rc)" test "$rc" = 65
check "... says why" holds '3 nodes are too few for 3 masters with CLUSTER_REPLICAS=1' "$out"
alone() { local k; for k in 11 12 13; do
    rcli "$(port $k)" cluster info | grep -q '^cluster_known_nodes:1' || return 1; done; }
check "... nothing changed" alone
rc=0
out=$(env CLUSTER_HOSTS="$few" CLUSTER_REPLICAS=0 CLUSTER_WAIT=20 "$RI" cluster-create 2>&1) || rc=$?
check "three nodes, CLUSTER_REPLICAS=0: three masters, exit 0 (got $rc)" test "$rc" = 0
check "... cluster_state:ok" holds '^cluster_state:ok' "$(rcli "$(port 11)" cluster info | tr -d '\r')"
for k in 11 12 13; do ri_signal few$k TERM; ri_wait few$k; done

# ---- the compose file: one service, scaled to six, that creates itself ----
C=$ROOT/compose/cluster/docker-compose.yml
if command -v docker-compose >/dev/null; then
    check "compose/cluster: docker-compose.yml parses" \
        env REDIS_PASSWORD_SECRET=/dev/null docker-compose -f "$C" config -q
else
    skip "compose/cluster: no docker-compose here to parse it"
fi
check "compose/cluster: one cluster service that finds and creates itself" $PY - "$C" <<'PYEOF'
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]["node"]
e = s["environment"]
assert s["command"] == "cluster" and e["CLUSTER_HOSTS"] == "node"
assert s["restart"] == "on-failure"
assert e["CLUSTER_CREATE"] == "yes" and "REDIS_PASSWORD_FILE" in e
assert "container_name" not in s and "ports" not in s
PYEOF
check "kubernetes/cluster.yaml: parallel pods behind a service that publishes unready ones" \
    $PY - "$ROOT/compose/kubernetes/cluster.yaml" <<'PYEOF'
import sys, yaml
docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1]))}
svc, sts = docs["Service"]["spec"], docs["StatefulSet"]["spec"]
assert svc["clusterIP"] == "None" and svc["publishNotReadyAddresses"] is True
assert sts["podManagementPolicy"] == "Parallel" and sts["replicas"] == 6
c = sts["template"]["spec"]["containers"][0]
env = {e["name"]: e.get("value") for e in c["env"]}
assert c["args"] == ["cluster"] and env["CLUSTER_HOSTS"] == docs["Service"]["metadata"]["name"]
assert env["CLUSTER_CREATE"] == "yes" and "REDIS_PASSWORD_FILE" in env
assert c["readinessProbe"]["exec"]["command"] == ["redis-init", "health", "cluster"]
assert "tcpSocket" in c["livenessProbe"] and sts["volumeClaimTemplates"]
PYEOF

# ---- six hosts, one name for all of them ----
. "$ROOT/tests/clustertopo.sh"
cluster_net

check "the name resolves to all six hosts" \
    test "$(on 1 getent ahosts redis-nodes | awk '{print $1}' | sort -u | wc -l)" = 6

# ---- automatic creation: six nodes started at once ----
t0=$(now_ms)
for i in 1 2 3 4 5 6; do start_node $i; done
check "the six nodes form one cluster by themselves" wait_until 60 agreed
CREATE_MS=$(( $(now_ms) - t0 ))
echo "# figure: six nodes started to cluster_state:ok everywhere: $CREATE_MS ms"
check "exactly one node created it" \
    test "$(cat "$T"/c[1-6].log | grep -c 'creating a cluster of 6 nodes')" = 1
check "... the node with the first address" grep -q 'creating a cluster' "$T/c1.log"
for i in 1 2 3 4 5 6; do ID[$i]=$(node $i cluster myid | tr -d '\r'); done
before=$(view 1)
for i in 1 2 3 4 5 6; do
    m=$(node $i cluster nodes | awk '/myself/ && $3 ~ /slave/ {print $4}')
    [ -z "$m" ] || check "replica on host $i has its master on another host" \
        test "$(host_of "$m")" != "$i"
done
# redis-cli's own check: every slot covered, every node agrees.
cli_check() {
    local out
    out=$(node 1 --cluster check "$(ip_of 1):6379" 2>&1)
    holds '\[OK\] All nodes agree about slots configuration' "$out" &&
        holds '\[OK\] All 16384 slots covered' "$out"
}
check "redis-cli --cluster check: every slot covered, all nodes agree" cli_check
health_all() {
    local i out
    for i in $RUNNING; do
        out=$(on $i env REDIS_PASSWORD="$REDISCLI_AUTH" "$RI" health cluster) ||
            { echo "host $i: $out" > "$T/health-last.log"; return 1; }
    done
}
check "redis-init health: ok on every node" health_all
out=$(on 1 env REDIS_PASSWORD="$REDISCLI_AUTH" REDIS_PORT=6380 "$RI" health cluster) &&
    rc=0 || rc=$?
check "health: 1 where no node answers ($out)" test "$rc" = 1

# ---- creation again: nothing to do ----
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS=redis-nodes \
      CLUSTER_WAIT=20 "$RI" cluster-create 2>&1) || rc=$?
check "cluster-create on the formed cluster: exit 0 (got $rc)" test "$rc" = 0
check "... says there is nothing to do" holds 'nothing to do' "$out"
check "... and changed nothing" test "$(view 1)" = "$before"
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS=redis-nodes \
      CLUSTER_WAIT=20 "$RI" cluster-rebalance 2>&1) || rc=$?
sed 's/^/# /' <<<"$out"
check "cluster-rebalance on the formed cluster: exit 0 (got $rc)" test "$rc" = 0
check "... 3 masters, balanced: nothing to do" \
    holds '3 masters of 6 nodes, 5461 to 5462 slots each, all agree: nothing to do' "$out"
check "... and changed nothing" test "$(view 1)" = "$before"
check "the secret is in no log" lacks "$REDISCLI_AUTH" "$(cat "$T"/c*.log)"

# ---- a cluster client writes across all three masters ----
writer_start "$T/w1"
all_have_keys() {
    local i k
    for i in $RUNNING; do
        k=$(node $i dbsize 2>/dev/null)
        [ "${k:-0}" -gt 0 ] || return 1
    done
}
check "writes reach all three masters (and their replicas)" wait_until 10 all_have_keys
cli_c() {
    local k
    for k in a b c d e f g h; do
        [ "$(node 1 -c set cli:$k 1)" = OK ] || return 1
    done
}
check "redis-cli -c follows MOVED" cli_c

# ---- SIGTERM of a master: its replica takes the slots, nothing lost ----
M=$(a_master); R=$(replica_of "$M")
echo "# master on host $M, its replica on host $R"
t0=$(now_ms); cut=$(date +%s.%N)
ri_signal c$M TERM; ri_wait c$M
STOP_MS=$(( $(now_ms) - t0 ))
RUNNING=$(echo $RUNNING | tr ' ' '\n' | grep -vx "$M" | tr '\n' ' ')
check "handover: the replica owns the slots ($(grep -o 'owns the slots after [0-9]* ms' "$T/c$M.log"))" \
    grep -q "handover: $(ip_of $R):6379 owns the slots" "$T/c$M.log"
check "handover: exit 0 (got $RC) inside STOP_TIMEOUT ($STOP_MS ms)" \
    sh -c "[ $RC = 0 ] && [ $STOP_MS -lt 8000 ]"
check "handover: Redis saved" grep -q 'DB saved on disk' "$T/c$M.log"
check "host $R is master now" test "$(role_of $R)" = master
check "writes go on after the handover" \
    wait_until 20 acked_after "$T/w1" "$cut" 300
writer_stop "$T/w1"
out=$(missing "$T/w1")
echo "# handover $(cat "$T/w1/summary") ($out)"
echo "# figure: handover: acknowledged writes lost: $(sed -n 's/^missing=\([0-9]*\) of=\([0-9]*\).*/\1 of \2/p' <<<"$out")"
check "handover: no acknowledged write lost ($out)" holds '^missing=0 ' "$out"
GAP=$(sed -n 's/.*longest_gap_ms=\([0-9]*\).*/\1/p' "$T/w1/summary")
PAUSE=$(sed -n 's/.*handover: .* owns the slots after \([0-9]*\) ms/\1/p' "$T/c$M.log")
echo "# figure: handover: writes paused on the server: $PAUSE ms"
echo "# figure: handover: the client's longest write gap: $GAP ms"
check "handover: writes paused under 1 s ($PAUSE ms)" test "$PAUSE" -lt 1000
check "handover: the client's longest gap is under 1 s ($GAP ms)" test "$GAP" -lt 1000
start_node $M; RUNNING="1 2 3 4 5 6"
is_replica() { [ "$(role_of "$1")" = slave ]; }
check "the stopped master comes back as a replica" wait_until 60 is_replica $M
check "... and every node agrees" wait_until 60 agreed

# ---- kill -9 of a master: its replica takes over ----
M=$(a_master); R=$(replica_of "$M")
echo "# master on host $M, its replica on host $R"
writer_start "$T/w2"
t0=$(now_ms)
kill -KILL "$(pgrep -x -P "$(pid1 c$M)" redis-server)"
RUNNING=$(echo $RUNNING | tr ' ' '\n' | grep -vx "$M" | tr '\n' ' ')
is_master() { [ "$(role_of "$1")" = master ]; }
check "kill -9: the replica on host $R is promoted" wait_until 30 is_master $R
ok_all() {
    local i
    for i in $RUNNING; do
        node $i cluster info | tr -d '\r' | grep -qx cluster_state:ok || return 1
    done
}
check "kill -9: cluster_state:ok on every other node" wait_until 30 ok_all
OK_MS=$(( $(now_ms) - t0 ))
fo_at=$(date +%s.%N)
# When the replica won its election, from its own log (the polling above
# is slower than Redis on a loaded machine).
won=$(grep 'Failover election won' "$T/c$R.log" | tail -1 | awk '{print $2, $3, $4, $5}')
FAILOVER_MS=$(( $(date -d "$won" +%s%3N) - t0 ))
echo "# figure: kill -9 of a master's redis-server: replica elected: $FAILOVER_MS ms"
echo "# figure: kill -9 of a master's redis-server: cluster_state:ok seen everywhere: $OK_MS ms"
# redis-init saw its Redis die with no stop asked for, and had the
# replica its nodes.conf names take the slots at once; Redis alone flags
# the node failing only after the node timeout (tests/e2e/cluster-docker.sh
# kills the whole container, redis-init with it, for that case).
check "kill -9: redis-init had the replica take the slots" \
    grep -q "redis-server was killed: asked $(ip_of $R):6379, its most up-to-date replica, to take its slots: accepted" "$T/c$M.log"
check "kill -9: the replica is elected within 2 s, not after the node timeout ($FAILOVER_MS ms)" \
    test "$FAILOVER_MS" -le 2000
ri_wait c$M
check "kill -9: redis-init ended with Redis' status 137 (got $RC)" test "$RC" = 137
check "writes go on after the failover" \
    wait_until 20 acked_after "$T/w2" "$fo_at" 300
writer_stop "$T/w2"
out=$(missing "$T/w2" --after "$fo_at")
echo "# kill -9 $(cat "$T/w2/summary") ($out)"
check "kill -9: no write acknowledged after the failover is lost ($out)" \
    holds ' missing_after=0$' "$out"
start_node $M; RUNNING="1 2 3 4 5 6"
check "the killed master rejoins as a replica" wait_until 60 is_replica $M
check "... with its node id" test "$(node $M cluster myid)" = "${ID[$M]}"
check "... and every node agrees" wait_until 60 agreed

# ---- Redis killed while its master stops (during the handover) ----
# The handover needs the master: with Redis dead it cannot finish, and
# redis-init has the replica take the slots by force as after a crash.
M=$(a_master); R=$(replica_of "$M")
line="redis-server was killed: asked $(ip_of $R):6379, its most up-to-date replica, to take its slots: accepted"
before=$(grep -c "$line" "$T/c$M.log")
red=$(pgrep -x -P "$(pid1 c$M)" redis-server)
t0=$(now_ms)
ri_signal c$M TERM; kill -KILL "$red"
RUNNING=$(echo $RUNNING | tr ' ' '\n' | grep -vx "$M" | tr '\n' ' ')
wait_until 30 is_master $R
DURING_MS=$(( $(now_ms) - t0 ))
echo "# figure: Redis killed during its master's stop: replica promoted (seen) after $DURING_MS ms"
check "killed during the handover: redis-init had the replica take the slots" \
    test "$(grep -c "$line" "$T/c$M.log")" -gt "$before"
check "... the replica on host $R is master within 3 s, not after the node timeout ($DURING_MS ms)" \
    test "$DURING_MS" -le 3000
ri_wait c$M
check "... redis-init ended with Redis' status 137 (got $RC)" test "$RC" = 137
start_node $M; RUNNING="1 2 3 4 5 6"
rejoined() { is_replica "$1" && agreed; }
check "... it rejoins as a replica, and every node agrees" wait_until 90 rejoined $M
w1_missing=$(missing "$T/w1"); w2_missing=$(missing "$T/w2")

# ---- every node stopped, restarted at a new address ----
for i in 1 2 3 4 5 6; do ri_signal c$i TERM; done
codes=
for i in 1 2 3 4 5 6; do ri_wait c$i; codes="$codes$RC"; done
check "all stopped at once: every node exits 0 ($codes)" test "$codes" = 000000
for i in 1 2 3 4 5 6; do readdress $i $((20 + i)); done
t0=$(now_ms)
for i in 1 2 3 4 5 6; do start_node $i; done
whole() { agreed && health_all; }
check "restarted at new addresses: the cluster is whole again, every replica linked" \
    wait_until 90 whole
RESTART_MS=$(( $(now_ms) - t0 ))
echo "# figure: full restart at new addresses to cluster_state:ok and every replica linked: $RESTART_MS ms"
ids_same() { local i; for i in 1 2 3 4 5 6; do [ "$(node $i cluster myid)" = "${ID[$i]}" ] || return 1; done; }
check "... every node kept its id" ids_same
check "... the map has only the new addresses" \
    lacks "$NET_PREFIX\.[1-6]:" "$(node 1 cluster nodes)"
check "... no key lost in the restart (w1 $w1_missing)" test "$(missing "$T/w1")" = "$w1_missing"
check "... no key lost in the restart (w2 $w2_missing)" test "$(missing "$T/w2")" = "$w2_missing"
check "... redis-init health: ok on every node" wait_until 20 health_all
check "... redis-cli --cluster check agrees" cli_check
# After every node stopped at once, a master may come back below the
# config epoch the others hold for it: its replicas' votes would be
# refused. Its keeper raises it.
stale_masters() {
    local i
    for i in 1 2 3 4 5 6; do node $i cluster nodes; done | stale_epochs
}
no_stale() { [ -z "$(stale_masters)" ]; }
echo "# full restart: masters below the epoch the others hold for them, at the first look: $(stale_masters)"
check "... every master's config epoch is at least what the others hold for it" wait_until 30 no_stale

# ---- creation refused: a node of another cluster, a node that is gone ----
before=$(view 1)
net_start lone 8 "REDIS_PASSWORD=$REDISCLI_AUTH" -- cluster
wait_until 10 node 8 ping
node 8 cluster addslots 0 >/dev/null        # a one-node cluster of its own
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS="redis-nodes,$(ip_of 8)" \
      CLUSTER_WAIT=10 "$RI" cluster-create 2>&1) || rc=$?
sed 's/^/# /' <<<"$out"
check "a node of another cluster: exit 65 (got $rc)" test "$rc" = 65
check "... named" holds "$(ip_of 8):6379 .*belongs to another cluster" "$out"
check "... nothing changed" holds '^cluster_known_nodes:1' "$(node 8 cluster info | tr -d '\r')"
check "... on either side" test "$(view 1)" = "$before"
ri_signal lone TERM; ri_wait lone
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS="redis-nodes,$(ip_of 8)" \
      CLUSTER_WAIT=2 "$RI" cluster-create 2>&1) || rc=$?
sed 's/^/# /' <<<"$out"
check "a node that does not answer: exit 69 (got $rc)" test "$rc" = 69
check "... named" holds "not answering: $(ip_of 8):6379 \(connect" "$out"

# ---- scale out: a new, empty node behind the same name joins by itself ----
rm -rf "$T/lone"
hosts_entry redis-nodes 1 2 3 4 5 6 8
RUNNING="1 2 3 4 5 6 8"
net_start c8 8 "${COMMON[@]}" -- cluster
t0=$(now_ms)
check "scale out: a seventh node joins as a replica, all seven agree" wait_until 60 agreed 7
echo "# figure: scale out: a new node started to one map on all seven: $(( $(now_ms) - t0 )) ms"
check "... as a replica" is_replica 8
check "... redis-init health: ok on every node" wait_until 20 health_all

# ---- rebalance: an eighth node; four masters, the slots spread, no write lost ----
host_add 9
hosts_entry redis-nodes 1 2 3 4 5 6 8 9
RUNNING="1 2 3 4 5 6 8 9"
net_start c9 9 "${COMMON[@]}" -- cluster
check "scale out: an eighth node joins as a replica, all eight agree" wait_until 60 agreed 8
JOINED=$(now_ms)
w1_missing=$(missing "$T/w1"); w2_missing=$(missing "$T/w2")
writer_start "$T/w3"
cut=$(date +%s.%N); t0=$(now_ms)
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS=redis-nodes \
      "$RI" cluster-rebalance 2>&1) || rc=$?
REBALANCE_MS=$(( $(now_ms) - t0 ))
printf '%s\n' "$out" > "$T/rebalance.log"
grep -v '^\(Moving slot\|#\)' <<<"$out" | sed 's/^/# /'
echo "# figure: cluster-rebalance, 8 nodes from 3 to 4 masters, slots moved under writes: $REBALANCE_MS ms"
MASTERS=4
check "cluster-rebalance: exit 0 (got $rc)" test "$rc" = 0
check "... a replica made an empty master" holds 'is an empty master now' "$out"
check "... its slots moved by redis-cli" holds 'Moving .* slots from' "$out"
check "... says it is done" holds '4 masters of 8 nodes, 4096 to 4096 slots each, all agree: done' "$out"
check "... every node agrees: four masters with one replica each" wait_until 60 agreed 8
spread() {  # the slots each master owns, as every node has them
    view 1 | awk '$2 == "master" {n = 0; for (i = 5; i <= NF; i++) {
        split($i, r, "-"); n += (r[2] == "" ? r[1] : r[2]) - r[1] + 1 } print n}' | sort | tr '\n' ' '
}
check "... 4096 slots on each master ($(spread))" test "$(spread)" = "4096 4096 4096 4096 "
check "... one replica each" \
    test "$(view 1 | awk '$2 == "slave" {print $3}' | sort -u | wc -l)" = 4
for i in $RUNNING; do ID[$i]=$(node $i cluster myid | tr -d '\r'); done
for i in $RUNNING; do
    m=$(node $i cluster nodes | awk '/myself/ && $3 ~ /slave/ {print $4}')
    [ -z "$m" ] || check "replica on host $i has its master on another host" \
        test "$(host_of "$m")" != "$i"
done
check "writes go on after the rebalance" wait_until 20 acked_after "$T/w3" "$cut" 300
writer_stop "$T/w3"
out=$(missing "$T/w3")
echo "# rebalance $(cat "$T/w3/summary") ($out)"
check "rebalance: no acknowledged write lost ($out)" holds '^missing=0 ' "$out"
check "... nor any earlier key (w1 $w1_missing)" test "$(missing "$T/w1")" = "$w1_missing"
check "... (w2 $w2_missing)" test "$(missing "$T/w2")" = "$w2_missing"
check "... redis-init health: ok on every node" wait_until 20 health_all
check "... redis-cli --cluster check agrees" cli_check
before=$(view 1)
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS=redis-nodes \
      "$RI" cluster-rebalance 2>&1) || rc=$?
check "cluster-rebalance again: exit 0 (got $rc), nothing to do" \
    holds '4 masters of 8 nodes, 4096 to 4096 slots each, all agree: nothing to do' "$out"
check "... and changed nothing" test "$(view 1)" = "$before"
check "the secret is in no log" lacks "$REDISCLI_AUTH" "$(cat "$T"/c*.log "$T/rebalance.log")"

# ---- scale in: a replica leaves for good; cluster-rebalance forgets it ----
# Within CLUSTER_WAIT (60 s) of a join the creator's watcher forgets a
# failing node by itself (a lost node's new one may have joined): the
# scale in comes after that window, so that only cluster-rebalance can.
while [ $(( $(now_ms) - JOINED )) -lt 62000 ]; do sleep 1; done
S=$(replica_of "$(a_master)"); gone_id=${ID[$S]}
ri_signal c$S TERM; ri_wait c$S
RUNNING=$(echo $RUNNING | tr ' ' '\n' | grep -vx "$S" | tr '\n' ' ')
hosts_entry redis-nodes $RUNNING
failing_everywhere() {  # ID: every running node flags it fail
    local i
    for i in $RUNNING; do node $i cluster nodes | grep -q "^$1 [^ ]* [a-z,]*fail[ ,]" || return 1; done
}
check "scale in: the replica on host $S stopped, every node flags it failing" \
    wait_until 60 failing_everywhere "$gone_id"
rc=0
out=$(on 7 env REDIS_PASSWORD="$REDISCLI_AUTH" CLUSTER_HOSTS=redis-nodes \
      "$RI" cluster-rebalance 2>&1) || rc=$?
sed 's/^/# /' <<<"$out"
unlisted() { local i; for i in $RUNNING; do node $i cluster nodes | grep -q "^$1 " && return 1; done; return 0; }
check "cluster-rebalance after the scale in: exit 0 (got $rc)" test "$rc" = 0
check "... the node that left is forgotten on every node" unlisted "$gone_id"
check "... it says why" \
    holds "node ${gone_id:0:8} is gone \(.*cluster-rebalance after a scale in\): forgotten by 7 node\(s\)" "$out"
check "... the seven left agree" wait_until 60 agreed 7

echo "# figures: create ${CREATE_MS} ms, handover pause ${PAUSE} ms (client gap ${GAP} ms), kill -9 failover ${FAILOVER_MS} ms, restart at new addresses ${RESTART_MS} ms, rebalance ${REBALANCE_MS} ms"
finish
