# The HA topology on network namespaces, shared by tests/e2e/ha.sh and
# tests/bench/ha.sh; sourced after lib.sh and netns.sh. Hosts 1-3 hold
# Redis (redis-init n1..n3), 4-6 the sentinels (x4..x6), 7 the client.
PY=/usr/bin/python3
export REDISCLI_AUTH='ha p"w$%'
net_init
for i in 1 2 3 4 5 6 7 8; do host_add $i; done
COMMON=(MASTER_HOST=redis-master "REDIS_PASSWORD=$REDISCLI_AUTH"
        SENTINEL_HOSTS=$(ip_of 4),$(ip_of 5),$(ip_of 6)
        SENTINEL_DOWN_AFTER=${DOWN_AFTER:-1000} SENTINEL_FAILOVER=5000
        START_WAIT=3 STOP_TIMEOUT=8)
NAME=([0]=none [1]=n1 [2]=n2 [3]=n3)  # the redis-init of each data host

cli() { local h=$1; shift; on 7 redis-cli --no-auth-warning -h "$h" "$@"; }
sen() { local n=$1; shift; cli "$(ip_of $n)" -p 26379 "$@"; }
# The sentinels that run now (a test that stops one takes it out).
SENTINELS="4 5 6"
# agreed_master: the data host every running sentinel names as master; fails
# while any of them does not answer or names another one (a failover is
# over only when all agree: the one that led it knows first).
agreed_master() {
    local i ip first=
    for i in $SENTINELS; do
        ip=$(sen $i sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1)
        case "$ip" in "$NET_PREFIX".*) ;; *) return 1 ;; esac
        [ -z "$first" ] || [ "$ip" = "$first" ] || return 1
        first=$ip
    done
    echo "${first##*.}"
}
# settled_once: every running sentinel names one master, flags it plain
# "master" (no s_down, o_down or failover in progress), knows both other
# data hosts as healthy replicas and every other running sentinel (a
# sentinel learns replicas from the master's INFO only every 10 s: until
# then it has no replica to fail over to), and that master has both other
# data hosts as online replicas.
settled_once() {
    local m i flags info n=0 master
    m=$(agreed_master) || return 1
    for i in $SENTINELS; do n=$((n + 1)); done
    for i in $SENTINELS; do
        master=$(sen $i sentinel master mymaster 2>/dev/null | tr -d '\r')
        flags=$(grep -A1 -x flags <<<"$master" | tail -1)
        [ "$flags" = master ] || return 1
        [ "$(grep -A1 -x num-other-sentinels <<<"$master" | tail -1)" = $((n - 1)) ] || return 1
        [ "$(sen $i sentinel replicas mymaster 2>/dev/null | tr -d '\r' |
             grep -A1 -x flags | grep -cx slave)" = 2 ] || return 1
    done
    info=$(cli "$(ip_of $m)" info replication 2>/dev/null | tr -d '\r')
    grep -qx role:master <<<"$info" &&
        [ "$(grep -c '^slave[0-9]*:.*state=online' <<<"$info")" = 2 ] || return 1
    echo "$m"
}
# settled: settled_once, and still the same master 2 s later (Sentinel may
# start a second failover right after one: a test begins from a calm state).
settled() {
    local a b
    a=$(settled_once) || return 1
    sleep 2
    b=$(settled_once) && [ "$a" = "$b" ]
}
# cur_master: the agreed master as a host number, 0 when there is none.
cur_master() { agreed_master || echo 0; }
# switched_from N: every running sentinel names one master, not host N.
switched_from() { local m; m=$(agreed_master) && [ "$m" != "$1" ]; }
sentinels_name() {  # N: every running sentinel names host N
    local i
    for i in "${@:2}"; do
        [ "$(sen $i sentinel get-master-addr-by-name mymaster | head -1)" = "$(ip_of $1)" ] || return 1
    done
}
role_of() { cli "$(ip_of $1)" role 2>/dev/null | head -1; }
replica_of() {  # N M: host N is a replica of host M with its link up
    local info
    info=$(cli "$(ip_of $1)" info replication 2>/dev/null | tr -d '\r')
    # A replica started from MASTER_HOST names it; one told by Sentinel, an IP.
    grep -qx role:slave <<<"$info" &&
        grep -qxE "master_host:($(ip_of $2)|$([ "$2" = 1 ] && echo redis-master))" <<<"$info" &&
        grep -qx master_link_status:up <<<"$info"
}
# follows_agreed N: every sentinel names one master, not host N, and host N
# is its replica with the link up. (Checked against the master agreed at
# the end, not the one named first: at SENTINEL_DOWN_AFTER=1000 Debian's
# Sentinel has once failed a just-promoted master over again, 1 s later,
# on stale answers; images/patches/redis-sentinel-fresh-answers.patch.)
follows_agreed() { local m; m=$(agreed_master) && [ "$m" != "$1" ] && replica_of "$1" "$m"; }
masters() {  # how many data hosts say role master
    local i c=0
    for i in 1 2 3; do [ "$(role_of $i)" = master ] && c=$((c + 1)); done
    echo $c
}
one_master() { [ "$(masters)" = 1 ]; }
in_sync() {  # every replica of host N has the master's offset
    local info off
    info=$(cli "$(ip_of $1)" info replication | tr -d '\r')
    off=$(sed -n 's/^master_repl_offset://p' <<<"$info")
    [ "$(grep -c "^slave[0-9]*:.*state=online,offset=$off," <<<"$info")" = 2 ]
}
health() {  # N ROLE [VAR=VALUE...]: redis-init health on host N
    local n=$1 role=$2; shift 2
    on "$n" env "${COMMON[@]}" "$@" "$RI" health "$role"
}
start_data() {  # N ROLE
    net_start "${NAME[$1]}" "$1" "${COMMON[@]}" -- "$2"
}
# ha_up SECONDS: the three sentinels, host 1 master, hosts 2 and 3 slaves
# (redis-master names host 1), settled within SECONDS (checked).
ha_up() {
    local i
    hosts_entry redis-master 1
    for i in 4 5 6; do net_start x$i $i "${COMMON[@]}" -- sentinel; done
    start_data 1 master; start_data 2 slave; start_data 3 slave
    check "settled: one master, two replicas, every sentinel agrees" \
        wait_until "$1" settled
}
writer_start() {  # DIR
    mkdir -p "$1"
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/writer.py" "$1" \
        "$(ip_of 4)" "$(ip_of 5)" "$(ip_of 6)" &
    WRITER=$!
    wait_until 20 test -s "$1/acked"
}
writer_stop() { touch "$1/STOP"; wait "$WRITER"; }
acked() { wc -l < "$1/acked"; }
now_s() { date +%s.%N; }
# acked_after DIR T: acknowledged writes of DIR that came after time T.
acked_after() { awk -v t="$2" '$2 > t' "$1/acked" | wc -l; }
missing() {  # DIR N [CUTOFF]: acknowledged writes of DIR missing on host N
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/acked.py" "$1" "$(ip_of $2)" 6379 ${3:-}
}

master_is_not() { switched_from "$@"; }
writes_ok() {  # N: host N accepts a write
    [ "$(cli "$(ip_of $1)" set probe 1 2>/dev/null)" = OK ]
}
