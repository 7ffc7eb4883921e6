# Passwords with every character that broke sed/printf renderers: the
# master requires it, the replica authenticates with it (masterauth), a
# sentinel monitors with it (auth-pass), and none of it reaches argv.
. "$(dirname "$0")/../lib.sh"

# no_pw_in_cmdline NAME...: $T/pw is in no argv of those namespaces, each
# of which runs redis-init and its Redis (else there is nothing to look at).
no_pw_in_cmdline() {
    local n p p1 seen=0
    for n in "$@"; do
        p1=$(pid1 $n)
        [ -n "$p1" ] || return 1
        for p in $p1 $(pgrep -P "$p1"); do
            [ -n "$(tr -d '\0' < /proc/$p/cmdline)" ] || return 1
            seen=$((seen + 1))
            tr '\0' '\n' < /proc/$p/cmdline | grep -qxF -f "$T/pw" && return 1
            tr '\0' ' ' < /proc/$p/cmdline | grep -qF -f "$T/pw" && return 1
        done
    done
    [ "$seen" -ge $(( 2 * $# )) ]     # a master's redis-init has its watcher too
}

n=0
while IFS= read -r pw; do
    n=$((n + 1))
    M=$(port $((n * 3))) S=$(port $((n * 3 + 1))) X=$(port $((n * 3 + 2)))
    ri_start m$n REDIS_PORT=$M "REDIS_PASSWORD=$pw" -- master
    ri_start s$n REDIS_PORT=$S "REDIS_PASSWORD=$pw" MASTER_HOST=127.0.0.1 MASTER_PORT=$M -- slave
    ri_start x$n SENTINEL_PORT=$X "REDIS_PASSWORD=$pw" MASTER_HOST=127.0.0.1 \
        MASTER_PORT=$M SENTINEL_QUORUM=1 -- sentinel
    export REDISCLI_AUTH=$pw
    check "password $n [$pw]: master accepts it" wait_until 10 sh -c "redis-cli --no-auth-warning -p $M ping | grep -qx PONG"
    check "password $n: master refuses no password" \
        sh -c "REDISCLI_AUTH= redis-cli -p $M get x 2>&1 | grep -q NOAUTH"
    rcli $M set pwkey "v$n" >/dev/null
    check "password $n: replica replicates with masterauth" \
        wait_until 10 sh -c "[ \"\$(redis-cli --no-auth-warning -p $S get pwkey)\" = v$n ]"
    check "password $n: sentinel logs in with auth-pass and sees the replica" \
        wait_until 15 sh -c "redis-cli --no-auth-warning -p $X sentinel replicas mymaster | grep -qx 'master-link-status'"
    check "password $n: sentinel requires it too" \
        sh -c "REDISCLI_AUTH= redis-cli -p $X ping 2>&1 | grep -q NOAUTH"
    printf '%s\n' "$pw" > "$T/pw"
    check "password $n: not on the command line of redis-init or Redis" \
        no_pw_in_cmdline m$n s$n x$n
    check "password $n: not in Redis' or Sentinel's environment" \
        sh -c "for p in $(redis_pid m$n) $(redis_pid x$n); do
                   tr '\\0' '\\n' < /proc/\$p/environ | grep -q '^REDIS_PASSWORD=' && exit 1
               done; [ -n '$(redis_pid m$n)' ] && [ -n '$(redis_pid x$n)' ]"
    unset REDISCLI_AUTH
done <<'PW'
p"w'\ $%&#
a b c
%s%n%x&&\\
#not-a-comment
$(touch /tmp/pwned)`id`
PW
check "no shell expansion happened anywhere" test ! -e /tmp/pwned

# The password from a Docker secret file (with its trailing newline).
P=$(port 40)
printf 'fr0m-f1le"$\n' > "$T/secret"; chmod 600 "$T/secret"
ri_start f REDIS_PORT=$P REDIS_PASSWORD_FILE="$T/secret" -- master
check "REDIS_PASSWORD_FILE: master accepts the file's password" \
    wait_until 10 sh -c "REDISCLI_AUTH='fr0m-f1le\"\$' redis-cli --no-auth-warning -p $P ping | grep -qx PONG"
check "no password in the log (which shows Redis started)" \
    sh -c "grep -q 'Ready to accept connections' '$T/f.log' && ! grep -q 'fr0m-f1le' '$T'/*.log"
finish
