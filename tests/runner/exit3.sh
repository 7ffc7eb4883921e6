# Fixture: the suite exits 3 in the middle.
. "$(dirname "$0")/../lib.sh"
check "before the exit" true
exit 3
