// Where unisock once differed from CPython 3.11 on Linux: a bound source
// address before connect, and abstract unix names that fill all 108 bytes of
// sun_path, and create_server's reuse_port. Each expectation is what CPython
// does here; where a runtime cannot, the check is the error naming it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { AF_UNIX, create_connection, create_server, OSError, type Socket, socket } from "unisock";
import { closedPort, dec, DENO_NODE_NET, hasPython, isError, RUNTIME } from "./_helpers.ts";

const NO_PY = "python3 is not installed";

/** Closes every socket given. */
function closeAll(...socks: (Socket | null)[]): void {
  for (const s of socks) s?.close();
}

test("source address: bind then connect keeps the bound port, and the peer sees it", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket();
  let conn: Socket | null = null;
  try {
    await cli.bind(["127.0.0.1", 0]);
    const bound = cli.getsockname();
    const [, [c, peer]] = await Promise.all([cli.connect(srv.getsockname()), srv.accept()]);
    conn = c;
    assert.deepEqual(cli.getsockname(), bound, "getsockname() unchanged by connect, as CPython");
    assert.deepEqual(peer, bound, "the peer sees the bound port");
    assert.deepEqual(conn.getpeername(), bound);
    await cli.sendall("from the bound port");
    assert.equal(dec(await conn.recv(100)), "from the bound port");
  } finally {
    closeAll(conn, cli, srv);
  }
});

test("source address: create_connection(address, timeout, ['', port]) connects from that port", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const port = await closedPort();
  let cli: Socket | null = null;
  let conn: Socket | null = null;
  try {
    const [c, [a, peer]] = await Promise.all([
      create_connection(srv.getsockname() as [string, number], 5, ["", port]),
      srv.accept(),
    ]);
    cli = c;
    conn = a;
    assert.deepEqual(cli.getsockname(), ["127.0.0.1", port]);
    assert.deepEqual(peer, ["127.0.0.1", port]);
  } finally {
    closeAll(conn, cli, srv);
  }
});

/** A 108-byte abstract name ("\0" and 107 characters), fresh per call. */
function abstract108(): string {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return `\0${tag.padEnd(107, "u")}`;
}

/** Bun refuses abstract names filling sun_path; unisock says so, naming Bun. */
const bunRefuses = isError(
  OSError,
  22,
  "[Errno 22] Invalid argument: Bun refuses abstract unix names of 108 bytes (use at most 107)",
);

test("abstract unix names of 108 bytes: bind, connect and names as CPython (Bun: OSError naming Bun)", async () => {
  const name = abstract108();
  const srv = socket(AF_UNIX);
  const cli = socket(AF_UNIX);
  let conn: Socket | null = null;
  try {
    if (RUNTIME === "bun") {
      await assert.rejects(srv.bind(name), bunRefuses);
      await assert.rejects(cli.connect(name), bunRefuses);
      return;
    }
    await srv.bind(name);
    srv.listen();
    assert.equal(srv.getsockname(), name);
    const [, [c]] = await Promise.all([cli.connect(name), srv.accept()]);
    conn = c;
    assert.equal(cli.getpeername(), name);
    await cli.sendall("abstract 108");
    assert.equal(dec(await conn.recv(100)), "abstract 108");
    // One byte more does not fit, as in CPython.
    await assert.rejects(
      socket(AF_UNIX).bind(`${name}x`),
      isError(OSError, null, "AF_UNIX path too long"),
    );
  } finally {
    closeAll(conn, cli, srv);
  }
});

test("abstract unix names of 108 bytes: connect to a CPython listener", {
  skip: !hasPython() && NO_PY,
}, async () => {
  const name = abstract108();
  // The name travels without its NUL (a process argument cannot hold one).
  const py = spawn("python3", [
    "-c",
    `import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind("\\0" + sys.argv[1])
s.listen()
print("ready", flush=True)
s.settimeout(10)
try:
    c, _ = s.accept()
    print(c.recv(100).decode(), flush=True)
except OSError:
    pass`,
    name.slice(1),
  ], { stdio: ["ignore", "pipe", "inherit"], timeout: 15_000 });
  const cli = socket(AF_UNIX);
  try {
    const lines = createInterface({ input: py.stdout! });
    const [ready] = await once(lines, "line");
    assert.equal(String(ready).trim(), "ready", "CPython binds a 108-byte abstract name");
    if (RUNTIME === "bun") {
      await assert.rejects(cli.connect(name), bunRefuses);
      return;
    }
    await cli.connect(name);
    await cli.sendall("hello CPython");
    const [got] = await once(lines, "line");
    assert.equal(String(got).trim(), "hello CPython");
  } finally {
    cli.close();
    py.kill();
  }
});

test("create_server(reuse_port): two listeners share a port (plain Deno: RangeError naming the flag)", async () => {
  // Deno.listen sets SO_REUSEPORT only with --unstable-net (node:net always can).
  const needsFlag = RUNTIME === "deno" && !DENO_NODE_NET &&
    typeof (globalThis as { Deno?: { listenDatagram?: unknown } }).Deno?.listenDatagram !==
      "function";
  if (needsFlag) {
    await assert.rejects(
      create_server(["127.0.0.1", 0], { reuse_port: true }),
      isError(
        RangeError,
        undefined,
        "SO_REUSEPORT not supported on this platform: SO_REUSEPORT on Deno.listen needs Deno's --unstable-net flag (or UNISOCK_DENO_NET=node)",
      ),
    );
    return;
  }
  const first = await create_server(["127.0.0.1", 0], { reuse_port: true });
  let second: Socket | null = null;
  try {
    second = await create_server(first.getsockname() as [string, number], { reuse_port: true });
    assert.deepEqual(second.getsockname(), first.getsockname());
  } finally {
    closeAll(second, first);
  }
});
