# A topology of hosts as network namespaces on one bridge, each host with
# its own address; sourced after lib.sh. Hosts are torn down by lib.sh's
# cleanup. Names and the subnet are unique per run.
NET_ID="ri$$"
NET_PREFIX="10.$((100 + RANDOM % 100)).$((RANDOM % 250))"
NET_BR="${NET_ID}br"

net_init() {
    ip netns add "$NET_BR"
    ip -n "$NET_BR" link add br0 type bridge
    ip -n "$NET_BR" link set br0 up
    CLEANUPS+=("net_teardown")
}

# host_add N: namespace ${NET_ID}hN with address $NET_PREFIX.N on eth0, and
# its own /etc/hosts (ip netns exec mounts /etc/netns/NAME/hosts).
host_add() {
    local h="${NET_ID}h$1"
    ip netns add "$h"
    ip link add "v$h" type veth peer name eth0 netns "$h"
    ip link set "v$h" netns "$NET_BR"
    ip -n "$NET_BR" link set "v$h" master br0 up
    ip -n "$h" addr add "$NET_PREFIX.$1/24" dev eth0
    ip -n "$h" link set eth0 up
    ip -n "$h" link set lo up
    mkdir -p "/etc/netns/$h"
    printf '127.0.0.1 localhost\n' > "/etc/netns/$h/hosts"
}

host() { echo "${NET_ID}h$1"; }
declare -A HOSTIP NAMES         # host -> its address now; name -> host
ip_of() { echo "${HOSTIP[$1]:-$NET_PREFIX.$1}"; }
# on N COMMAND...: run a command on host N.
on() { local n=$1; shift; ip netns exec "$(host "$n")" "$@"; }
# hosts_entry NAME N...: NAME resolves to the addresses of hosts N... on
# every host (several: as a compose service scaled up does).
hosts_entry() {
    local name=$1; shift
    NAMES[$name]="$*"
    hosts_sync
}
hosts_sync() {
    local f n h
    for f in /etc/netns/"$NET_ID"h*/hosts; do
        printf '127.0.0.1 localhost\n' > "$f"
        for n in "${!NAMES[@]}"; do
            for h in ${NAMES[$n]}; do echo "$(ip_of "$h") $n" >> "$f"; done
        done
    done
}
# readdress N LAST: host N moves to $NET_PREFIX.LAST (a rescheduled pod's
# new IP); every name of it follows.
readdress() {
    ip -n "$(host "$1")" addr flush dev eth0
    ip -n "$(host "$1")" addr add "$NET_PREFIX.$2/24" dev eth0
    HOSTIP[$1]=$NET_PREFIX.$2
    hosts_sync
}

# net_start NAME N [VAR=VALUE...] -- ARGS: redis-init as PID 1 on host N.
net_start() {
    local name=$1 n=$2; shift 2
    NETNS_EXEC="ip netns exec $(host "$n")" ri_start "$name" "$@"
}

# freeze NAME / thaw NAME: SIGSTOP/SIGCONT every process of NAME's PID
# namespace, as `docker pause` does with the cgroup freezer.
ns_pids() { local p; p=$(pid1 "$1"); echo "$p" $(pgrep -P "$p"); }
freeze() { kill -STOP $(ns_pids "$1"); }
thaw() { kill -CONT $(ns_pids "$1"); }

net_teardown() {
    local ns
    for ns in $(ip netns list | awk '{print $1}' | grep "^$NET_ID"); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
        ip netns del "$ns"
        rm -rf "/etc/netns/$ns"
    done
}
