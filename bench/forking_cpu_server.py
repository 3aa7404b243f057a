"""CPython's side of bench/forking.ts: examples/forking_cpu_server.ts in Python.

Each request costs `rounds` SHA-256 hashes of 1 MiB; the client sends one
line and gets the hex digest. Served by socketserver.ForkingTCPServer (a
process per request, at most `workers` at once) or, with --threading, by
ThreadingTCPServer.

Usage: forking_cpu_server.py [port=8010] [workers=2] [rounds=16] [--threading]
"""

import hashlib
import signal
import socketserver
import sys

args = [a for a in sys.argv[1:] if a != "--threading"]
threading = "--threading" in sys.argv
port = int(args[0]) if len(args) > 0 else 8010
workers = int(args[1]) if len(args) > 1 else 2
rounds = int(args[2]) if len(args) > 2 else 16
block = bytearray(1 << 20)


class Hash(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        block[: min(len(line), 64)] = line[:64]
        digest = b""
        for _ in range(rounds):
            h = hashlib.sha256(digest)
            h.update(block)
            digest = h.digest()
        self.wfile.write(digest.hex().encode() + b"\n")


class Forking(socketserver.ForkingTCPServer):
    max_children = workers
    request_queue_size = 128


class Threading(socketserver.ThreadingTCPServer):
    daemon_threads = True
    request_queue_size = 128


server = (Threading if threading else Forking)(("127.0.0.1", port), Hash)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
try:
    server.serve_forever()
finally:
    server.server_close()
