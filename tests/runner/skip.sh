# Fixture: the suite cannot run here.
. "$(dirname "$0")/../lib.sh"
skip_suite "no widget on this machine"
