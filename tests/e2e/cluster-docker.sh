# Redis Cluster in real Docker, from compose/cluster/docker-compose.yml as a
# user runs it: `up -d --scale node=6` forms the cluster with nothing else
# typed; a cluster client writes across every master; `docker stop` of a
# master hands its slots to its replica with no acknowledged write lost;
# `docker kill` of a master fails over and the node rejoins as a replica
# when started again; every container stopped and started again in another
# order (so that Docker hands out the addresses anew) comes back ok with
# every key, every master at the config epoch the others hold for it, and
# a master killed then (one that came back below it, if any) fails over;
# scaled to eight, `redis-init cluster-rebalance` in a container
# makes four masters of 4,096 slots, every key kept. Prints a SKIP line when no Docker engine answers.
. "$(dirname "$0")/../lib.sh"
need_compose
PY=/usr/bin/python3
IMAGE=redis-init:cl$$
P=ricl$$
export IMAGE REDISCLI_AUTH='cl d0cker "pw"'
printf '%s\n' "$REDISCLI_AUTH" > "$T/pw"
export REDIS_PASSWORD_SECRET=$T/pw
dc() { docker-compose -p "$P" -f "$ROOT/compose/cluster/docker-compose.yml" "$@"; }
compose_cleanups
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
cids() { dc ps -q node; }
ip_of_c() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
ips() { local c; for c in $(cids); do ip_of_c "$c"; done | grep . | sort; }
rc() { local ip=$1; shift; timeout 5 redis-cli --no-auth-warning -h "$ip" "$@"; }
# view IP: per node its id, role, master and slots, sorted: what
# `redis-cli --cluster check` requires all to agree on. Not the config
# epochs: after every node stopped at once, a master can come back with an
# epoch lower than the others hold for it, until its keeper raises it:
# checked on its own after the full restart.
view() {
    rc "$1" cluster nodes 2>/dev/null | tr -d '\r' | awk '{
        r = $3 ~ /master/ ? "master" : "slave"; s = ""
        for (i = 9; i <= NF; i++) s = s " " $i
        print $1, r, $4, s }' | sort
}
# agreed: every node is ok, sees NODES (6) connected nodes at the addresses
# the containers have now, none failing, and all have one map with MASTERS
# (3) masters of slots and the others replicas.
agreed() {
    local ip first= v raw all
    all=$(ips)                  # docker-compose ps is slow: once a look
    for ip in $all; do
        rc "$ip" cluster info 2>/dev/null | tr -d '\r' | grep -qx cluster_state:ok || return 1
        raw=$(rc "$ip" cluster nodes 2>/dev/null | tr -d '\r')
        [ "$(grep -c ' connected' <<<"$raw")" = "${NODES:-6}" ] || return 1
        ! grep -qE ' [a-z,]*fail' <<<"$raw" || return 1
        [ "$(awk '{split($2, a, ":"); print a[1]}' <<<"$raw" | sort)" = "$all" ] || return 1
        v=$(view "$ip")
        [ -z "$first" ] || [ "$v" = "$first" ] || return 1
        first=$v
    done
    [ "$(awk '$2 == "master" && NF > 3' <<<"$first" | wc -l)" = "${MASTERS:-3}" ] &&
        [ "$(awk '$2 == "slave"' <<<"$first" | wc -l)" = $(( ${NODES:-6} - ${MASTERS:-3} )) ]
}
all_healthy() {
    local c
    [ "$(cids | wc -l)" = 6 ] || return 1
    for c in $(cids); do
        [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ] || return 1
    done
}
role_ip() { rc "$1" role 2>/dev/null | head -1; }
a_master() {  # the container of a master of slots
    local c
    for c in $(cids); do
        rc "$(ip_of_c "$c")" cluster nodes 2>/dev/null |
            awk '/myself/ && $3 ~ /master/ && NF > 8 {f = 1} END {exit !f}' && { echo "$c"; return; }
    done
}
replica_ip_of() {  # CONTAINER: the address of its replica
    local ip id
    ip=$(ip_of_c "$1"); id=$(rc "$ip" cluster myid | tr -d '\r')
    rc "$ip" cluster nodes | tr -d '\r' | awk -v m="$id" '$4 == m {split($2, a, ":"); print a[1]}' | head -1
}
writer_start() {  # DIR
    mkdir -p "$1"
    REDIS_PASSWORD=$REDISCLI_AUTH $PY "$ROOT/tests/cwriter.py" "$1" $(ips) 2>>"$1/stderr" &
    WRITER=$!
    wait_until 30 acked_after "$1" 0 200
}
writer_stop() { touch "$1/STOP"; wait "$WRITER"; cp "$1/errors" "$T/$(basename "$1")-errors.log"; }
acked_after() { [ "$(awk -v t="$2" '$2 > t' "$1/acked" 2>/dev/null | wc -l)" -ge "$3" ]; }
missing() { REDIS_PASSWORD=$REDISCLI_AUTH $PY "$ROOT/tests/cacked.py" "$1" $(ips) "${@:2}"; }

check "make image builds the image" \
    sh -c "make -s -C '$ROOT' image IMAGE=$IMAGE >'$T/image.log' 2>&1"

# ---- up: six nodes, nothing else typed ----
t0=$(now_ms)
dc up -d --scale node=6 >"$T/up.log" 2>&1
t_up=$(now_ms)                  # docker-compose has started all six
check "compose up --scale node=6: six containers" test "$(cids | wc -l)" = 6
check "the six nodes form one cluster by themselves" wait_until 120 agreed
echo "# figure: docker-compose up to cluster_state:ok and one map everywhere: $(( $(now_ms) - t0 )) ms"
echo "# figure: all six containers started to cluster_state:ok and one map everywhere: $(( $(now_ms) - t_up )) ms"
check "every container becomes healthy (redis-init health)" wait_until 120 all_healthy
check "exactly one node created it" \
    test "$(dc logs --no-color 2>&1 | grep -c 'creating a cluster of 6 nodes')" = 1

# ---- a cluster client across every master ----
writer_start "$T/w1"
keys_everywhere() {
    local ip k
    for ip in $(ips); do k=$(rc "$ip" dbsize 2>/dev/null); [ "${k:-0}" -gt 0 ] || return 1; done
}
check "writes reach every node" wait_until 20 keys_everywhere

# ---- docker stop of a master: handover, nothing lost ----
M=$(a_master); R=$(replica_ip_of "$M")
cut=$(date +%s.%N); t0=$(now_ms)
docker stop "$M" >/dev/null
STOP_MS=$(( $(now_ms) - t0 ))
check "docker stop of a master: exit 0 ($(docker inspect -f '{{.State.ExitCode}}' "$M")) in $STOP_MS ms, inside the grace period" \
    sh -c "[ \"\$(docker inspect -f '{{.State.ExitCode}}' $M)\" = 0 ] && [ $STOP_MS -lt 15000 ]"
check "... its replica took the slots" sh -c "docker logs $M 2>&1 | grep -q 'handover: $R:6379 owns the slots'"
check "... and Redis saved" sh -c "docker logs $M 2>&1 | tail -5 | grep -q 'DB saved on disk'"
check "writes go on" wait_until 30 acked_after "$T/w1" "$cut" 300
writer_stop "$T/w1"
out=$(missing "$T/w1")
echo "# docker stop handover $(cat "$T/w1/summary") ($out)"
check "handover: no acknowledged write lost ($out)" holds '^missing=0 ' "$out"
GAP=$(sed -n 's/.*longest_gap_ms=\([0-9]*\).*/\1/p' "$T/w1/summary")
echo "# figure: docker stop of a master: acknowledged writes lost: $(sed -n 's/^missing=\([0-9]*\) of=\([0-9]*\).*/\1 of \2/p' <<<"$out")"
echo "# figure: docker stop of a master: the client's longest write gap: $GAP ms"
check "handover: the client's longest gap is under 1 s ($GAP ms)" test "$GAP" -lt 1000
docker start "$M" >/dev/null
check "started again, it is a replica and every node agrees" \
    wait_until 90 sh -c "[ \"\$(timeout 5 redis-cli --no-auth-warning -h \$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' $M) role | head -1)\" = slave ]"
check "... one map again" wait_until 90 agreed

# ---- docker kill of a master: its replica takes over ----
# KILLS times (1 here; make bench asks for more samples of the figure).
is_master() { [ "$(role_ip "$1")" = master ]; }
for k in $(seq "${KILLS:-1}"); do
    M=$(a_master); R=$(replica_ip_of "$M")
    writer_start "$T/w2-$k"
    t0=$(now_ms)
    docker kill "$M" >/dev/null
    check "docker kill: its replica is promoted" wait_until 60 is_master "$R"
    echo "# figure: docker kill of a master -> its replica is master: $(( $(now_ms) - t0 )) ms"
    fo_at=$(date +%s.%N)
    check "writes go on" wait_until 30 acked_after "$T/w2-$k" "$fo_at" 300
    writer_stop "$T/w2-$k"
    docker start "$M" >/dev/null
    check "started again, the killed node rejoins and every node agrees" wait_until 120 agreed
    out=$(missing "$T/w2-$k")
    echo "# docker kill $(cat "$T/w2-$k/summary") ($out)"
done

# ---- every container stopped, started again in another order ----
# The address of each container, before and after.
addresses() { local c; for c in $(cids); do echo "$c $(ip_of_c "$c")"; done | sort; }
moved() { join <(echo "$1") <(addresses) | awk '$2 != $3' | wc -l; }
before=$(addresses)
# master_keys: the keys of all masters together.
master_keys() {
    local ip
    for ip in $(ips); do rc "$ip" cluster nodes | grep -q myself.master && rc "$ip" dbsize; done |
        awk '{s += $1} END {print s}'
}
keys=$(master_keys)
dc stop -t 15 >>"$T/up.log" 2>&1
for c in $(cids | sort -r); do docker start "$c" >/dev/null; done
t0=$(now_ms)
n=$(moved "$before")
check "full restart: $n of 6 containers have another address" test "$n" -ge 2
# Every node's view, kept for the logs when they do not agree.
views() { local ip; for ip in $(ips); do echo "== $ip"; rc "$ip" cluster nodes; done > "$T/views.log" 2>&1; }
wait_until 120 agreed || views
check "full restart: one cluster again, every node at its new address" agreed
echo "# figure: full restart at new addresses -> ok everywhere: $(( $(now_ms) - t0 )) ms"
after=$(master_keys)
check "full restart: every key is there ($after of $keys)" test "$after" = "$keys"
out=$(missing "$T/w1")
check "full restart: no acknowledged write of the first writer lost ($out)" holds '^missing=0 ' "$out"

# ---- after the full restart, a master's config epoch and its failover ----
# After every node stopped at once, a master may come back announcing a
# config epoch below the one the others hold for it: then its replicas'
# votes are refused and its slots cannot fail over. The keeper raises it
# (CLUSTER BUMPEPOCH).
stale_masters() {
    local ip
    for ip in $(ips); do rc "$ip" cluster nodes; done | stale_epochs
}
no_stale() { [ -z "$(stale_masters)" ]; }
stale=$(stale_masters)
echo "# full restart: masters below the epoch the others hold for them, at the first look: ${stale:-none}"
check "full restart: every master's config epoch is at least what the others hold for it" \
    wait_until 30 no_stale
# Kill a master that was stale, if one was (else any): its replica wins.
M=$(a_master)
for c in $(cids); do
    [ -n "$stale" ] && [ "$(rc "$(ip_of_c "$c")" cluster myid | tr -d '\r')" = "${stale%% *}" ] && M=$c
done
R=$(replica_ip_of "$M")
docker kill "$M" >/dev/null
check "docker kill after the full restart: its replica ($R) is promoted" wait_until 60 is_master "$R"
docker start "$M" >/dev/null
check "... the killed node rejoins and every node agrees" wait_until 120 agreed

# ---- scale out to eight, then cluster-rebalance in a container: 4 masters ----
NODES=8
dc up -d --scale node=8 >>"$T/up.log" 2>&1
check "scale out to eight: the new nodes join as replicas, all eight agree" wait_until 120 agreed
keys=$(master_keys)
xrc=0
out=$(docker exec "$(cids | head -1)" redis-init cluster-rebalance 2>&1) || xrc=$?
printf '%s\n' "$out" > "$T/rebalance.log"
grep -v '^Moving slot' <<<"$out" | sed 's/^/# /'
MASTERS=4
check "docker exec redis-init cluster-rebalance: exit 0 (got $xrc)" test "$xrc" = 0
check "... 4 masters of 4096 slots, all agree" \
    holds '4 masters of 8 nodes, 4096 to 4096 slots each, all agree: done' "$out"
check "... one map with four masters and four replicas" wait_until 60 agreed
check "... every key is there ($(master_keys) of $keys)" test "$(master_keys)" = "$keys"
check "the password is in no log" sh -c "! dc logs 2>&1 | grep -qF 'cl d0cker'"
finish
