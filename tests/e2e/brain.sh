# The HA brain, part two, on a namespace topology where every instance has
# a stable DNS name (as a StatefulSet's pods do) 60 to 80 characters long,
# and the master name is 80 characters:
# - every host stopped and started again with new addresses under the same
#   names: one master, every key, a Sentinel client writes again; the
#   sentinels keep whole names and their epochs;
# - a master whose data directory is lost, started again before the
#   sentinels notice: it never serves empty, every key survives.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
PY=/usr/bin/python3
export REDISCLI_AUTH='br4in pw'
net_init
for i in 1 2 3 4 5 6 7; do host_add $i; done
NS_SUFFIX=redis-headless.production-payments-eu-west.svc.cluster.local
name_of() { [ $1 -le 3 ] && echo "redis-node-$1.$NS_SUFFIX" || echo "sentinel-$1.$NS_SUFFIX"; }
for i in 1 2 3 4 5 6; do hosts_entry "$(name_of $i)" $i; done
MN=payments-primary-cache-for-the-eu-west-region-with-a-long-descriptive-name-000001
echo "# names of ${#NS_SUFFIX}+13 characters, e.g. $(name_of 1) (${#MN}-character master name)"
COMMON=(MASTER_HOST="$(name_of 1)" MASTER_NAME=$MN "REDIS_PASSWORD=$REDISCLI_AUTH"
        SENTINEL_HOSTS="$(name_of 4),$(name_of 5),$(name_of 6)"
        SENTINEL_DOWN_AFTER=${DOWN_AFTER:-8000} SENTINEL_FAILOVER=5000 START_WAIT=5)
start() {  # N: start host N's instance (redis-init as PID 1)
    local role=sentinel
    [ $1 -le 3 ] && role=$([ $1 = 1 ] && echo master || echo slave)
    net_start n$1 $1 "${COMMON[@]}" ANNOUNCE_HOSTNAME="$(name_of $1)" -- $role
}
cli() { local h=$1; shift; on 7 redis-cli --no-auth-warning -h "$h" "$@"; }
sen() { local n=$1; shift; cli "$(name_of $n)" -p 26379 "$@"; }
# agreed: the data host every sentinel names (by its name), else fail.
agreed() {
    local i a first=
    for i in 4 5 6; do
        a=$(sen $i sentinel get-master-addr-by-name $MN 2>/dev/null | head -1)
        [ -n "$a" ] || return 1
        [ -z "$first" ] || [ "$a" = "$first" ] || return 1
        first=$a
    done
    for i in 1 2 3; do [ "$first" = "$(name_of $i)" ] && { echo $i; return 0; }; done
    return 1
}
masters() {
    local i c=0
    for i in 1 2 3; do
        [ "$(cli "$(name_of $i)" role 2>/dev/null | head -1)" = master ] && c=$((c + 1))
    done
    echo $c
}
linked() {  # N: host N is a replica whose link is up
    cli "$(name_of $1)" info replication 2>/dev/null | tr -d '\r' | grep -qx master_link_status:up
}
keys_on() { cli "$(name_of $1)" dbsize 2>/dev/null; }
all_have() {  # COUNT: every data host has COUNT keys
    local i; for i in 1 2 3; do [ "$(keys_on $i)" = "$1" ] || return 1; done
}
since_ms() { awk -v t="$1" -v n="$(date +%s.%N)" 'BEGIN {printf "%d", (n - t) * 1000}'; }
# first_ack_ms DIR T0: ms from T0 to the writer's first acknowledged write.
first_ack_ms() { awk -v t="$2" 'NR == 1 {printf "%d", ($2 - t) * 1000}' "$1/acked"; }
calm_at_least() {  # one agreed master, linked replicas, at least COUNT keys everywhere
    local m i; m=$(agreed) || return 1
    [ "$(masters)" = 1 ] || return 1
    for i in 1 2 3; do [ $i = "$m" ] || linked $i || return 1; done
    for i in 1 2 3; do [ "$(keys_on $i)" -ge "$1" ] 2>/dev/null || return 1; done
}
calm() {  # one agreed master, two linked replicas, all keys everywhere
    local m i; m=$(agreed) || return 1
    [ "$(masters)" = 1 ] || return 1
    for i in 1 2 3; do [ $i = "$m" ] || linked $i || return 1; done
    all_have "$1"
}

for i in 4 5 6 1 2 3; do start $i; done
check "sentinels monitor the master by its name" wait_until 60 sh -c "
    $(declare -f sen cli on name_of host agreed); NS_SUFFIX=$NS_SUFFIX MN=$MN NET_ID=$NET_ID
    [ \"\$(agreed)\" = 1 ]"
for i in $(seq 1000); do echo "SET k$i v$i"; done | cli "$(name_of 1)" >/dev/null
check "1000 keys, replicated, one master" wait_until 60 calm 1000
check "the master lists its replicas by their names" \
    sh -c "ip netns exec $(host 7) redis-cli --no-auth-warning -h $(name_of 1) info replication | grep -q 'ip=$(name_of 2),'"

# --- every host stops and comes back with a new address -------------------
for i in 1 2 3 4 5 6; do ri_signal n$i TERM; done
for i in 1 2 3 4 5 6; do ri_wait n$i; done
# config_epoch NAME: the master's config epoch in NAME's sentinel.conf.
config_epoch() { sed -nE "s/^sentinel config-epoch \"?$MN\"? ([0-9]+)\$/\1/p" "$T/$1/sentinel.conf"; }
epoch_at_least() { local e; e=$(config_epoch "$1"); [ -n "$e" ] && [ "$e" -ge "$2" ]; }
E4=$(config_epoch n4)
for i in 1 2 3 4 5 6; do readdress $i $((i + 100)); done
echo "# all hosts readdressed: $(for i in 1 2 3 4 5 6; do printf '%s ' "$(ip_of $i)"; done)"
for i in 4 5 6 1 2 3; do start $i; done
t0=$(date +%s.%N)               # the last host started; a client writes at once
mkdir -p "$T/w"
MASTER_NAME=$MN REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/writer.py" "$T/w" \
    "$(name_of 4)" "$(name_of 5)" "$(name_of 6)" &
WRITER=$!
check "full restart, new addresses: one master, two linked replicas, all 1000 keys" \
    wait_until 90 calm_at_least 1000
echo "# full restart with new addresses: calm after $(since_ms "$t0") ms"
check "each sentinel kept the master's whole name" \
    sh -c "grep -q 'monitoring the master this sentinel knew last, $(name_of 1):6379' '$T/n4.log' ||
           grep -q 'peer sentinels name $(name_of 1):6379 as master' '$T/n4.log'"
# ... and its config epoch: the rendered file holds the one it had when it
# stopped (redis-init quotes the name; Sentinel, rewriting the file on its
# first event, does not, and may only raise the epoch). A sentinel that
# found a peer up takes its epoch from the peers: then the file holds one
# once Sentinel has written it.
if grep -q 'monitoring the master this sentinel knew last' "$T/n4.log"; then
    check "... and its config epoch ($E4)" epoch_at_least n4 "$E4"
else
    check "... and its config epoch, or a later one ($E4)" wait_until 10 epoch_at_least n4 "$E4"
fi
check "a Sentinel client writes again" wait_until 30 sh -c "[ \$(wc -l < $T/w/acked 2>/dev/null || echo 0) -gt 50 ]"
touch "$T/w/STOP"; wait $WRITER
wait_until 30 calm_at_least 1000
n_keys=$(keys_on "$(agreed)")   # the 1000 and the writer's (acked or not)
echo "# figure: full restart, stable names: last host started -> first acknowledged write of a Sentinel client: $(first_ack_ms "$T/w" "$t0") ms"

# --- the master's data directory is lost; it comes back at once ------------
m=$(agreed)
check "calm before the lost volume (master is host $m)" wait_until 60 calm $n_keys
# A sentinel learns replicas from the master's INFO, every 10 s: right
# after the full restart above some may know none yet. The master can tell
# its volume was lost only if one of them knows a replica (any one does).
knows_replicas() {  # some sentinel sees both replicas up
    local i
    for i in 4 5 6; do
        [ "$(sen $i sentinel replicas $MN 2>/dev/null | tr -d '\r' |
             grep -A1 -x flags | grep -cx slave)" = 2 ] && return 0
    done
    return 1
}
check "a sentinel knows both replicas" wait_until 30 knows_replicas
kill -KILL "$(pid1 n$m)"; ri_wait n$m
rm -rf "$T/n$m"
start $m
check "the empty master says why it does not serve" \
    wait_until 30 grep -q 'REDIS_DATA_DIR holds no data and they know replicas' "$T/n$m.log"
# promoted_and_linked: another master agreed, host $m its linked replica. If
# the node gave up first (exit 75: some sentinel had not yet heard of the
# switch), it is started again, as Docker or Kubernetes would.
promoted_and_linked() {
    local a
    a=$(agreed) && [ "$a" != "$m" ] && linked "$m" && return 0
    if ! kill -0 "${NS[n$m]}" 2>/dev/null; then
        ri_wait n$m
        [ "$RC" = 75 ] && start "$m"
    fi
    return 1
}
check "a replica is promoted; the restarted node replicates it" \
    wait_until 60 promoted_and_linked
check "every key survives, on every host" wait_until 60 all_have $n_keys
echo "# figure: lost master volume: keys lost: $(( n_keys - $(keys_on "$(agreed)") )) of $n_keys"
check "never two masters" test "$(masters)" = 1
finish
