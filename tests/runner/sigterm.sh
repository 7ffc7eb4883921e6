# Fixture: the suite's shell gets SIGTERM.
. "$(dirname "$0")/../lib.sh"
check "before the signal" true
kill -TERM $$
sleep 5
