#!/bin/bash
# Tears down what up.sh started, by its pid files: the pods' containers, the
# cluster's processes, their mounts and network namespaces, the cni0 bridge,
# the KUBE-*/CNI-* iptables chains, the host sysctls kubelet rewrote, the
# kubepods cgroups; then removes $K (the built programs in $K8S_CACHE stay).
D=$(cd "$(dirname "$0")" && pwd); . "$D/env.sh"
t0=$(now)
[ -d "$K" ] || exit 0
if [ -s "$K/run/apiserver.pid" ] && kubectl get --raw /readyz >/dev/null 2>&1; then
    kubectl delete sts,deploy,ds,rs,job --all -A --wait=false >/dev/null 2>&1
    kubectl delete pods --all -A --grace-period=0 --force >/dev/null 2>&1
    for _ in $(seq 60); do [ -z "$(ctr tasks ls -q 2>/dev/null)" ] && break; sleep 1; done
fi
stop() { # NAME: SIGTERM, up to 10 s, then SIGKILL
    local p; [ -s "$K/run/$1.pid" ] || return 0; p=$(cat "$K/run/$1.pid")
    kill "$p" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 "$p" 2>/dev/null
}
for n in kube-proxy kubelet sched kcm apiserver etcd; do stop $n; done
if [ -S "$S" ]; then
    for t in $(ctr tasks ls -q 2>/dev/null); do
        ctr tasks kill -s SIGKILL "$t" >/dev/null 2>&1; sleep 0.2; ctr tasks rm -f "$t" >/dev/null 2>&1
    done
fi
stop containerd
# containerd-shim processes of this cluster (their -address is our socket)
for p in $(pgrep -f "containerd-shim.*-address $S" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
mounts=$(awk -v k="$K" '$2 ~ "^"k || $2 ~ "^/(var/)?run/netns/cni-" {print $2}' /proc/mounts | sort -r)
for m in $mounts; do umount -l "$m" 2>/dev/null; done
# the network namespaces the CNI plugins made for our pods (named cni-UUID)
for f in /run/netns/cni-*; do [ -e "$f" ] && ! grep -q " $f " /proc/mounts && rm -f "$f"; done
[ -x "$B/kube-proxy" ] && "$B/kube-proxy" --cleanup >/dev/null 2>&1
ip link del cni0 2>/dev/null
for ipt in iptables ip6tables; do for t in filter nat mangle; do
    $ipt -t $t -S 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j (KUBE|CNI)-' |
        sed 's/^-A/-D/' | while read -r r; do eval "$ipt -t $t $r"; done
    for c in $($ipt -t $t -S 2>/dev/null | awk '/^-N (KUBE|CNI)-/{print $2}'); do $ipt -t $t -F "$c"; done
    for c in $($ipt -t $t -S 2>/dev/null | awk '/^-N (KUBE|CNI)-/{print $2}'); do $ipt -t $t -X "$c"; done
done; done 2>/dev/null
[ -s "$K/sysctl.orig" ] && sysctl -q -p "$K/sysctl.orig"
for h in /sys/fs/cgroup/*/; do
    [ -d "$h/kubepods" ] && find "$h/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null
done
rm -rf "${K:?}"
echo "k8s: torn down in $(( $(now) - t0 )) s"
