"""Writes numbered keys PREFIX:N (PREFIX: OUT_DIR's name, so that two runs
of one suite never write the same key and one run's keys cannot hide the
other's losses) through the sentinel-discovered master and records
which writes were acknowledged. Runs until STOP exists; idles while PAUSE
exists. Usage: writer.py OUT_DIR SENTINEL[:PORT]... (password in
REDIS_PASSWORD). OUT_DIR/acked gets a line "N TIME" for each acknowledged
write (TIME: when the acknowledgement came, Unix seconds);
OUT_DIR/summary gets "acked=N longest_gap_ms=N" when it stops; OUT_DIR/errors
has a line for each failed write and each gap over 200 ms."""
import os
import sys
import time

from redis.sentinel import Sentinel

out = sys.argv[1]
prefix = os.path.basename(os.path.normpath(out))
sentinels = []
for hp in sys.argv[2:]:
    host, _, port = hp.partition(":")
    sentinels.append((host, int(port or 26379)))
pw = os.environ.get("REDIS_PASSWORD") or None
sen = Sentinel(sentinels, socket_timeout=0.3, password=pw,
               sentinel_kwargs={"password": pw, "socket_timeout": 0.3})
master = sen.master_for(os.environ.get("MASTER_NAME", "mymaster"), socket_timeout=0.3, socket_connect_timeout=0.3)

n = 0
acked = 0
last = None
longest = 0.0
errors = open(os.path.join(out, "errors"), "a", buffering=1)
with open(os.path.join(out, "acked"), "a", buffering=1) as log:
    while not os.path.exists(os.path.join(out, "STOP")):
        if os.path.exists(os.path.join(out, "PAUSE")):
            last = None
            time.sleep(0.05)
            continue
        n += 1
        try:
            master.set("%s:%d" % (prefix, n), n)
        except Exception as e:  # not acknowledged: try the next one
            errors.write("%.3f %d %s %s\n" % (time.time(), n, type(e).__name__, e))
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
        time.sleep(0.005)
with open(os.path.join(out, "summary"), "w") as f:
    f.write("acked=%d longest_gap_ms=%d\n" % (acked, longest * 1000))
