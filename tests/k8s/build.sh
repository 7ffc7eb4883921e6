#!/bin/bash
# Builds, once, the cluster's programs from the Go module proxy: kube-apiserver,
# kube-controller-manager, kube-scheduler, kubelet, kube-proxy and kubectl from
# k8s.io/kubernetes (its staging replaces swapped for the published k8s.io/*
# modules), etcd and CoreDNS; and the pause and CoreDNS images FROM scratch;
# and helm, which installs the chart. Everything lands in $K8S_CACHE/v$KVER
# (helm in $K8S_CACHE/helm-v$HELMVER); a second run finds it and returns.
set -euo pipefail
D=$(cd "$(dirname "$0")" && pwd); . "$D/env.sh"
V=$K8S_CACHE/v$KVER
"$D/helm.sh" >/dev/null
[ -f "$V/built" ] && { echo "k8s: reusing $V ($(cat "$V/built"))"; exit 0; }
command -v go >/dev/null || { echo "k8s: go is needed (1.24 or later)" >&2; exit 1; }
t0=$(now); W=$K8S_CACHE/work
mkdir -p "$B" "$IMG" "$W"
export CGO_ENABLED=0
MINOR=${KVER#1.}; MINOR=${MINOR%%.*}
src() { # module@version -> a writable copy in $W/$2
    local d; d=$(cd "$W" && go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
    rm -rf "${W:?}/$2"; cp -r "$d" "$W/$2"; chmod -R u+w "$W/$2"
}
src "k8s.io/kubernetes@v$KVER" kubernetes; cd "$W/kubernetes"
rm -rf vendor go.work go.work.sum
args=()
for m in $(sed -n '/^replace (/,/^)/p' go.mod | awk '/=>/{print $1}'); do
    case $m in
    k8s.io/sample-*) args+=(-dropreplace="$m" -droprequire="$m");;  # not served; unused
    *) args+=(-dropreplace="$m" -require="$m@v0.${KVER#1.}");;
    esac
done
go mod edit "${args[@]}"
go mod download
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    LD="$LD -X $p.gitVersion=v$KVER -X $p.gitMajor=1 -X $p.gitMinor=$MINOR -X $p.gitTreeState=clean"
done
for c in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    t=$(now); go build -ldflags "$LD" -o "$B/$c" "./cmd/$c"; echo "k8s: built $c in $(( $(now) - t )) s"
done
cp build/pause/linux/pause.c "$W/pause.c"
# etcd: the server module's ../ replaces point into its own repository; drop them.
t=$(now); src "go.etcd.io/etcd/server/v3@v$ETCDVER" etcd; cd "$W/etcd"
go mod edit $(for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do echo -dropreplace=go.etcd.io/etcd/$m; done)
go build -ldflags "-s -w" -o "$B/etcd" .; echo "k8s: built etcd in $(( $(now) - t )) s"
t=$(now); (cd "$W" && GOFLAGS= GOBIN=$B go install -ldflags "-s -w" "github.com/coredns/coredns@v$COREDNSVER")
echo "k8s: built coredns in $(( $(now) - t )) s"
# Images FROM scratch (nothing can be pulled): kubernetes' own pause.c, static; CoreDNS.
I=$W/img; rm -rf "$I"; mkdir -p "$I/pause" "$I/coredns"
gcc -Os -static -DVERSION=$PAUSEVER -o "$I/pause/pause" "$W/pause.c"; strip "$I/pause/pause"
printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' > "$I/pause/Dockerfile"
cp "$B/coredns" "$I/coredns/"
printf 'FROM scratch\nCOPY coredns /coredns\nENTRYPOINT ["/coredns"]\n' > "$I/coredns/Dockerfile"
export DOCKER_BUILDKIT=0
docker build -q -t "$PAUSE_IMAGE" "$I/pause" >/dev/null
docker build -q -t "$COREDNS_IMAGE" "$I/coredns" >/dev/null
docker save "$PAUSE_IMAGE" "$COREDNS_IMAGE" > "$IMG/base.tar"
docker rmi "$PAUSE_IMAGE" "$COREDNS_IMAGE" >/dev/null
rm -rf "${W:?}/kubernetes" "${W:?}/etcd" "$I"   # sources: 1 GB, not needed again
echo "k8s $KVER, etcd $ETCDVER, coredns $COREDNSVER; built in $(( $(now) - t0 )) s on $(date -u +%F)" > "$V/built"
echo "k8s: $(cat "$V/built")"
