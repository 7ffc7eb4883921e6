# Sourced by redis.sh and redis-instr.sh: redis-benchmark's default suite,
# in its order (LPOP after LPUSH...; before LRANGE_100 the suite runs an
# "LPUSH (needed to benchmark LRANGE)" of as many requests as an LPUSH).
TESTS="SET GET INCR LPUSH RPUSH LPOP RPOP SADD HSET SPOP ZADD ZPOPMIN LRANGE_100 LRANGE_300 LRANGE_500 LRANGE_600 MSET"
# args TEST: redis-benchmark arguments for TEST, as the default suite runs it.
args() {
    case $1 in
    LRANGE_*) echo "lrange mylist 0 $(( ${1#LRANGE_} - 1 ))" ;;
    *) echo "-t ${1,,}" ;;
    esac
}
