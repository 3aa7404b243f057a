// Every connection is served under load, and a close that must reset does.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  ConnectionResetError,
  create_connection,
  create_server,
  MSG_PEEK,
  MSG_WAITALL,
  SO_LINGER,
  type Socket,
  SOL_SOCKET,
} from "unisock";
import { dec, DENO_NODE_NET, hasPython, RUNTIME } from "./_helpers.ts";

const CONNECTIONS = 300;
const SECONDS = 3;
const MESSAGE = new Uint8Array(100).fill(42);

test(`fairness: ${CONNECTIONS} busy echo connections in one process each get ≥ 1/10 of the mean`, {
  skip: RUNTIME === "deno" && !DENO_NODE_NET
    ? "UNISOCK_DENO_NET=conn: Deno.Conn serves 128 busy connections per turn, the rest wait"
    : false,
}, async () => {
  const server = await create_server(["127.0.0.1", 0], { backlog: CONNECTIONS });
  const served: Promise<void>[] = [];
  const conns: Socket[] = [];
  const clients: Socket[] = [];
  try {
    const accepting = (async () => {
      for (let i = 0; i < CONNECTIONS; i++) {
        const [conn] = await server.accept();
        conns.push(conn);
        served.push((async () => {
          for (let n = 0; n < 1_000_000; n++) {
            const data = await conn.recv(MESSAGE.length, MSG_WAITALL);
            if (data.length === 0) return;
            await conn.sendall(data);
          }
        })());
      }
    })();
    for (let i = 0; i < CONNECTIONS; i++) {
      clients.push(await create_connection(server.getsockname() as [string, number], 30));
    }
    await accepting;
    const end = performance.now() + SECONDS * 1000;
    const trips = await Promise.all(clients.map(async (c) => {
      let n = 0;
      while (n < 1_000_000 && performance.now() < end) {
        await c.sendall(MESSAGE);
        assert.equal((await c.recv(MESSAGE.length, MSG_WAITALL)).length, MESSAGE.length);
        n++;
      }
      return n;
    }));
    const mean = trips.reduce((a, b) => a + b, 0) / trips.length;
    const min = Math.min(...trips);
    console.log(`# ${RUNTIME}: round trips per connection min ${min}, mean ${mean.toFixed(0)}`);
    assert.ok(min >= mean / 10, `a connection got ${min} round trips, the mean is ${mean}`);
  } finally {
    for (const c of clients) c.close();
    await Promise.all(served);
    for (const c of conns) c.close();
    server.close();
  }
});

/** SO_LINGER {l_onoff: 1, l_linger: 0}, packed as struct linger. */
const LINGER_0 = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);

/** A CPython client: sends "hello", reads; prints what its recv calls return or raise. */
const PY_CLIENT = `
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"hello")
try:
    for _ in range(10):
        data = s.recv(100)
        print(repr(data), flush=True)
        if not data:
            break
except OSError as e:
    print(type(e).__name__, e.errno, flush=True)
`;

/** Runs the CPython client against a listener; resolves with its output lines. */
function pythonClient(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-c", PY_CLIENT, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => out += String(d));
    child.on("error", reject);
    child.on("close", () => resolve(out.trim().split("\n")));
  });
}

for (const how of ["unread data", "SO_LINGER 0"] as const) {
  test(`reset: a CPython peer sees ConnectionResetError after a close with ${how}`, {
    skip: !hasPython()
      ? "python3 is not installed"
      : RUNTIME === "deno" && !DENO_NODE_NET
      ? "UNISOCK_DENO_NET=conn: Deno.Conn cannot send a RST"
      : false,
  }, async () => {
    using server = await create_server(["127.0.0.1", 0]);
    const output = pythonClient((server.getsockname() as [string, number])[1]);
    const [conn] = await server.accept();
    try {
      await conn.sendall("first");
      if (how === "unread data") {
        assert.equal(dec(await conn.recv(5, MSG_PEEK | MSG_WAITALL)), "hello"); // left unread
      } else {
        assert.equal(dec(await conn.recv(5, MSG_WAITALL)), "hello");
        conn.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
      }
    } finally {
      conn.close();
    }
    const lines = await output;
    // "first" may arrive before the reset, or be discarded by it.
    assert.equal(lines.at(-1), "ConnectionResetError 104", lines.join("\n"));
    assert.ok(
      lines.length <= 2 && (lines.length === 1 || lines[0] === "b'first'"),
      lines.join("\n"),
    );
  });
}

test("reset: a unisock peer sees ConnectionResetError after a close with unread data", {
  skip: RUNTIME === "deno" && !DENO_NODE_NET
    ? "UNISOCK_DENO_NET=conn: Deno.Conn cannot send a RST"
    : false,
}, async () => {
  using server = await create_server(["127.0.0.1", 0]);
  using cli = await create_connection(server.getsockname() as [string, number], 10);
  const [conn] = await server.accept();
  try {
    await cli.sendall("hello");
    assert.equal(dec(await conn.recv(5, MSG_PEEK | MSG_WAITALL)), "hello");
  } finally {
    conn.close();
  }
  await assert.rejects(cli.recv(100), (e: unknown) => e instanceof ConnectionResetError);
});
