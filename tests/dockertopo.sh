# The compose cluster's helpers, shared by tests/e2e/docker.sh and
# tests/bench/docker.sh; sourced after lib.sh, with P (the compose project)
# and REDISCLI_AUTH set.
dc() { docker-compose -p "$P" -f "$ROOT/compose/docker-compose.yml" "$@"; }
ip_of_c() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
cids() { dc ps -q "$@"; }
data_cids() { cids master; cids slave; }
# The sentinels' addresses; SENTINEL_IPS when set: a wait that times a
# failover sets it first and polls them directly (docker-compose ps alone
# takes a second or more here, which the figure would count).
sentinel_ips() {
    local c
    if [ -n "${SENTINEL_IPS:-}" ]; then echo $SENTINEL_IPS; return; fi
    for c in $(cids sentinel); do ip_of_c "$c"; done
}
# The master the sentinels name, as an IP.
cur_ip() {
    local s ip
    for s in $(sentinel_ips); do
        ip=$(redis-cli --no-auth-warning -h "$s" -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1)
        [ -n "$ip" ] && { echo "$ip"; return; }
    done
}
# The master most sentinels name (a sentinel restarted just before a
# failover can go on naming the dead one: README, Known limits).
majority_ip() {
    local s
    for s in $(sentinel_ips); do
        redis-cli --no-auth-warning -h "$s" -p 26379 sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1
    done | sort | uniq -c | sort -rn | awk -v n="$(sentinel_ips | wc -w)" 'NR == 1 && 2 * $1 > n {print $2}'
}
cid_of_ip() { local c; for c in $(data_cids); do [ "$(ip_of_c "$c")" = "$1" ] && echo "$c"; done; }
rc() { local ip=$1; shift; redis-cli --no-auth-warning -h "$ip" "$@"; }
all_healthy() {
    local c
    for c in $(cids); do
        [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ] || return 1
    done
}
masters() {
    local c n=0
    for c in $(data_cids); do
        [ "$(rc "$(ip_of_c "$c")" role 2>/dev/null | head -1)" = master ] && n=$((n + 1))
    done
    echo $n
}
one_master() { [ "$(masters)" = 1 ]; }
is_replica_of() {  # CONTAINER MASTER_IP
    local info; info=$(rc "$(ip_of_c "$1")" info replication 2>/dev/null | tr -d '\r')
    grep -qx role:slave <<<"$info" && grep -qx "master_host:$2" <<<"$info" &&
        grep -qx master_link_status:up <<<"$info"
}
# ready SLAVES SENTINELS: every sentinel sees that many replicas and other
# sentinels (a fresh sentinel learns replicas from the master's INFO, every
# 10 s; before that, a failover finds no good replica).
ready() {
    local s
    for s in $(sentinel_ips); do
        redis-cli --no-auth-warning -h "$s" -p 26379 sentinel master mymaster 2>/dev/null |
            tr '\n' ' ' | grep -q "num-slaves $1 .*num-other-sentinels $(($2 - 1)) " || return 1
    done
}
switched_from() { local ip; ip=$(cur_ip); [ -n "$ip" ] && [ "$ip" != "$1" ]; }

