# The deployment files: Rancher and Swarm files parse with docker-compose;
# the Kubernetes manifests parse and use redis-init health; the Swarm stack
# runs on a single-node swarm when `docker swarm init` works here.
. "$(dirname "$0")/../lib.sh"
C=$ROOT/compose
PY=/usr/bin/python3
check "kubernetes: the manifests parse and are complete" $PY - "$C/kubernetes/redis.yaml" <<'PYEOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = sorted(d["kind"] for d in docs)
assert kinds == ["PodDisruptionBudget", "PodDisruptionBudget", "Service", "Service",
                 "StatefulSet", "StatefulSet"], kinds
for d in docs:
    assert d["apiVersion"] and d["metadata"]["name"]
    if d["kind"] != "StatefulSet":
        continue
    pod = d["spec"]["template"]["spec"]
    assert d["spec"]["selector"]["matchLabels"] == d["spec"]["template"]["metadata"]["labels"]
    # An ordered start can wait forever for a pod that waits for another.
    assert d["spec"]["podManagementPolicy"] == "Parallel"
    for c in pod["containers"]:
        assert c["args"][0] in ("slave", "sentinel"), c["args"]
        # Ready: serving. Alive: the process answers on its port (a replica
        # waiting for its master is not ready, and must not be restarted).
        assert c["readinessProbe"]["exec"]["command"][:2] == ["redis-init", "health"]
        assert c["livenessProbe"]["tcpSocket"]["port"] == c["ports"][0]["containerPort"]
        env = {e["name"]: e.get("value") for e in c["env"]}
        # The grace period leaves room above STOP_TIMEOUT (handover, save).
        assert pod["terminationGracePeriodSeconds"] > int(env.get("STOP_TIMEOUT", "8")), pod
        assert env["REDIS_PASSWORD_FILE"].startswith("/run/secrets/")
        assert "REDIS_PASSWORD" not in env
        # A stable name survives a full restart with new pod IPs.
        svc = d["spec"]["serviceName"]
        # ... in the pod's own namespace, whichever that is.
        assert env["ANNOUNCE_HOSTNAME"] == "$(POD_NAME)." + svc + ".$(POD_NAMESPACE).svc.cluster.local", env
        assert [e for e in c["env"] if e["name"] == "POD_NAME"][0]["valueFrom"]
        assert [e for e in c["env"] if e["name"] == "POD_NAMESPACE"][0]["valueFrom"]
        if svc == "redis":
            assert env["REDIS_HOSTS"] == "redis", env
            # A rolling update waits until the sentinels know the restarted replica.
            assert d["spec"]["minReadySeconds"] >= 10, d["spec"]
PYEOF
check "kubernetes: the kustomize base and the single-node overlay parse" $PY - "$C/kubernetes" <<'PYEOF'
import os, sys, yaml
k = sys.argv[1]
base = yaml.safe_load(open(os.path.join(k, "redis", "kustomization.yaml")))
assert base["resources"] == ["redis.yaml"], base
one = yaml.safe_load(open(os.path.join(k, "redis-single-node", "kustomization.yaml")))
assert one["resources"] == ["../redis"], one
for p in one["patches"]:
    assert yaml.safe_load(p["patch"]), p
PYEOF
if ! command -v docker-compose >/dev/null; then
    skip_suite "no docker-compose here"
fi
check "rancher: docker-compose.yml parses" \
    docker-compose -f "$C/rancher/docker-compose.yml" config -q
check "rancher: slaves and sentinels keep to different hosts, host network" $PY - "$C/rancher/docker-compose.yml" <<'PYEOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
for svc, name in (("redis-slaves", "slaves"), ("redis-sentinels", "sentinels")):
    labels = d[svc]["labels"]
    assert labels["name"] == name
    assert labels["io.rancher.scheduler.affinity:container_label_ne"] == "name=" + name
for svc in d.values():
    assert svc["net"] == "host"
ports = [v["environment"].get(k) for v in d.values() for k in ("redis_port", "sentinel_port")]
ports = [p for p in ports if p]
assert len(ports) == len(set(ports)) == 3, ports
PYEOF
check "rancher: rancher-compose.yml parses" $PY -c "import yaml,sys; yaml.safe_load(open(sys.argv[1]))" "$C/rancher/rancher-compose.yml"
check "swarm: stack.yml parses" \
    env REDIS_PASSWORD_SECRET=/dev/null docker-compose -f "$C/swarm/stack.yml" config -q
check "swarm: cluster-stack.yml parses" \
    env REDIS_PASSWORD_SECRET=/dev/null docker-compose -f "$C/swarm/cluster-stack.yml" config -q
check "compose: docker-compose.yml parses" \
    env REDIS_PASSWORD_SECRET=/dev/null docker-compose -f "$C/docker-compose.yml" config -q
check "compose: no container_name and no fixed host port (so it scales)" \
    sh -c "! grep -v '^ *#' '$C/docker-compose.yml' | grep -qE 'container_name|ports:'"
check "compose: every service restarts on failure (exit 75: try again), not after a stop" \
    sh -c "[ \"\$(env REDIS_PASSWORD_SECRET=/dev/null docker-compose -f '$C/docker-compose.yml' config |
                grep -c '^    restart: on-failure\$')\" = 3 ]"

# A single-node swarm, only when this machine is in none already. A swarm
# that an earlier run of this test made and could not leave (it was
# killed) carries the node label redis-init-test: that one goes first.
LABEL=redis-init-test
if docker info >/dev/null 2>&1 &&
   [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ] &&
   [ -n "$(docker node inspect self --format "{{index .Spec.Labels \"$LABEL\"}}" 2>/dev/null)" ]; then
    echo "# leaving the swarm an earlier run of this test left behind"
    docker swarm leave --force >/dev/null
fi
if ! docker info >/dev/null 2>&1 ||
   [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != inactive ]; then
    skip_suite "swarm test: no Docker engine, or this machine is in a swarm already"
fi
gwbridge_before=$(docker network ls -q --filter name=^docker_gwbridge$)
if ! docker swarm init --advertise-addr 127.0.0.1 >"$T/swarm.log" 2>&1; then
    skip_suite "swarm test: docker swarm init failed here: $(tail -1 "$T/swarm.log")"
fi
CLEANUPS+=("docker swarm leave --force")
docker node update --label-add "$LABEL=$$" "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null
# swarm init creates docker_gwbridge; leave takes it not away.
[ -n "$gwbridge_before" ] || CLEANUPS+=("docker network rm docker_gwbridge")
IMAGE=redis-init:swarm$$
make -s -C "$ROOT" image IMAGE="$IMAGE" >"$T/image.log" 2>&1
CLEANUPS=("docker image rm -f $IMAGE" "${CLEANUPS[@]}")
printf 'sw4rm "pw"\n' > "$T/pw"
S=ri$$
# The stack's tasks leave their volumes (named and anonymous) behind: remove
# the stack, then them once its containers are gone.
stack_down() {  # [STACK]
    local vols i s=${1:-$S}
    vols=$(docker ps -aq --filter "label=com.docker.stack.namespace=$s" |
           xargs -r docker inspect -f '{{range .Mounts}}{{.Name}} {{end}}')
    docker stack rm "$s"
    for i in $(seq 30); do
        [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$s")" ] && break
        sleep 1
    done
    [ -z "$vols" ] || docker volume rm $vols
}
CLEANUPS=("stack_down" "${CLEANUPS[@]}")
env IMAGE="$IMAGE" REDIS_PASSWORD_SECRET="$T/pw" SENTINELS_PER_NODE=3 SLAVES_PER_NODE=2 \
    docker stack deploy -c "$C/swarm/stack.yml" "$S" >"$T/deploy.log" 2>&1
check "swarm: the stack deploys" test $? = 0
running() {  # SERVICE N: N tasks running
    [ "$(docker service ps -q --filter desired-state=running --filter "name=${S}_$1" "${S}_$1" |
         xargs -r docker inspect -f '{{.Status.State}}' | grep -c running)" = "$2" ]
}
check "swarm: 1 master, 2 slaves, 3 sentinels running" wait_until 120 sh -c "
    $(declare -f running); S=$S; running master 1 && running slave 2 && running sentinel 3"
# A client container on the stack's attachable overlay network.
cli() { docker run --rm --network "${S}_redis" -e REDISCLI_AUTH='sw4rm "pw"' "$IMAGE" redis-cli --no-auth-warning "$@"; }
check "swarm: every sentinel names the master" wait_until 90 sh -c "
    $(declare -f cli); S=$S; IMAGE=$IMAGE
    [ \$(cli -h sentinel -p 26379 sentinel get-master-addr-by-name mymaster | wc -l) = 2 ]"
cli -h master set swarm-key ok >/dev/null
check "swarm: a key written on the master is read on a slave" wait_until 30 sh -c "
    $(declare -f cli); S=$S; IMAGE=$IMAGE
    [ \"\$(cli -h slave get swarm-key)\" = ok ]"

# docker stack rm stops every task at once: each must exit 0 after its
# save, without waiting for peers that are stopping too. Docker reports
# each container's exit code in its "die" event.
vols=$(docker ps -aq --filter "label=com.docker.stack.namespace=$S" |
       xargs -r docker inspect -f '{{range .Mounts}}{{.Name}} {{end}}')
# The kill events (Docker's SIGTERM) against the die events tell Swarm's
# part of the time from the tasks' own.
docker events --filter event=die --filter event=kill \
    --filter "label=com.docker.stack.namespace=$S" \
    --format '{{.Action}} {{.TimeNano}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}' \
    > "$T/events.log" &
EV=$!
CLEANUPS=("kill $EV" "${CLEANUPS[@]}")
t0=$(date +%s%N)
docker stack rm "$S" >/dev/null
gone() { [ -z "$(docker ps -q --filter "label=com.docker.stack.namespace=$S")" ]; }
wait_until 60 gone
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait_until 10 sh -c "[ \$(grep -c '^die ' '$T/events.log') -ge 6 ]"
awk '$1 == "die" {print $4, $3}' "$T/events.log" > "$T/die.log"
echo "# docker stack rm: every task stopped after $ms ms"
awk -v t0="$t0" '
    $1 == "kill" && !($3 in k) { k[$3] = $2; if (!first || $2 < first) first = $2 }
    $1 == "die" { d[$3] = $2; if ($2 > last) last = $2 }
    END {
        for (c in d) if (c in k && d[c] - k[c] > slow) slow = d[c] - k[c]
        printf "# docker stack rm: first SIGTERM after %d ms, last task died after %d ms; the slowest task took %d ms from its SIGTERM\n",
            (first - t0) / 1e6, (last - t0) / 1e6, slow / 1e6 }' "$T/events.log"
check "swarm: stack rm stops all six tasks ($(wc -l < "$T/die.log") died)" \
    test "$(wc -l < "$T/die.log")" -ge 6
check "swarm: every task exits 0 ($(awk '{print $1}' "$T/die.log" | sort | uniq -c | tr '\n' ' '))" \
    sh -c "! grep -qv '^0 ' '$T/die.log'"
check "swarm: the tasks did not wait out a grace period ($ms ms < 8000)" test "$ms" -lt 8000
[ -z "$vols" ] || wait_until 30 docker volume rm $vols

# ---- the Redis Cluster stack: six tasks form one cluster by themselves ----
SC=ricl$$
CLEANUPS=("stack_down $SC" "${CLEANUPS[@]}")
env IMAGE="$IMAGE" REDIS_PASSWORD_SECRET="$T/pw" NODES_PER_HOST=6 \
    docker stack deploy -c "$C/swarm/cluster-stack.yml" "$SC" >"$T/deploy-cluster.log" 2>&1
check "swarm cluster: the stack deploys" test $? = 0
ccli() { docker run --rm --network "${SC}_redis" -e REDISCLI_AUTH='sw4rm "pw"' "$IMAGE" redis-cli --no-auth-warning "$@"; }
formed() {
    local out
    out=$(ccli --cluster check node:6379 2>&1) &&
        grep -q '\[OK\] All nodes agree about slots configuration' <<<"$out" &&
        grep -q '\[OK\] All 16384 slots covered' <<<"$out" &&
        [ "$(grep -c '^M: ' <<<"$out")" = 3 ] &&
        [ "$(grep -c '^S: ' <<<"$out")" = 3 ]
}
t0=$(date +%s%N)
check "swarm cluster: six tasks form one cluster, 3 masters and 3 replicas" wait_until 180 formed
echo "# swarm cluster: deploy to one agreed map: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
rw() { [ "$(ccli -c -h node set swarm-ckey ok)" = OK ] && [ "$(ccli -c -h node get swarm-ckey)" = ok ]; }
check "swarm cluster: a cluster client writes and reads (MOVED followed)" wait_until 30 rw
docker events --filter event=die --filter "label=com.docker.stack.namespace=$SC" \
    --format '{{.Actor.Attributes.exitCode}} {{.Actor.Attributes.name}}' > "$T/cdie.log" &
CEV=$!
CLEANUPS=("kill $CEV" "${CLEANUPS[@]}")
cvols=$(docker ps -aq --filter "label=com.docker.stack.namespace=$SC" |
        xargs -r docker inspect -f '{{range .Mounts}}{{.Name}} {{end}}')
docker stack rm "$SC" >/dev/null
cgone() { [ -z "$(docker ps -q --filter "label=com.docker.stack.namespace=$SC")" ]; }
check "swarm cluster: stack rm stops every task" wait_until 60 cgone
wait_until 10 sh -c "[ \$(wc -l < '$T/cdie.log') -ge 6 ]"
check "swarm cluster: every task exits 0 ($(awk '{print $1}' "$T/cdie.log" | sort | uniq -c | tr '\n' ' '))" \
    sh -c "[ \$(wc -l < '$T/cdie.log') -ge 6 ] && ! grep -qv '^0 ' '$T/cdie.log'"
[ -z "$cvols" ] || wait_until 30 docker volume rm $cvols
finish
