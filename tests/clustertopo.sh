# Redis Cluster on network namespaces, shared by tests/e2e/cluster.sh and
# tests/e2e/cluster-partition.sh: hosts 1-6 run a node each under its own
# redis-init (role cluster) as PID 1, one name (redis-nodes) resolving to
# all six; host 7 is the application's, host 8 a spare. Sourced after
# lib.sh and netns.sh, with REDISCLI_AUTH, PY and NODE_TIMEOUT set;
# cluster_net builds the hosts.
cluster_net() {
    net_init
    local i
    for i in 1 2 3 4 5 6 7 8; do host_add $i; done
    hosts_entry redis-nodes 1 2 3 4 5 6
}
COMMON=("REDIS_PASSWORD=$REDISCLI_AUTH" CLUSTER_HOSTS=redis-nodes
        CLUSTER_CREATE=yes CLUSTER_NODE_TIMEOUT=$NODE_TIMEOUT STOP_TIMEOUT=8)
RUNNING="1 2 3 4 5 6"
declare -A ID

cli() { local h=$1; shift; on 7 timeout 5 redis-cli --no-auth-warning -h "$h" "$@"; }
node() { local n=$1; shift; cli "$(ip_of "$n")" "$@"; }
start_node() { net_start c$1 $1 "${COMMON[@]}" "${@:2}" -- cluster; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# view N: the slot map node N has: per node its id, role, master, config
# epoch and slots, sorted (what every node must agree on).
view() {
    node "$1" cluster nodes 2>/dev/null | tr -d '\r' | awk '{
        r = $3 ~ /master/ ? "master" : "slave"; s = ""
        for (i = 9; i <= NF; i++) s = s " " $i
        print $1, r, $4, $7, s }' | sort
}
# agreed [NODES]: every running node says cluster_state:ok, sees NODES
# nodes (default 6) connected and none failing, and has the same map,
# with MASTERS (default 3) masters of slots that each have a replica.
agreed() {
    local i first= v raw want=${1:-6}
    for i in $RUNNING; do
        node $i cluster info 2>/dev/null | tr -d '\r' | grep -qx cluster_state:ok || return 1
        raw=$(node $i cluster nodes 2>/dev/null | tr -d '\r')
        [ "$(grep -c ' connected' <<<"$raw")" = "$want" ] || return 1
        ! grep -qE ' [a-z,]*fail' <<<"$raw" || return 1
        # Each node at the address its host has now (a restarted node
        # reports ok from its old nodes.conf before it reaches anyone).
        [ "$(awk '{split($2, a, ":"); print a[1]}' <<<"$raw" | sort -u)" = "$(here)" ] ||
            return 1
        v=$(view $i)
        [ -z "$first" ] || [ "$v" = "$first" ] || return 1
        first=$v
    done
    [ "$(awk '$2 == "master" && NF > 4' <<<"$first" | wc -l)" = "${MASTERS:-3}" ] &&
        [ "$(awk '$2 == "slave"' <<<"$first" | wc -l)" = $((want - ${MASTERS:-3})) ]
}
# here: the addresses of the running nodes' hosts, sorted.
here() { local i; for i in $RUNNING; do ip_of $i; echo; done | grep . | sort -u; }
role_of() { node "$1" role 2>/dev/null | head -1; }
# host_of ID: the host number of node ID (by its own CLUSTER MYID).
host_of() { local i; for i in "${!ID[@]}"; do [ "${ID[$i]}" = "$1" ] && echo $i; done; }
# a_master: a host whose node is a master of slots; replica_of M: its
# replica (the first not failing).
a_master() {
    local i
    for i in $RUNNING; do
        node $i cluster nodes | awk '/myself/ && $3 ~ /master/ && NF > 8 {f = 1} END {exit !f}' &&
            { echo $i; return; }
    done
}
replica_of() { host_of "$(node "$1" cluster nodes | awk -v m="${ID[$1]}" '$4 == m && $3 !~ /fail/ {print $1}' | head -1)"; }
addrs() { local i; for i in $RUNNING; do printf '%s ' "$(ip_of $i)"; done; }
writer_start() {  # DIR
    mkdir -p "$1"
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/cwriter.py" "$1" $(addrs) \
        2>>"$1/stderr" &
    WRITER=$!
    wait_until 20 acked_after "$1" 0 200
}
writer_stop() {
    touch "$1/STOP"; wait "$WRITER"
    cp "$1/errors" "$T/$(basename "$1")-errors.log"      # shown on a failure
    check "$(basename "$1"): one writer, every write it counted is logged" \
        test "$(sed -n 's/^acked=\([1-9][0-9]*\) .*/\1/p' "$1/summary")" = "$(wc -l < "$1/acked" 2>/dev/null || echo none)"
}
# acked_after DIR T N: at least N writes of DIR acknowledged after time T.
acked_after() { [ "$(awk -v t="$2" '$2 > t' "$1/acked" 2>/dev/null | wc -l)" -ge "$3" ]; }
missing() {  # DIR [--after T]: acknowledged writes of DIR the cluster lacks
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/cacked.py" "$1" $(addrs) "${@:2}"
}


# probe_key N: a key in one of the slots node N serves now.
probe_key() {
    node "$1" cluster nodes | tr -d '\r' |
        awk '/myself/ {for (i = 9; i <= NF; i++) if ($i !~ /^\[/) print $i}' |
        $PY -c '
import sys
from redis.crc import key_slot
ranges = []
for tok in sys.stdin.read().split():
    a, _, b = tok.partition("-")
    ranges.append((int(a), int(b or a)))
i = 0
while not any(a <= key_slot(b"probe:%d" % i) <= b for a, b in ranges):
    i += 1
print("probe:%d" % i)'
}

# cluster_partition NAME SECONDS [replica]: from an agreed cluster, cut a
# master (OLD; its replica is REPL, cut with it if asked) from the other
# nodes for SECONDS while the application on host 7, which reaches every
# node, writes through a cluster client and a prober writes a key of
# OLD's slots to OLD and REPL directly; heal, wait until every node agrees
# on one map (returns 1 if not within 90 s) and set NEW (the host that is
# master of those slots now), LOST ("missing=N of=N ..."), LOST_N ("N of
# N"), SPAN (ms between the first and the last lost write) and TWO (s, OLD
# and REPL taking writes for the same slots at once). Needs parttopo.sh.
cluster_partition() {
    local name=$1 secs=$2 h inside others=; shift 2
    wait_until 90 agreed || return 1
    for h in $RUNNING; do ID[$h]=$(node $h cluster myid | tr -d '\r'); done
    OLD=$(a_master); REPL=$(replica_of "$OLD")
    inside=$OLD
    [ "${1:-}" != replica ] || inside="$OLD $REPL"
    for h in $RUNNING; do [[ " $inside " == *" $h "* ]] || others="$others $h"; done
    writer_start "$T/$name"
    PROBE_KEY=$(probe_key "$OLD") prober_start "$T/$name.probe" "$OLD" "$REPL"
    wait_until 10 acked_over "$T/$name" 300
    for h in $inside; do cut $h $others; done
    sleep "$secs"               # the partition's length is the scenario
    for h in $inside; do heal $h; done
    local rc=0
    wait_until 90 agreed || rc=1
    NEW=$([ "$(role_of "$REPL")" = master ] && echo "$REPL" || echo "$OLD")
    wait_until 20 acked_after "$T/$name" "$(date +%s.%N)" 100 || rc=1
    writer_stop "$T/$name"
    prober_stop "$T/$name.probe"
    LOST=$(missing "$T/$name")
    lost_figures "$T/$name.probe"
    return $rc
}
