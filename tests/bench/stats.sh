# Sourced by the benchmarks: every figure is printed as min / median / max
# of its repeats (REPEATS, default 3).
REPEATS=${REPEATS:-3}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# stats < numbers: "min / median / max" (n/a for none; a line that is not
# a number, such as "timeout", is counted and named after them).
stats() {
    awk '$1 ~ /^-?[0-9.]+$/ {print; next} {bad++} END {if (bad) print "x " bad}' |
    sort -n | awk '$1 == "x" {bad = $2; next} {a[++n] = $1} END {
        if (!n) s = "n/a"
        else {
            m = n % 2 ? a[(n+1)/2] : (a[n/2]+a[n/2+1])/2
            s = sprintf("%s / %s / %s", a[1], m, a[n]) }
        if (bad) s = s sprintf(" (%d failed)", bad)
        print s }'
}
