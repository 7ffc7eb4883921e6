"""From a prober log (prober.py), the time in seconds during which two or
more hosts accepted writes at once. Usage: twomasters.py LOG."""
import sys

ok = {}
for line in open(sys.argv[1]):
    t, host, res = line.split()
    ok.setdefault(host, []).append((float(t), res == "ok"))
# Sample the timeline every 10 ms: a host accepts writes from one ok probe
# until its next probe.
events = sorted(t for v in ok.values() for t, _ in v)
if not events:
    print("0.000")
    sys.exit()
state = {h: False for h in ok}
idx = {h: 0 for h in ok}
both = 0.0
t = events[0]
while t < events[-1]:
    for h, v in ok.items():
        while idx[h] < len(v) and v[idx[h]][0] <= t:
            state[h] = v[idx[h]][1]
            idx[h] += 1
    if sum(state.values()) >= 2:
        both += 0.01
    t += 0.01
print("%.3f" % both)
