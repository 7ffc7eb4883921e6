#!/bin/bash
# Starts the single-node cluster built by build.sh: certificates, containerd
# (CRI on its own socket and root, beside any Docker), the CNI bridge, etcd,
# the control plane, kubelet, kube-proxy, CoreDNS. Its state is $K; down.sh
# undoes all of it. Needs root.
set -euo pipefail
D=$(cd "$(dirname "$0")" && pwd); . "$D/env.sh"
t0=$(now)
[ -f "$K8S_CACHE/v$KVER/built" ] || { echo "k8s: not built: run build.sh" >&2; exit 1; }
[ -e "$K/run" ] && { echo "k8s: $K exists: a cluster runs or was not torn down (tests/k8s/down.sh)" >&2; exit 1; }
for port in 2379 2380 6443 10248 10249 10250 10256 10257 10259; do
    if ss -Htln "sport = :$port" | grep -q .; then echo "k8s: port $port is taken" >&2; exit 1; fi
done
ip link show cni0 >/dev/null 2>&1 && { echo "k8s: a cni0 bridge exists already" >&2; exit 1; }
mkdir -p "$K"/{run,logs,pki,etc,kubelet,cni/conf,containerd} "$K/pv"

# ---- certificates and kubeconfigs (openssl) ----
cd "$P"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=redis-init-k8s-ca" 2>/dev/null
cert() { # name CN [O] [SAN]
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2${3:+/O=$3}" 2>/dev/null
    { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
      echo "extendedKeyUsage=serverAuth,clientAuth"; [ -z "${4:-}" ] || echo "subjectAltName=$4"; } > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 30 -extfile "$1.ext" 2>/dev/null
}
cert apiserver kube-apiserver "" "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:$NODE,IP:127.0.0.1,IP:$SVC_API,IP:$NODEIP"
cert admin admin system:masters
cert kcm system:kube-controller-manager
cert sched system:kube-scheduler
cert kubelet "system:node:$NODE" system:nodes "DNS:$NODE,IP:$NODEIP,IP:127.0.0.1"
cert proxy system:kube-proxy
cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
for n in admin kcm sched kubelet proxy; do cat > "$K/$n.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {certificate-authority: $P/ca.crt, server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {client-certificate: $P/$n.crt, client-key: $P/$n.key}}]
contexts: [{name: c, context: {cluster: local, user: u}}]
current-context: c
EOK
done
cd "$K"

svc() { # NAME cmd args...: detached in its own session; pid in $K/run/NAME.pid
    local n=$1; shift
    nohup setsid bash -c 'echo $$ > "$0"; exec "$@"' "$K/run/$n.pid" "$@" > "$K/logs/$n.log" 2>&1 < /dev/null &
    for _ in $(seq 50); do [ -s "$K/run/$n.pid" ] && return 0; sleep 0.1; done
    echo "k8s: $n did not start" >&2; return 1
}

# ---- containerd: its own socket, root and state ----
cat > "$K/containerd/config.toml" <<EOC
version = 2
root = "$K/containerd/root"
state = "$K/containerd/state"
[grpc]
  address = "$S"
[ttrpc]
  address = "$S.ttrpc"
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$PAUSE_IMAGE"
    # no CAP_SYS_RESOURCE here: a negative oom_score_adj fails in runc
    restrict_oom_score_adj = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$K/containerd/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "$K/cni/conf"
EOC
# The firewall plugin: Docker sets the FORWARD policy to DROP.
cat > "$K/cni/conf/10-bridge.conflist" <<EOC
{"cniVersion": "0.4.0", "name": "redis-init-k8s", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$K/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}},
  {"type": "firewall", "backend": "iptables"}]}
EOC
cgdrv=cgroupfs
[ -f /sys/fs/cgroup/cgroup.controllers ] && [ -d /run/systemd/system ] && cgdrv=systemd
cat > "$K/etc/kubelet.yaml" <<EOC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: $P/ca.crt}}
authorization: {mode: Webhook}
cgroupDriver: $cgdrv
containerRuntimeEndpoint: unix://$S
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
failSwapOn: false
failCgroupV1: false
resolvConf: /etc/resolv.conf
podCIDR: $POD_CIDR
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
EOC
svc containerd containerd --config "$K/containerd/config.toml"
until command ctr -a "$S" version >/dev/null 2>&1; do sleep 0.2; done
ctr images import - < "$IMG/base.tar" >/dev/null
svc etcd "$B/etcd" --data-dir "$K/etcd" --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster default=http://127.0.0.1:2380 --log-level warn
svc apiserver "$B/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 --advertise-address="$NODEIP" --secure-port=6443 \
    --service-cluster-ip-range=$SVC_CIDR --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
    --client-ca-file="$P/ca.crt" --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --authorization-mode=Node,RBAC \
    --kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
    --allow-privileged=true --enable-admission-plugins=NodeRestriction
for _ in $(seq 240); do kubectl get --raw /readyz >/dev/null 2>&1 && break; sleep 0.5; done
kubectl get --raw /readyz >/dev/null
svc kcm "$B/kube-controller-manager" --kubeconfig="$K/kcm.kubeconfig" --authentication-kubeconfig="$K/kcm.kubeconfig" \
    --authorization-kubeconfig="$K/kcm.kubeconfig" --service-account-private-key-file="$P/sa.key" --root-ca-file="$P/ca.crt" \
    --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" --use-service-account-credentials=true \
    --leader-elect=false --service-cluster-ip-range=$SVC_CIDR
svc sched "$B/kube-scheduler" --kubeconfig="$K/sched.kubeconfig" --authentication-kubeconfig="$K/sched.kubeconfig" \
    --authorization-kubeconfig="$K/sched.kubeconfig" --leader-elect=false
# kubelet rewrites these host sysctls (vm.overcommit_memory=1, kernel.panic=10, ...): down.sh puts them back.
sysctl vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys \
    kernel.keys.root_maxbytes > "$K/sysctl.orig"
svc kubelet "$B/kubelet" --config="$K/etc/kubelet.yaml" --kubeconfig="$K/kubelet.kubeconfig" --root-dir="$K/kubelet" \
    --cert-dir="$K/kubelet/pki" --hostname-override="$NODE" --v=1
# The host's conntrack and route_localnet sysctls are left alone.
svc kube-proxy "$B/kube-proxy" --kubeconfig="$K/proxy.kubeconfig" --cluster-cidr=$POD_CIDR --hostname-override="$NODE" \
    --proxy-mode=iptables --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0 \
    --conntrack-tcp-timeout-close-wait=0 --iptables-localhost-nodeports=false
for _ in $(seq 240); do kubectl get node "$NODE" >/dev/null 2>&1 && break; sleep 0.5; done
kubectl wait --for=condition=Ready "node/$NODE" --timeout=120s >/dev/null
sed "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|; s|@DNS_IP@|$DNS_IP|" "$D/coredns.yaml" | kubectl apply -f - >/dev/null
for _ in $(seq 120); do kubectl -n kube-system get sa default >/dev/null 2>&1 && break; sleep 0.5; done
kubectl -n kube-system rollout status deploy/coredns --timeout=120s >/dev/null
echo "k8s: cluster up in $(( $(now) - t0 )) s (Kubernetes $KVER, node $NODE)"
