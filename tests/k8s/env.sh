# tests/k8s/env.sh: settings of the single-node test cluster; sourced.
# K8S_CACHE keeps what is built once (Go caches, binaries, base images);
# K is one running cluster's state, removed by down.sh.
: "${K8S_CACHE:=/var/cache/redis-init-k8s}"
: "${KVER:=1.34.3}"        # k8s.io/kubernetes@v$KVER; staging modules k8s.io/*@v0.${KVER#1.}
: "${ETCDVER:=3.6.8}"
: "${COREDNSVER:=1.12.4}"
: "${PAUSEVER:=3.10.1}"
: "${HELMVER:=4.3.2}"      # helm.sh/helm/v4@v$HELMVER
: "${K:=$K8S_CACHE/cluster}"
: "${NODE:=$(hostname)}"
: "${NODEIP:=$(ip -4 route get 1.1.1.1 | awk '{for(i=1;i<NF;i++) if($i=="src") print $(i+1)}')}"
POD_CIDR=10.88.0.0/16 SVC_CIDR=10.96.0.0/16 SVC_API=10.96.0.1 DNS_IP=10.96.0.10
B=$K8S_CACHE/v$KVER/bin          # kube-*, kubectl, etcd, coredns
IMG=$K8S_CACHE/v$KVER/images     # pause, coredns: docker-save tarballs
HELM=$K8S_CACHE/helm-v$HELMVER/helm
P=$K/pki S=$K/containerd/containerd.sock
PAUSE_IMAGE=localhost/redis-init-k8s/pause:$PAUSEVER
COREDNS_IMAGE=localhost/redis-init-k8s/coredns:$COREDNSVER
export KUBECONFIG=$K/admin.kubeconfig
export GOMODCACHE=$K8S_CACHE/go/mod GOCACHE=$K8S_CACHE/go/cache GOFLAGS=-mod=mod GOTOOLCHAIN=local
kubectl() { "$B/kubectl" "$@"; }
helm() { "$HELM" "$@"; }
ctr() { command ctr -a "$S" -n k8s.io "$@"; }
now() { date +%s; }
