# Fixture of tests/e2e/runner.sh: two checks pass, the suite finishes.
. "$(dirname "$0")/../lib.sh"
check "one" true
check "two" true
finish
