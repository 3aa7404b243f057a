// Faults: resets, peers that vanish, closes that race pending calls, dead UDP
// ports, very long timers. Every failure must surface as an exception from
// the call that met it: never a hang, an unhandled error event, or a crash.
//
// Deno cannot send a TCP RST (Deno.Conn has no SO_LINGER and close() always
// sends FIN), so where the peer *causing* the reset is a Deno socket, the
// other side sees a clean EOF instead of ConnectionResetError. Those checks
// are marked "expected-different on Deno" and assert the EOF outcome there.

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  AF_INET,
  AF_UNIX,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  create_connection,
  create_server,
  MSG_PEEK,
  MSG_WAITALL,
  OSError,
  SHUT_WR,
  SO_LINGER,
  SOCK_DGRAM,
  type Socket,
  socket,
  socketpair,
  SOL_SOCKET,
  TimeoutError,
} from "unisock";
import {
  closedPort,
  dec,
  DENO_NODE_NET,
  eventually,
  isError,
  osFdCount,
  RUNTIME,
  settlesWithin,
  tcpPair,
} from "./_helpers.ts";

/** Why some resets are EOFs on Deno. */
const DENO_FIN =
  "expected-different on Deno: Deno.Conn cannot send RST (no SO_LINGER; close() sends FIN)";
const NO_RST = RUNTIME === "deno" && !DENO_NODE_NET;
const LINGER_0 = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
const badf = isError(OSError, 9);

// Every unhandled rejection or uncaught exception during this file is a failure
// (checked by the last test).
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
process.on("unhandledRejection", onUnhandled);
process.on("uncaughtException", onUnhandled);

/** The outcome of a promise, as a value. */
async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> {
  try {
    return { ok: await p };
  } catch (err) {
    return { err };
  }
}

/** Asserts `err` is a ConnectionResetError (104) or BrokenPipeError (32). */
function assertPeerGone(err: unknown, what: string): void {
  assert.ok(
    (err instanceof ConnectionResetError && err.errno === 104) ||
      (err instanceof BrokenPipeError && err.errno === 32),
    `${what}: expected ConnectionResetError or BrokenPipeError, got ${err}`,
  );
}

async function withPair(fn: (a: Socket, b: Socket) => Promise<void>): Promise<void> {
  const [srv, a, b] = await tcpPair();
  try {
    await fn(a, b);
  } finally {
    a.close();
    b.close();
    srv.close();
  }
}

/** Asserts that after a reset by the peer `b` reads `buffered`, then the reset, then EOF. */
async function expectResetAfter(b: Socket, buffered: string): Promise<void> {
  assert.equal(
    dec(await b.recv(buffered.length, MSG_WAITALL)),
    buffered,
    "buffered bytes come first",
  );
  if (NO_RST) {
    assert.equal((await b.recv(100)).length, 0, DENO_FIN);
    return;
  }
  await assert.rejects(
    b.recv(100),
    isError(ConnectionResetError, 104, "[Errno 104] Connection reset by peer"),
  );
  assert.equal((await b.recv(100)).length, 0, "after the reset was reported: EOF, as Python");
}

// ---- resets -----------------------------------------------------------------------

test("faults: peer reset by SO_LINGER {1, 0}: buffered bytes first, then ConnectionResetError", async () => {
  await withPair(async (a, b) => {
    await a.sendall("buffered bytes");
    assert.equal(dec(await b.recv(14, MSG_PEEK | MSG_WAITALL)), "buffered bytes");
    a.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
    a.close();
    await expectResetAfter(b, "buffered bytes");
  });
});

test("faults: peer closes with unread data: buffered bytes first, then ConnectionResetError", async () => {
  await withPair(async (a, b) => {
    await b.sendall("never read by a");
    await a.recv(1, MSG_PEEK); // it arrived at a, unread
    await a.sendall("for b");
    a.close();
    await expectResetAfter(b, "for b");
  });
});

test("faults: a reset wakes a pending recv with ConnectionResetError (or EOF on Deno)", async () => {
  await withPair(async (a, b) => {
    const pending = outcome(b.recv(100));
    assert.equal(await settlesWithin(pending, 20), false);
    a.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
    a.close();
    const r = await pending;
    if (NO_RST) assert.deepEqual(r, { ok: new Uint8Array(0) }, DENO_FIN);
    else assert.ok("err" in r && isError(ConnectionResetError, 104)(r.err));
  });
});

test("faults: send after the peer closed rejects with BrokenPipeError/ConnectionResetError, never crashes", async () => {
  for (const family of [AF_INET, AF_UNIX]) {
    const [srv, a, b] = family === AF_INET ? await tcpPair() : [null, ...await socketpair(AF_UNIX)];
    try {
      a.close();
      assert.equal((await b.recv(10)).length, 0, "the peer's FIN is seen as EOF");
      // TCP takes the first sends (the peer answers them with RST); bounded.
      let err: unknown = null;
      for (let i = 0; i < 200 && err === null; i++) {
        const r = await outcome(b.send("x"));
        if ("err" in r) err = r.err;
        else await new Promise((res) => setTimeout(res, 2));
      }
      assertPeerGone(err, `send on ${family === AF_INET ? "TCP" : "unix"}`);
      // It stays an error, on every kind of send, and never hangs.
      const agains: (() => Promise<unknown>)[] = [
        () => b.send("x"),
        () => b.sendall("xyz"),
        () => b.sendall(new Uint8Array(1 << 20)),
      ];
      for (const again of agains) {
        const r = await outcome(again());
        assert.ok("err" in r, "a send after the failure still fails");
        assertPeerGone(r.err, "later send");
      }
    } finally {
      a.close();
      b.close();
      srv?.close();
    }
  }
});

test("faults: sendall to a peer that resets while it is blocked rejects promptly", async () => {
  await withPair(async (a, b) => {
    const sending = outcome(a.sendall(new Uint8Array(64 << 20)));
    assert.equal(await settlesWithin(sending, 100), false, "sendall waits for the slow peer");
    b.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
    b.close(); // unread data: a reset on every runtime (Deno: the kernel resets it)
    const t0 = performance.now();
    const r = await sending;
    assert.ok("err" in r, "sendall must reject");
    assertPeerGone(r.err, "sendall");
    assert.ok(performance.now() - t0 < 2000, "promptly");
  });
});

// ---- close() racing pending calls ----------------------------------------------

test("faults: close() while another task waits in recv: EBADF at once, peer sees FIN", async () => {
  for (const timeout of [null, 30]) {
    await withPair(async (a, b) => {
      b.settimeout(timeout);
      const pending = [
        b.recv(10),
        b.recv_into(new Uint8Array(4)),
        b.recvfrom(10),
        b.recv(10, MSG_WAITALL),
      ];
      assert.equal(await settlesWithin(Promise.race(pending), 20), false);
      const t0 = performance.now();
      b.close();
      for (const p of pending) await assert.rejects(p, badf);
      assert.ok(performance.now() - t0 < 500, `rejected after ${performance.now() - t0} ms`);
      assert.equal((await a.recv(10)).length, 0, "the peer sees FIN (EOF), not a reset");
    });
  }
});

test("faults: close() while another task waits in sendall: EBADF at once", async () => {
  await withPair(async (a, b) => {
    const sending = a.sendall(new Uint8Array(64 << 20));
    assert.equal(await settlesWithin(sending, 100), false);
    const t0 = performance.now();
    a.close();
    await assert.rejects(sending, badf);
    assert.ok(performance.now() - t0 < 500);
    // What was handed over still arrives, then EOF.
    let n = 0;
    b.settimeout(10);
    for (let c = await b.recv(1 << 20); c.length > 0; c = await b.recv(1 << 20)) n += c.length;
    assert.ok(n > 0 && n < 64 << 20, `peer got ${n} bytes then EOF`);
  });
});

test("faults: close() while another task waits in accept: EBADF at once; the port is free again", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname();
  const pending = [srv.accept(), srv.accept()];
  assert.equal(await settlesWithin(Promise.race(pending), 20), false);
  const t0 = performance.now();
  srv.close();
  for (const p of pending) await assert.rejects(p, badf);
  assert.ok(performance.now() - t0 < 500);
  const c = socket();
  try {
    await assert.rejects(c.connect(addr), isError(ConnectionRefusedError, 111));
  } finally {
    c.close();
  }
});

test("faults: closing a listener with a connection not yet accepted resets that connection", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const c = await create_connection(srv.getsockname());
  try {
    await c.sendall("hello?");
    // Wait until the listener has the connection queued (select-readable), unaccepted.
    const { select } = await import("unisock/select");
    const [r] = await select([srv], [], [], 5);
    assert.deepEqual(r, [srv]);
    srv.close();
    c.settimeout(5);
    const got = await outcome(c.recv(10));
    if (NO_RST) {
      // Deno accepted it already (its accept loop runs ahead) and can only send FIN.
      assert.deepEqual(got, { ok: new Uint8Array(0) }, DENO_FIN);
    } else {
      assert.ok(
        "err" in got && isError(ConnectionResetError, 104)(got.err),
        `got ${JSON.stringify(got)}`,
      );
    }
  } finally {
    c.close();
    srv.close();
  }
});

test("faults: connect to a closed port is ConnectionRefusedError every time, 100 times", async () => {
  const port = await closedPort();
  for (let i = 0; i < 100; i++) {
    const s = socket();
    try {
      if (i % 2) {
        await assert.rejects(s.connect(["127.0.0.1", port]), isError(ConnectionRefusedError, 111));
      } else assert.equal(await s.connect_ex(["127.0.0.1", port]), 111);
    } finally {
      s.close();
    }
  }
});

// ---- UDP ------------------------------------------------------------------------------

test("faults: UDP sendto a dead port does not poison the next send", async () => {
  const dead = await closedPort();
  const live = socket(AF_INET, SOCK_DGRAM);
  const u = socket(AF_INET, SOCK_DGRAM);
  try {
    await live.bind(["127.0.0.1", 0]);
    live.settimeout(5);
    for (let i = 0; i < 20; i++) {
      await u.sendto(`dead ${i}`, ["127.0.0.1", dead]);
      await u.sendto(`live ${i}`, live.getsockname());
      const [data] = await live.recvfrom(100);
      assert.equal(dec(data), `live ${i}`);
    }
    // Connected to the dead port: Linux reports the ICMP error on one later
    // call at most (ConnectionRefusedError), then the socket works again.
    const c = socket(AF_INET, SOCK_DGRAM);
    try {
      await c.connect(["127.0.0.1", dead]);
      let refused = 0;
      for (let i = 0; i < 10; i++) {
        const r = await outcome(c.send("x"));
        if ("err" in r) {
          assert.ok(isError(ConnectionRefusedError, 111)(r.err));
          refused++;
        }
      }
      assert.ok(refused <= 5, `${refused} of 10 sends refused: the error must not stick`);
      await c.connect(live.getsockname());
      await c.send("after");
      const [data] = await live.recvfrom(100);
      assert.equal(dec(data), "after");
    } finally {
      c.close();
    }
  } finally {
    u.close();
    live.close();
  }
});

test("faults: UDP socket stays usable once the runtime has read an ICMP report", async () => {
  const dead = await closedPort();
  const live = socket(AF_INET, SOCK_DGRAM);
  const u = socket(AF_INET, SOCK_DGRAM);
  try {
    await live.bind(["127.0.0.1", 0]);
    await u.bind(["127.0.0.1", 0]);
    live.settimeout(5);
    u.settimeout(5);
    for (let i = 0; i < 3; i++) {
      await u.sendto(`dead ${i}`, ["127.0.0.1", dead]);
      // A round trip into u: the runtime polls u, and reads the port-unreachable
      // report queued on it, before u's recvfrom returns.
      await live.sendto(`ping ${i}`, u.getsockname());
      const [ping] = await u.recvfrom(100);
      assert.equal(dec(ping), `ping ${i}`);
      await u.sendto(`live ${i}`, live.getsockname());
      const [data] = await live.recvfrom(100);
      assert.equal(dec(data), `live ${i}`);
    }
  } finally {
    u.close();
    live.close();
  }
});

// ---- timers -----------------------------------------------------------------------

test("faults: timeouts over 2^31 ms do not fire early", async () => {
  // 3e6 s is 3e9 ms: a bare setTimeout would fire such a delay at once.
  const [srv1, a, b] = await tcpPair();
  const [srv2, c, d] = await tcpPair();
  const srv = await create_server(["127.0.0.1", 0]);
  try {
    b.settimeout(3e6);
    const recv = outcome(b.recv(10)); // nobody sends to b
    srv.settimeout(2 ** 31 / 1000 + 1);
    const accept = outcome(srv.accept()); // nobody connects yet
    c.settimeout(1e9);
    const send = outcome(c.sendall(new Uint8Array(64 << 20))); // d never reads
    assert.equal(
      await settlesWithin(Promise.race([recv, accept, send]), 300),
      false,
      "nothing fired early",
    );
    // A long timeout still lets things through at once.
    const e = socket();
    e.settimeout(3e6);
    await e.connect(srv.getsockname());
    const r1 = await accept;
    assert.ok("ok" in r1);
    const [conn] = r1.ok;
    await e.sendall("ping");
    conn.settimeout(3e6);
    assert.equal(dec(await conn.recv(4)), "ping");
    e.close();
    conn.close();
    // Closing ends the long waits with EBADF, not TimeoutError.
    b.close();
    c.close();
    const r = await recv;
    assert.ok("err" in r && badf(r.err), `recv: ${JSON.stringify(r)}`);
    const s = await send;
    assert.ok("err" in s && badf(s.err), `sendall: ${JSON.stringify(s)}`);
  } finally {
    for (const x of [a, b, c, d, srv, srv1, srv2]) x.close();
  }
});

test("faults: a short timeout fires on time, and loses nothing", async () => {
  await withPair(async (a, b) => {
    b.settimeout(0.05);
    const t0 = performance.now();
    await assert.rejects(b.recv(10), isError(TimeoutError, null, "timed out"));
    const took = performance.now() - t0;
    assert.ok(took >= 45 && took < 1000, `timed out after ${took} ms`);
    await a.sendall("late");
    assert.equal(dec(await b.recv(4, MSG_WAITALL)), "late");
  });
});

// ---- half-close and mass resets ----------------------------------------------------

test("faults: half-closed peer then reset: recv sees EOF, send sees the failure", async () => {
  await withPair(async (a, b) => {
    await a.shutdown(SHUT_WR);
    assert.equal((await b.recv(10)).length, 0);
    await b.sendall("still open one way");
    assert.equal(dec(await a.recv(18, MSG_WAITALL)), "still open one way");
    a.close();
    let err: unknown = null;
    for (let i = 0; i < 200 && err === null; i++) {
      const r = await outcome(b.sendall("x"));
      if ("err" in r) err = r.err;
      else await new Promise((res) => setTimeout(res, 2));
    }
    assertPeerGone(err, "send to a closed half-open peer");
  });
});

test("faults: 200 connections reset by the server: each client gets an exception or EOF, fds return", async () => {
  const base = osFdCount();
  const srv = await create_server(["127.0.0.1", 0], { backlog: 256 });
  const addr = srv.getsockname();
  try {
    const clients = await Promise.all(
      Array.from({ length: 200 }, () => create_connection(addr as [string, number])),
    );
    for (const c of clients) await c.sendall("unread");
    for (let i = 0; i < 200; i++) {
      const [conn] = await srv.accept();
      await conn.recv(1, MSG_PEEK);
      conn.close(); // unread data: reset
    }
    let resets = 0;
    for (const c of clients) {
      c.settimeout(5);
      const r = await outcome(c.recv(10));
      if ("err" in r) {
        assert.ok(isError(ConnectionResetError, 104)(r.err));
        resets++;
      } else assert.equal((r as { ok: Uint8Array }).ok.length, 0);
      c.close();
    }
    if (!NO_RST) assert.equal(resets, 200);
  } finally {
    srv.close();
  }
  assert.ok(
    await eventually(() => osFdCount() <= base, 5000),
    `fds ${osFdCount()} > baseline ${base}`,
  );
});

test("faults: no unhandled rejection or uncaught exception happened in this file", async () => {
  // Give late error events a chance to surface.
  await new Promise((r) => setTimeout(r, 50));
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtException", onUnhandled);
  assert.deepEqual(unhandled.map(String), []);
});
