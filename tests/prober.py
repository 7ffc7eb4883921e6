"""Writes to each given Redis directly, every 50 ms, and logs which accept
writes: "TIME HOST ok|err" lines to OUT (Unix seconds). Runs until OUT.stop
exists. Usage: prober.py OUT HOST... (password in REDIS_PASSWORD; the key
in PROBE_KEY, default "probe": on a Redis Cluster, one of the slots that
are watched, so that only their master answers ok)."""
import os
import sys
import time

import redis

out, hosts = sys.argv[1], sys.argv[2:]
pw = os.environ.get("REDIS_PASSWORD") or None
key = os.environ.get("PROBE_KEY") or "probe"
conns = {h: redis.Redis(host=h, port=6379, password=pw, socket_timeout=0.05,
                        socket_connect_timeout=0.05) for h in hosts}
with open(out, "a", buffering=1) as log:
    while not os.path.exists(out + ".stop"):
        for h, r in conns.items():
            try:
                r.set(key, "1")
                log.write("%.3f %s ok\n" % (time.time(), h))
            except Exception:
                log.write("%.3f %s err\n" % (time.time(), h))
        time.sleep(0.05)
