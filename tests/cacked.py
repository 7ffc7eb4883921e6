"""Counts acknowledged writes (OUT_DIR/acked, from cwriter.py) missing from
a Redis Cluster, read through a cluster client. Usage: cacked.py OUT_DIR
HOST[:PORT]... [--after T] (password in REDIS_PASSWORD); prints
"missing=N of=N", and with --after T "missing_after=N": the missing writes
acknowledged after Unix time T. When some are missing, "missing_span_ms=N"
is the time between the first and the last of them."""
import os
import sys

from redis.cluster import ClusterNode, RedisCluster

out = sys.argv[1]
prefix = os.path.basename(os.path.normpath(out))
args = sys.argv[2:]
after = None
if "--after" in args:
    i = args.index("--after")
    after = float(args[i + 1])
    del args[i:i + 2]
nodes = []
for hp in args:
    host, _, port = hp.partition(":")
    nodes.append(ClusterNode(host, int(port or 6379)))
rc = RedisCluster(startup_nodes=nodes, password=os.environ.get("REDIS_PASSWORD") or None,
                  socket_timeout=5)
with open(os.path.join(out, "acked")) as f:
    acked = [line.split() for line in f if line.strip()]
missing = late = 0
lost_times = []
for i in range(0, len(acked), 500):
    chunk = acked[i:i + 500]
    values = rc.mget_nonatomic(["%s:%s" % (prefix, n) for n, _ in chunk])
    for (n, t), v in zip(chunk, values):
        if v is None:
            missing += 1
            lost_times.append(float(t))
            if after is not None and float(t) > after:
                late += 1
line = "missing=%d of=%d" % (missing, len(acked))
if after is not None:
    line += " missing_after=%d" % late
if lost_times:
    line += " missing_span_ms=%d" % ((max(lost_times) - min(lost_times)) * 1000)
print(line)
