"""Benchmark helper: run a command and time exec -> first PONG on a port.
Usage: pong.py PORT COMMAND...; prints milliseconds (float), then kills the
command."""
import os
import signal
import socket
import subprocess
import sys
import time

port = int(sys.argv[1])
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pong = None
while time.monotonic() - t0 < 20:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                pong = (time.monotonic() - t0) * 1000
                break
    except OSError:
        time.sleep(0.0005)
# Only the start is measured: SIGKILL the namespace's PID 1 (a shell as PID 1
# would ignore SIGTERM), which ends everything in it.
for pid in subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True,
                          text=True).stdout.split():
    os.kill(int(pid), signal.SIGKILL)
p.kill()
p.wait()
print("%.2f" % pong if pong is not None else "nan")
