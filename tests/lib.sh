# Shared helpers of the end-to-end tests. Each test script sources this,
# calls `check` for every assertion, and ends with `finish`. Everything a
# script starts (PID namespaces, network namespaces, temp dirs) is removed by
# the EXIT trap, pass or fail. A script that ends any other way than through
# `finish` (a crash, `set -u`, an early exit, a signal) prints no RESULT line
# and exits non-zero: tests/run counts it as failed.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RI=${RI:-$ROOT/redis-init}
export TEMPLATE_DIR=$ROOT/templates
# Tests that do not run sentinels start at once instead of asking them.
export START_WAIT=${START_WAIT:-0}
T=$(mktemp -d /tmp/redis-init-test.XXXXXX)
chmod 755 "$T"                      # the redis user must reach its data dirs
# Below the ephemeral range (32768-60999), where outgoing connections would
# collide with our listeners.
BASE=$(( 10000 + (RANDOM % 1800) * 10 ))
PASS=0
FAIL=0
SKIP=0
DONE=
declare -A NS                       # name -> pid of the unshare process
CLEANUPS=()

ok()     { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
# skip REASON: a part of the suite did not run here, and why. Under CI=true
# tests/run fails the run on any skip.
skip()   { SKIP=$((SKIP + 1)); echo "SKIP - $*"; }
# skip_suite REASON: nothing more of this suite can run here.
skip_suite() { skip "$*"; finish; }

# check DESCRIPTION COMMAND...: one assertion.
check() {
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# wait_until SECONDS COMMAND...: poll until the command succeeds.
wait_until() {
    local end=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
    until "$@" >/dev/null 2>&1; do
        [ $(( $(date +%s%N) / 1000000 )) -lt "$end" ] || return 1
        sleep 0.1
    done
}

port() { echo $(( BASE + $1 )); }

# ri_start NAME [VAR=VALUE...] -- [ARG...]: start redis-init as PID 1 of a
# new PID namespace, its data in $T/NAME, its output in $T/NAME.log.
ri_start() {
    local name=$1; shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    env REDIS_DATA_DIR="$T/$name" "${envs[@]}" ${NETNS_EXEC:-} \
        unshare --pid --fork --mount-proc --kill-child "$RI" "$@" \
        >>"$T/$name.log" 2>&1 &
    NS[$name]=$!
}

# pid1 NAME: the pid (seen from here) of redis-init in NAME's namespace.
pid1() { pgrep -P "${NS[$1]}" | head -1; }
# redis_pid NAME: the pid of Redis under NAME's redis-init (a master's
# redis-init has a second child, its fence watcher).
redis_pid() { pgrep -P "$(pid1 "$1")" -x 'redis-server|redis-sentinel' | head -1; }

# ri_signal NAME SIG: signal redis-init itself (unshare ignores SIGTERM).
ri_signal() { kill -s "$2" "$(pid1 "$1")"; }

# ri_wait NAME: wait for NAME to end; its exit code goes to RC (a $(...)
# subshell could not wait for our child).
ri_wait() { RC=0; wait "${NS[$1]}" || RC=$?; }

# lacks PATTERN TEXT: TEXT has no line matching PATTERN.
lacks() { ! grep -q -- "$1" <<<"$2"; }
# holds PATTERN TEXT: TEXT has a line matching PATTERN (extended regexp).
holds() { grep -qE -- "$1" <<<"$2"; }

# rcli PORT ARGS...: redis-cli on loopback; a password goes by REDISCLI_AUTH.
rcli() { local p=$1; shift; redis-cli --no-auth-warning -p "$p" "$@"; }

ns_kill_all() {
    local n p
    pkill -KILL -f "$T/" 2>/dev/null     # helpers such as writers
    for n in "${!NS[@]}"; do
        p=$(pgrep -P "${NS[$n]}" 2>/dev/null | head -1)
        [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
        kill -KILL "${NS[$n]}" 2>/dev/null
    done
    # Only what was killed: a helper such as `docker events` is stopped by
    # its suite's CLEANUPS, after this.
    [ -z "${NS[*]:-}" ] || wait ${NS[*]} 2>/dev/null
}

# On a failure, every log of the suite is shown whole (a tail hides the
# cause of a race) and kept in $TEST_LOGS (build/test-logs) when set.
show_logs() {
    local f
    for f in "$T"/*.log "$T"/*/*.log; do
        [ -f "$f" ] || continue
        echo "--- $f"
        sed 's/^/    /' "$f"     # indented: never read as a result line
    done
    if [ -n "${TEST_LOGS:-}" ]; then
        local keep
        keep=$TEST_LOGS/$(basename "$0" .sh).$$
        mkdir -p "$keep" && cp -r "$T"/. "$keep"/ 2>/dev/null
        echo "# logs kept in $keep"
    fi
}

cleanup() {
    local rc=$? c
    trap - EXIT
    # tests/run counts a suite that did not finish as one failure.
    [ -n "$DONE" ] || echo "# $(basename "$0") ended before its end (exit status $rc)"
    ns_kill_all
    for c in "${CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
    if [ "$FAIL" -gt 0 ] || [ -z "$DONE" ] || [ -n "${KEEP_LOGS:-}" ]; then
        show_logs
    fi
    [ -n "${KEEP_T:-}" ] && echo "# kept $T" || rm -rf "$T"
    if [ -z "$DONE" ]; then
        exit $(( rc ? rc : 1 ))
    fi
    echo "RESULT $PASS $FAIL $SKIP"
    exit 0
}
trap cleanup EXIT
# A signal (a CI timeout, ^C) ends the script through the EXIT trap too:
# bash does not run it when a signal kills it.
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM

# finish: the suite reached its end.
finish() { DONE=1; exit 0; }

# stale_epochs: from every node's CLUSTER NODES on stdin, "id own held" of
# each master of slots whose own config epoch is below the one another
# node holds for it (empty when none).
stale_epochs() {
    tr -d '\r' | awk '
        /myself/ && $3 ~ /master/ && NF > 8 {own[$1] = $7}
        !/myself/ && $7 > held[$1] {held[$1] = $7}
        END {for (id in own) if (held[id] > own[id]) printf "%s %s %s ", id, own[id], held[id]}'
}

# Suites of a compose deployment. need_compose: skip the suite without a
# Docker engine and docker-compose. compose_cleanups (once dc, P, IMAGE and
# T are set): keep the project's logs, take it down, remove every volume it
# used (a scale-in leaves anonymous ones behind) and the image.
need_compose() {
    docker info >/dev/null 2>&1 && command -v docker-compose >/dev/null ||
        skip_suite "no Docker engine or docker-compose here"
}
note_volumes() {
    docker ps -aq --filter "label=com.docker.compose.project=$P" |
        xargs -r docker inspect -f '{{range .Mounts}}{{.Name}} {{end}}' >> "$T/volumes"
}
compose_cleanups() {
    CLEANUPS+=("dc logs --no-color --timestamps > $T/compose.log 2>&1"
               "note_volumes" "dc down -v --remove-orphans -t 1"
               "xargs -r docker volume rm < $T/volumes" "docker image rm -f $IMAGE")
}
