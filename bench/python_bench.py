"""The benchmark workloads in CPython with its socket module, for comparison.

Started by bench/run.ts with the same protocol as bench/child.ts:

    python3 bench/python_bench.py --sizes JSON --warm JSON --workload NAME
                                  --role both|server|client [--port N]

`both` runs the server side in a thread of this process; `server` prints
`PORT <n>` and serves until killed; `client` drives the server at --port,
first an untimed warm-up pass with the --warm sizes, then the timed pass,
and prints `RESULT <json>`.

Each side is written the way a Python programmer would: blocking sockets
with a thread per connection where there are few connections, a selectors
loop where there are many (concurrent, connrate, idle).
"""

import gc
import json
import os
import selectors
import socket
import socketserver
import ssl
import sys
import threading
import time

HOST = "127.0.0.1"
CHUNK = 64 * 1024
BURST = 16
PING = b"a" * 16
LINE = b"b" * 63 + b"\n"
DATAGRAM = b"c" * 64
MIB = 1024 * 1024
UNITS = {
    "bulk": "MiB/s", "pingpong": "rt/s", "connrate": "conn/s", "udp": "msg/s",
    "udppp": "rt/s", "concurrent": "rt/s", "socketserver": "rt/s",
    "flood": "MiB", "idle": "MiB", "tls_pingpong": "rt/s", "tls_bulk": "MiB/s",
}
TLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "tls")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def rate(workload, count, seconds, extra=None):
    units = count / MIB if UNITS[workload] == "MiB/s" else count
    out = {"value": units / seconds, "unit": UNITS[workload]}
    if extra:
        out["extra"] = extra
    return out


def spawn(fn, *args):
    t = threading.Thread(target=fn, args=args, daemon=True)
    t.start()
    return t


def recv_exactly(s, n):
    buf = s.recv(n)
    while len(buf) < n:
        more = s.recv(n - len(buf))
        if not more:
            raise EOFError("unexpected EOF")
        buf += more
    return buf


def round_trips(s, msg, n):
    for _ in range(n):
        s.sendall(msg)
        recv_exactly(s, len(msg))


def connect(port):
    s = socket.socket()
    s.connect((HOST, port))
    return s


# ---- servers ---------------------------------------------------------------


def listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, 0))
    s.listen(4096)
    return s


def threaded_server(handle, sizes):
    """Accepts in a thread, one thread per connection."""
    lsock = listener()

    def accept_loop():
        while True:
            conn, _ = lsock.accept()
            spawn(guarded, handle, conn, sizes)

    spawn(accept_loop)
    return lsock.getsockname()[1]


def guarded(handle, conn, sizes):
    try:
        handle(conn, sizes)
    except OSError:
        pass
    finally:
        conn.close()


def echo(conn, _sizes):
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


def sink(conn, _sizes):
    total = 0
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        total += len(data)
    conn.sendall(total.to_bytes(8, "big"))


def sink_into(conn, _sizes):
    buf = bytearray(CHUNK)
    total = 0
    while True:
        n = conn.recv_into(buf)
        if n == 0:
            break
        total += n
    conn.sendall(total.to_bytes(8, "big"))


def flooder(conn, sizes):
    chunk = bytes(CHUNK)
    for _ in range(0, sizes["floodBytes"], CHUNK):
        conn.sendall(chunk)


def selector_echo_server(_sizes):
    """A single-threaded selectors echo server (many connections)."""
    lsock = listener()
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)

    def loop():
        while True:
            for key, _ in sel.select():
                s = key.fileobj
                if s is lsock:
                    try:
                        conn, _ = lsock.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ)
                    continue
                try:
                    data = s.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if data:
                    s.sendall(data)  # small echoes always fit the send buffer
                else:
                    sel.unregister(s)
                    s.close()

    spawn(loop)
    return lsock.getsockname()[1]


def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, 0))
    return s


def blaster(_sizes):
    s = udp_socket()

    def loop():
        while True:
            req, addr = s.recvfrom(2048)
            for i in range(int.from_bytes(req[:8], "big")):
                if i % BURST == BURST - 1:
                    time.sleep(0)
                s.sendto(DATAGRAM, addr)

    spawn(loop)
    return s.getsockname()[1]


def udp_echo(_sizes):
    s = udp_socket()

    def loop():
        while True:
            data, addr = s.recvfrom(2048)
            s.sendto(data, addr)

    spawn(loop)
    return s.getsockname()[1]


class LineEcho(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


def socketserver_server(_sizes):
    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 4096

    server = Server((HOST, 0), LineEcho)
    spawn(server.serve_forever)
    return server.server_address[1]


def tls_server(handle, sizes):
    """A thread per connection, each handshaken in its thread."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(TLS_DIR, "server.pem"), os.path.join(TLS_DIR, "server.key"))
    lsock = listener()

    def handshake(conn, sizes):
        with ctx.wrap_socket(conn, server_side=True) as tconn:
            handle(tconn, sizes)

    def accept_loop():
        while True:
            conn, _ = lsock.accept()
            spawn(guarded, handshake, conn, sizes)

    spawn(accept_loop)
    return lsock.getsockname()[1]


def counted_sink(conn, _sizes):
    """The tls_bulk reader: the count first (SSLSocket.shutdown drops TLS, so no half-close)."""
    want = int.from_bytes(recv_exactly(conn, 8), "big")
    total = 0
    while total < want:
        data = conn.recv(CHUNK)
        if not data:
            break
        total += len(data)
    conn.sendall(total.to_bytes(8, "big"))


# ---- clients ---------------------------------------------------------------


def tls_connect(port):
    ctx = ssl.create_default_context(cafile=os.path.join(TLS_DIR, "ca.pem"))
    return ctx.wrap_socket(connect(port), server_hostname="localhost")


def drive_tls_pingpong(port, sizes, _warm):
    s = tls_connect(port)
    t0 = time.perf_counter()
    round_trips(s, PING, sizes["tlsTrips"])
    dt = time.perf_counter() - t0
    s.close()
    return rate("tls_pingpong", sizes["tlsTrips"], dt)


def drive_tls_bulk(port, sizes, _warm):
    s = tls_connect(port)
    chunk = bytes(CHUNK)
    total = sizes["tlsBulkBytes"]
    t0 = time.perf_counter()
    s.sendall(total.to_bytes(8, "big"))
    for _ in range(0, total, CHUNK):
        s.sendall(chunk)
    got = int.from_bytes(recv_exactly(s, 8), "big")
    dt = time.perf_counter() - t0
    s.close()
    if got != total:
        raise EOFError(f"sink got {got}")
    return rate("tls_bulk", got, dt)


def drive_bulk(port, sizes, _warm):
    s = connect(port)
    chunk = bytes(CHUNK)
    total = sizes["bulkBytes"]
    t0 = time.perf_counter()
    for _ in range(0, total, CHUNK):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    got = int.from_bytes(recv_exactly(s, 8), "big")
    dt = time.perf_counter() - t0
    s.close()
    return rate("bulk", got, dt)


def drive_pingpong(port, sizes, _warm):
    s = connect(port)
    t0 = time.perf_counter()
    round_trips(s, PING, sizes["pingpongTrips"])
    dt = time.perf_counter() - t0
    s.close()
    return rate("pingpong", sizes["pingpongTrips"], dt)


def drive_connrate(port, sizes, _warm):
    n = sizes["connections"]
    t0 = time.perf_counter()
    for _ in range(n):
        s = connect(port)
        round_trips(s, PING, 1)
        s.close()
    return rate("connrate", n, time.perf_counter() - t0)


def drive_udp(port, sizes, _warm):
    n = sizes["udpDatagrams"]
    s = udp_socket()
    s.settimeout(0.3)
    got = 0
    t0 = time.perf_counter()
    last = t0
    s.sendto(n.to_bytes(8, "big"), (HOST, port))
    while got < n:
        try:
            s.recv(2048)
        except TimeoutError:
            break
        got += 1
        last = time.perf_counter()
    s.close()
    extra = {"sent": n, "received": got, "lossPct": 100 * (1 - got / n)}
    return rate("udp", got, last - t0, extra)


def drive_udppp(port, sizes, _warm):
    n = sizes["udpTrips"]
    s = udp_socket()
    s.settimeout(1)
    lost = 0
    t0 = time.perf_counter()
    for _ in range(n):
        s.sendto(PING, (HOST, port))
        try:
            s.recvfrom(2048)
        except TimeoutError:
            lost += 1
    dt = time.perf_counter() - t0
    s.close()
    return rate("udppp", n, dt, {"lost": lost})


def selector_clients(port, n, msg, trips):
    """n clients connected first, then each `trips` lock-step round trips
    over non-blocking sockets in one selectors loop."""
    sel = selectors.DefaultSelector()
    pending = n
    socks = [connect(port) for _ in range(n)]
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, [0, 0])  # [trips done, bytes got]
        s.send(msg)
    while pending:
        for key, _ in sel.select():
            s, state = key.fileobj, key.data
            data = s.recv(65536)
            if not data:
                raise EOFError("unexpected EOF")
            state[1] += len(data)
            if state[1] < len(msg):
                continue
            state[0] += 1
            state[1] = 0
            if state[0] == trips:
                sel.unregister(s)
                s.close()
                pending -= 1
            else:
                s.send(msg)


def drive_concurrent(port, sizes, _warm):
    n, trips = sizes["concurrentConns"], sizes["concurrentTrips"]
    t0 = time.perf_counter()
    selector_clients(port, n, PING, trips)
    return rate("concurrent", n * trips, time.perf_counter() - t0)


def drive_socketserver(port, sizes, _warm):
    n, trips = sizes["ssClients"], sizes["ssTrips"]

    def client():
        s = connect(port)
        round_trips(s, LINE, trips)
        s.close()

    t0 = time.perf_counter()
    threads = [spawn(client) for _ in range(n)]
    for t in threads:
        t.join()
    return rate("socketserver", n * trips, time.perf_counter() - t0)


def drive_flood(port, sizes, warm):
    if warm:
        return {"value": 0, "unit": "MiB"}
    gc.collect()
    base = rss()
    s = connect(port)
    peak = base
    end = time.perf_counter() + sizes["floodMillis"] / 1000
    while time.perf_counter() < end:
        peak = max(peak, rss())
        time.sleep(0.02)
    s.close()
    return {"value": (peak - base) / MIB, "unit": "MiB"}


def drive_idle(port, sizes, warm):
    if warm:
        return {"value": 0, "unit": "MiB"}
    gc.collect()
    time.sleep(0.05)
    base = rss()
    socks = [connect(port) for _ in range(sizes["idleConns"])]
    time.sleep(0.2)
    gc.collect()
    grown = rss() - base
    for s in socks:
        s.close()
    return {"value": grown / MIB, "unit": "MiB", "extra": {"conns": len(socks)}}


WORKLOADS = {
    "bulk": (lambda sz: threaded_server(sink, sz), drive_bulk),
    "bulk_into": (lambda sz: threaded_server(sink_into, sz), drive_bulk),
    "pingpong": (lambda sz: threaded_server(echo, sz), drive_pingpong),
    "connrate": (selector_echo_server, drive_connrate),
    "udp": (blaster, drive_udp),
    "udppp": (udp_echo, drive_udppp),
    "concurrent": (selector_echo_server, drive_concurrent),
    "socketserver": (socketserver_server, drive_socketserver),
    "flood": (lambda sz: threaded_server(flooder, sz), drive_flood),
    "idle": (selector_echo_server, drive_idle),
    "tls_pingpong": (lambda sz: tls_server(echo, sz), drive_tls_pingpong),
    "tls_bulk": (lambda sz: tls_server(counted_sink, sz), drive_tls_bulk),
}


def arg(name, default=None):
    argv = sys.argv
    if f"--{name}" in argv:
        return argv[argv.index(f"--{name}") + 1]
    if default is None:
        raise SystemExit(f"missing --{name}")
    return default


def main():
    sizes = json.loads(arg("sizes"))
    warm = json.loads(arg("warm"))
    serve, drive = WORKLOADS[arg("workload")]
    role = arg("role", "both")
    if role == "client":
        port = int(arg("port"))
    else:
        port = serve(sizes)
        if role == "server":
            print(f"PORT {port}", flush=True)
            threading.Event().wait()
            return
    drive(port, warm, True)
    if arg("workload") == "concurrent":
        time.sleep(0.5)  # as child.ts: the server closes the warm-up's connections first
    result = drive(port, sizes, False)
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
