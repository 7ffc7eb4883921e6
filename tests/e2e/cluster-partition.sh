# A Redis Cluster master cut off by a network partition (issue #15's table
# for the cluster role): six nodes on network namespaces with the default
# CLUSTER_NODE_TIMEOUT, an application on host 7 that reaches every node
# and writes through one redis-py RedisCluster client, and a prober writing
# a key of the cut master's slots to that master and to its replica
# directly. Redis Cluster fences a minority master by itself (it refuses
# writes once it cannot reach a majority of the masters for the node
# timeout) and elects its replica on the other side; reported for each
# case: acknowledged writes lost, their time span, and how long two masters
# took writes for the same slots at once.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/netns.sh"
PY=/usr/bin/python3
export REDISCLI_AUTH='cp p"w$% x'
NODE_TIMEOUT=5000               # the default: the figures are the real ones
. "$ROOT/tests/clustertopo.sh"
. "$ROOT/tests/parttopo.sh"
cluster_net
for i in 1 2 3 4 5 6; do start_node $i; done
check "six nodes form one cluster" wait_until 60 agreed
for i in 1 2 3 4 5 6; do ID[$i]=$(node $i cluster myid | tr -d '\r'); done
master_of() { node "$1" cluster nodes | awk '/myself/ {print $4}'; }  # N: its master's id

# ---- a master cut off from every other node (the application reaches it) ----
check "full cut: healed, every node agrees on one map" cluster_partition full 20
echo "# full cut: old master host $OLD, its replica host $REPL, now host $NEW; $LOST; two masters for ${TWO} s"
FULL="$LOST_N lost over $SPAN ms; two masters $TWO s"
check "full cut: the replica on host $REPL was elected" test "$NEW" = "$REPL"
check "full cut: the old master follows it" test "$(master_of "$OLD")" = "${ID[$REPL]}"
# Redis flags a node failing when a ping stays unanswered for the node
# timeout, and pings every node at least every half of it: each side
# flags the other 1 to 1.5 x the node timeout after the cut. The cut
# master refuses writes once it flags a majority of the masters; the
# replica is elected 0.5 to 1 s after the majority flags the master, so
# the two can overlap by up to half the node timeout less that delay.
check "full cut: acknowledged writes lost span at most 1.5 x node timeout + 1 s ($SPAN ms)" \
    test "$SPAN" -le $((NODE_TIMEOUT * 3 / 2 + 1000))
check "full cut: two masters at once for at most half the node timeout ($TWO s)" \
    awk -v t="$TWO" -v m=$((NODE_TIMEOUT / 2)) 'BEGIN {exit !(t * 1000 <= m)}'
check "full cut: the cut master refused writes (the cluster is down for it)" \
    grep -q ClusterDownError "$T/full/errors"

# ---- the master cut off with its replica: a minority of the masters ----
check "master and replica cut: healed, every node agrees on one map" \
    cluster_partition minority 15 replica
echo "# master and replica cut: master host $OLD, replica host $REPL, now host $NEW; $LOST; two masters for ${TWO} s"
MINORITY="$LOST_N lost over $SPAN ms; two masters $TWO s"
check "master and replica cut: no failover (the majority has no replica to elect)" \
    test "$NEW" = "$OLD"
check "master and replica cut: no acknowledged write lost ($LOST)" holds '^missing=0 ' "$LOST"
check "master and replica cut: never two masters ($TWO s)" \
    awk -v t="$TWO" 'BEGIN {exit !(t == 0)}'

echo "# figure: full cut (node timeout $NODE_TIMEOUT ms, 20 s): $FULL"
echo "# figure: master and replica cut (15 s): $MINORITY"
finish
