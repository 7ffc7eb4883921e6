# The Helm chart (compose/kubernetes/chart), rendered by a real helm built
# from the Go module proxy (tests/k8s/helm.sh, kept in K8S_CACHE): it lints;
# the plain manifests are its rendered defaults, byte for byte; its values
# do what they say; bad values are all refused at once, nothing rendered.
# make test-k8s installs it on a real cluster.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
K=$ROOT/compose/kubernetes
CHART=$K/chart
# helm.sh builds it once (it needs Go for that), then finds it.
HELM=$(bash "$ROOT/tests/k8s/helm.sh" 2>"$T/helm-build.log") || {
    cat "$T/helm-build.log"
    command -v go >/dev/null || skip_suite "no helm built, and no Go here to build it (the machines CI runs on have it)"
    not_ok "build helm from the Go module proxy (tests/k8s/helm.sh)"; finish; }
echo "# $("$HELM" version --short)"
h() { "$HELM" template "$@" 2>"$T/err"; }

check "helm lint: the defaults (Sentinel)" "$HELM" lint "$CHART" --quiet
check "helm lint: values-single-node.yaml" "$HELM" lint "$CHART" --quiet -f "$CHART/values-single-node.yaml"
check "helm lint: cluster.enabled=true" "$HELM" lint "$CHART" --quiet --set cluster.enabled=true

HELM=$HELM sh "$K/render.sh" "$T/render" 2>"$T/render.err"
check "redis/redis.yaml is the chart's rendered default (make k8s-manifests)" \
    diff -u "$K/redis/redis.yaml" "$T/render/redis/redis.yaml"
check "cluster/cluster.yaml is the chart's rendered default with cluster.enabled=true" \
    diff -u "$K/cluster/cluster.yaml" "$T/render/cluster/cluster.yaml"

# q FILE EXPR: the Python expression EXPR holds for the rendered objects
# (o["Kind/name"]; c(o, "Kind/name") the first container; env(...) its env).
q() {
    $PY - "$1" "$2" <<'PYEOF'
import sys, yaml
o = {d["kind"] + "/" + d["metadata"]["name"]: d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
def pod(o, k): return o[k]["spec"]["template"]["spec"]
def c(o, k): return pod(o, k)["containers"][0]
def env(o, k): return {e["name"]: e.get("value") for e in c(o, k)["env"]}
ok = eval("(" + sys.argv[2] + "\n)")
if not ok:
    print("# false: " + sys.argv[2]); sys.exit(1)
PYEOF
}
h redis "$CHART" > "$T/def.yaml"
check "defaults: 3 Redis pods, 3 sentinels, quorum 2, parallel, a PDB each" q "$T/def.yaml" '
    o["StatefulSet/redis"]["spec"]["replicas"] == 3 and o["StatefulSet/redis-sentinel"]["spec"]["replicas"] == 3
    and env(o, "StatefulSet/redis-sentinel")["SENTINEL_QUORUM"] == "2"
    and all(o[k]["spec"]["podManagementPolicy"] == "Parallel" for k in o if k.startswith("StatefulSet"))
    and "PodDisruptionBudget/redis" in o and "PodDisruptionBudget/redis-sentinel" in o'
check "defaults: stable names in the pod's own namespace; the first pod is MASTER_HOST" q "$T/def.yaml" '
    env(o, "StatefulSet/redis")["ANNOUNCE_HOSTNAME"] == "$(POD_NAME).redis.$(POD_NAMESPACE).svc.cluster.local"
    and env(o, "StatefulSet/redis-sentinel")["ANNOUNCE_HOSTNAME"] == "$(POD_NAME).redis-sentinel.$(POD_NAMESPACE).svc.cluster.local"
    and env(o, "StatefulSet/redis")["MASTER_HOST"] == env(o, "StatefulSet/redis-sentinel")["MASTER_HOST"]
        == "redis-0.redis.$(POD_NAMESPACE).svc.cluster.local"
    and [e["name"] for e in c(o, "StatefulSet/redis")["env"]][:2] == ["POD_NAME", "POD_NAMESPACE"]'
check "defaults: the password from the Secret redis-password, as a 0400 file, never a variable" q "$T/def.yaml" '
    all(env(o, k)["REDIS_PASSWORD_FILE"] == "/run/secrets/redis/password" and "REDIS_PASSWORD" not in env(o, k)
        and pod(o, k)["volumes"][0]["secret"]["secretName"] == "redis-password"
        and pod(o, k)["volumes"][0]["secret"]["defaultMode"] == 0o400
        for k in ("StatefulSet/redis", "StatefulSet/redis-sentinel")) and not any(k.startswith("Secret/") for k in o)'
check "defaults: grace period above STOP_TIMEOUT; liveness is the port, readiness redis-init health" q "$T/def.yaml" '
    all(pod(o, k)["terminationGracePeriodSeconds"] == int(env(o, k)["STOP_TIMEOUT"]) + 3
        and "tcpSocket" in c(o, k)["livenessProbe"]
        and c(o, k)["readinessProbe"]["exec"]["command"][:2] == ["redis-init", "health"]
        for k in ("StatefulSet/redis", "StatefulSet/redis-sentinel"))'
check "defaults: the sentinels' anti-affinity is required, the Redis pods' preferred" q "$T/def.yaml" '
    "requiredDuringSchedulingIgnoredDuringExecution" in pod(o, "StatefulSet/redis-sentinel")["affinity"]["podAntiAffinity"]
    and "preferredDuringSchedulingIgnoredDuringExecution" in pod(o, "StatefulSet/redis")["affinity"]["podAntiAffinity"]'

h myha "$CHART" --set replicas=5,sentinel.replicas=5,sentinel.quorum=3,auth.password=s3cret,stopTimeout=20 \
    --set persistentVolume.storageClass=fast,persistentVolume.size=8Gi,hardAntiAffinity=false,image.tag=7.0 \
    --set redis.masterGroupName=shop,sentinel.config.down-after-milliseconds=3000 \
    --set 'redis.extraEnv[0].name=FENCE,redis.extraEnv[0].value=no' > "$T/set.yaml"
check "values: replicas, quorum, names, grace period, storage, image and extra variables are used" q "$T/set.yaml" '
    o["StatefulSet/myha"]["spec"]["replicas"] == 5 and env(o, "StatefulSet/myha-sentinel")["SENTINEL_QUORUM"] == "3"
    and env(o, "StatefulSet/myha")["MASTER_HOST"].startswith("myha-0.myha.")
    and env(o, "StatefulSet/myha-sentinel")["MASTER_NAME"] == "shop"
    and env(o, "StatefulSet/myha")["SENTINEL_DOWN_AFTER"] == env(o, "StatefulSet/myha-sentinel")["SENTINEL_DOWN_AFTER"] == "3000"
    and env(o, "StatefulSet/myha")["FENCE"] == "no" and env(o, "StatefulSet/myha")["SENTINEL_HOSTS"] == "myha-sentinel"
    and pod(o, "StatefulSet/myha")["terminationGracePeriodSeconds"] == 23
    and o["StatefulSet/myha"]["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast"
    and o["StatefulSet/myha"]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "8Gi"
    and c(o, "StatefulSet/myha")["image"] == "redis-init:7.0"
    and "preferredDuringSchedulingIgnoredDuringExecution" in pod(o, "StatefulSet/myha-sentinel")["affinity"]["podAntiAffinity"]'
check "values: auth.password makes the Secret <release>-auth, mounted as a file" q "$T/set.yaml" '
    o["Secret/myha-auth"]["data"]["password"] == "czNjcmV0"
    and pod(o, "StatefulSet/myha")["volumes"][0]["secret"]["secretName"] == "myha-auth"'
check "values: the password is in no other object" sh -c '! grep -v "czNjcmV0" "$1" | grep -q s3cret' _ "$T/set.yaml"

h x "$CHART" --set persistentVolume.enabled=false,auth.enabled=false > "$T/nopv.yaml"
check "values: persistentVolume.enabled=false gives an emptyDir; auth.enabled=false no password" q "$T/nopv.yaml" '
    all("volumeClaimTemplates" not in o[k]["spec"] and pod(o, k)["volumes"] == [{"name": "data", "emptyDir": {}}]
        and "REDIS_PASSWORD_FILE" not in env(o, k) for k in ("StatefulSet/x", "StatefulSet/x-sentinel"))'
h c "$CHART" --set cluster.enabled=true,cluster.nodes=9,cluster.replicas=2,cluster.nodeTimeout=3000 > "$T/cl.yaml"
check "values: cluster.enabled renders a Redis Cluster and no Sentinel" q "$T/cl.yaml" '
    sorted(o) == ["PodDisruptionBudget/c", "Service/c", "StatefulSet/c"]
    and o["StatefulSet/c"]["spec"]["replicas"] == 9 and c(o, "StatefulSet/c")["args"] == ["cluster"]
    and env(o, "StatefulSet/c")["CLUSTER_SIZE"] == "9" and env(o, "StatefulSet/c")["CLUSTER_REPLICAS"] == "2"
    and env(o, "StatefulSet/c")["CLUSTER_NODE_TIMEOUT"] == "3000" and env(o, "StatefulSet/c")["CLUSTER_HOSTS"] == "c"
    and o["Service/c"]["spec"]["publishNotReadyAddresses"] is True'

notes() { "$HELM" install --dry-run=client "$@" 2>&1 | sed -n '/^NOTES:/,$p'; }
check "NOTES: where clients ask, and the sentinel-reset after a scale-in, with the release's names" sh -c '
    echo "$1" | grep -q "myha-sentinel.default.svc.cluster.local:26379" &&
    echo "$1" | grep -q "kubectl exec myha-sentinel-0 -- redis-init sentinel-reset" &&
    echo "$1" | grep -q "create secret generic redis-password"' _ "$(notes myha "$CHART")"
check "NOTES: a Redis Cluster's first node, its health, the rebalance after scaling" sh -c '
    echo "$1" | grep -q "c-0.c.default.svc.cluster.local:6379" &&
    echo "$1" | grep -q "kubectl exec c-0 -- redis-init health cluster" &&
    echo "$1" | grep -q "kubectl exec c-0 -- redis-init cluster-rebalance" &&
    ! echo "$1" | grep -q "create secret"' _ "$(notes c "$CHART" --set cluster.enabled=true,auth.password=x)"

# Bad values: every one named, in one error; nothing rendered.
printf 'auth:\n  password: "p@w\\nx@q"\n' > "$T/bad.yaml"
bad() { ! "$HELM" template x "$CHART" "$@" > "$T/bad.out" 2>"$T/err" && [ ! -s "$T/bad.out" ]; }
check "bad values: helm template fails and renders nothing" bad -f "$T/bad.yaml" --set image.pullPolicy=Sometimes,stopTimeout=0,cluster.enabled=true,cluster.nodes=5
check "... every bad value is named, with what was expected, in one error" sh -c '
    grep -q "auth.password: control characters (CR, LF, tab, NUL...) are refused: expected 1 to 512 printable characters" "$1" &&
    grep -q "image.pullPolicy \"Sometimes\": expected Always, IfNotPresent, Never or empty" "$1" &&
    grep -q "stopTimeout 0: expected seconds, 1 or more" "$1" &&
    grep -q "cluster.nodes 5: too few for cluster.replicas 1: expected at least 6" "$1"' _ "$T/err"
# Neither half of it, escaped or raw (a raw newline splits the lines); a
# "@" is in no random file name the message might hold.
check "... and the password is not echoed" sh -c '! grep -qE "p@w|x@q" "$1"' _ "$T/err"
bad --set sentinel.quorum=4,replicas=0,auth.existingSecret=
check "bad values: quorum above the sentinels, no Redis pod, no Secret named: all three named" sh -c '
    grep -q "sentinel.quorum 4: expected 1 to sentinel.replicas (3)" "$1" &&
    grep -q "replicas 0: expected 1 or more" "$1" &&
    grep -q "auth: set auth.existingSecret" "$1"' _ "$T/err"
printf 'image:\n  tag: 7.0\nauth:\n  password: 123456\n' > "$T/num.yaml"
bad -f "$T/num.yaml"
check "bad values: a number for the password or the image tag is named (YAML reads 7.0 as 7)" sh -c '
    grep -q "auth.password: not a string: quote it" "$1" &&
    grep -q "image.tag 7: not a string: quote it" "$1"' _ "$T/err"
head -c 513 /dev/zero | tr '\0' x > "$T/long"
bad --set-file auth.password="$T/long"
check "bad values: a password of 513 characters" grep -q "auth.password: expected 1 to 512 printable characters" "$T/err"
printf 'pw "x" %%s\n' > "$T/pwfile"
h x "$CHART" --set-file auth.password="$T/pwfile" > "$T/file.yaml"
check "values: --set-file auth.password: the file's trailing newline goes, as redis-init reads a secret file" q "$T/file.yaml" '
    __import__("base64").b64decode(o["Secret/x-auth"]["data"]["password"]) == b'"'"'pw "x" %s'"'"
finish
