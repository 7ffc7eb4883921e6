# Fixture: the suite hangs until the runner's timeout.
. "$(dirname "$0")/../lib.sh"
check "before the hang" true
sleep 600
finish
