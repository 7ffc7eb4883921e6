# Fixture: the suite's shell dies of SIGSEGV.
. "$(dirname "$0")/../lib.sh"
check "before the crash" true
kill -SEGV $$
sleep 5
