# The test runner itself: every way a suite can end is counted right. Runs
# tests/run on the fixtures of tests/runner/ (no unit tests, a short
# timeout) and reads its per-suite lines and its total.
. "$(dirname "$0")/../lib.sh"
F=$ROOT/tests/runner

# runner LOG SUITE...: tests/run on fixtures; its status in RRC.
runner() {
    local log=$1; shift
    RRC=0
    env -u CI UNIT= SUITE_TIMEOUT=3 TEST_LOGS="$T/logs" \
        bash "$ROOT/tests/run" "$@" > "$log" 2>&1 || RRC=$?
}
total() { tail -1 "$1"; }

runner "$T/pass.log" "$F/pass.sh"
check "a suite that finishes: 2 passed ($(total "$T/pass.log"))" \
    test "$(total "$T/pass.log")" = "2 passed, 0 failed, 0 skipped"
check "... and the runner exits 0" test "$RRC" = 0

runner "$T/fail.log" "$F/fail.sh"
check "a failing check: 1 passed, 1 failed" \
    test "$(total "$T/fail.log")" = "1 passed, 1 failed, 0 skipped"
check "... and the runner exits non-zero" test "$RRC" != 0
check "... the failed check is named again at the end, under its suite" \
    sh -c "tail -4 '$T/fail.log' | grep -A1 -x '# FAILED fail: 1 failure(s)' |
           grep -qxE '#     not ok - .+'"

for c in unbound:'exited with status 1' exit3:'exited with status 3' \
         exit0:'exited with status 1' sigterm:'killed by signal 15' \
         segv:'killed by signal 11' hang:'hung: killed after SUITE_TIMEOUT=3 s'; do
    name=${c%%:*} why=${c#*:}
    runner "$T/$name.log" "$F/$name.sh"
    check "$name: the check before counts, the suite is a failure ($(total "$T/$name.log"))" \
        test "$(total "$T/$name.log")" = "1 passed, 1 failed, 0 skipped"
    check "$name: named with why ($why)" \
        grep -qF "not ok - suite $name did not complete: $why" "$T/$name.log"
    check "$name: the runner exits non-zero" test "$RRC" != 0
done

runner "$T/skip.log" "$F/skip.sh"
check "a skipped suite is counted: 0 passed, 0 failed, 1 skipped" \
    test "$(total "$T/skip.log")" = "0 passed, 0 failed, 1 skipped"
check "... with its reason" grep -qF "SKIPPED in skip: no widget on this machine" "$T/skip.log"
check "... and without CI the runner exits 0" test "$RRC" = 0
RRC=0
env CI=true UNIT= SUITE_TIMEOUT=3 TEST_LOGS="$T/logs" \
    bash "$ROOT/tests/run" "$F/skip.sh" > "$T/skip-ci.log" 2>&1 || RRC=$?
check "under CI=true a skip fails the run ($(total "$T/skip-ci.log"))" \
    sh -c "[ '$RRC' != 0 ] && grep -q 'on CI nothing may skip' '$T/skip-ci.log'"

runner "$T/all.log" "$F"/*.sh
check "all fixtures together: 9 passed, 7 failed, 1 skipped ($(total "$T/all.log"))" \
    test "$(total "$T/all.log")" = "9 passed, 7 failed, 1 skipped"
check "the whole output of each suite is kept" test -s "$T/logs/unbound.out"
finish
