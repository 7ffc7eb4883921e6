# Fixture: one check passes, one fails.
. "$(dirname "$0")/../lib.sh"
check "passes" true
check "fails" false
finish
