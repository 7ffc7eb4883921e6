# The static musl binary: fully static, stripped, small, and it works as
# PID 1 with hiredis and libconfuse inside.
. "$(dirname "$0")/../lib.sh"
S=$ROOT/build/static/redis-init
size=$(stat -c %s "$S")
echo "# static binary: $size bytes"
check "the static binary exists" test -x "$S"
check "it is statically linked (a static PIE)" sh -c "file '$S' | grep -q 'static-pie linked'"
# The hardening of make static (STATIC_HARDEN): no loader, position
# independent (ASLR), full RELRO, no executable stack, stack protector.
check "... with no program interpreter" sh -c "! readelf -lW '$S' | grep -q INTERP"
check "... position independent (ELF type DYN, PIE flag)" sh -c "readelf -hW '$S' | grep -q 'DYN' && readelf -dW '$S' | grep -q 'Flags:.*PIE'"
check "... full RELRO (GNU_RELRO and BIND_NOW)" sh -c "readelf -lW '$S' | grep -q GNU_RELRO && readelf -dW '$S' | grep -q BIND_NOW"
check "... no executable stack" sh -c "readelf -lW '$S' | grep GNU_STACK | grep -qv RWE"
check "... stack protector (canary reads from %fs:0x28)" sh -c "objdump -d '$S' | grep -q '%fs:0x28'"
check "it is stripped" sh -c "file '$S' | grep -q ', stripped'"
check "it is at most 200 KB ($size bytes)" test "$size" -le 200000
check "it runs --version" sh -c "'$S' --version | grep -q '^redis-init '"
printf 'redis_port = %s\n' "$(port 1)" > "$T/conf"
RI=$S ri_start s REDIS_INIT_CONF="$T/conf" -- master
check "as PID 1 it starts a master from a libconfuse file" wait_until 10 rcli $(port 1) ping
# RELRO enforced, not only laid out: musl's static PIE start leaves those
# pages writable, images/static-relro.c makes them read-only before main.
# The running PID 1's map of the file's RELRO pages is one read-only range.
read -r off vaddr msz < <(readelf -lW "$S" | awk '/GNU_RELRO/{print $2, $3, $6}')
first=$(( off & ~0xfff )); len=$(( ((vaddr + msz) & ~0xfff) - (vaddr & ~0xfff) ))
maps=$(cat /proc/"$(pid1 s)"/maps)
read -r range perms < <(awk -v o="$(printf %08x $first)" \
    '$3 == o && $6 ~ /redis-init$/ { print $1, $2 }' <<<"$maps")
span="$perms $(( 0x${range#*-} - 0x${range%-*} ))"
check "... its RELRO pages are mapped read-only ($span, $len bytes)" \
    test "$span" = "r--p $len"
rc=0; out=$(REDIS_PORT=$(port 1) "$S" health master) || rc=$?
check "its health check (hiredis) exits 0 ($out)" test "$rc" = 0
check "... and says ok: master" grep -q '^ok: master' <<<"$out"
# The static libconfuse reads \xhh and \ooo escapes with strtoul, not
# sscanf (images/static-libs.sh): the same values as Debian's.
printf 'MASTER_NAME = "m\\x41\\102z"\n' > "$T/esc"
out=$(REDIS_INIT_CONF="$T/esc" REDIS_DATA_DIR="$T/esc.d" "$S" render sentinel 2>&1)
check "a libconfuse file's \\x41 and \\102 escapes read as A and B" \
    grep -q '^sentinel monitor "mABz" ' <<<"$out"
finish
