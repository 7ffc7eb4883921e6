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
# The master the sentinels name, as a host number (asks every sentinel);
# 0 when none answers.
cur_master() {
    local i ip
    for i in 4 5 6; do
        ip=$(sen $i sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1)
        case "$ip" in "$NET_PREFIX".*) echo "${ip##*.}"; return 0;; esac
    done
    echo 0
}
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
writer_start() {  # DIR
    mkdir -p "$1"
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/writer.py" "$1" \
        "$(ip_of 4)" "$(ip_of 5)" "$(ip_of 6)" &
    WRITER=$!
    wait_until 20 test -s "$1/acked"
}
writer_stop() { touch "$1/STOP"; wait "$WRITER"; }
acked() { wc -l < "$1/acked"; }
missing() {  # DIR N: acknowledged writes of DIR missing on host N
    REDIS_PASSWORD=$REDISCLI_AUTH on 7 $PY "$ROOT/tests/acked.py" "$1" "$(ip_of $2)" 6379
}

master_is_not() {  # N: a sentinel names a master other than host N
    local m; m=$(cur_master); [ "$m" != 0 ] && [ "$m" != "$1" ]
}
writes_ok() {  # N: host N accepts a write
    [ "$(cli "$(ip_of $1)" set probe 1 2>/dev/null)" = OK ]
}
