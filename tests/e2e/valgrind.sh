# Valgrind (memcheck) on the supervisor: redis-init as PID 1 starts a
# master (its discovery and fence helpers ask a sentinel port nobody
# listens on), serves, and stops on SIGTERM. In PID 1 and in every helper
# process it forks: no invalid access, no use of uninitialised memory, no
# definite leak.
. "$(dirname "$0")/../lib.sh"
command -v valgrind >/dev/null || skip_suite "valgrind is not installed (.ci/deps)"
M=$(port 1) NOBODY=$(port 2)
mkdir -p "$T/vg" && chmod 1777 "$T/vg"   # helpers write theirs as the redis user
# The wrapper execs valgrind, so valgrind (running redis-init) is PID 1.
cat > "$T/ri-vg" <<WRAP
#!/bin/sh
exec valgrind -q --vgdb=no --tool=memcheck --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --track-fds=no --child-silent-after-fork=no \
    --trace-children=no --log-file=$T/vg/vg.%p "$RI" "\$@"
WRAP
chmod 755 "$T/ri-vg"

RI=$T/ri-vg ri_start m REDIS_PORT=$M START_WAIT=1 SENTINEL_HOSTS=127.0.0.1:$NOBODY \
    SENTINEL_DOWN_AFTER=1000 STOP_TIMEOUT=8 -- master
check "under valgrind, a master answers PING" wait_until 60 rcli $M ping
check "... and takes a write" test "$(rcli $M set k v)" = OK
check "... while the fence helper runs (its log says so)" \
    wait_until 20 grep -q 'fence: watching' "$T/m.log"
sleep 2                                 # a few rounds of the fence watch
ri_signal m TERM
ri_wait m
check "SIGTERM: exit 0 (got $RC)" test "$RC" = 0
check "the write was saved" test -s "$T/m/dump.rdb"
n=$(ls "$T/vg" | wc -l)
check "valgrind logs of PID 1 and its helpers ($n)" test "$n" -ge 2
# With -q a log holds only what is wrong: every one must be empty.
bad=$(find "$T/vg" -type f -size +0 | wc -l)
for f in "$T"/vg/*; do
    [ -s "$f" ] && sed 's/^/    /' "$f" | head -40
done
check "no invalid access, uninitialised value or definite leak in any ($bad logs not empty)" \
    test "$bad" = 0
finish
