#!/bin/bash
# make test-k8s: the Sentinel deployment, installed with the Helm chart
# (compose/kubernetes/chart, values-single-node.yaml), on a real single-node
# Kubernetes cluster built here
# from upstream sources (build.sh, once), with a Sentinel client writing
# (tests/writer.py) and every acknowledged write counted (tests/acked.py):
# deploy; `kubectl delete pod` of the master, then with --force; `kubectl
# rollout restart` of both StatefulSets; scale 3 -> 5 -> 3 and
# sentinel-reset; full restarts (`kubectl delete pod --all`: every pod at a
# new IP); the master's pod deleted with its volume. Then the Redis Cluster
# (the chart's rendered manifest, through compose/kubernetes/cluster-single-node),
# with a cluster client writing:
# deploy, a master's pod deleted, a master's pod deleted with its volume, a
# full restart. Prints "ok - ..." / "not ok -
# ..." and, last, "N passed, N failed". The cluster is torn down (down.sh)
# pass or fail. Needs root, Docker (to save the image) and Go.
#   IMAGE=redis-init:k8s-test   the image to test (make test-k8s builds it)
#   RESTARTS=2                  full restarts in a row
#   KEEP=1                      leave the cluster up at the end (tests/k8s/down.sh)
set -u
D=$(cd "$(dirname "$0")" && pwd); . "$D/env.sh"
ROOT=$(cd "$D/../.." && pwd)
IMAGE=${IMAGE:-redis-init:k8s-test}
RESTARTS=${RESTARTS:-2}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/redis-init-k8s.XXXXXX)
pass=0 fail=0 writer_pid= died=
FIG=$T/figures
LOGS=$ROOT/build/k8s-logs   # every pod's log, each phase apart
rm -rf "$LOGS"; mkdir -p "$LOGS"

ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
fig() { echo "# $*"; echo "$*" >> "$FIG"; }
ms() { date +%s%3N; }
finish() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$writer_pid" ] || { touch "$W/STOP"; sleep 1; kill "$writer_pid" 2>/dev/null; }
    if [ -d "$K" ]; then
        if [ "$fail" -gt 0 ] || [ "$rc" -ne 0 ]; then   # what went wrong, before it goes
            cp -r "$K/logs" "$LOGS/cluster" 2>/dev/null
            kubectl get pods -o wide > "$LOGS/pods.txt" 2>&1
            echo "# logs kept in build/k8s-logs/ (each pod's, by phase)"
        fi
        if [ -n "${KEEP:-}" ]; then echo "# KEEP: the cluster stays up (KUBECONFIG=$KUBECONFIG); tests/k8s/down.sh ends it"
        else "$D/down.sh" | sed 's/^/# /'; fi
    fi
    [ -s "$FIG" ] && cp "$FIG" "$ROOT/build/k8s-figures.txt" 2>/dev/null
    rm -rf "$T"
    [ "$rc" -eq 0 ] || [ -n "$died" ] || { echo "not ok - the test stopped early (exit $rc)"; fail=$((fail + 1)); }
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && exit 0
    exit 1      # (a bare exit in an EXIT trap keeps the status from before it)
}
trap finish EXIT
trap 'exit 130' INT TERM
die() { notok "$*"; died=1; exit 1; }

# ---- the cluster ----
"$D/deps.sh" >/dev/null || die "install the cluster's packages (tests/k8s/deps.sh)"
if [ ! -f "$K8S_CACHE/v$KVER/built" ]; then
    t=$(now); "$D/build.sh" 2>&1 | sed 's/^/# /'
    [ -f "$K8S_CACHE/v$KVER/built" ] || die "build Kubernetes $KVER from the Go module proxy"
    fig "cold build: $(( $(now) - t )) s"
fi
[ -d "$K" ] && "$D/down.sh" | sed 's/^/# /'   # left over from an interrupted run
t=$(now)
"$D/up.sh" > "$T/up.log" 2>&1 || { sed 's/^/# /' "$T/up.log"; die "start the cluster"; }
fig "warm start (cluster up, CoreDNS ready): $(( $(now) - t )) s"
HELM=$("$D/helm.sh") || die "build helm (tests/k8s/helm.sh)"
CH=$ROOT/compose/kubernetes/chart
# The kustomize overlays of the rendered manifests and the chart's
# values-single-node.yaml: the same objects, field for field.
same_objects() { # OVERLAY RELEASE [helm args]
    local o=$1 r=$2; shift 2
    kubectl kustomize "$ROOT/compose/kubernetes/$o" > "$T/kust.yaml" &&
        helm template "$r" "$CH" -f "$CH/values-single-node.yaml" "$@" > "$T/helm.yaml" &&
        $PY - "$T/kust.yaml" "$T/helm.yaml" <<'PYEOF'
import sys, yaml
a, b = ({d["kind"] + "/" + d["metadata"]["name"]: d for d in yaml.safe_load_all(open(f)) if d} for f in sys.argv[1:3])
if a != b:
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k): print("# differs:", k, a.get(k), b.get(k))
    sys.exit(1)
PYEOF
}
check "kubectl kustomize redis-single-node gives what the chart gives with values-single-node.yaml" \
    same_objects redis-single-node redis
check "... and cluster-single-node, with cluster.enabled=true" \
    same_objects cluster-single-node redis-cluster --set cluster.enabled=true
ok "a single-node Kubernetes $KVER cluster runs ($(kubectl get node -o jsonpath='{.items[0].status.nodeInfo.containerRuntimeVersion}'))"
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "image $IMAGE exists (make image IMAGE=$IMAGE)"
docker save "$IMAGE" | ctr images import - >/dev/null &&
    ctr images tag --force "docker.io/library/$IMAGE" docker.io/library/redis-init:latest >/dev/null ||
    die "import $IMAGE into the cluster's containerd"

# Storage: PersistentVolumes without a class (the cluster has no StorageClass),
# one directory each on the node.
for i in $(seq 0 23); do cat <<EOP; done | kubectl apply -f - >/dev/null || die "create the PersistentVolumes"
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-$i}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: $K/pv/pv-$i, type: DirectoryOrCreate}
---
EOP
PW='k8s pw %&"\$ x'
printf '%s' "$PW" > "$T/password"
kubectl create secret generic redis-password --from-file=password="$T/password" >/dev/null ||
    die "create the password secret"
export REDIS_PASSWORD=$PW REDISCLI_AUTH=$PW

# The host reaches pod and service addresses directly (cni0, kube-proxy);
# names are resolved by the cluster's DNS in a mount namespace of its own,
# so the client sees what a pod sees ("redis-0.redis").
printf 'nameserver %s\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1 attempts:2\n' \
    "$DNS_IP" > "$T/resolv.conf"
inns() { unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$T/resolv.conf" "$@"; }
cli() { local h=$1; shift; inns timeout 5 redis-cli --no-auth-warning -h "$h" "$@" 2>/dev/null | tr -d '\r'; }
sen() { local i=$1; shift; cli "redis-sentinel-$i.redis-sentinel" -p 26379 "$@"; }
DOM=default.svc.cluster.local   # the pods announce NAME.SERVICE.$DOM

# agreed: the redis pod (0, 1, 2) every sentinel names master.
agreed() {
    local i a first=
    for i in 0 1 2; do
        a=$(sen $i sentinel get-master-addr-by-name mymaster | head -1)
        [ -n "$a" ] && { [ -z "$first" ] || [ "$a" = "$first" ]; } || return 1
        first=$a
    done
    case $first in "redis-"[0-9]".redis.$DOM") echo "${first:6:1}";; *) return 1;; esac
}
role_of() { cli "redis-$1.redis" role | head -1; }
linked() { cli "redis-$1.redis" info replication | grep -qx master_link_status:up; }
# clean_view: every sentinel knows exactly the two live replicas (by name,
# none down) and the two other sentinels, none down.
clean_view() { # [REPLICAS, 2]
    local i r s
    for i in 0 1 2; do
        r=$(sen $i sentinel replicas mymaster | awk 'p=="ip"{n=$0} p=="flags"{print n, $0} {p=$0}')
        [ "$(echo "$r" | grep -c .)" = "${1:-2}" ] && ! echo "$r" | grep -qvE "^redis-[0-9]\\.redis\\.${DOM//./\\.} slave\$" || return 1
        s=$(sen $i sentinel sentinels mymaster | awk 'p=="flags"{print} {p=$0}')
        [ "$(echo "$s" | grep -cx sentinel)" = 2 ] && [ "$(echo "$s" | grep -c .)" = 2 ] || return 1
    done
}
# calm: one master agreed by all sentinels, the other two linked replicas,
# a clean view in every sentinel.
calm() {
    local m i; m=$(agreed) || return 1
    [ "$(role_of "$m")" = master ] || return 1
    for i in 0 1 2; do [ "$i" = "$m" ] || linked $i || return 1; done
    clean_view
}
wait_for() { # SECONDS command...
    local end=$(( $(now) + $1 )); shift
    until "$@"; do [ "$(now)" -lt "$end" ] || return 1; sleep 0.5; done
}
ready_pods() { kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null | grep -c ' True$'; }
all_ready() { [ "$(ready_pods)" = 6 ]; }
settled() { all_ready && calm; }
pod_ip() { kubectl get pod "$1" -o jsonpath='{.status.podIP}' 2>/dev/null; }
pod_uid() { kubectl get pod "$1" -o jsonpath='{.metadata.uid}' 2>/dev/null; }

# follow_logs PHASE: every pod's log from now until the pod goes, in
# build/k8s-logs/PHASE-POD.log (a deleted pod's log goes with it otherwise).
follow_logs() {
    local p
    for p in $(kubectl get pods -o name); do
        kubectl logs -f --timestamps "$p" > "$LOGS/$1-${p#pod/}.log" 2>&1 &
    done
}
writer_start() { # DIR
    W=$1; mkdir -p "$W"
    inns $PY "$ROOT/tests/writer.py" "$W" redis-sentinel-0.redis-sentinel redis-sentinel-1.redis-sentinel redis-sentinel-2.redis-sentinel \
        2>> "$W/stderr" &
    writer_pid=$!
}
acked_count() { [ -f "$W/acked" ] && wc -l < "$W/acked" || echo 0; }
writes_flow() { local a; a=$(acked_count); sleep 0.5; [ "$(acked_count)" -gt "$a" ]; }
writer_stop() {
    touch "$W/STOP"; wait "$writer_pid"; writer_pid=
}
lost() { # the acknowledged writes missing on the master: "missing=N of=N"
    local m; m=$(agreed) || { echo "missing=? of=? (no agreed master)"; return; }
    inns $PY "$ROOT/tests/acked.py" "$W" "redis-$m.redis" 6379
}
gap_ms() { sed -n 's/.*longest_gap_ms=\([0-9]*\).*/\1/p' "$W/summary"; }
# lose_volume POD: the pod deleted with its PersistentVolumeClaim (data-POD);
# the StatefulSet makes both again, the volume empty.
lose_volume() {
    kubectl delete pvc "data-$1" --wait=false >/dev/null
    kubectl delete pod "$1" --wait=false >/dev/null
}
# phase_end FIGURE CHECK [COUNTER]: stop the writer; record its longest gap
# and the acknowledged writes missing (COUNTER: lost, or clost for the
# cluster); check that none is.
phase_end() {
    writer_stop
    cp "$W/errors" "$LOGS/writer-${W##*/}.errors" 2>/dev/null   # each failed write and gap, timed
    out=$("${3:-lost}")
    fig "$1: $(sed 's/longest_gap_ms=/longest write gap (ms): /' "$W/summary"), $out"
    check "$2: no acknowledged write lost ($out)" sh -c 'echo "$0" | grep -q "^missing=0 "' "$out"
}

# ---- deploy ----
t=$(ms)
helm install redis "$CH" -f "$CH/values-single-node.yaml" > "$LOGS/helm-install.log" 2>&1 ||
    { sed 's/^/# /' "$LOGS/helm-install.log"; die "helm install redis compose/kubernetes/chart -f values-single-node.yaml"; }
ok "helm install redis compose/kubernetes/chart -f compose/kubernetes/chart/values-single-node.yaml"
check "all 6 pods ready within 120 s" wait_for 120 all_ready
fig "deploy: 6 pods ready in $(( ($(ms) - t) / 1000 )).$(( ($(ms) - t) % 1000 / 100 )) s"
check "one master, named by every sentinel, two linked replicas, every sentinel knows the 2 replicas and 2 sentinels" \
    wait_for 60 calm
fig "deploy: calm (one agreed master, replicas linked, sentinels' view clean) after $(( ($(ms) - t) / 1000 )) s"
check "the sentinels know every instance by its stable name" \
    sh -c '[ "$1" ] && [ -z "${1##redis-?.redis.$2}" ]' _ "$(sen 0 sentinel get-master-addr-by-name mymaster | head -1)" "$DOM"

writer_start "$T/w-deploy"
check "a Sentinel client writes through the master (redis-py, cluster DNS)" wait_for 30 writes_flow

# ---- kubectl delete pod of the master ----
m=$(agreed); old_ip=$(pod_ip "redis-$m"); uid=$(pod_uid "redis-$m")
writer_stop; writer_start "$T/w-delete"; wait_for 30 writes_flow; sleep 3
follow_logs delete
t=$(ms)
kubectl delete pod "redis-$m" --wait=false >/dev/null
gone() { [ "$(pod_uid "redis-$m")" != "$uid" ]; }
wait_for 60 gone
fig "delete pod: the master's pod (redis-$m) gone after $(( ($(ms) - t) / 1000 )) s"
recovered() { [ "$(pod_uid "redis-$m")" ] && [ "$(pod_uid "redis-$m")" != "$uid" ] && all_ready && calm; }
check "kubectl delete pod redis-$m (master): the pod is back, all ready, one agreed master within 90 s" \
    wait_for 90 recovered
fig "delete pod: back to calm in $(( ($(ms) - t) / 1000 )) s"
check "the restarted redis-$m has a new address ($old_ip -> $(pod_ip "redis-$m"))" \
    test "$old_ip" != "$(pod_ip "redis-$m")"
nm=$(agreed)
took_over() { [ -n "$nm" ] && [ "$nm" != "$m" ] && [ "$(role_of "$m")" = slave ] && linked "$m"; }
check "another pod took over (redis-${nm:-?}) and the restarted redis-$m is its linked replica" took_over
check "no sentinel keeps the old pod as a dead replica, nor any entry but the 2 live replicas" clean_view
sleep 3; phase_end "delete pod" "kubectl delete pod of the master"
g=$(gap_ms)
# Under 2 s: the handover worked (without it, clients wait for the sentinels'
# down-after, 5 s). Not under the 1 s seen in Docker: the client asks the
# sentinels in its own order, and the first may name the old pod for a while.
check "kubectl delete pod of the master: longest write gap under 2 s, a handover (${g:-?} ms)" \
    test "${g:-99999}" -lt 2000

# ---- kubectl delete pod --grace-period=0 --force of the master ----
m=$(agreed); uid=$(pod_uid "redis-$m")
writer_start "$T/w-force"; wait_for 30 writes_flow; sleep 3
follow_logs force
t=$(ms)
kubectl delete pod "redis-$m" --grace-period=0 --force >/dev/null 2>&1
check "kubectl delete pod --grace-period=0 --force redis-$m (master): the pod is back, all ready, one agreed master within 90 s" \
    wait_for 90 recovered
fig "force delete: back to calm in $(( ($(ms) - t) / 1000 )) s"
sleep 2; phase_end "force delete" "kubectl delete pod --force of the master"

# ---- kubectl rollout restart of both StatefulSets ----
writer_start "$T/w-rollout"; wait_for 30 writes_flow; sleep 2
follow_logs rollout
t=$(ms)
rolled() {
    kubectl rollout restart "sts/$1" >/dev/null && kubectl rollout status "sts/$1" --timeout=240s >/dev/null
}
check "kubectl rollout restart sts/redis completes" rolled redis
check "kubectl rollout restart sts/redis-sentinel completes" rolled redis-sentinel
check "after both rollouts: all ready, one agreed master, replicas linked, sentinels' view clean" \
    wait_for 90 settled
fig "rollout restart of both StatefulSets: $(( ($(ms) - t) / 1000 )) s to calm"
sleep 2; phase_end "rollout restart" "rollout restart"

# ---- scale the Redis StatefulSet 3 -> 5 -> 3 ----
writer_start "$T/w-scale"; wait_for 30 writes_flow
follow_logs scale
t=$(ms)
kubectl scale sts/redis --replicas=5 >/dev/null
five() { [ "$(ready_pods)" = 8 ] && clean_view 4; }
check "scaled to 5: 8 pods ready, every sentinel knows the 4 replicas by name" wait_for 120 five
fig "scale 3 -> 5: ready and known to every sentinel in $(( ($(ms) - t) / 1000 )) s"
kubectl scale sts/redis --replicas=3 >/dev/null
three() { [ -z "$(kubectl get pod redis-3 redis-4 -o name 2>/dev/null)" ] && all_ready; }
wait_for 60 three
stale=$(sen 0 sentinel replicas mymaster | grep -c "^redis-[34]\\.redis\\.${DOM//./\\.}\$")   # their ip lines
fig "scale 5 -> 3: redis-sentinel-0 still lists $stale of the 2 removed replicas before sentinel-reset"
t=$(ms)
reset() { kubectl exec redis-sentinel-0 -- redis-init sentinel-reset > "$LOGS/sentinel-reset.log" 2>&1; }
check "redis-init sentinel-reset (kubectl exec redis-sentinel-0) after the scale-in" reset
check "scaled back to 3: one agreed master, 2 linked replicas, no sentinel keeps redis-3 or redis-4" \
    wait_for 90 settled
fig "sentinel-reset to a clean view: $(( ($(ms) - t) / 1000 )) s"
sleep 2; phase_end "scale 3 -> 5 -> 3" "scale 3 -> 5 -> 3"

# ---- full restart: every pod deleted, every pod at a new IP ----
for r in $(seq 1 "$RESTARTS"); do
    declare -A ips=() uids=()
    for p in redis-0 redis-1 redis-2 redis-sentinel-0 redis-sentinel-1 redis-sentinel-2; do
        ips[$p]=$(pod_ip $p) uids[$p]=$(pod_uid $p)
    done
    all_gone() { local p; for p in "${!uids[@]}"; do [ "$(pod_uid "$p")" != "${uids[$p]}" ] || return 1; done; }
    writer_start "$T/w-restart-$r"; wait_for 30 writes_flow; sleep 3
    follow_logs "restart-$r"
    t=$(ms)
    kubectl delete pod --all --wait=false >/dev/null   # (its wait can hang: the pods come back under the same names)
    wait_for 60 all_gone
    fig "full restart $r: every pod gone after $(( ($(ms) - t) / 1000 )) s"
    back() { all_ready && calm && writes_flow; }
    if wait_for 90 back; then
        ok "full restart $r (kubectl delete pod --all): all 6 pods ready, one agreed master, replicas linked, writes flow within 90 s"
        fig "full restart $r: recovered (ready, calm, writes flow) in $(( ($(ms) - t) / 1000 )) s after the delete"
    else
        notok "full restart $r (kubectl delete pod --all): all 6 pods ready, one agreed master, replicas linked, writes flow within 90 s"
        fig "full restart $r: NOT recovered 90 s after the delete ($(ready_pods) of 6 pods ready)"
    fi
    same=
    for p in "${!ips[@]}"; do [ "${ips[$p]}" = "$(pod_ip "$p")" ] && same="$same $p"; done
    check "full restart $r: every pod has a new address${same:+ (same:$same)}" test -z "$same"
    sleep 2; phase_end "full restart $r" "full restart $r"
done
# ---- a lost volume: the master's pod deleted with its PersistentVolumeClaim ----
m=$(agreed); uid=$(pod_uid "redis-$m")
writer_start "$T/w-lostvol"; wait_for 30 writes_flow; sleep 2
follow_logs lostvol
t=$(ms)
lose_volume "redis-$m"
check "the master's pod (redis-$m) and its volume deleted: back with a new, empty volume, all ready, one agreed master within 120 s" \
    wait_for 120 recovered
fig "lost volume of the master's pod: back to calm in $(( ($(ms) - t) / 1000 )) s"
nm=$(agreed)    # took_over compares with the master now, not the first phase's
check "... the pod with the new volume (redis-$m) is a linked replica of the new master (redis-${nm:-?})" took_over
sleep 2; phase_end "lost volume" "lost volume of the master's pod"

fig "cluster: Kubernetes $KVER (etcd $ETCDVER, CoreDNS $COREDNSVER, $(containerd --version | awk '{print $1, $3}'))"
# Every write acknowledged in every phase is still there at the end.
all_out=$(for w in "$T"/w-*; do W=$w; lost; done | awk '{split($1,a,"="); split($2,b,"="); m+=a[2]; o+=b[2]} END {print "missing=" m " of=" o}')
check "at the end, every write acknowledged since the deploy is on the master ($all_out)" \
    sh -c 'echo "$0" | grep -q "^missing=0 "' "$all_out"
follow_logs end; sleep 1

# ---- Redis Cluster: compose/kubernetes/cluster-single-node ----
check "helm uninstall redis" helm uninstall redis
no_pods() { [ -z "$(kubectl get pods -o name 2>/dev/null)" ]; }   # (env.sh's kubectl)
wait_for 120 no_pods || die "the Sentinel deployment's pods gone"
cnode() { local i=$1; shift; cli "redis-cluster-$i.redis-cluster" "$@"; }
# cview I: node I's map: per node its id, role, master, epoch and slots.
cview() { cnode "$1" cluster nodes | awk '{r = $3 ~ /master/ ? "m" : "s"; s = ""
    for (i = 9; i <= NF; i++) s = s " " $i; print $1, r, $4, $7, s}' | sort; }
# cagreed: every pod ready; every node ok, six nodes connected, none
# failing, one map, 3 masters of slots and 3 replicas.
cagreed() {
    local i v first= raw
    [ "$(ready_pods)" = 6 ] || return 1
    for i in 0 1 2 3 4 5; do
        cnode $i cluster info | grep -qx cluster_state:ok || return 1
        raw=$(cnode $i cluster nodes)
        [ "$(echo "$raw" | grep -c ' connected')" = 6 ] && ! echo "$raw" | grep -qE ' [a-z,]*fail' || return 1
        v=$(cview $i)
        [ -z "$first" ] || [ "$v" = "$first" ] || return 1
        first=$v
    done
    [ "$(echo "$first" | awk '$2 == "m" && NF > 4' | wc -l)" = 3 ] &&
        [ "$(echo "$first" | awk '$2 == "s"' | wc -l)" = 3 ]
}
cmaster() { local i; for i in 0 1 2 3 4 5; do cnode $i role | head -1 | grep -qx master && { echo $i; return; }; done; }
cwriter_start() { # DIR
    W=$1; mkdir -p "$W"
    inns $PY "$ROOT/tests/cwriter.py" "$W" redis-cluster-0.redis-cluster redis-cluster-3.redis-cluster \
        2>> "$W/stderr" &
    writer_pid=$!
}
clost() { inns $PY "$ROOT/tests/cacked.py" "$W" redis-cluster-0.redis-cluster redis-cluster-1.redis-cluster redis-cluster-2.redis-cluster; }
t=$(ms)
kubectl apply -k "$ROOT/compose/kubernetes/cluster-single-node" >/dev/null ||
    die "kubectl apply -k compose/kubernetes/cluster-single-node"
check "Redis Cluster: 6 pods ready, cluster_state:ok and one map of 3 masters and 3 replicas everywhere, within 120 s" \
    wait_for 120 cagreed
fig "Redis Cluster: applied to one agreed map, every pod ready, in $(( ($(ms) - t) / 1000 )) s"
cwriter_start "$T/c-delete"
check "Redis Cluster: a cluster client (redis-py RedisCluster) writes" wait_for 30 writes_flow
sleep 2
m=$(cmaster); uid=$(pod_uid "redis-cluster-$m")
follow_logs cluster-delete
t=$(ms)
kubectl delete pod "redis-cluster-$m" --wait=false >/dev/null
cback() { [ "$(pod_uid "redis-cluster-$m")" ] && [ "$(pod_uid "redis-cluster-$m")" != "$uid" ] && cagreed; }
check "Redis Cluster: kubectl delete pod of a master (redis-cluster-$m): back at a new address, one agreed map within 120 s" \
    wait_for 120 cback
fig "Redis Cluster: delete pod of a master: agreed again in $(( ($(ms) - t) / 1000 )) s"
check "... redis-cluster-$m is a replica now (its slots were handed over)" \
    test "$(cnode "$m" role | head -1)" = slave
sleep 2; phase_end "Redis Cluster: delete pod of a master" "Redis Cluster: delete pod of a master" clost

cwriter_start "$T/c-lostvol"; wait_for 30 writes_flow; sleep 2
m=$(cmaster); uid=$(pod_uid "redis-cluster-$m"); oldid=$(cnode "$m" cluster myid)
follow_logs cluster-lostvol
t=$(ms)
lose_volume "redis-cluster-$m"
check "Redis Cluster: a master's pod deleted with its volume (redis-cluster-$m): back empty, a replica, one agreed map within 150 s" \
    wait_for 150 cback
fig "Redis Cluster: lost volume of a master's pod: agreed again in $(( ($(ms) - t) / 1000 )) s"
cforgot() { local i; for i in 0 1 2 3 4 5; do cnode $i cluster nodes | grep -q "^$oldid " && return 1; done; return 0; }
check "... under a new node id (was ${oldid:0:8})" test "$(cnode "$m" cluster myid)" != "$oldid"
check "... the old node id is forgotten by every node" cforgot
sleep 2; phase_end "Redis Cluster: lost volume" "Redis Cluster: lost volume of a master's pod" clost

cwriter_start "$T/c-restart"; wait_for 30 writes_flow; sleep 2
declare -A cuids=()
for i in 0 1 2 3 4 5; do cuids[$i]=$(pod_uid "redis-cluster-$i"); done
follow_logs cluster-restart
t=$(ms)
kubectl delete pod --all --wait=false >/dev/null
call_new() { local i; for i in 0 1 2 3 4 5; do [ "$(pod_uid "redis-cluster-$i")" ] && [ "$(pod_uid "redis-cluster-$i")" != "${cuids[$i]}" ] || return 1; done; }
crecovered() { call_new && cagreed; }
check "Redis Cluster: full restart (kubectl delete pod --all, new addresses): one agreed map, every pod ready, within 120 s" \
    wait_for 120 crecovered
fig "Redis Cluster: full restart: agreed again in $(( ($(ms) - t) / 1000 )) s"
sleep 2; writer_stop
all_out=$(for w in "$T"/c-*; do W=$w; clost; done | awk '{split($1,a,"="); split($2,b,"="); m+=a[2]; o+=b[2]} END {print "missing=" m " of=" o}')
check "Redis Cluster: after the full restart, every write acknowledged in every phase is there ($all_out)" \
    sh -c 'echo "$0" | grep -q "^missing=0 "' "$all_out"
follow_logs cluster-end; sleep 1
