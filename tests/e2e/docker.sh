# The image and the compose deployment in real Docker: build from scratch,
# scale, pause, restart, kill, stop with handover, rescale, stop each role.
# Prints a SKIP line and passes nothing when no Docker engine answers.
. "$(dirname "$0")/../lib.sh"
need_compose
PY=/usr/bin/python3
IMAGE=redis-init:test$$
P=ri$$
export IMAGE
export REDISCLI_AUTH='d0cker "pw" $%&#'
printf '%s\n' "$REDISCLI_AUTH" > "$T/pw"
export REDIS_PASSWORD_SECRET=$T/pw
. "$ROOT/tests/dockertopo.sh"
compose_cleanups

check "make image builds the image from scratch" \
    sh -c "make -s -C '$ROOT' image IMAGE=$IMAGE >'$T/image.log' 2>&1"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
echo "# image size: $size bytes ($(docker image ls --format '{{.Size}}' "$IMAGE"))"
check "the image is at most 3.1 MB ($size bytes)" test "$size" -le 3100000
check "docker run IMAGE redis-cli ... runs the command" \
    sh -c "docker run --rm $IMAGE redis-cli --version | grep -q '^redis-cli 7\.0\.'"
# A read-only root file system: only the /data volume is written.
RO=$(docker run -d --read-only -v "ri-ro-$$:/data" "$IMAGE" master)
CLEANUPS=("docker rm -f -v $RO" "docker volume rm ri-ro-$$" "${CLEANUPS[@]}")
check "docker run --read-only with a /data volume: Redis answers" \
    wait_until 20 sh -c "docker exec $RO redis-cli ping | grep -qx PONG"
check "... and its health check passes" wait_until 20 docker exec "$RO" redis-init health
docker stop "$RO" >/dev/null
check "... and it stops with exit 0 after saving" \
    sh -c "[ \"\$(docker inspect -f '{{.State.ExitCode}}' $RO)\" = 0 ] &&
           docker logs $RO 2>&1 | grep -q 'DB saved on disk'"
rc=0; docker run --rm -e REDIS_PORT=x $IMAGE >"$T/badvar.out" 2>&1 || rc=$?
check "docker run IMAGE with a bad variable: exit 78 (got $rc)" test "$rc" = 78
check "... and the message names it" grep -q 'REDIS_PORT="x": expected' "$T/badvar.out"

dc up -d --scale slave=2 --scale sentinel=3 >"$T/up.log" 2>&1
check "compose up --scale slave=2 --scale sentinel=3: six containers" \
    test "$(cids | wc -l)" = 6
check "every container becomes healthy" wait_until 120 all_healthy
m=$(cur_ip)
check "the sentinels name the master service's container" \
    test "$(cid_of_ip "$m")" = "$(cids master)"
rc "$m" set greeting hello >/dev/null
for c in $(cids slave); do
    check "a key written on the master is read on slave ${c:0:12}" \
        wait_until 20 sh -c "[ \"\$(redis-cli --no-auth-warning -h $(ip_of_c "$c") get greeting)\" = hello ]"
done
check "redis-init is PID 1 of the master container" \
    sh -c "docker top $(cids master) -o pid,comm | sed -n 2p | grep -q redis-init"
check "the password is in no container's environment" \
    sh -c "! docker inspect $(cids | tr '\n' ' ') | grep -qF 'd0cker'"

# The seed's test.sh: pause the master.
check "the sentinels know both slaves and each other" wait_until 60 ready 2 3
old=$(cur_ip); oc=$(cid_of_ip "$old")
SENTINEL_IPS=$(sentinel_ips)
docker pause "$oc" >/dev/null
start=$(date +%s%N)
check "docker pause: the sentinels name a new master within down-after + 30 s" \
    wait_until 35 switched_from "$old"
new=$(cur_ip)
check "docker pause: the new master accepts writes" \
    wait_until 10 sh -c "[ \"\$(redis-cli --no-auth-warning -h $new set after-pause 1)\" = OK ]"
echo "# failover under docker pause: $(( ($(date +%s%N) - start) / 1000000 )) ms"
SENTINEL_IPS=
docker unpause "$oc" >/dev/null
check "docker unpause: the old master is a replica of the new one" \
    wait_until 40 is_replica_of "$oc" "$new"
check "one master" wait_until 20 one_master

# docker restart of the master: handover on SIGTERM, back as a replica.
wait_until 60 ready 2 3
old=$(cur_ip); oc=$(cid_of_ip "$old")
rc "$old" set before-restart 1 >/dev/null
docker restart "$oc" >/dev/null
check "docker restart: the master handed over" switched_from "$old"
new=$(cur_ip)
check "docker restart: it rejoins as a replica" wait_until 40 is_replica_of "$oc" "$new"
check "docker restart: with the data" \
    wait_until 20 sh -c "[ \"\$(redis-cli --no-auth-warning -h $(ip_of_c "$oc") get before-restart)\" = 1 ]"
check "docker restart: never a second master" wait_until 20 one_master

# docker kill + docker start of the master, after the sentinels failed over.
wait_until 60 ready 2 3
old=$(cur_ip); oc=$(cid_of_ip "$old")
check "all replicas in sync before the kill" wait_until 20 sh -c "
    [ \$(redis-cli --no-auth-warning -h $old info replication | grep -c 'state=online') = 2 ]"
rc "$old" set before-kill 1 >/dev/null; sleep 1
docker kill "$oc" >/dev/null
check "docker kill: the sentinels fail over" wait_until 40 switched_from "$old"
docker start "$oc" >/dev/null
new=$(cur_ip)
check "docker kill + start: it rejoins as a replica" wait_until 40 is_replica_of "$oc" "$new"
check "docker kill + start: with the data" \
    wait_until 20 sh -c "[ \"\$(redis-cli --no-auth-warning -h $(ip_of_c "$oc") get before-kill)\" = 1 ]"
check "docker kill + start: never a second master" wait_until 20 one_master
check "docker kill + start: its log says why it is a replica" \
    sh -c "docker logs $oc 2>&1 | grep -q 'starting as its replica'"

# docker stop of the master under a writer: no acknowledged write lost.
wait_until 60 ready 2 3
old=$(cur_ip); oc=$(cid_of_ip "$old")
wait_until 20 sh -c "[ \$(redis-cli --no-auth-warning -h $old info replication | grep -c 'state=online') = 2 ]"
mkdir -p "$T/w"
REDIS_PASSWORD=$REDISCLI_AUTH $PY "$ROOT/tests/writer.py" "$T/w" $(sentinel_ips) &
W=$!
wait_until 20 test -s "$T/w/acked"; sleep 1
start=$(date +%s%N)
docker stop "$oc" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# docker stop of the master: ${ms} ms"
check "docker stop: the master stopped inside the grace period (${ms} ms < 15000)" test $ms -lt 15000
check "docker stop: exit code 0" test "$(docker inspect -f '{{.State.ExitCode}}' "$oc")" = 0
check "docker stop: it handed over" sh -c "docker logs $oc 2>&1 | grep -q 'handover: .* is the new master'"
sleep 2; touch "$T/w/STOP"; wait $W
new=$(cur_ip)
m=$(REDIS_PASSWORD=$REDISCLI_AUTH $PY "$ROOT/tests/acked.py" "$T/w" "$new" 6379)
echo "# docker stop handover: $m, $(cat "$T/w/summary")"
check "docker stop: zero acknowledged writes lost ($m)" grep -q '^missing=0 ' <<<"$m"
docker start "$oc" >/dev/null
check "the stopped master, started again, is a replica" wait_until 40 is_replica_of "$oc" "$new"

# Rescale: sentinels 3 -> 5 -> 3, slaves 2 -> 1; failover still works.
dc scale sentinel=5 >>"$T/up.log" 2>&1       # the seed's older syntax
check "docker-compose scale sentinel=5: five sentinels" test "$(cids sentinel | wc -l)" = 5
check "scaled to 5 sentinels, all healthy" wait_until 120 all_healthy
note_volumes
dc up -d --scale slave=1 --scale sentinel=3 >>"$T/up.log" 2>&1
check "scaled back to 3 sentinels and 1 slave" test "$(cids | wc -l)" = 5
check "one master after scaling in" wait_until 40 one_master
# Sentinels never forget a replica or a sentinel that is gone (their entries
# stay, flagged s_down): what matters is a healthy replica to promote.
healthy_replica_known() {
    local s
    for s in $(sentinel_ips); do
        redis-cli --no-auth-warning -h "$s" -p 26379 sentinel replicas mymaster 2>/dev/null |
            grep -A1 -x flags | grep -qx slave || return 1
    done
}
check "after rescaling, every sentinel knows a healthy replica" wait_until 60 healthy_replica_known
# Forget the ghosts: one command, one sentinel at a time.
rc=0; dc exec -T sentinel redis-init sentinel-reset > "$T/reset.log" 2>&1 || rc=$?
check "docker-compose exec sentinel redis-init sentinel-reset: exit 0 (got $rc)" test "$rc" = 0
exact_counts() {
    local s
    for s in $(sentinel_ips); do
        redis-cli --no-auth-warning -h "$s" -p 26379 sentinel master mymaster 2>/dev/null |
            tr '\n' ' ' | grep -q 'num-slaves 1 .*num-other-sentinels 2 ' || return 1
    done
}
check "after the reset, every sentinel counts exactly 1 replica and 2 other sentinels" exact_counts
old=$(cur_ip); oc=$(cid_of_ip "$old")
docker pause "$oc" >/dev/null
check "after rescaling, a paused master is still failed over" wait_until 40 switched_from "$old"
docker unpause "$oc" >/dev/null
check "... and rejoins as a replica" wait_until 40 is_replica_of "$oc" "$(cur_ip)"

# No zombie anywhere; docker stop of each role inside the grace period.
# (docker top needs the pid column; a failing docker top fails the check.)
no_zombie() {
    local ps
    ps=$(docker top "$1" -o pid,stat) && [ "$(wc -l <<<"$ps")" -ge 2 ] &&
        ! awk 'NR > 1 && $2 ~ /Z/' <<<"$ps" | grep -q .
}
for c in $(cids); do
    check "no zombie in ${c:0:12}" no_zombie "$c"
done
for svc in sentinel slave master; do
    c=$(cids $svc | head -1)
    start=$(date +%s%N)
    docker stop "$c" >/dev/null
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "docker stop of the $svc service: ${ms} ms, inside the grace period" test $ms -lt 15000
    check "docker stop of the $svc service: exit code 0" test "$(docker inspect -f '{{.State.ExitCode}}' "$c")" = 0
    [ $svc = sentinel ] ||
        check "docker stop of the $svc service: data saved" sh -c "docker logs $c 2>&1 | tail -5 | grep -q 'DB saved on disk'"
done
check "the password is in no log" sh -c "! dc logs 2>&1 | grep -qF 'd0cker'"

# The save fits in the grace period Docker users leave by default
# (docker stop -t 10), even when the handover cannot finish: both slaves
# frozen, the master waits for them until its handover deadline, then
# Redis saves, well before Docker's SIGKILL.
dc up -d --scale slave=2 --scale sentinel=3 >>"$T/up.log" 2>&1
check "all six up again and healthy" wait_until 120 all_healthy
wait_until 60 ready 2 3
master_known() { [ -n "$(cid_of_ip "$(majority_ip)")" ]; }
check "most sentinels name a running master" wait_until 60 master_known
mc=$(cid_of_ip "$(majority_ip)")
others=$(data_cids | grep -v "^$mc")
for c in $others; do docker pause "$c" >/dev/null; done
t0=$(date +%s%N)
docker stop -t 10 "$mc" >/dev/null
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
for c in $others; do docker unpause "$c" >/dev/null; done
echo "# docker stop -t 10 with both replicas frozen: ${ms} ms"
check "replicas frozen, docker stop -t 10: exit 0, not Docker's SIGKILL ($(docker inspect -f '{{.State.ExitCode}}' "$mc"))" \
    test "$(docker inspect -f '{{.State.ExitCode}}' "$mc")" = 0
check "... the handover gave up at its deadline and said why" \
    sh -c "docker logs $mc 2>&1 | grep -q 'handover given up after .*no replica caught up'"
check "... and Redis saved ($ms ms)" sh -c "docker logs $mc 2>&1 | tail -3 | grep -q 'DB saved on disk'"

# The whole cluster stops at once (docker-compose stop, what down does
# before it removes): no instance waits for peers that are stopping too.
docker start "$mc" >/dev/null
check "the master is back and healthy" wait_until 120 all_healthy
wait_until 60 ready 2 3
t0=$(date +%s%N)
dc stop -t 10 >>"$T/up.log" 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# docker-compose stop of the whole cluster: ${ms} ms"
for c in $(cids); do
    check "whole stop: ${c:0:12} exits 0" test "$(docker inspect -f '{{.State.ExitCode}}' "$c")" = 0
done
for c in $(data_cids); do
    check "whole stop: ${c:0:12} saved" sh -c "docker logs $c 2>&1 | tail -3 | grep -q 'DB saved on disk'"
done
check "whole stop: the master did not spend its grace period (${ms} ms < 5000)" test "$ms" -lt 5000
finish
