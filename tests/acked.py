"""Counts acknowledged writes (DIR/acked, from writer.py: keys PREFIX:N,
PREFIX being DIR's name) missing on a server. Usage: acked.py DIR HOST PORT [CUTOFF]; prints "missing=N of=N", and
with CUTOFF (Unix seconds) also "missing_before_cutoff=N": writes that were
acknowledged before CUTOFF and are missing. When some are missing,
"missing_span_ms=N" is the time between the first and the last of them, and
"missing_run_ms=N" the longest time between the first and the last of a run
of consecutive acknowledged writes that are all missing (one loss window:
a run of several partitions has several)."""
import os
import sys

import redis

out, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
cutoff = float(sys.argv[4]) if len(sys.argv) > 4 else None
prefix = os.path.basename(os.path.normpath(out))
r = redis.Redis(host=host, port=port, password=os.environ.get("REDIS_PASSWORD") or None,
                socket_timeout=5)
with open(os.path.join(out, "acked")) as f:
    acked = [line.split() for line in f if line.strip()]
missing = before = 0
lost_times = []
run_start = run_ms = None
for i in range(0, len(acked), 500):
    chunk = acked[i:i + 500]
    values = r.mget(["%s:%s" % (prefix, n) for n, _ in chunk])
    for (n, t), v in zip(chunk, values):
        if v is None:
            if run_start is None:
                run_start = float(t)
            run_ms = max(run_ms or 0, (float(t) - run_start) * 1000)
            missing += 1
            lost_times.append(float(t))
            if cutoff is not None and float(t) < cutoff:
                before += 1
        else:
            run_start = None
line = "missing=%d of=%d" % (missing, len(acked))
if cutoff is not None:
    line += " missing_before_cutoff=%d" % before
if lost_times:
    line += " missing_span_ms=%d" % ((max(lost_times) - min(lost_times)) * 1000)
    line += " missing_run_ms=%d" % run_ms
print(line)
