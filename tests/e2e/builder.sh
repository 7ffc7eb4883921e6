# images/Dockerfile.build makes the same image inside Docker, from a Debian
# builder stage; the base is made here by debootstrap + docker import.
. "$(dirname "$0")/../lib.sh"
if ! docker info >/dev/null 2>&1; then
    skip_suite "no Docker engine here"
fi
BASE=redis-init-builder-base:bookworm
IMAGE=redis-init:built$$
# The build stage is left as an untagged image: remove it by its label.
CLEANUPS+=("docker image rm -f $IMAGE" "docker image prune -f --filter label=redis-init-stage=build")
check "a Debian bookworm base from debootstrap + docker import" \
    sh "$ROOT/images/builder-base.sh" "$BASE"
check "docker build -f images/Dockerfile.build builds the image" \
    sh -c "docker build -q --build-arg BASE=$BASE -t $IMAGE -f '$ROOT/images/Dockerfile.build' '$ROOT' > '$T/build.log' 2>&1"
size=$(docker image inspect -f '{{.Size}}' "$IMAGE" 2>/dev/null || echo 0)
echo "# image built in Docker: $size bytes"
check "it is at most 3.1 MB ($size bytes)" test "$size" -gt 0 -a "$size" -le 3100000
check "its redis-init is the static binary" \
    sh -c "docker run --rm $IMAGE --version | grep -q '^redis-init '"
M=$(docker run -d "$IMAGE" master)
CLEANUPS=("docker rm -f -v $M" "${CLEANUPS[@]}")
check "it runs a master that answers" \
    wait_until 20 sh -c "docker exec $M redis-cli ping | grep -qx PONG"
check "its health check passes" wait_until 10 docker exec "$M" redis-init health
# Upstream Redis keeps protected-mode on: without a password, redis-init
# turns it off so that replicas and sentinels on other hosts get in.
ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$M")
check "no password: reachable from another host (protected-mode off)" \
    sh -c "redis-cli -h $ip set from-afar 1 | grep -qx OK"
check "... and the log warns about it" \
    sh -c "docker logs $M 2>&1 | grep -q 'warning: no REDIS_PASSWORD'"
check "redis-init is PID 1 and Redis runs as the image's redis (uid 999)" \
    sh -c "docker top $M -o pid,comm | sed -n 2p | grep -q redis-init &&
           [ \"\$(docker top $M -o pid,uid,comm | awk '/redis-server/ {print \$2}')\" = 999 ]"
finish
