# Redis Cluster: a node whose volume is lost comes back empty, under a new
# node id, at the same address. Its data must never be wiped from its
# replica (which would replicate from the empty newcomer at that address),
# the newcomer joins as a replica by itself, and the old id is forgotten
# on every node. Six hosts on network namespaces, as tests/e2e/cluster.sh.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/netns.sh"
PY=/usr/bin/python3
export REDISCLI_AUTH='lost p"w$% x'
NODE_TIMEOUT=5000               # the default
. "$ROOT/tests/clustertopo.sh"
cluster_net

for i in 1 2 3 4 5 6; do start_node $i; done
check "the six nodes form one cluster" wait_until 60 agreed
for i in 1 2 3 4 5 6; do ID[$i]=$(node $i cluster myid | tr -d '\r'); done

# Keys across every master, then every replica caught up with its master.
writer_start "$T/w1"
wait_until 20 acked_after "$T/w1" 0 1000
writer_stop "$T/w1"
offset() { node "$1" info replication | tr -d '\r' | sed -n 's/^master_repl_offset://p'; }
caught_up() {
    local m
    for m in $RUNNING; do
        [ "$(role_of $m)" = master ] || continue
        [ "$(offset $m)" = "$(offset "$(replica_of $m)")" ] || return 1
    done
}
check "every replica has every write" wait_until 20 caught_up
out=$(missing "$T/w1")
check "before: no key missing ($out)" holds '^missing=0 ' "$out"

# views: every running node's CLUSTER NODES, shown when a check fails.
views() { local i; for i in $RUNNING; do echo "# host $i:"; node $i cluster nodes | sed 's/^/#   /'; done; }
agree_or_show() { wait_until 90 agreed || { views; return 1; }; }
# gone ID: no running node lists node ID any more.
gone() { local i; for i in $RUNNING; do node $i cluster nodes | grep -q "^$1 " && return 1; done; return 0; }

# ---- a master's host lost with its volume, back empty before the failover ----
M=$(a_master); R=$(replica_of "$M")
keys=$(node "$R" dbsize)
echo "# master on host $M (node ${ID[$M]:0:8}), its replica on host $R holds $keys keys"
kill -KILL "$(pid1 c$M)"        # the whole host: redis-init, Redis, all
ri_wait c$M
t0=$(now_ms)
rm -rf "$T/c$M"
start_node $M
is_master() { [ "$(role_of "$1")" = master ]; }
check "lost master: its replica on host $R is promoted" wait_until 60 is_master $R
check "... the newcomer waited for it, and said why" \
    grep -q "$(ip_of $R):6379 replicates from node ${ID[$M]:0:8}, which was at this address" "$T/c$M.log"
check "... with every key it held ($keys before, $(node "$R" dbsize) now)" \
    test "$(node "$R" dbsize)" -ge "$keys"
is_replica() { [ "$(role_of "$1")" = slave ]; }
check "... the empty newcomer on host $M joins as a replica, all six agree" \
    wait_until 90 agreed
check "... under a new node id" test "$(node $M cluster myid | tr -d '\r')" != "${ID[$M]}"
check "... as a replica" is_replica $M
check "... the old id is forgotten on every node" wait_until 30 gone "${ID[$M]}"
grep 'forgot\|newcomer\|lost' "$T"/c*.log | sed 's/^/# /'
echo "# figure: a master's host lost with its volume: every node agrees again, the newcomer a replica, after $(( $(now_ms) - t0 )) ms"
out=$(missing "$T/w1")
check "... no key lost ($out)" holds '^missing=0 ' "$out"
ID[$M]=$(node $M cluster myid | tr -d '\r')

# ---- a replica's volume lost: it stops, comes back empty ----
L=$M
ri_signal c$L TERM; ri_wait c$L
check "lost replica: it stopped with exit 0 (got $RC)" test "$RC" = 0
rm -rf "$T/c$L"
start_node $L
check "... back under a new id, a replica, all six agree" agree_or_show
check "... the old id is forgotten on every node" wait_until 30 gone "${ID[$L]}"
check "... as a replica" is_replica $L
out=$(missing "$T/w1")
check "... no key lost ($out)" holds '^missing=0 ' "$out"
ID[$L]=$(node $L cluster myid | tr -d '\r')

# ---- a replica's host lost, its volume too: back at a new address ----
# (a rescheduled pod with a new PersistentVolume): no node answers at the
# old address, the newcomer is a node the others never knew.
kill -KILL "$(pid1 c$L)"; ri_wait c$L
rm -rf "$T/c$L"
readdress $L 30
start_node $L
check "replica back empty at a new address: a replica, all six agree" agree_or_show
check "... the old id is forgotten on every node" wait_until 30 gone "${ID[$L]}"
check "... why: a new node joins" \
    grep -q "node ${ID[$L]:0:8} is gone (.*a new node joins)" "$T"/c*.log
out=$(missing "$T/w1")
check "... no key lost ($out)" holds '^missing=0 ' "$out"

# ---- a node that was forgotten and comes back is met again ----
for i in $RUNNING; do ID[$i]=$(node $i cluster myid | tr -d '\r'); done
L2=$(replica_of "$(a_master)")
old=${ID[$L2]}
ri_signal c$L2 TERM; ri_wait c$L2
for i in $RUNNING; do [ "$i" = "$L2" ] || node $i cluster forget "$old" >/dev/null; done
start_node $L2
check "a forgotten replica restarted with its volume: met again, all six agree" agree_or_show
check "... under its own id" test "$(node $L2 cluster myid | tr -d '\r')" = "$old"
check "... as a replica" is_replica $L2

# ---- a lost master whose replica cannot take over in time: exit 75 ----
for i in $RUNNING; do ID[$i]=$(node $i cluster myid | tr -d '\r'); done
# single_master: a master of slots with exactly one replica not failing.
# The earlier phases can leave a master with two (a node that joined while
# a gone one was not yet flagged failing): freezing one of two would let
# the other take over.
single_master() {
    local i
    for i in $RUNNING; do
        node $i cluster nodes | tr -d '\r' | awk '/myself/ && $3 ~ /master/ && NF > 8 {id = $1}
            $3 !~ /fail/ {n[$4]++} END {exit !(id && n[id] == 1)}' && { echo $i; return; }
    done
}
M=$(single_master); R=$(replica_of "$M")
check "a master with one replica (host $M, its replica on host $R)" test -n "$M" -a -n "$R"
freeze c$R                      # its replica, down but not yet failing
kill -KILL "$(pid1 c$M)"; ri_wait c$M
rm -rf "$T/c$M"
start_node $M CLUSTER_WAIT=2
ri_wait c$M
check "lost master, its replica frozen: the newcomer exits 75 after CLUSTER_WAIT (got $RC)" test "$RC" = 75
check "... says why" grep -q "fatal: $(ip_of $R):6379 still replicates from node ${ID[$M]:0:8}, which was at this address, after CLUSTER_WAIT=2 s" "$T/c$M.log"
check "... and never started Redis" test ! -e "$T/c$M/nodes.conf"
thaw c$R
check "... the replica, thawed, is promoted by Redis' own failover" wait_until 60 is_master $R
start_node $M
check "... the newcomer started again: a replica, all six agree" agree_or_show
out=$(missing "$T/w1")
check "... no key lost ($out)" holds '^missing=0 ' "$out"
finish
