# Bad input: every invalid variable named with its value and what was
# expected (secrets never shown), all reported at once, the documented exit
# code, no file written, no process started.
. "$(dirname "$0")/../lib.sh"

# bad NAME CODE PATTERN [VAR=VALUE...] -- [ARG...]
bad() {
    local name=$1 code=$2 pattern=$3; shift 3
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local dir="$T/$name" rc=0
    env REDIS_DATA_DIR="$dir" "${envs[@]}" \
        unshare --pid --fork --mount-proc "$RI" "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    check "$name: exit $code (got $rc)" test "$rc" = "$code"
    check "$name: message matches '$pattern'" grep -qE -- "$pattern" "$T/$name.err"
    check "$name: nothing written" test ! -e "$dir"
    check "$name: nothing started" test ! -s "$T/$name.out"
}

bad port 78 '^redis-init: fatal: REDIS_PORT="63x9": expected an integer 1\.\.65535$' \
    REDIS_PORT=63x9 -- master
bad alias 78 'redis_port="abc": expected an integer' redis_port=abc -- slave
bad quorum 78 'SENTINEL_QUORUM="0": expected an integer 1\.\.1000' \
    SENTINEL_QUORUM=0 -- sentinel
bad host 78 'MASTER_HOST="a b": expected a host name or IP address' \
    'MASTER_HOST=a b' -- slave
bad word 78 'REDIS_APPENDONLY="sometimes": expected one of yes\|no' \
    REDIS_APPENDONLY=sometimes -- master
bad newline 78 'MASTER_NAME="x\\x0asentinel monitor evil 1\.2\.3\.4 1 1": expected no CR or LF' \
    "MASTER_NAME=x
sentinel monitor evil 1.2.3.4 1 1" -- sentinel
bad secret-newline 78 'REDIS_PASSWORD: invalid value \(not shown\)' \
    "REDIS_PASSWORD=hunter2
requirepass x" -- master
check "secret-newline: the password is never echoed" sh -c "! grep -q hunter2 '$T/secret-newline.err'"
bad both-secrets 78 'REDIS_PASSWORD and REDIS_PASSWORD_FILE are both set' \
    REDIS_PASSWORD=a REDIS_PASSWORD_FILE=/etc/hostname -- master
bad secret-file 78 'REDIS_PASSWORD_FILE="/nonexistent": cannot read' \
    REDIS_PASSWORD_FILE=/nonexistent -- master
bad user 78 'REDIS_USER="nosuchuser": no such user' REDIS_USER=nosuchuser -- master
bad template 78 'cannot read /nonexistent/redis.conf' TEMPLATE_DIR=/nonexistent -- master
bad timeout 78 'STOP_TIMEOUT="8s": expected an integer 1\.\.3600' STOP_TIMEOUT=8s -- sh -c 'echo ran'
bad role-env 64 'role "primary": expected master, slave, replica or sentinel' \
    REDIS_ROLE=primary --
bad no-role 64 'no role' --
bad render-role 64 'role "nope"' -- render nope
printf 'redis_port = 70000\nmaster_host = "x y"\n' > "$T/bad.conf"
bad conf-file 78 'REDIS_INIT_CONF=.*REDIS_PORT="70000"' REDIS_INIT_CONF="$T/bad.conf" -- master
check "conf-file: both bad values are reported" grep -q 'MASTER_HOST="x y"' "$T/conf-file.err"
printf 'bogus_option = 1\n' > "$T/unknown.conf"
bad conf-unknown 78 "REDIS_INIT_CONF=.*bogus_option" REDIS_INIT_CONF="$T/unknown.conf" -- master

# Three bad variables: three lines, one run.
bad three 78 'MASTER_PORT="x"' REDIS_PORT=0 MASTER_PORT=x SENTINEL_DOWN_AFTER=-5 -- sentinel
check "three bad variables: three fatal lines" test "$(grep -c 'fatal:' "$T/three.err")" = 3

# An existing config is left untouched by a failed start.
ri_start keep REDIS_PORT=$(port 1) -- master
wait_until 10 rcli $(port 1) ping
ri_signal keep TERM; ri_wait keep
before=$(md5sum < "$T/keep/redis.conf")
REDIS_DATA_DIR="$T/keep" REDIS_PORT=bad "$RI" master 2>/dev/null
check "a failed start leaves the old config as it was" \
    test "$(md5sum < "$T/keep/redis.conf")" = "$before"
finish
