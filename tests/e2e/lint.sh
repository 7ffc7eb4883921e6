# Static analysis (make lint): gcc -fanalyzer and cppcheck find nothing in
# init/; every suppression says why; the sources, the unit tests and the
# fuzz targets build with -Wall -Wextra -Werror.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
command -v cppcheck >/dev/null || skip_suite "cppcheck is not installed (.ci/deps)"
CPP=(-D_GNU_SOURCE -DVERSION='"lint"')

out=
for f in init/*.c; do
    out+=$(nice gcc "${CPP[@]}" -O1 -Wall -Wextra -fanalyzer -c -o /dev/null "$f" 2>&1)
done
check "gcc -fanalyzer: no finding in init/" test -z "$out"
[ -z "$out" ] || echo "$out" | grep -E 'warning|error' | sed 's/^/    /' | head -20

out=$(nice cppcheck -q --enable=warning,style,performance,portability \
      --inline-suppr --std=c11 "${CPP[@]}" -Iinit init/ 2>&1)
check "cppcheck: no finding in init/" test -z "$out"
[ -z "$out" ] || echo "$out" | sed 's/^/    /' | head -20

# Each "diagnostic ignored" pragma or cppcheck-suppress has a comment in
# the five lines before it (its reason).
unexplained=$(awk '
    FNR == 1 { last = -100 }
    /\*\/|\/\/|^ *\*/ { last = FNR }
    /#pragma GCC diagnostic ignored|cppcheck-suppress/ {
        if (FNR - last > 5) print FILENAME ":" FNR
    }' init/*.c init/*.h)
check "every suppression has its reason beside it${unexplained:+ (not: $unexplained)}" \
    test -z "$unexplained"
n=$(grep -c 'diagnostic ignored\|cppcheck-suppress' init/*.c init/*.h | awk -F: '{s += $2} END {print s}')
echo "# $n suppression(s) in init/"

out=
for f in init/*.c; do
    out+=$(nice gcc "${CPP[@]}" -O2 -Wall -Wextra -Werror -c -o /dev/null "$f" 2>&1)
done
out+=$(nice gcc "${CPP[@]}" -O2 -Wall -Wextra -Werror -Iinit -c -o /dev/null tests/unit/unit.c 2>&1)
check "init/ and the unit tests build with -Wall -Wextra -Werror" test -z "$out"
[ -z "$out" ] || echo "$out" | sed 's/^/    /' | head -20
check "the Makefile's default CFLAGS hold -Werror" grep -qE '^CFLAGS +\?=.*-Wall -Wextra -Werror( |$)' Makefile
finish
