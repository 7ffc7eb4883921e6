# The README tells the truth: its variable table is the binary's, its exit
# codes are the ones the binary documents, and its two commands exist.
. "$(dirname "$0")/../lib.sh"
sed -n '/<!-- BEGIN VARIABLES -->/,/<!-- END VARIABLES -->/p' "$ROOT/README.md" |
    sed '1d;$d' > "$T/readme"
"$RI" --variables > "$T/binary"
check "the binary prints a variable table" test "$(wc -l < "$T/binary")" -gt 10
check "README's variable table is what redis-init --variables prints" \
    diff -u "$T/readme" "$T/binary"
# Exit codes: every number of the README's table (| 64 |) is in --help's
# list, and the other way round.
sed -n '/^## Exit codes/,/^## /p' "$ROOT/README.md" | grep '^| [0-9]' | cut -d'|' -f2 |
    grep -oE '[0-9]+' | grep -vx 128 | sort -u > "$T/readme-codes"
"$RI" --help | sed -n '/^Exit codes/,$p' | grep -oE '\b[0-9]+\b' | grep -vxE '0|1|128' |
    sort -u > "$T/help-codes"
check "README's exit codes are the ones --help lists" \
    sh -c "[ -s '$T/readme-codes' ] && diff -u '$T/readme-codes' '$T/help-codes'"
check "README shows make test and make demo, and both targets exist" \
    sh -c "grep -q 'make test' '$ROOT/README.md' && grep -q 'make demo' '$ROOT/README.md' &&
           make -C '$ROOT' -n test demo >/dev/null"
check "README does not point outside the repository" \
    sh -c "! grep -q '\.\./shared' '$ROOT/README.md'"
finish
