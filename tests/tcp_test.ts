// TCP behaviour over real loopback sockets: binding, accepting, connecting,
// recv/send semantics, backpressure, timeouts, half-close, names, options,
// descriptors and resets. Every expected value was checked against CPython
// on Linux (python3 on this machine); errno errors live in tcp_errors_test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  BlockingIOError,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  create_connection,
  create_server,
  getdefaulttimeout,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_WAITALL,
  OSError,
  setdefaulttimeout,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SOL_SOCKET,
  TCP_NODELAY,
  TimeoutError,
} from "unisock";
import { select } from "unisock/select";
import {
  closedPort,
  dec,
  DENO_NODE_NET,
  isError,
  RUNTIME,
  settlesWithin,
  tcpPair,
} from "./_helpers.ts";

const LOOP = "127.0.0.1";

/** Runs `body` with a connected pair, closing all three sockets afterwards. */
async function withPair(
  body: (cli: Socket, conn: Socket, srv: Socket) => Promise<void>,
): Promise<void> {
  const [srv, cli, conn] = await tcpPair();
  try {
    await body(cli, conn, srv);
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
}

/** Bytes whose value depends on their offset, to check order and integrity. */
function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed + (i >>> 13)) & 0xff;
  return out;
}

/** Reads until `n` bytes or EOF, checking them against `pattern(n)`. */
async function readPattern(s: Socket, n: number, seed = 0): Promise<number> {
  const want = pattern(n, seed);
  let got = 0;
  for (let i = 0; i < 1_000_000 && got < n; i++) {
    const chunk = await s.recv(1 << 20);
    if (chunk.length === 0) break;
    assert.deepEqual(chunk, want.subarray(got, got + chunk.length), `bytes at offset ${got}`);
    got += chunk.length;
  }
  return got;
}

/** Waits (at most 5 s) until select() sees a non-blocking connect finish; returns SO_ERROR. */
async function connectOutcome(s: Socket): Promise<number> {
  const [, w] = await select([], [s], [], 5);
  assert.deepEqual(w, [s], "select() reports the socket writable once the connect finished");
  return s.getsockopt(SOL_SOCKET, SO_ERROR);
}

// ---- bind, listen, accept, connect -----------------------------------------------

test("tcp: bind port 0 picks a free port, visible in getsockname() at once", async () => {
  using a = socket();
  using b = socket();
  await a.bind([LOOP, 0]);
  const [host, port] = a.getsockname();
  assert.equal(host, LOOP);
  assert.ok(Number.isInteger(port) && port > 0 && port < 65536);
  await b.bind([LOOP, 0]);
  assert.notEqual(b.getsockname()[1], port);
  a.listen(5);
  assert.deepEqual(a.getsockname(), [LOOP, port]);
});

test("tcp: accept() returns [Socket, address] and both ends know each other", async () => {
  using srv = socket();
  await srv.bind([LOOP, 0]);
  srv.listen();
  using cli = socket();
  assert.equal(await cli.connect_ex(srv.getsockname()), 0);
  const [conn, addr] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(addr, cli.getsockname());
  assert.deepEqual(conn.getpeername(), cli.getsockname());
  assert.deepEqual(conn.getsockname(), srv.getsockname());
  assert.deepEqual(cli.getpeername(), srv.getsockname());
  const [h, p] = cli.getsockname();
  assert.equal(h, LOOP);
  assert.ok(p > 0);
  assert.equal(conn.family, AF_INET);
  assert.equal(conn.type, SOCK_STREAM);
  assert.equal(conn.proto, 0);
  assert.equal(conn.gettimeout(), null);
  assert.notEqual(conn.fileno(), srv.fileno());
  // The listening socket has no peer.
  assert.throws(() => srv.getpeername(), isError(OSError, 107));
});

test("tcp: accepts waiting at once are served in call order, one connection each", async () => {
  using srv = await create_server([LOOP, 0]);
  // The first accept waits in the listener's fast slot, the others behind it.
  const waiting = [srv.accept(), srv.accept(), srv.accept()];
  const clients: Socket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = await create_connection(srv.getsockname());
      clients.push(c);
      const [conn, addr] = await waiting[i];
      using _conn = conn;
      assert.deepEqual(addr, c.getsockname());
      await c.sendall(`n${i}`);
      assert.equal(dec(await conn.recv(16)), `n${i}`);
    }
    // A blocked accept ends with EBADF when the listener closes.
    const late = srv.accept();
    srv.close();
    await assert.rejects(late, isError(OSError, 9));
  } finally {
    for (const c of clients) c.close();
  }
});

test("tcp: many concurrent clients are all accepted and served", async () => {
  using srv = await create_server([LOOP, 0], { backlog: 64 });
  const n = 20;
  const clients = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const c = await create_connection(srv.getsockname());
    await c.sendall(`client ${i}\n`);
    return c;
  }));
  const conns: Socket[] = [];
  for (let i = 0; i < n; i++) conns.push((await srv.accept())[0]);
  try {
    const seen = new Set<string>();
    for (const conn of conns) {
      const f = conn.makefile("rb");
      const line = dec(await f.readline());
      f.close();
      seen.add(line);
      await conn.sendall(line.toUpperCase());
    }
    assert.equal(seen.size, n);
    for (let i = 0; i < n; i++) {
      const want = `CLIENT ${i}\n`;
      assert.equal(dec(await clients[i].recv(want.length, MSG_WAITALL)), want);
    }
  } finally {
    for (const c of [...clients, ...conns]) c.close();
  }
});

test("tcp: connect refused (111) vs connect with a timeout to a live listener", async () => {
  const port = await closedPort();
  using a = socket();
  a.settimeout(5);
  await assert.rejects(a.connect([LOOP, port]), isError(ConnectionRefusedError, 111));
  using srv = await create_server([LOOP, 0]);
  using b = socket();
  b.settimeout(5);
  await b.connect(srv.getsockname());
  assert.deepEqual(b.getpeername(), srv.getsockname());
  assert.equal(b.gettimeout(), 5);
});

test("tcp: non-blocking connect: BlockingIOError 115, completion via SO_ERROR", async () => {
  using srv = await create_server([LOOP, 0]);
  using s = socket();
  s.setblocking(false);
  await assert.rejects(
    s.connect(srv.getsockname()),
    isError(BlockingIOError, 115, "[Errno 115] Operation now in progress"),
  );
  // Still in progress: a second connect is EALREADY, as on Linux.
  await assert.rejects(
    s.connect(srv.getsockname()),
    isError(BlockingIOError, 114, "[Errno 114] Operation already in progress"),
  );
  assert.equal(await connectOutcome(s), 0);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  const [conn] = await srv.accept();
  using _conn = conn;
  await s.send("nb");
  assert.equal(dec(await conn.recv(10)), "nb");

  using t = socket();
  t.setblocking(false);
  assert.equal(await t.connect_ex(srv.getsockname()), 115);
  assert.equal(await connectOutcome(t), 0);
  (await srv.accept())[0].close();

  // Refused: SO_ERROR reports 111 once, then 0.
  const port = await closedPort();
  using r = socket();
  r.setblocking(false);
  await assert.rejects(r.connect([LOOP, port]), isError(BlockingIOError, 115));
  assert.equal(await connectOutcome(r), 111);
  assert.equal(r.getsockopt(SOL_SOCKET, SO_ERROR), 0);
});

// ---- recv ----------------------------------------------------------------------------

test("tcp: recv returns at most bufsize, keeps the rest buffered, MSG_PEEK", async () => {
  await withPair(async (cli, conn) => {
    await cli.sendall("hello world");
    // Wait for all 11 bytes without taking them.
    assert.equal(dec(await conn.recv(11, MSG_PEEK | MSG_WAITALL)), "hello world");
    assert.equal(dec(await conn.recv(5)), "hello");
    assert.equal(dec(await conn.recv(3, MSG_PEEK)), " wo");
    assert.equal((await conn.recv(0)).length, 0);
    // recv returns what is buffered without waiting for more.
    assert.equal(dec(await conn.recv(100)), " world");
    conn.setblocking(false);
    await assert.rejects(conn.recv(1), isError(BlockingIOError, 11));
  });
});

test("tcp: MSG_WAITALL waits for bufsize bytes, or EOF; then empty at EOF", async () => {
  await withPair(async (cli, conn) => {
    await cli.sendall("ab");
    const all = conn.recv(4, MSG_WAITALL);
    assert.equal(await settlesWithin(all, 50), false);
    await cli.sendall("cdef");
    assert.equal(dec(await all), "abcd");
    assert.equal(dec(await conn.recv(10)), "ef");
    await cli.sendall("xyz");
    await cli.shutdown(SHUT_WR);
    assert.equal(dec(await conn.recv(10, MSG_WAITALL)), "xyz");
    for (let i = 0; i < 3; i++) assert.equal((await conn.recv(10)).length, 0);
    assert.equal((await conn.recv(10, MSG_WAITALL)).length, 0);
  });
});

test("tcp: returned bytes are the caller's own and never change", async () => {
  await withPair(async (cli, conn) => {
    const kept: Uint8Array[] = [];
    let total = 0;
    const sending = (async () => {
      for (let i = 0; i < 200; i++) await cli.sendall(pattern(1000 + i, i));
      await cli.shutdown(SHUT_WR);
    })();
    for (let i = 0; i < 100_000; i++) {
      const chunk = await conn.recv(777);
      if (chunk.length === 0) break;
      kept.push(chunk);
      total += chunk.length;
    }
    await sending;
    const all = new Uint8Array(total);
    let off = 0;
    for (const k of kept) {
      all.set(k, off);
      off += k.length;
    }
    off = 0;
    for (let i = 0; i < 200; i++) {
      assert.deepEqual(all.subarray(off, off + 1000 + i), pattern(1000 + i, i));
      off += 1000 + i;
    }
    assert.equal(off, total);
  });
});

test("tcp: recv_into, recvfrom and recvfrom_into on a stream", async () => {
  await withPair(async (cli, conn) => {
    await cli.sendall("abcdef");
    await conn.recv(6, MSG_PEEK | MSG_WAITALL);
    const buf = new Uint8Array(10);
    assert.equal(await conn.recv_into(buf, 2, MSG_PEEK), 2);
    assert.equal(dec(buf.subarray(0, 2)), "ab");
    assert.equal(await conn.recv_into(buf, 4), 4);
    assert.equal(dec(buf.subarray(0, 4)), "abcd");
    // Into a view: bytes land at the view's offset.
    const big = new Uint8Array(8);
    assert.equal(await conn.recv_into(big.subarray(3, 6)), 2);
    assert.deepEqual([...big], [0, 0, 0, 101, 102, 0, 0, 0]);
    assert.equal(await conn.recv_into(new Uint8Array(0)), 0);

    await cli.sendall("xyz");
    const [data, addr] = await conn.recvfrom(10);
    assert.equal(dec(data), "xyz");
    assert.equal(addr, null);
    await cli.sendall("123");
    const into = new Uint8Array(10);
    const [n, addr2] = await conn.recvfrom_into(into);
    assert.equal(n, 3);
    assert.equal(dec(into.subarray(0, 3)), "123");
    assert.equal(addr2, null);
    // Any ArrayBufferView works as a buffer.
    await cli.sendall(new Uint8Array([1, 2, 3, 4]));
    const dv = new DataView(new ArrayBuffer(4));
    assert.equal(await conn.recv_into(dv, 0, MSG_WAITALL), 4);
    assert.equal(dv.getUint32(0), 0x01020304);
  });
});

// ---- send, sendall, backpressure ---------------------------------------------

test("tcp: send returns the count taken; the peer gets exactly those bytes", async () => {
  await withPair(async (cli, conn) => {
    assert.equal(await cli.send(""), 0);
    assert.equal(await cli.send(new Uint8Array(0)), 0);
    const big = pattern(8 << 20);
    const n = await cli.send(big);
    assert.ok(n > 0 && n <= big.length, `sent ${n}`);
    assert.equal(await readPatternExactly(conn, n), n);
    conn.setblocking(false);
    await assert.rejects(conn.recv(1), isError(BlockingIOError, 11));
    // Strings are sent as UTF-8; DataView and other views as their bytes.
    assert.equal(await cli.send("é"), 2);
    conn.setblocking(true);
    assert.equal(dec(await conn.recv(2, MSG_WAITALL)), "é");
  });
});

/** Reads exactly `n` pattern bytes with MSG_WAITALL reads. */
async function readPatternExactly(s: Socket, n: number): Promise<number> {
  const want = pattern(8 << 20);
  let got = 0;
  for (let i = 0; i < 10_000 && got < n; i++) {
    const chunk = await s.recv(Math.min(n - got, 1 << 20), MSG_WAITALL);
    if (chunk.length === 0) break;
    assert.deepEqual(chunk, want.subarray(got, got + chunk.length));
    got += chunk.length;
  }
  return got;
}

test("tcp: sendall to a reader that does not read stays pending (bounded memory), then completes", async () => {
  await withPair(async (cli, conn) => {
    const total = 32 << 20; // far more than the kernel buffers (about 4 MiB here)
    const data = pattern(total);
    const sending = cli.sendall(data);
    // The reader does not read: sendall waits instead of buffering everything.
    assert.equal(await settlesWithin(sending, 300), false);
    // The receiving side holds a bounded amount too.
    const held = await conn.recv(total, MSG_PEEK | MSG_DONTWAIT);
    assert.ok(held.length > 0 && held.length < total / 4, `receiver buffered ${held.length} bytes`);
    assert.equal(await settlesWithin(sending, 100), false);
    // Once the reader reads, every byte arrives in order and sendall resolves.
    assert.equal(await readPattern(conn, total), total);
    await sending;
  });
});

test("tcp: close() after sendall still delivers every byte, then EOF", async () => {
  await withPair(async (cli, conn) => {
    const total = 2 << 20;
    await cli.sendall(pattern(total, 3));
    cli.close();
    assert.equal(await readPattern(conn, total, 3), total);
    assert.equal((await conn.recv(10)).length, 0);
  });
});

// ---- timeouts, blocking ---------------------------------------------------------

test("tcp: settimeout/gettimeout/setblocking/getblocking", () => {
  using s = socket();
  assert.equal(s.gettimeout(), null);
  assert.equal(s.getblocking(), true);
  s.settimeout(2.5);
  assert.equal(s.gettimeout(), 2.5);
  assert.equal(s.getblocking(), true);
  s.settimeout(0);
  assert.equal(s.gettimeout(), 0);
  assert.equal(s.getblocking(), false);
  s.setblocking(true);
  assert.equal(s.gettimeout(), null);
  s.setblocking(false);
  assert.equal(s.gettimeout(), 0);
  s.settimeout(null);
  assert.equal(s.getblocking(), true);
});

test("tcp: timeout modes: null waits, 0 fails at once, t > 0 times out", async () => {
  await withPair(async (cli, conn) => {
    // null: waits for data.
    const waiting = conn.recv(10);
    assert.equal(await settlesWithin(waiting, 50), false);
    await cli.sendall("a");
    assert.equal(dec(await waiting), "a");
    // 0: BlockingIOError at once; buffered data is still returned.
    conn.setblocking(false);
    const t0 = performance.now();
    await assert.rejects(conn.recv(10), isError(BlockingIOError, 11));
    await assert.rejects(conn.recv_into(new Uint8Array(3)), isError(BlockingIOError, 11));
    await assert.rejects(conn.recvfrom(3), isError(BlockingIOError, 11));
    assert.ok(performance.now() - t0 < 500, "non-blocking calls fail at once");
    await cli.sendall("b");
    conn.setblocking(true);
    assert.equal(dec(await conn.recv(10)), "b");
    // MSG_DONTWAIT makes one call non-blocking.
    await assert.rejects(conn.recv(10, MSG_DONTWAIT), isError(BlockingIOError, 11));
    // t > 0: TimeoutError after about t seconds.
    conn.settimeout(0.1);
    const t1 = performance.now();
    await assert.rejects(conn.recv(10), isError(TimeoutError, null, "timed out"));
    const took = performance.now() - t1;
    assert.ok(took >= 90 && took < 3000, `took ${took} ms`);
    await assert.rejects(conn.recv_into(new Uint8Array(3)), isError(TimeoutError));
    await assert.rejects(conn.recvfrom(3), isError(TimeoutError));
  });
});

test("tcp: a timed-out recv loses nothing", async () => {
  await withPair(async (cli, conn) => {
    conn.settimeout(0.05);
    await assert.rejects(conn.recv(10), isError(TimeoutError));
    await cli.sendall("late");
    assert.equal(dec(await conn.recv(10)), "late");
    // Many timeouts racing with arrivals: every byte still comes out once, in order.
    conn.settimeout(0.001);
    const msgs = Array.from({ length: 60 }, (_, i) => `<${i}>`);
    const sending = (async () => {
      for (const [i, m] of msgs.entries()) {
        await cli.sendall(m);
        await new Promise((r) => setTimeout(r, i % 3));
      }
    })();
    const want = msgs.join("");
    let got = "";
    let timeouts = 0;
    for (let i = 0; i < 20_000 && got.length < want.length; i++) {
      try {
        got += dec(await conn.recv(7));
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        timeouts++;
      }
    }
    await sending;
    assert.equal(got, want);
    assert.ok(timeouts > 0);
  });
});

test("tcp: sendall and accept time out; sendall non-blocking is BlockingIOError", async () => {
  await withPair(async (cli, conn, srv) => {
    cli.settimeout(0.2);
    const t = performance.now();
    await assert.rejects(
      cli.sendall(new Uint8Array(32 << 20)),
      isError(TimeoutError, null, "timed out"),
    );
    assert.ok(performance.now() - t >= 180);
    cli.setblocking(false);
    await assert.rejects(cli.sendall(new Uint8Array(32 << 20)), isError(BlockingIOError, 11));
    srv.settimeout(0.05);
    await assert.rejects(srv.accept(), isError(TimeoutError, null, "timed out"));
    void conn;
  });
});

test("tcp: new and accepted sockets take getdefaulttimeout()", async () => {
  assert.equal(getdefaulttimeout(), null);
  try {
    setdefaulttimeout(2);
    assert.equal(getdefaulttimeout(), 2);
    using s = socket();
    assert.equal(s.gettimeout(), 2);
    using srv = await create_server([LOOP, 0]);
    assert.equal(srv.gettimeout(), 2);
    using c = await create_connection(srv.getsockname());
    assert.equal(c.gettimeout(), 2);
    using c5 = await create_connection(srv.getsockname(), 5);
    assert.equal(c5.gettimeout(), 5);
    const [a1] = await srv.accept();
    using _a1 = a1;
    assert.equal(a1.gettimeout(), 2);
    (await srv.accept())[0].close();
    // Default null: accepted sockets block even when the listener has a timeout.
    setdefaulttimeout(null);
    srv.settimeout(0.5);
    using c2 = await create_connection(srv.getsockname());
    const [a2] = await srv.accept();
    using _a2 = a2;
    assert.equal(a2.gettimeout(), null);
    assert.equal(c2.gettimeout(), null);
    setdefaulttimeout(0);
    using nb = socket();
    assert.equal(nb.getblocking(), false);
  } finally {
    setdefaulttimeout(null);
  }
});

// ---- shutdown ----------------------------------------------------------------------

test("tcp: shutdown(SHUT_WR) half-closes: peer sees EOF, this side still receives", async () => {
  await withPair(async (cli, conn) => {
    await cli.sendall("last");
    await cli.shutdown(SHUT_WR);
    assert.equal(dec(await conn.recv(10, MSG_WAITALL)), "last");
    assert.equal((await conn.recv(10)).length, 0);
    // The other direction still works.
    assert.equal(await conn.send("back"), 4);
    assert.equal(dec(await cli.recv(4, MSG_WAITALL)), "back");
    const pipe = isError(BrokenPipeError, 32, "[Errno 32] Broken pipe");
    await assert.rejects(cli.send("x"), pipe);
    await assert.rejects(cli.sendall("x"), pipe);
    await cli.shutdown(SHUT_WR); // twice is fine
    await conn.shutdown(SHUT_WR);
    assert.equal((await cli.recv(10)).length, 0);
  });
});

test("tcp: a client that shut down its sending side before accept() still gets the answer", async () => {
  using srv = await create_server([LOOP, 0]);
  using cli = socket();
  await cli.connect(srv.getsockname());
  await cli.shutdown(SHUT_WR);
  const [conn] = await srv.accept();
  using _conn = conn;
  await conn.sendall("answer");
  conn.close();
  assert.equal(dec(await cli.recv(16, MSG_WAITALL)), "answer");
});

test("tcp: shutdown(SHUT_RD) and SHUT_RDWR", async () => {
  await withPair(async (cli, conn) => {
    await cli.shutdown(SHUT_RD);
    assert.equal((await cli.recv(10)).length, 0);
    await cli.sendall("still writes");
    assert.equal(dec(await conn.recv(12, MSG_WAITALL)), "still writes");
    await conn.shutdown(SHUT_RDWR);
    assert.equal((await conn.recv(10)).length, 0);
    assert.equal((await cli.recv(10)).length, 0);
    await assert.rejects(conn.send("x"), isError(BrokenPipeError, 32));
  });
});

// ---- names, options, descriptors -------------------------------------------------

test("tcp: getsockname of unbound sockets", () => {
  using s = socket();
  assert.deepEqual(s.getsockname(), ["0.0.0.0", 0]);
  using s6 = socket(AF_INET6);
  assert.deepEqual(s6.getsockname(), ["::", 0, 0, 0]);
});

test("tcp: socket options round-trip with Linux's values", () => {
  using s = socket();
  assert.equal(s.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  for (const opt of [SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE]) {
    assert.equal(s.getsockopt(SOL_SOCKET, opt), 0);
    s.setsockopt(SOL_SOCKET, opt, 5);
    assert.equal(s.getsockopt(SOL_SOCKET, opt), 1);
    s.setsockopt(SOL_SOCKET, opt, false);
    assert.equal(s.getsockopt(SOL_SOCKET, opt), 0);
    s.setsockopt(SOL_SOCKET, opt, true);
    assert.equal(s.getsockopt(SOL_SOCKET, opt), 1);
  }
  assert.equal(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 0);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  assert.equal(s.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
  // Buffer sizes: Linux doubles the value asked, with a floor.
  assert.equal(s.getsockopt(SOL_SOCKET, SO_RCVBUF), 131072);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_SNDBUF), 16384);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_RCVBUF), 131072);
  s.setsockopt(SOL_SOCKET, SO_SNDBUF, 65536);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_SNDBUF), 131072);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, 1);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_RCVBUF), 2304);
  s.setsockopt(SOL_SOCKET, SO_SNDBUF, 1);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_SNDBUF), 4608);
  // SO_LINGER reads back l_onoff.
  s.setsockopt(SOL_SOCKET, SO_LINGER, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(s.getsockopt(SOL_SOCKET, SO_LINGER), 1);
  using d = socket(AF_INET, SOCK_DGRAM);
  assert.equal(d.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  using s6 = socket(AF_INET6);
  assert.equal(s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 0);
  s6.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
  assert.equal(s6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
});

test("tcp: options on a connected socket keep it working", async () => {
  await withPair(async (cli, conn) => {
    cli.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    cli.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1);
    conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
    assert.equal(cli.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
    assert.equal(cli.getsockopt(SOL_SOCKET, SO_KEEPALIVE), 1);
    assert.equal(conn.getsockopt(IPPROTO_TCP, TCP_NODELAY), 1);
    for (let i = 0; i < 20; i++) {
      const msg = `m${String(i).padStart(3, "0")}`;
      await cli.sendall(msg);
      assert.equal(dec(await conn.recv(4, MSG_WAITALL)), msg);
    }
  });
});

/** Plain Deno's Deno.listen cannot set SO_REUSEPORT (it needs --unstable-net or node:net). */
const NO_REUSEPORT = RUNTIME === "deno" && !DENO_NODE_NET &&
  typeof (globalThis as { Deno?: { listenDatagram?: unknown } }).Deno?.listenDatagram !==
    "function";

test("tcp: SO_REUSEPORT lets two listeners share a port", async () => {
  using a = socket();
  a.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
  if (NO_REUSEPORT) {
    await assert.rejects(a.bind([LOOP, 0]), (e: unknown) => {
      assert.ok(e instanceof OSError && /--unstable-net/.test(e.message), String(e));
      return true;
    });
    return;
  }
  await a.bind([LOOP, 0]);
  a.listen();
  using b = socket();
  b.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
  await b.bind(a.getsockname());
  b.listen();
  assert.deepEqual(b.getsockname(), a.getsockname());
  using c = socket();
  await assert.rejects(c.bind(a.getsockname()), isError(OSError, 98));
});

test("tcp: bind before connect: the connection leaves from the bound port", {
  skip: RUNTIME === "deno" && !DENO_NODE_NET
    ? "UNISOCK_DENO_NET=conn: Deno.connect has no source address"
    : false,
}, async () => {
  using srv = await create_server([LOOP, 0]);
  using probe = socket();
  await probe.bind([LOOP, 0]);
  const port = (probe.getsockname() as [string, number])[1];
  probe.close(); // a port that was free a moment ago
  using cli = socket();
  cli.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  await cli.bind([LOOP, port]);
  await cli.connect(srv.getsockname());
  const [conn, peer] = await srv.accept();
  using _conn = conn;
  assert.deepEqual(peer, [LOOP, port]);
  assert.deepEqual(cli.getsockname(), [LOOP, port]);
});

test("tcp: fileno() is a small unique integer, -1 after close", () => {
  const socks = Array.from({ length: 10 }, () => socket());
  const fds = socks.map((s) => s.fileno());
  assert.equal(new Set(fds).size, fds.length);
  for (const fd of fds) assert.ok(Number.isInteger(fd) && fd >= 3 && fd < 100_000, `fd ${fd}`);
  for (const s of socks) s.close();
  assert.deepEqual(socks.map((s) => s.fileno()), fds.map(() => -1));
});

test("tcp: Symbol.dispose closes the socket", () => {
  let kept: Socket;
  {
    using s = socket();
    kept = s;
    assert.ok(s.fileno() >= 0);
  }
  assert.equal(kept.fileno(), -1);
});

// ---- connection reset --------------------------------------------------------------

const NO_RST = RUNTIME === "deno" && !DENO_NODE_NET
  ? "Deno cannot send a RST: it has no SO_LINGER and close() always sends FIN"
  : false;

/** SO_LINGER {l_onoff: 1, l_linger: 0}, packed as struct linger. */
const LINGER_0 = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);

test(
  "tcp: peer closing with unread data resets: buffered bytes first, then ConnectionResetError 104",
  {
    skip: NO_RST,
  },
  async () => {
    await withPair(async (cli, conn) => {
      await conn.sendall("unread");
      await cli.recv(6, MSG_PEEK | MSG_WAITALL); // it arrived, and stays unread
      await cli.sendall("buffered");
      cli.close(); // unread data: RST instead of FIN
      assert.equal(dec(await conn.recv(8, MSG_WAITALL)), "buffered");
      const reset = isError(ConnectionResetError, 104, "[Errno 104] Connection reset by peer");
      await assert.rejects(conn.recv(100), reset);
      // The error is reported once; then EOF for recv and EPIPE for send (Python).
      assert.equal((await conn.recv(100)).length, 0);
      await assert.rejects(conn.send("x"), isError(BrokenPipeError, 32));
      await assert.rejects(conn.sendall("x"), isError(BrokenPipeError, 32));
    });
  },
);

test("tcp: SO_LINGER 0 resets on close", { skip: NO_RST }, async () => {
  await withPair(async (cli, conn) => {
    await cli.sendall("data");
    assert.equal(dec(await conn.recv(4, MSG_PEEK | MSG_WAITALL)), "data");
    cli.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
    cli.close();
    assert.equal(dec(await conn.recv(100)), "data");
    await assert.rejects(conn.recv(100), isError(ConnectionResetError, 104));
    assert.equal((await conn.recv(100)).length, 0);
  });
});

test("tcp: after a reset the first call reports it: send → 104, then EOF and EPIPE", {
  skip: NO_RST,
}, async () => {
  await withPair(async (cli, conn) => {
    const peer = conn.getpeername();
    cli.setsockopt(SOL_SOCKET, SO_LINGER, LINGER_0);
    cli.close();
    // Without consuming the error, wait until the reset arrived: the peer is gone then.
    for (let i = 0; i < 400; i++) {
      try {
        assert.deepEqual(conn.getpeername(), peer);
        await new Promise((r) => setTimeout(r, 5));
      } catch (e) {
        assert.ok(isError(OSError, 107)(e));
        break;
      }
    }
    await assert.rejects(conn.shutdown(SHUT_WR), isError(OSError, 107));
    await assert.rejects(conn.send("x"), isError(ConnectionResetError, 104));
    assert.equal((await conn.recv(10)).length, 0);
    await assert.rejects(conn.send("x"), isError(BrokenPipeError, 32));
  });
});

test("tcp: closing with lots of unread data resets the peer (every runtime)", async () => {
  await withPair(async (cli, conn) => {
    // The peer floods cli, which never reads: much of it stays unread in the OS.
    const flood = conn.sendall(new Uint8Array(16 << 20)).catch((e: unknown) => e);
    assert.equal(await settlesWithin(flood, 200), false);
    cli.close();
    const err = await flood;
    assert.ok(
      err instanceof ConnectionResetError || err instanceof BrokenPipeError,
      `sendall after the reset: ${err}`,
    );
  });
});
