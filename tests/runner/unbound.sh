# Fixture: an unbound variable under set -u ends the suite early.
. "$(dirname "$0")/../lib.sh"
check "before the crash" true
echo "$NO_SUCH_VARIABLE"
check "never reached" true
finish
