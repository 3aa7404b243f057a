// Security defaults: servers bind exactly where told; the one implicit
// wildcard is listen() on an unbound socket (as Linux and CPython); an IPv6
// wildcard is IPv6-only unless dual-stack is asked for (expected-different on
// Deno); unix socket files get mode 0777 & ~umask (as CPython: not
// world-writable under any umask that masks o+w, such as the usual 022) and
// never replace an existing file; servers drop idle clients
// (StreamRequestHandler.timeout) and close connections over
// ThreadingMixIn.max_connections cleanly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  create_connection,
  create_server,
  has_ipv6,
  MSG_DONTWAIT,
  MSG_PEEK,
  OSError,
  type Socket,
  socket,
  TimeoutError,
} from "unisock";
import { StreamRequestHandler, TCPServer, ThreadingTCPServer } from "unisock/socketserver";
import { eventually, isError, osFdCount, RUNTIME, tempDir } from "./_helpers.ts";

type Addr = [string, number];

/** connect_ex to `host:port`, closing the probe socket. */
async function reach(host: string, port: number, family?: number): Promise<number> {
  const s = family === undefined ? socket() : socket(family);
  try {
    s.settimeout(5);
    return await s.connect_ex(family === AF_INET6 ? [host, port, 0, 0] : [host, port]);
  } finally {
    s.close();
  }
}

/** Reads until EOF (bounded), returning the text and whether the end was a reset. */
async function readToEnd(s: Socket): Promise<{ text: string; reset: boolean }> {
  let text = "";
  for (let i = 0; i < 64; i++) {
    try {
      const chunk = await s.recv(4096);
      if (chunk.length === 0) return { text, reset: false };
      text += new TextDecoder().decode(chunk);
    } catch (err) {
      if (err instanceof OSError && err.errno === 104) return { text, reset: true };
      throw err;
    }
  }
  throw new Error("no EOF after 64 reads");
}

// ---- where servers bind ------------------------------------------------------------

test("security: create_server binds exactly the address given; '' is every interface", async () => {
  const local = await create_server(["127.0.0.1", 0]);
  const port = (local.getsockname() as Addr)[1];
  try {
    assert.deepEqual(local.getsockname(), ["127.0.0.1", port]);
    assert.equal(await reach("127.0.0.1", port), 0);
    assert.equal(await reach("127.0.0.2", port), 111, "not reachable on another address");
  } finally {
    local.close();
  }
  const all = await create_server(["", 0]);
  const port2 = (all.getsockname() as Addr)[1];
  try {
    assert.deepEqual(all.getsockname(), ["0.0.0.0", port2], "'' binds INADDR_ANY, as in CPython");
    assert.equal(await reach("127.0.0.2", port2), 0);
  } finally {
    all.close();
  }
});

test("security: a port in use by a listener cannot be taken over (SO_REUSEADDR is not SO_REUSEPORT)", async () => {
  const first = await create_server(["127.0.0.1", 0]);
  try {
    await assert.rejects(create_server(first.getsockname()), isError(OSError, 98));
    const wild = socket();
    try {
      await assert.rejects(wild.bind(["", (first.getsockname() as Addr)[1]]), isError(OSError, 98));
    } finally {
      wild.close();
    }
  } finally {
    first.close();
  }
});

test("security: listen() on an unbound socket binds every interface (the one implicit wildcard, as Linux)", async () => {
  const s = socket();
  try {
    s.listen();
    assert.ok(await eventually(() => (s.getsockname() as Addr)[1] !== 0, 2000));
    const [host, port] = s.getsockname() as Addr;
    assert.equal(host, "0.0.0.0");
    assert.equal(await reach("127.0.0.2", port), 0);
  } finally {
    s.close();
  }
});

test("security: socketserver servers bind exactly their server_address", async () => {
  class Nothing extends StreamRequestHandler {
    override handle() {}
  }
  await using server = new TCPServer(["127.0.0.1", 0], Nothing);
  await server.ready;
  const [host, port] = server.server_address;
  assert.equal(host, "127.0.0.1");
  assert.equal(await reach("127.0.0.2", port), 111);
});

test(
  "security: an IPv6 wildcard server is IPv6-only unless dualstack_ipv6 (Deno: always dual-stack)",
  {
    skip: has_ipv6 ? false : "no IPv6",
  },
  async () => {
    const v6 = await create_server(["::", 0], { family: AF_INET6 });
    const port = v6.getsockname()[1];
    try {
      assert.equal(await reach("::1", port, AF_INET6), 0);
      const v4 = await reach("127.0.0.1", port);
      if (RUNTIME === "deno") {
        // expected-different on Deno: Deno.listen (and Deno's node:net) have no
        // IPV6_V6ONLY, so a TCP listener on :: also takes IPv4 clients.
        assert.equal(v4, 0, "Deno: dual-stack");
      } else {
        assert.equal(v4, 111, "IPv4 clients are refused without dualstack_ipv6");
      }
    } finally {
      v6.close();
    }
    const dual = await create_server(["::", 0], { family: AF_INET6, dualstack_ipv6: true });
    try {
      assert.equal(await reach("127.0.0.1", dual.getsockname()[1]), 0);
    } finally {
      dual.close();
    }
  },
);

// ---- unix socket files ------------------------------------------------------------

test("security: a bound unix socket file has mode 0777 & ~umask, as in CPython", async () => {
  const [dir, cleanup] = tempDir();
  const umask = process.umask();
  try {
    for (const [i, make] of [() => socket(AF_UNIX), () => null].entries()) {
      const s = make();
      // One name each: a closed socket's file stays, as in Python.
      const path = join(dir, `s${i}`);
      if (s === null) {
        // socketserver's unix server goes through the same bind.
        const srv = await create_server(path, { family: AF_UNIX });
        try {
          assert.equal(statSync(path).mode & 0o777, 0o777 & ~umask);
        } finally {
          srv.close();
        }
        continue;
      }
      try {
        await s.bind(path);
        const mode = statSync(path).mode & 0o777;
        assert.equal(
          mode,
          0o777 & ~umask,
          `mode ${mode.toString(8)} with umask ${umask.toString(8)}`,
        );
        if (umask & 0o002) assert.equal(mode & 0o002, 0, "not world-writable");
      } finally {
        s.close();
      }
    }
  } finally {
    cleanup();
  }
});

test("security: binding a unix path never replaces an existing file", async () => {
  const [dir, cleanup] = tempDir();
  try {
    const path = join(dir, "precious");
    writeFileSync(path, "keep me");
    const s = socket(AF_UNIX);
    try {
      await assert.rejects(s.bind(path), isError(OSError, 98));
    } finally {
      s.close();
    }
    assert.equal(readFileSync(path, "utf8"), "keep me");
    const srv = socket(AF_UNIX);
    const live = join(dir, "live.sock");
    await srv.bind(live);
    srv.listen();
    const thief = socket(AF_UNIX);
    try {
      await assert.rejects(
        thief.bind(live),
        isError(OSError, 98),
        "a live socket's path cannot be taken",
      );
    } finally {
      thief.close();
      srv.close();
    }
  } finally {
    cleanup();
  }
});

// ---- idle clients and connection limits ------------------------------------------

test("security: StreamRequestHandler.timeout drops idle clients and keeps busy ones", async () => {
  const timeouts: unknown[] = [];
  class Lines extends StreamRequestHandler {
    override timeout = 0.2;
    override async handle() {
      for await (const line of this.rfile) await this.wfile.write(line);
    }
  }
  class Server extends ThreadingTCPServer {
    override handle_error(_request: unknown, _address: unknown, error?: unknown) {
      timeouts.push(error);
    }
  }
  await using server = new Server(["127.0.0.1", 0], Lines);
  await server.ready;
  const serving = server.serve_forever(0.05);
  const addr = server.server_address;
  const idle = await Promise.all([1, 2, 3].map(() => create_connection(addr, 5)));
  const busy = await create_connection(addr, 5);
  try {
    const t0 = performance.now();
    // The busy client talks every 50 ms for 0.6 s: never idle for 0.2 s.
    for (let i = 0; i < 12; i++) {
      await busy.sendall(`line ${i}\n`);
      const reply = new TextDecoder().decode(await busy.recv(100));
      assert.equal(reply, `line ${i}\n`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The idle ones were closed (cleanly: they sent nothing) after about 0.2 s.
    for (const c of idle) assert.deepEqual(await readToEnd(c), { text: "", reset: false });
    assert.ok(performance.now() - t0 < 3000);
    assert.equal(timeouts.length, 3);
    for (const e of timeouts) assert.ok(e instanceof TimeoutError, `handler ended with ${e}`);
  } finally {
    for (const c of [...idle, busy]) c.close();
  }
  await server.shutdown();
  await serving;
});

test("security: ThreadingMixIn.max_connections serves that many and closes the excess cleanly", async () => {
  const fds0 = osFdCount();
  let release = () => {};
  const gate = new Promise<void>((r) => release = r);
  let started = 0;
  class Hold extends StreamRequestHandler {
    override async handle() {
      started++;
      await gate;
      await this.wfile.write("served");
    }
  }
  class Limited extends ThreadingTCPServer {
    override max_connections = 5;
  }
  const server = new Limited(["127.0.0.1", 0], Hold);
  await server.ready;
  const serving = server.serve_forever(0.05);
  const addr = server.server_address;
  const clients: Socket[] = [];
  try {
    // Connect one by one, so the first five are the ones being served.
    for (let i = 0; i < 5; i++) clients.push(await create_connection(addr, 5));
    assert.ok(await eventually(() => started === 5, 5000), `${started} handlers started`);
    for (let i = 0; i < 45; i++) clients.push(await create_connection(addr, 5));
    // The 45 excess connections end at once, with a clean EOF and nothing served.
    const excess = await Promise.all(clients.slice(5).map(readToEnd));
    assert.ok(excess.every((r) => r.text === "" && !r.reset), JSON.stringify(excess.slice(0, 3)));
    assert.equal(server.active_count, 5);
    assert.equal(started, 5);
    for (const c of clients.slice(0, 5)) {
      await assert.rejects(
        c.recv(1, MSG_PEEK | MSG_DONTWAIT),
        isError(BlockingIOError, 11),
        "still held",
      );
    }
    release();
    for (const c of clients.slice(0, 5)) {
      assert.deepEqual(await readToEnd(c), { text: "served", reset: false });
    }
    // Under the limit again: a new client is served.
    const late = await create_connection(addr, 5);
    clients.push(late);
    assert.deepEqual(await readToEnd(late), { text: "served", reset: false });
  } finally {
    for (const c of clients) c.close();
    await server.shutdown();
    await serving;
    await server.server_close();
  }
  assert.ok(
    await eventually(() => osFdCount() <= fds0, 5000),
    `fds ${osFdCount()} > baseline ${fds0}`,
  );
});
