# A helper process that dies must not undo a check it was to make: a
# sentinel's discovery helper killed while it waits for silent peers
# leaves PID 1 to check MASTER_HOST itself (in a fresh helper): exit 69 and
# nothing started when the name does not resolve; the sentinel starts
# normally when it does.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
$PY "$ROOT/tests/fakepeer.py" "$(port 9)" silent "$T/silent.fake" &
CLEANUPS+=("kill $!")
check "a silent fake sentinel listens" wait_until 10 grep -q listening "$T/silent.fake"

# helper_of NAME: the pid of the helper PID 1 of NAME runs (its only child).
helper_of() { pgrep -P "$(pid1 "$1")" | head -1; }

# kill_helper NAME: once NAME's helper is asking the silent sentinel, kill -9 it.
kill_helper() {
    wait_until 10 grep -q accepted "$T/silent.fake" &&
        wait_until 5 test -n "$(helper_of "$1")" &&
        kill -KILL "$(helper_of "$1")"
}

ri_start bad START_WAIT=20 SENTINEL_HOSTS=127.0.0.1:$(port 9) \
    MASTER_HOST=no-such-host.invalid RESOLVE_WAIT=1 SENTINEL_PORT=$(port 1) -- sentinel
check "the discovery helper of a sentinel is killed while it asks" kill_helper bad
check "PID 1 exits within 15 s" wait_until 15 sh -c "! kill -0 ${NS[bad]}"
kill -KILL "$(pid1 bad)" 2>/dev/null   # only if it did not: the checks below fail
ri_wait bad
log=$(cat "$T/bad.log")
check "exit 69 when MASTER_HOST does not resolve (got $RC)" test "$RC" = 69
check "the log says the helper crashed" holds 'asking the sentinels crashed' "$log"
check "the log says MASTER_HOST did not resolve" holds 'did not resolve within RESOLVE_WAIT' "$log"
check "redis-sentinel was never started" lacks 'starting redis-sentinel' "$log"

: > "$T/silent.fake"
ri_start good START_WAIT=20 SENTINEL_HOSTS=127.0.0.1:$(port 9) \
    MASTER_HOST=127.0.0.1 MASTER_PORT=$(port 2) RESOLVE_WAIT=1 SENTINEL_PORT=$(port 1) -- sentinel
check "the discovery helper of a sentinel is killed while it asks (2)" kill_helper good
check "with a MASTER_HOST that resolves the sentinel starts" wait_until 10 rcli $(port 1) ping
check "... and monitors MASTER_HOST" sh -c "redis-cli -p $(port 1) sentinel get-master-addr-by-name mymaster | grep -q '^$(port 2)\$'"
ri_signal good TERM
ri_wait good
check "it stops on SIGTERM (exit $RC)" test "$RC" = 0
finish
