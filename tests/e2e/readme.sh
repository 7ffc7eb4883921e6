# The README tells the truth: its variable table is the binary's.
. "$(dirname "$0")/../lib.sh"
sed -n '/<!-- BEGIN VARIABLES -->/,/<!-- END VARIABLES -->/p' "$ROOT/README.md" |
    sed '1d;$d' > "$T/readme"
"$RI" --variables > "$T/binary"
check "README's variable table is what redis-init --variables prints" \
    diff -u "$T/readme" "$T/binary"
check "README shows make test and make demo" \
    sh -c "grep -q 'make test' '$ROOT/README.md' && grep -q 'make demo' '$ROOT/README.md'"
finish
