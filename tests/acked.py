"""Counts acknowledged writes (DIR/acked, from writer.py) missing on a
server. Usage: acked.py DIR HOST PORT; prints "missing=N of=N"."""
import os
import sys

import redis

out, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = redis.Redis(host=host, port=port, password=os.environ.get("REDIS_PASSWORD") or None,
                socket_timeout=5)
with open(os.path.join(out, "acked")) as f:
    acked = [line.strip() for line in f if line.strip()]
missing = 0
for i in range(0, len(acked), 500):
    chunk = acked[i:i + 500]
    values = r.mget(["w:" + n for n in chunk])
    missing += sum(1 for v in values if v is None)
print("missing=%d of=%d" % (missing, len(acked)))
