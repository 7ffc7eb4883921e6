# No ghost master after every address changed at once, where instances
# announce addresses only (no ANNOUNCE_HOSTNAME): the sentinels know the
# master by its old IP. Every data host runs role `slave` with the same
# settings (as a StatefulSet's pods do), REDIS_HOSTS naming all three.
# After a planned failover the sentinels know the master by address; then
# every host stops and starts again with a new address under the same
# name: the instance with the most data takes over, the sentinels follow,
# every key is there, and a Sentinel client writes again. Without
# REDIS_HOSTS the same restart leaves no master (shown first).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
PY=/usr/bin/python3
export REDISCLI_AUTH='gh0st pw'
net_init
for i in 1 2 3 4 5 6 7; do host_add $i; done
name_of() { [ $1 -le 3 ] && echo "redis-$1" || echo "sentinel-$1"; }
for i in 1 2 3 4 5 6; do hosts_entry "$(name_of $i)" $i; done
BASE_ENV=(MASTER_HOST=redis-1 "REDIS_PASSWORD=$REDISCLI_AUTH"
          SENTINEL_HOSTS=sentinel-4,sentinel-5,sentinel-6
          SENTINEL_DOWN_AFTER=1000 SENTINEL_FAILOVER=3000 START_WAIT=3)
HOSTS_ENV=(REDIS_HOSTS=redis-1,redis-2,redis-3)
start() {  # N [VAR=VALUE...]: start host N's instance
    local n=$1 role=sentinel; shift
    [ $n -le 3 ] && role=slave
    net_start n$n $n "${BASE_ENV[@]}" "$@" -- $role
}
cli() { local h=$1; shift; on 7 redis-cli --no-auth-warning -h "$h" "$@"; }
sen() { local n=$1; shift; cli "$(ip_of $n)" -p 26379 "$@"; }
# agreed: the data host every sentinel names, by its address now.
agreed() {
    local i a first=
    for i in 4 5 6; do
        a=$(sen $i sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1)
        [ -n "$a" ] || return 1
        [ -z "$first" ] || [ "$a" = "$first" ] || return 1
        first=$a
    done
    for i in 1 2 3; do
        [ "$first" = "$(ip_of $i)" ] || [ "$first" = "$(name_of $i)" ] &&
            { echo $i; return 0; }
    done
    return 1
}
role_of() { cli "$(ip_of $1)" role 2>/dev/null | head -1; }
masters() {
    local i c=0
    for i in 1 2 3; do [ "$(role_of $i)" = master ] && c=$((c + 1)); done
    echo $c
}
linked() {
    cli "$(ip_of $1)" info replication 2>/dev/null | tr -d '\r' | grep -qx master_link_status:up
}
all_have() {
    local i; for i in 1 2 3; do [ "$(cli "$(ip_of $i)" dbsize 2>/dev/null)" = "$1" ] || return 1; done
}
known_replicas() {  # every sentinel sees 2 replicas up
    local i
    for i in 4 5 6; do
        [ "$(sen $i sentinel replicas mymaster 2>/dev/null | tr -d '\r' |
             grep -A1 -x flags | grep -cx slave)" = 2 ] || return 1
    done
}
calm_at_least() {  # one agreed master, linked replicas, at least COUNT keys everywhere
    local m i; m=$(agreed) || return 1
    [ "$(masters)" = 1 ] && [ "$(role_of $m)" = master ] || return 1
    for i in 1 2 3; do [ $i = "$m" ] || linked $i || return 1; done
    for i in 1 2 3; do [ "$(cli "$(ip_of $i)" dbsize 2>/dev/null)" -ge "$1" ] 2>/dev/null || return 1; done
    known_replicas
}
calm() {  # one agreed master, two linked replicas, COUNT keys everywhere
    local m i; m=$(agreed) || return 1
    [ "$(masters)" = 1 ] && [ "$(role_of $m)" = master ] || return 1
    for i in 1 2 3; do [ $i = "$m" ] || linked $i || return 1; done
    all_have "$1" && known_replicas
}
stop_all() {
    local i
    for i in 1 2 3 4 5 6; do ri_signal n$i TERM; done
    for i in 1 2 3 4 5 6; do ri_wait n$i; done
}
readdress_all() {  # BASE: host N moves to .BASE+N
    local i
    for i in 1 2 3 4 5 6; do readdress $i $(($1 + i)); done
    echo "# all hosts readdressed: $(for i in 1 2 3 4 5 6; do printf '%s ' "$(ip_of $i)"; done)"
}

# --- a cluster whose sentinels know the master by address ------------------
for i in 4 5 6 1 2 3; do start $i "${HOSTS_ENV[@]}"; done
check "the cluster starts: host 1 master, all keys" wait_until 60 calm 0
for i in $(seq 1000); do echo "SET k$i v$i"; done | cli "$(ip_of 1)" >/dev/null
check "1000 keys, replicated" wait_until 60 calm 1000
ri_signal n1 TERM; ri_wait n1                 # a planned failover:
not_host1() { local a; a=$(agreed) && [ "$a" != 1 ]; }
check "after a handover the sentinels name host 2 or 3" wait_until 30 not_host1
start 1 "${HOSTS_ENV[@]}"
check "calm again, host 1 a replica" wait_until 60 calm 1000
m=$(agreed)
check "the sentinels know the master by its address" \
    test "$(sen 4 sentinel get-master-addr-by-name mymaster | head -1)" = "$(ip_of $m)"

# --- without REDIS_HOSTS, a full restart with new addresses: a ghost ------
stop_all
readdress_all 100
for i in 4 5 6 1 2 3; do start $i; done
names_ghost() {  # every sentinel names the master's old address
    local i
    for i in 4 5 6; do
        [ "$(sen $i sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1)" = "$NET_PREFIX.$m" ] || return 1
    done
}
check "without REDIS_HOSTS: every sentinel names the old address (a ghost)" wait_until 30 names_ghost
sleep 8                                      # a user waits; nothing changes
check "... and 8 s later still: no master anyone can reach" names_ghost
check "... no data host is master" test "$(masters)" = 0

# --- with REDIS_HOSTS: the rescue ----------------------------------------
stop_all
readdress_all 200
for i in 4 5 6 1 2 3; do start $i "${HOSTS_ENV[@]}"; done
t0=$(date +%s.%N)               # the last host started; a client writes at once
mkdir -p "$T/w"
REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/writer.py" "$T/w" \
    "$(ip_of 4)" "$(ip_of 5)" "$(ip_of 6)" &
WRITER=$!
check "with REDIS_HOSTS: one master, two linked replicas, all 1000 keys, known to every sentinel" \
    wait_until 90 calm_at_least 1000
echo "# full restart, addresses only: calm after $(awk -v t="$t0" -v n="$(date +%s.%N)" 'BEGIN {printf "%d", (n - t) * 1000}') ms"
w=$(agreed)
check "the instance that took over says why" grep -q 'rescue: of every instance of REDIS_HOSTS this one has the most data' "$T/n$w.log"
check "never two masters" test "$(masters)" = 1
check "a Sentinel client writes again" wait_until 30 sh -c "[ \$(wc -l < $T/w/acked 2>/dev/null || echo 0) -gt 50 ]"
touch "$T/w/STOP"; wait $WRITER
echo "# figure: full restart, addresses only (REDIS_HOSTS): last host started -> first acknowledged write of a Sentinel client: $(awk -v t="$t0" 'NR == 1 {printf "%d", ($2 - t) * 1000}' "$T/w/acked") ms"
finish
