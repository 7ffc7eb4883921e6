"""A hostile or broken Redis/Sentinel peer for tests. Usage:
fakepeer.py PORT[-LAST] MODE [LOG]. Listens on 127.0.0.1:PORT (each port
of a range; 0.0.0.0 with FAKE_BIND set) and answers every connection by
MODE:
  silent     accept, read, never answer
  close      accept, then close at once
  garbage    answer every request with random bytes
  huge       answer with a bulk string announcing 512 MB, sent slowly
  endless    answer with an array that never ends
  deep       answer with arrays nested a million deep
  sentinel   a sentinel that names FAKE_MASTER (host:port) master of
             mymaster; SENTINEL FAILOVER gets FAKE_FAILOVER: "silent" (no
             answer), "ok" (+OK, then the failover looks aborted), or an
             error text such as "NOGOODSLAVE No suitable replica"
Each accepted connection appends "accepted" to LOG, and each command of
the sentinel mode its name."""
import os
import random
import socket
import sys
import threading
import time

first, _, last = sys.argv[1].partition("-")
ports, mode = range(int(first), int(last or first) + 1), sys.argv[2]
log = sys.argv[3] if len(sys.argv) > 3 else None
lock = threading.Lock()


def note(text):
    if log:
        with lock, open(log, "a") as f:
            f.write(text + "\n")


def bulk(s):
    s = s if isinstance(s, bytes) else str(s).encode()
    return b"$%d\r\n%s\r\n" % (len(s), s)


def array(items):
    return b"*%d\r\n" % len(items) + b"".join(bulk(i) for i in items)


def commands(buf):
    """Complete RESP commands at the start of buf: (list, rest)."""
    out = []
    while buf.startswith(b"*"):
        try:
            end = buf.index(b"\r\n")
            n, pos, args = int(buf[1:end]), end + 2, []
            for _ in range(n):
                end = buf.index(b"\r\n", pos)
                size = int(buf[pos + 1:end])
                args.append(buf[end + 2:end + 2 + size])
                pos = end + 2 + size + 2
                if pos > len(buf):
                    raise ValueError
        except ValueError:
            break
        out.append(args)
        buf = buf[pos:]
    return out, buf


failing_over = False


def sentinel_reply(args):
    global failing_over
    name = b" ".join(a.upper() for a in args[:2])
    note(name.decode(errors="replace"))
    host, _, p = os.environ["FAKE_MASTER"].rpartition(":")
    if args[0].upper() in (b"AUTH", b"PING"):
        return b"+OK\r\n" if args[0].upper() == b"AUTH" else b"+PONG\r\n"
    if name == b"SENTINEL GET-MASTER-ADDR-BY-NAME":
        return array([host, p])
    if name == b"SENTINEL MASTER":
        flags = "master,failover_in_progress" if failing_over else "master"
        return array(["name", "mymaster", "ip", host, "port", p, "flags", flags,
                      "config-epoch", "1"])
    if name == b"SENTINEL REPLICAS":
        return b"*0\r\n"
    if name == b"SENTINEL FAILOVER":
        how = os.environ.get("FAKE_FAILOVER", "silent")
        # A real sentinel takes a moment too; the test's write must reach
        # the paused master before the handover gives up.
        time.sleep(float(os.environ.get("FAKE_FAILOVER_DELAY_MS", "0")) / 1000)
        if how == "silent":
            return None
        if how == "ok":
            return b"+OK\r\n"      # and the flags never show it: aborted
        return b"-" + how.encode() + b"\r\n"
    return b"-ERR fake peer\r\n"


def serve(c):
    buf = b""
    try:
        if mode == "close":
            return
        while True:
            data = c.recv(65536)
            if not data:
                return
            if mode == "silent":
                continue
            if mode == "garbage":
                c.sendall(bytes(random.getrandbits(8) for _ in range(512)))
            elif mode == "huge":
                c.sendall(b"$536870912\r\n")
                while True:
                    c.sendall(b"x" * 65536)
                    time.sleep(0.001)
            elif mode == "endless":
                c.sendall(b"*1000000000\r\n")
                while True:
                    c.sendall(b"+x\r\n" * 4096)
                    time.sleep(0.001)
            elif mode == "deep":
                c.sendall(b"*1\r\n" * 1000000)
            elif mode == "sentinel":
                buf += data
                cmds, buf = commands(buf)
                for args in cmds:
                    r = sentinel_reply(args)
                    if r is not None:
                        c.sendall(r)
    except OSError:
        pass
    finally:
        c.close()


def listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0" if os.environ.get("FAKE_BIND") else "127.0.0.1", port))
    s.listen(128)
    return s


def accept(s):
    while True:
        c, _ = s.accept()
        note("accepted")
        threading.Thread(target=serve, args=(c,), daemon=True).start()


socks = [listen(p) for p in ports]
note("listening")
for s in socks[1:]:
    threading.Thread(target=accept, args=(s,), daemon=True).start()
accept(socks[0])
