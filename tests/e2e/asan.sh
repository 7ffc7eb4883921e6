# The unit tests and the PID-1 suites (pid1, core, badinput) against the
# ASan+UBSan build (build/asan/, make asan-build): every suite passes and
# no sanitizer writes a report (errors, leaks at exit, undefined behaviour),
# in PID 1, its helpers or the unit tests. The inner suites' lines are
# counted here, marked "asan:".
. "$(dirname "$0")/../lib.sh"
A=$ROOT/build/asan
mkdir -p "$T/reports"
# Writable by all: a process that dropped root to the redis user must be
# able to write its report (else it goes to stderr and could be missed).
chmod 1777 "$T/reports"
# Reports go to files (one per process) instead of stderr, so a report of
# a helper process is not lost among logs; fast_unwind_on_malloc=0 gives
# whole stacks through libc. UBSan stops at its first finding.
export ASAN_OPTIONS="log_path=$T/reports/asan:fast_unwind_on_malloc=0:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$T/reports/ubsan:print_stacktrace=1:halt_on_error=1"
for b in redis-init unit; do
    [ -x "$A/$b" ] || { not_ok "$A/$b is built (make asan-build)"; finish; }
done
check "the ASan build is instrumented" sh -c "nm -D '$A/redis-init' | grep -q __asan_init || nm '$A/redis-init' | grep -q __asan"

# reports WHAT: no sanitizer report since the last call (shown when any).
reports() {
    local f n=0
    for f in "$T"/reports/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        sed 's/^/    /' "$f" | head -40
        mv "$f" "$f.seen"
    done
    [ "$n" -eq 0 ]
}

rc=0
out=$(cd "$ROOT" && "$A/unit" 2>&1) || rc=$?
check "asan: the unit tests pass (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || echo "$out" | sed 's/^/    /' | tail -20
check "asan: no sanitizer report from the unit tests" reports

for suite in pid1 core badinput; do
    rc=0
    RI=$A/redis-init bash "$ROOT/tests/e2e/$suite.sh" > "$T/$suite.out" 2>&1 || rc=$?
    while IFS= read -r line; do
        case $line in
        "ok - "*) ok "asan: $suite: ${line#ok - }" ;;
        "not ok - "*) not_ok "asan: $suite: ${line#not ok - }" ;;
        "SKIP - "*) skip "asan: $suite: ${line#SKIP - }" ;;
        esac
    done < "$T/$suite.out"
    check "asan: $suite.sh reached its end (exit $rc)" \
        grep -qE '^RESULT [0-9]+ [0-9]+ [0-9]+$' "$T/$suite.out"
    check "asan: no sanitizer report from redis-init in $suite.sh" reports
done
finish
