# Master and slave under redis-init as PID 1: ping, replication, the user
# Redis runs as, the rendered files, and a clean stop that saves.
. "$(dirname "$0")/../lib.sh"
M=$(port 1) S=$(port 2)

ri_start m REDIS_PORT=$M STOP_TIMEOUT=8 -- master
check "master answers PING" wait_until 10 rcli $M ping
check "redis-init is PID 1 of its namespace" \
    grep -qE '^NSpid:.*[[:space:]]1$' /proc/$(pid1 m)/status
rs=$(pgrep -x -P "$(pid1 m)" redis-server)
check "redis-server is the child of redis-init" test -n "$rs"
check "redis-server runs as user redis" \
    test "$(ps -o user= -p "$rs")" = redis
check "redis-init itself dropped root" \
    test "$(ps -o user= -p "$(pid1 m)")" = redis
for p in "$(pid1 m)" "$rs"; do
    check "pid $p after the drop: no supplementary groups" grep -qE '^Groups:[[:space:]]*$' /proc/$p/status
    check "pid $p after the drop: no_new_privs" grep -qE '^NoNewPrivs:[[:space:]]*1$' /proc/$p/status
done
check "redis.conf is 0600 and owned by redis" \
    test "$(stat -c '%a %U' "$T/m/redis.conf")" = "600 redis"
check "protected-mode off without a password" grep -qx 'protected-mode no' "$T/m/redis.conf"
check "... with a warning" grep -q 'warning: no REDIS_PASSWORD' "$T/m.log"
check "Redis logs to stdout" grep -q 'Ready to accept connections' "$T/m.log"

ri_start s REDIS_PORT=$S MASTER_HOST=127.0.0.1 MASTER_PORT=$M -- replica
check "replica answers PING" wait_until 10 rcli $S ping
rcli $M set greeting hello >/dev/null
check "replica has a key written on the master" \
    wait_until 10 sh -c "[ \"\$(redis-cli -p $S get greeting)\" = hello ]"
check "replica reports role slave" \
    sh -c "redis-cli -p $S role | head -1 | grep -qx slave"

# SIGTERM: the key written just before is saved; redis-init exits 0, well
# inside STOP_TIMEOUT.
rcli $M set saved-on-stop yes >/dev/null
start=$(date +%s%N)
ri_signal m TERM
ri_wait m; rc=$RC
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# SIGTERM to exit: ${ms} ms"
check "SIGTERM: exit code 0" test "$rc" = 0
check "SIGTERM: stopped well inside STOP_TIMEOUT (${ms} ms < 5000)" test $ms -lt 5000
check "SIGTERM: redis-server is gone" sh -c "! kill -0 $rs 2>/dev/null"
check "SIGTERM: redis-server saved on the way out" grep -q 'DB saved on disk' "$T/m.log"

# Restart on the same data dir: the key is there, and the config was
# rendered anew from the template (a changed setting takes effect).
M2=$(port 3)
ri_start m REDIS_PORT=$M2 -- master
check "restarted master answers on its new port" wait_until 10 rcli $M2 ping
check "key written before the stop is there after restart" \
    test "$(rcli $M2 get saved-on-stop)" = yes
check "config re-rendered with the new port" grep -qx "port $M2" "$T/m/redis.conf"

# Extra redis-server options after --.
X=$(port 4)
ri_start x REDIS_PORT=$X -- master -- --maxmemory 100mb
check "options after -- reach redis-server" \
    wait_until 10 sh -c "redis-cli -p $X config get maxmemory | tail -1 | grep -qx 104857600"

# The role from REDIS_ROLE when no argument names one.
R=$(port 5)
ri_start r REDIS_PORT=$R REDIS_ROLE=master --
check "REDIS_ROLE=master starts a master" wait_until 10 rcli $R ping

# A slave whose MASTER_HOST:MASTER_PORT is itself (one spec for every pod
# of a StatefulSet) starts as master when no sentinel answers.
Z=$(port 6)
ri_start z REDIS_PORT=$Z MASTER_HOST=127.0.0.1 MASTER_PORT=$Z -- slave
check "a slave whose MASTER_HOST is itself starts as master" \
    wait_until 10 sh -c "redis-cli -p $Z role 2>/dev/null | head -1 | grep -qx master"
check "... and says why" grep -q 'is this instance: starting as master' "$T/z.log"

# MIN_REPLICAS_TO_WRITE bounds a cut-off master's writes: with no replica
# acknowledging it, it refuses writes.
W=$(port 7)
ri_start w REDIS_PORT=$W MIN_REPLICAS_TO_WRITE=1 MIN_REPLICAS_MAX_LAG=5 -- master
wait_until 10 rcli $W ping
check "MIN_REPLICAS_TO_WRITE=1 without a replica: writes refused (NOREPLICAS)" \
    sh -c "redis-cli -p $W set k v 2>&1 | grep -q NOREPLICAS"

# Dangerous administration stays off: CONFIG SET dir (writing files
# anywhere) and DEBUG are refused.
check "CONFIG SET dir is refused (protected config)" \
    sh -c "redis-cli -p $W config set dir /tmp 2>&1 | grep -q 'protected config'"
check "DEBUG is refused" sh -c "redis-cli -p $W debug sleep 0 2>&1 | grep -q 'DEBUG command not allowed'"

# Started as root, Redis runs as root only when REDIS_USER says so.
U=$(port 8)
ri_start u REDIS_PORT=$U REDIS_USER=root -- master
wait_until 10 rcli $U ping
check "REDIS_USER=root: Redis runs as root" test "$(ps -o user= -p "$(pgrep -x -P "$(pid1 u)" redis-server)")" = root
check "... with a warning" grep -q 'warning: REDIS_USER=root: Redis runs as root' "$T/u.log"

# render prints, writes nothing, masks secrets.
out=$(REDIS_DATA_DIR="$T/render" REDIS_PASSWORD='s3cret!' "$RI" render slave)
check "render prints the slave config" grep -q '^replicaof "redis-master" 6379$' <<<"$out"
check "render masks the password" lacks 's3cret' "$out"
check "render writes nothing" test ! -e "$T/render"

check "--version prints the version" sh -c "'$RI' --version | grep -q '^redis-init '"
check "--help lists every variable" sh -c "'$RI' --help | grep -q SENTINEL_QUORUM"
finish
