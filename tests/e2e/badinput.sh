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
bad host 78 'MASTER_HOST="a b": expected a host name \(at most 253 characters\) or IP address' \
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
# A secret file that yields no secret is an error, never "no password":
# Docker makes a directory where a bind-mounted file is missing.
mkdir -p "$T/secretdir"; : > "$T/emptysecret"; mkfifo "$T/fifo"
head -c 4097 /dev/zero | tr '\0' x > "$T/bigsecret"
bad secret-dir 78 'REDIS_PASSWORD_FILE=".*/secretdir": cannot read: a directory, not a file' \
    REDIS_PASSWORD_FILE="$T/secretdir" -- master
bad secret-empty 78 'REDIS_PASSWORD_FILE=".*/emptysecret": the file is empty: expected the secret' \
    REDIS_PASSWORD_FILE="$T/emptysecret" -- master
bad secret-fifo 78 'REDIS_PASSWORD_FILE=".*/fifo": cannot read: a FIFO, not a regular file' \
    REDIS_PASSWORD_FILE="$T/fifo" -- master
bad secret-device 78 'REDIS_PASSWORD_FILE="/dev/zero": cannot read: a device, not a regular file' \
    REDIS_PASSWORD_FILE=/dev/zero -- master
bad secret-big 78 'REDIS_PASSWORD_FILE=".*/bigsecret": larger than 4096 bytes' \
    REDIS_PASSWORD_FILE="$T/bigsecret" -- master
bad sentinel-secret-dir 78 'SENTINEL_PASSWORD_FILE=".*/secretdir": cannot read: a directory' \
    SENTINEL_PASSWORD_FILE="$T/secretdir" -- sentinel
# A settings file of NUL bytes, of random bytes, a directory: refused at
# once, and no raw byte reaches the terminal.
head -c 3000000 /dev/zero > "$T/nul.conf"
head -c 100000 /dev/urandom > "$T/random.conf"
bad conf-nul 78 'REDIS_INIT_CONF=".*/nul.conf": larger than 65536 bytes' REDIS_INIT_CONF="$T/nul.conf" -- master
head -c 60000 /dev/zero > "$T/nul.conf"
bad conf-nul-small 78 'REDIS_INIT_CONF=".*/nul.conf": byte 0x00 on line 1: expected a text file' \
    REDIS_INIT_CONF="$T/nul.conf" -- master
bad conf-random 78 'REDIS_INIT_CONF=".*/random.conf": (larger than|byte 0x)' REDIS_INIT_CONF="$T/random.conf" -- master
check "conf-random: every byte of the message is printable" \
    sh -c "! LC_ALL=C grep -q '[^[:print:]]' '$T/conf-random.err'"
bad conf-dir 78 'REDIS_INIT_CONF=".*/secretdir": cannot read: a directory, not a file' \
    REDIS_INIT_CONF="$T/secretdir" -- master
printf 'REDIS_PASSWORD = first second\n' > "$T/split.conf"
bad conf-secret-line 78 'line 1: cannot parse the value of a secret \(not shown\)' \
    REDIS_INIT_CONF="$T/split.conf" -- master
check "conf-secret-line: no part of the password is shown" \
    sh -c "! grep -qE 'first|second' '$T/conf-secret-line.err'"
bad user 78 'REDIS_USER="nosuchuser": no such user' REDIS_USER=nosuchuser -- master
bad template 78 'cannot read /nonexistent/redis.conf' TEMPLATE_DIR=/nonexistent -- master
bad timeout 78 'STOP_TIMEOUT="8s": expected an integer 1\.\.3600' STOP_TIMEOUT=8s -- sh -c 'echo ran'
bad role-env 64 'REDIS_ROLE="primary": expected one of master\|slave\|replica\|sentinel' \
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

# Every phase's errors in one run: settings, role, user, template.
bad together-role 64 'REDIS_ROLE="bogus": expected one of' \
    REDIS_ROLE=bogus REDIS_PORT=0 REDIS_USER=nosuchuser --
check "together-role: role, port and user, three fatal lines" \
    sh -c "grep -q 'REDIS_PORT=\"0\"' '$T/together-role.err' &&
           grep -q 'REDIS_USER=\"nosuchuser\"' '$T/together-role.err' &&
           [ \$(grep -c 'fatal:' '$T/together-role.err') = 3 ]"
bad together-template 78 'cannot read /nonexistent/redis.conf' \
    REDIS_PORT=0 REDIS_USER=nosuchuser TEMPLATE_DIR=/nonexistent -- master
check "together-template: port, user and template, three fatal lines" \
    sh -c "grep -q 'REDIS_PORT=\"0\"' '$T/together-template.err' &&
           grep -q 'REDIS_USER=\"nosuchuser\"' '$T/together-template.err' &&
           [ \$(grep -c 'fatal:' '$T/together-template.err') = 3 ]"

# 69: a sentinel whose MASTER_HOST never resolves, no peer, no memory.
bad resolve 69 'MASTER_HOST=nowhere\.invalid did not resolve within RESOLVE_WAIT=1 s' \
    MASTER_HOST=nowhere.invalid RESOLVE_WAIT=1 SENTINEL_HOSTS=127.0.0.1:1 -- sentinel

# 73: the data directory cannot be made (a file stands in its path).
bad datadir 73 'REDIS_DATA_DIR="/etc/hostname/data": cannot create' \
    REDIS_DATA_DIR=/etc/hostname/data -- master

# 71: a system failure: the fork of Redis fails (no process left to the
# redis user: RLIMIT_NPROC, which binds once root is dropped).
# (Under ASan, tests/e2e/asan.sh: LeakSanitizer needs a thread of its own,
# which RLIMIT_NPROC=1 forbids; the leak check is off for this one run.)
rc=0
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
REDIS_DATA_DIR="$T/nproc" REDIS_PORT=$(port 2) prlimit --nproc=1:1 \
    unshare --pid --fork --mount-proc "$RI" master >"$T/nproc.out" 2>"$T/nproc.err" || rc=$?
check "fork failure: exit 71 (got $rc)" test "$rc" = 71
check "fork failure: says why" grep -q 'fatal: cannot fork' "$T/nproc.err"

# 143: SIGTERM while asking a sentinel that never answers.
FP=$(port 3)
/usr/bin/python3 "$ROOT/tests/fakepeer.py" "$FP" silent "$T/fake.log" &
CLEANUPS+=("kill $!")
check "a silent fake sentinel listens" wait_until 10 grep -q listening "$T/fake.log"
ri_start term SENTINEL_HOSTS=127.0.0.1:$FP START_WAIT=60 REDIS_PORT=$(port 4) -- master
check "a master asks the silent sentinel" wait_until 10 grep -q accepted "$T/fake.log"
ri_signal term TERM
ri_wait term
check "SIGTERM while asking the sentinels: exit 143 (got $RC)" test "$RC" = 143
check "... nothing written" test ! -e "$T/term/redis.conf"
check "... no Redis started" lacks 'Ready to accept' "$(cat "$T/term.log")"

# health: 1 when nothing answers, with one line saying why.
rc=0; out=$(REDIS_PORT=$(port 5) "$RI" health master) || rc=$?
check "health with no Redis: exit 1 (got $rc)" test "$rc" = 1
check "... and one line says why ($out)" holds "^no answer.* port $(port 5)" "$out"

# An existing config is left untouched by a failed start.
ri_start keep REDIS_PORT=$(port 1) -- master
wait_until 10 rcli $(port 1) ping
ri_signal keep TERM; ri_wait keep
before=$(md5sum < "$T/keep/redis.conf")
REDIS_DATA_DIR="$T/keep" REDIS_PORT=bad "$RI" master 2>/dev/null
check "a failed start leaves the old config as it was" \
    test "$(md5sum < "$T/keep/redis.conf")" = "$before"
finish
