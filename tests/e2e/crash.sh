# A master that crashes and is back at its address while the sentinels
# fail it over. They still name it when it starts again, so it starts as
# master; the failover they began goes on and demotes it, and every write
# it took meanwhile is thrown away (seen on Kubernetes: about 3 s of
# acknowledged writes, a container restarted within down-after). Here the
# master's redis-init is killed with SIGKILL, started again the moment a
# sentinel runs a failover of it, with a Sentinel client writing
# throughout: not one write acknowledged after it started may be lost.
# (Without the start with writes refused, 131 to 413 were lost here.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netns.sh"
. "$(dirname "$0")/../hatopo.sh"
ha_up 60
m=$(cur_master)
writer_start "$T/w"
flagged() {  # WORD: some running sentinel's flags of the master hold WORD
    local i
    for i in $SENTINELS; do
        sen $i sentinel master mymaster 2>/dev/null | tr -d '\r' |
            grep -A1 -x flags | tail -1 | grep -q "$1" && return 0
    done
    return 1
}
kill -KILL "$(pid1 "${NAME[$m]}")"; ri_wait "${NAME[$m]}"
check "a sentinel fails host $m over" wait_until 20 flagged failover_in_progress
t=$(now_s)
start_data $m master
starts() { [ "$(grep -c 'starting redis-server' "$T/${NAME[$m]}.log")" = 2 ]; }
check "host $m starts again during the failover" wait_until 10 starts
check "every sentinel names another master" wait_until 60 switched_from $m
n=$(cur_master)
check "host $m replicates from host $n" wait_until 60 replica_of $m $n
sleep 1
writer_stop "$T/w"
r=$(missing "$T/w" $n "$t")
echo "# $r; $(cat "$T/w/summary")"
lost_after() {  # acknowledged after host $m started again, and missing
    local all before
    all=$(sed -n 's/^missing=\([0-9]*\) .*/\1/p' <<<"$r")
    before=$(sed -n 's/.* missing_before_cutoff=\([0-9]*\).*/\1/p' <<<"$r")
    echo $((all - before))
}
check "not one write acknowledged after host $m started again is lost ($(lost_after))" \
    test "$(lost_after)" = 0
check "writes were acknowledged throughout" test "$(acked_after "$T/w" "$t")" -gt 0
check "host $m started with writes refused, and said why" \
    grep -q "starting as master (replicas known at offset [0-9-]*), with writes refused: a sentinel sees it down or fails it over" "$T/${NAME[$m]}.log"
check "... then followed the master they name" \
    grep -q "fence: the sentinels name $(ip_of $n):6379 as master: following it now as its replica" "$T/${NAME[$m]}.log"

# The same crash with no replica to fail over to: the master is back with
# writes refused, the sentinels see it up again, and it takes writes.
for i in 1 2 3; do
    [ $i = "$n" ] || { ri_signal "${NAME[$i]}" TERM; ri_wait "${NAME[$i]}"; }
done
kill -KILL "$(pid1 "${NAME[$n]}")"; ri_wait "${NAME[$n]}"
check "host $n, the master with no replica left, is seen down" wait_until 20 flagged _down
start_data $n master
check "host $n is back, with writes refused, and says why" \
    wait_until 10 grep -q "with writes refused: a sentinel sees it down" "$T/${NAME[$n]}.log"
check "... then takes writes again by itself" wait_until 30 writes_ok $n
check "... once a majority of the sentinels sees it up" \
    grep -q "fence: a majority of the sentinels answers and names this instance master: writes accepted again" "$T/${NAME[$n]}.log"
check "... and every sentinel still names it" sentinels_name $n 4 5 6
finish
