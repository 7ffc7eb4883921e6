"""Benchmark helper: run a command and time exec -> first PONG on a port.
Usage: pong.py PORT COMMAND...; prints milliseconds (float), then stops the
command with SIGTERM and waits for it."""
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
# The command may be unshare, which ignores SIGTERM: signal its child too.
for pid in subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True,
                          text=True).stdout.split():
    os.kill(int(pid), signal.SIGTERM)
p.send_signal(signal.SIGTERM)
p.wait()
print("%.2f" % pong if pong is not None else "nan")
