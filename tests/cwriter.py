"""Writes numbered keys (spread over every slot) through a Redis Cluster
client that follows MOVED, and records which writes were acknowledged, as
writer.py does for Sentinel. Keys are named after OUT_DIR's last component (DIR:N). Runs until
OUT_DIR/STOP exists. Usage:
cwriter.py OUT_DIR HOST[:PORT]... (password in REDIS_PASSWORD).
OUT_DIR/acked gets "N TIME" per acknowledged write; OUT_DIR/summary gets
"acked=N failed=N longest_gap_ms=N" when it stops; OUT_DIR/errors a line
per failed write and per gap over 200 ms."""
import os
import sys
import time

from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException

out = sys.argv[1]
prefix = os.path.basename(os.path.normpath(out))  # keys PREFIX:N
nodes = []
for hp in sys.argv[2:]:
    host, _, port = hp.partition(":")
    nodes.append(ClusterNode(host, int(port or 6379)))


def client():
    return RedisCluster(startup_nodes=nodes,
                        password=os.environ.get("REDIS_PASSWORD") or None,
                        socket_timeout=0.5, socket_connect_timeout=0.5,
                        cluster_error_retry_attempts=2)


rc = client()
n = acked = failed = 0
last = None
longest = 0.0
errors = open(os.path.join(out, "errors"), "a", buffering=1)
with open(os.path.join(out, "acked"), "a", buffering=1) as log:
    while not os.path.exists(os.path.join(out, "STOP")):
        n += 1
        try:
            rc.set("%s:%d" % (prefix, n), n)
        except Exception as e:  # not acknowledged: try the next one
            failed += 1
            errors.write("%.3f %d %s %s\n" % (time.time(), n, type(e).__name__, e))
            if isinstance(e, RedisClusterException):
                # redis-py 4.3 cannot refresh its map once its first startup
                # node is gone ("cannot pickle '_thread.lock' object",
                # redis/redis-py#2354): a new client, first node rotated.
                nodes = nodes[1:] + nodes[:1]
                try:
                    rc = client()
                except Exception:   # no node answers now: next time
                    pass
            time.sleep(0.02)
            continue
        now = time.monotonic()
        if last is not None:
            longest = max(longest, now - last)
            if now - last > 0.2:
                errors.write("%.3f %d acked after a %d ms gap\n"
                             % (time.time(), n, (now - last) * 1000))
        last = now
        acked += 1
        log.write("%d %.6f\n" % (n, time.time()))
        time.sleep(0.002)
with open(os.path.join(out, "summary"), "w") as f:
    f.write("acked=%d failed=%d longest_gap_ms=%d\n" % (acked, failed, longest * 1000))
