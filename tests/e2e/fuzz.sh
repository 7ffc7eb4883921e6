# The fuzz targets in short: each replays its seeds and every kept crash
# reproducer (tests/fuzz/corpus/, tests/fuzz/crashes/), then fuzzes for
# FUZZ_SECONDS (3 here; `make fuzz` runs 60 s each). Needs the targets
# built (make fuzz-build, which make test does).
. "$(dirname "$0")/../lib.sh"
n=0
for f in "$ROOT"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$f" .c)
    n=$((n + 1))
    [ -x "$ROOT/build/fuzz/$name" ] || { not_ok "fuzz target $name is built (make fuzz-build)"; continue; }
done
check "there are fuzz targets ($n)" test "$n" -ge 9
# tests/fuzz/run prints one ok/not ok line per target; count them here.
while IFS= read -r line; do
    case $line in
    "ok - "*) ok "${line#ok - }" ;;
    "not ok - "*) not_ok "${line#not ok - }" ;;
    *) echo "$line" ;;
    esac
done < <(FUZZ_SECONDS=${FUZZ_SECONDS:-3} bash "$ROOT/tests/fuzz/run" 2>&1)
finish
