// The `select` module: select(), poll() and epoll() over real sockets.
// Expected values (masks, error classes and messages) were checked against
// CPython on Linux (python3 on this machine).

import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuUsage } from "node:process";
import {
  BlockingIOError,
  create_connection,
  create_server,
  FileNotFoundError,
  KeyError,
  OSError,
  RuntimeError,
  SHUT_WR,
  SO_ERROR,
  type Socket,
  socket,
  socketpair,
  SOL_SOCKET,
} from "unisock";
import {
  epoll,
  EPOLLERR,
  EPOLLET,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLRDHUP,
  poll,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  select,
} from "unisock/select";
import { closedPort, dec, isError, settlesWithin, tcpPair } from "./_helpers.ts";

const LOOP = "127.0.0.1";

/** Milliseconds `fn` takes. */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

/** Closes every socket given. */
function closeAll(...socks: Socket[]): void {
  for (const s of socks) s.close();
}

// ---- constants ----------------------------------------------------------------------

test("select: constants have Linux's values", () => {
  assert.deepEqual(
    [POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL],
    [1, 2, 4, 8, 16, 32],
  );
  assert.deepEqual(
    [EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP, EPOLLONESHOT, EPOLLET],
    [1, 4, 8, 16, 0x2000, 1073741824, 2147483648],
  );
});

// ---- select() timeouts ---------------------------------------------------------------

test("select: timeout 0 polls and returns at once", async () => {
  const [a, b] = await socketpair();
  try {
    const [[r, w, x], ms] = await timed(() => select([a], [a], [a], 0));
    assert.deepEqual(r, []);
    assert.deepEqual(w, [a]);
    assert.deepEqual(x, []);
    assert.ok(ms < 200, `took ${ms} ms`);
  } finally {
    closeAll(a, b);
  }
});

test("select: a short timeout returns empty lists after it", async () => {
  const [a, b] = await socketpair();
  try {
    const [got, ms] = await timed(() => select([a, b], [], [], 0.15));
    assert.deepEqual(got, [[], [], []]);
    assert.ok(ms >= 140, `returned after ${ms} ms`);
    assert.ok(ms < 5000, `returned after ${ms} ms`);
  } finally {
    closeAll(a, b);
  }
});

test("select: no timeout waits until a socket becomes readable", async () => {
  const [a, b] = await socketpair();
  try {
    const pending = select([a], [], []);
    assert.equal(await settlesWithin(pending, 50), false);
    await b.sendall("wake");
    const [r, w, x] = await pending;
    assert.deepEqual([r, w, x], [[a], [], []]);
    a.setblocking(false);
    assert.equal(dec(await a.recv(10)), "wake");
  } finally {
    closeAll(a, b);
  }
});

test("select: a timeout beyond 2**31-1 ms does not fire early", async () => {
  const [a, b] = await socketpair();
  try {
    const pending = select([a], [], [], 3e6); // 3e9 ms: setTimeout alone would fire at once
    assert.equal(await settlesWithin(pending, 100), false);
    await b.sendall("x");
    assert.deepEqual(await pending, [[a], [], []]);
  } finally {
    closeAll(a, b);
  }
});

test("select: 1000 idle sockets cost no CPU while waiting", async () => {
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < 500; i++) socks.push(...(await socketpair()));
    const before = cpuUsage();
    const [got, ms] = await timed(() => select(socks, [], [], 0.5));
    const used = cpuUsage(before);
    assert.deepEqual(got, [[], [], []]);
    assert.ok(ms >= 490, `returned after ${ms} ms`);
    const cpuMs = (used.user + used.system) / 1000;
    assert.ok(cpuMs < 0.4 * ms, `used ${cpuMs} ms of CPU in ${ms} ms`);
    // And the wait still wakes on the last socket of the list.
    const last = socks.length - 1;
    const pending = select(socks, [], [], 10);
    await socks[last - 1].sendall("x");
    assert.deepEqual((await pending)[0], [socks[last]]);
  } finally {
    closeAll(...socks);
  }
});

// ---- select() results ------------------------------------------------------------------

test("select: results keep the given order, duplicates and objects", async () => {
  const [a, b] = await socketpair();
  try {
    await b.sendall("x");
    await select([a], [], [], 5); // the byte has arrived
    const wrapped = { fileno: () => a.fileno() };
    const [r, w] = await select([b, a, a, wrapped, a.fileno()], [b, a], [], 0);
    assert.deepEqual(r, [a, a, wrapped, a.fileno()]);
    assert.equal(r[2], wrapped);
    assert.deepEqual(w, [b, a]);
  } finally {
    closeAll(a, b);
  }
});

test("select: a listening socket is readable when a connection waits, then accept does not block", async () => {
  const srv = await create_server([LOOP, 0]);
  srv.setblocking(false);
  let cli: Socket | null = null;
  let conn: Socket | null = null;
  try {
    assert.deepEqual(await select([srv], [srv], [srv], 0), [[], [], []]);
    await assert.rejects(srv.accept(), isError(BlockingIOError, 11));
    cli = await create_connection(srv.getsockname());
    assert.deepEqual(await select([srv], [], [], 5), [[srv], [], []]);
    [conn] = await srv.accept();
    conn.setblocking(false);
    await cli.sendall("ping");
    assert.deepEqual(await select([conn], [], [], 5), [[conn], [], []]);
    assert.equal(dec(await conn.recv(100)), "ping");
    await assert.rejects(conn.recv(100), isError(BlockingIOError, 11));
  } finally {
    cli?.close();
    conn?.close();
    srv.close();
  }
});

test("select: EOF makes a socket readable and recv returns empty", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    conn.setblocking(false);
    const pending = select([conn], [], [], 5);
    assert.equal(await settlesWithin(pending, 30), false);
    await cli.shutdown(SHUT_WR);
    assert.deepEqual(await pending, [[conn], [], []]);
    assert.equal((await conn.recv(10)).length, 0);
    cli.close();
    assert.deepEqual((await select([conn], [], [], 5))[0], [conn]);
  } finally {
    closeAll(srv, cli, conn);
  }
});

test("select: the non-blocking connect pattern (EINPROGRESS, writable, SO_ERROR 0)", async () => {
  const srv = await create_server([LOOP, 0]);
  const s = socket();
  let conn: Socket | null = null;
  try {
    s.setblocking(false);
    assert.equal(await s.connect_ex(srv.getsockname()), 115);
    const [, w] = await select([], [s], [], 5);
    assert.deepEqual(w, [s]);
    assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
    [conn] = await srv.accept();
    await s.send("hello");
    assert.equal(dec(await conn.recv(10)), "hello");
  } finally {
    conn?.close();
    closeAll(s, srv);
  }
});

test("select: a refused non-blocking connect is readable and writable; SO_ERROR 111", async () => {
  const port = await closedPort();
  const s = socket();
  try {
    s.setblocking(false);
    assert.equal(await s.connect_ex([LOOP, port]), 115);
    const [r, w, x] = await select([s], [s], [s], 5);
    assert.deepEqual([r, w, x], [[s], [s], []]);
    const p = poll();
    p.register(s);
    assert.deepEqual(await p.poll(0), [[s.fileno(), POLLIN | POLLOUT | POLLERR | POLLHUP]]);
    assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 111);
    assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  } finally {
    s.close();
  }
});

// ---- select() errors -------------------------------------------------------------------

test("select: argument errors as in CPython", async () => {
  const closed = socket();
  closed.close();
  await assert.rejects(
    select([closed], [], [], 0),
    isError(RangeError, undefined, "file descriptor cannot be a negative integer (-1)"),
  );
  await assert.rejects(
    select([], [-1], [], 0),
    isError(RangeError, undefined, "file descriptor cannot be a negative integer (-1)"),
  );
  await assert.rejects(
    select([], [], [5000], 0),
    isError(OSError, 9, "[Errno 9] Bad file descriptor"),
  );
  await assert.rejects(
    select(["x" as unknown as number], [], [], 0),
    isError(TypeError, undefined, "argument must be an int, or have a fileno() method."),
  );
  await assert.rejects(
    select([{ fileno: () => "3" as unknown as number }], [], [], 0),
    isError(TypeError, undefined, "fileno() returned a non-integer"),
  );
  await assert.rejects(
    select(5 as unknown as number[], [], [], 0),
    isError(TypeError, undefined, "arguments 1-3 must be sequences"),
  );
  await assert.rejects(
    select([], [], [], -1),
    isError(RangeError, undefined, "timeout must be non-negative"),
  );
  await assert.rejects(
    select([], [], [], "1" as unknown as number),
    isError(TypeError, undefined, "timeout must be a float or None"),
  );
  await assert.rejects(
    select([], [], [], NaN),
    isError(RangeError, undefined, "Invalid value NaN (not a number)"),
  );
});

test("select: a socket closed while waiting is not reported", async () => {
  const [a, b] = await socketpair();
  try {
    const pending = select([a], [], [], 0.2);
    a.close();
    assert.deepEqual(await pending, [[], [], []]);
  } finally {
    closeAll(a, b);
  }
});

// ---- poll() ------------------------------------------------------------------------------

test("poll: register, modify, unregister and events", async () => {
  const [a, b] = await socketpair();
  try {
    const p = poll();
    p.register(a, POLLIN);
    p.register(b.fileno(), POLLOUT);
    assert.deepEqual(await p.poll(0), [[b.fileno(), POLLOUT]]);
    await b.sendall("x");
    await select([a], [], [], 5); // the byte has arrived
    assert.deepEqual(await p.poll(1000), [[a.fileno(), POLLIN], [b.fileno(), POLLOUT]]);
    p.modify(a, POLLIN | POLLOUT);
    assert.deepEqual((await p.poll(0))[0], [a.fileno(), POLLIN | POLLOUT]);
    p.register(a, POLLPRI); // registering again modifies
    p.unregister(b);
    assert.deepEqual(await p.poll(0), []);
    p.unregister(a);
    assert.throws(() => p.unregister(a), isError(KeyError, undefined, String(a.fileno())));
    assert.throws(() => p.modify(a, POLLIN), isError(FileNotFoundError, 2));
  } finally {
    closeAll(a, b);
  }
});

test("poll: the timeout is in milliseconds; negative or null waits", async () => {
  const [a, b] = await socketpair();
  try {
    const p = poll();
    p.register(a, POLLIN);
    const [got, ms] = await timed(() => p.poll(120));
    assert.deepEqual(got, []);
    assert.ok(ms >= 110 && ms < 5000, `returned after ${ms} ms`);
    for (const t of [-1, null, undefined]) {
      const pending = p.poll(t);
      assert.equal(await settlesWithin(pending, 30), false);
      await b.sendall("x");
      assert.deepEqual(await pending, [[a.fileno(), POLLIN]]);
      a.setblocking(false);
      await a.recv(10);
    }
    await assert.rejects(
      p.poll("1" as unknown as number),
      isError(TypeError, undefined, "timeout must be an integer or None"),
    );
    await assert.rejects(p.poll(2 ** 31), isError(RangeError, undefined, "timeout is too large"));
  } finally {
    closeAll(a, b);
  }
});

test("poll: a closed descriptor reports POLLNVAL, also while waiting", async () => {
  const [a, b] = await socketpair();
  try {
    const p = poll();
    p.register(b, POLLIN);
    p.register(9999, POLLIN);
    assert.deepEqual(await p.poll(0), [[9999, POLLNVAL]]);
    p.unregister(9999);
    const fd = b.fileno();
    const pending = p.poll(5000);
    assert.equal(await settlesWithin(pending, 30), false);
    b.close();
    assert.deepEqual(await pending, [[fd, POLLNVAL]]);
  } finally {
    closeAll(a, b);
  }
});

test("poll: EOF and hang-up", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    const p = poll();
    p.register(conn, POLLIN);
    cli.close();
    assert.deepEqual(await p.poll(5000), [[conn.fileno(), POLLIN]]);
    await conn.shutdown(SHUT_WR);
    const [[, ev]] = await p.poll(5000);
    assert.equal(ev & (POLLIN | POLLHUP), POLLIN | POLLHUP);
  } finally {
    closeAll(srv, cli, conn);
  }
});

test("poll: argument errors and concurrent poll", async () => {
  const p = poll();
  const closed = socket();
  closed.close();
  assert.throws(
    () => p.register(closed),
    isError(RangeError, undefined, "file descriptor cannot be a negative integer (-1)"),
  );
  assert.throws(
    () => p.register("x" as unknown as number),
    isError(TypeError, undefined, "argument must be an int, or have a fileno() method."),
  );
  assert.throws(() => p.register(5, -1), isError(RangeError));
  assert.throws(() => p.register(5, 1 << 16), isError(RangeError));
  const [a, b] = await socketpair();
  try {
    p.register(a, POLLIN);
    const first = p.poll(50);
    await assert.rejects(
      p.poll(0),
      isError(RuntimeError, undefined, "concurrent poll() invocation"),
    );
    assert.deepEqual(await first, []);
  } finally {
    closeAll(a, b);
  }
});

// ---- epoll() ------------------------------------------------------------------------------

test("epoll: register, modify, unregister, and errors with Linux's errno", async () => {
  const [a, b] = await socketpair();
  const ep = epoll();
  try {
    ep.register(a, EPOLLIN);
    ep.register(b); // EPOLLIN | EPOLLPRI | EPOLLOUT
    assert.deepEqual(await ep.poll(0), [[b.fileno(), EPOLLOUT]]);
    assert.throws(() => ep.register(a), isError(OSError, 17, "[Errno 17] File exists"));
    await b.sendall("x");
    await select([a], [], [], 5); // the byte has arrived
    const got = await ep.poll(1);
    assert.deepEqual(
      got.sort((x, y) => x[0] - y[0]),
      [[a.fileno(), EPOLLIN], [b.fileno(), EPOLLOUT]].sort((x, y) => x[0] - y[0]),
    );
    ep.modify(a, EPOLLOUT);
    ep.unregister(b);
    assert.deepEqual(await ep.poll(0), [[a.fileno(), EPOLLOUT]]);
    ep.unregister(a);
    assert.throws(() => ep.unregister(a), isError(FileNotFoundError, 2));
    assert.throws(() => ep.modify(a, EPOLLIN), isError(FileNotFoundError, 2));
    assert.throws(() => ep.register(9999), isError(OSError, 9));
    await assert.rejects(
      ep.poll(0, 0),
      isError(RangeError, undefined, "maxevents must be greater than 0, got 0"),
    );
  } finally {
    ep.close();
    closeAll(a, b);
  }
  assert.equal(ep.closed, true);
  await assert.rejects(
    ep.poll(0),
    isError(RangeError, undefined, "I/O operation on closed epoll object"),
  );
  assert.throws(
    () => ep.register(0),
    isError(RangeError, undefined, "I/O operation on closed epoll object"),
  );
});

test("epoll: the timeout is in seconds, and a socket becoming ready wakes it", async () => {
  const [a, b] = await socketpair();
  using ep = epoll();
  try {
    ep.register(a, EPOLLIN);
    const [got, ms] = await timed(() => ep.poll(0.12));
    assert.deepEqual(got, []);
    assert.ok(ms >= 110 && ms < 5000, `returned after ${ms} ms`);
    const pending = ep.poll();
    assert.equal(await settlesWithin(pending, 30), false);
    await b.sendall("x");
    assert.deepEqual(await pending, [[a.fileno(), EPOLLIN]]);
    // A registration made while waiting is watched too.
    a.setblocking(false);
    await a.recv(10);
    const pending2 = ep.poll(5);
    assert.equal(await settlesWithin(pending2, 30), false);
    ep.register(b, EPOLLOUT);
    assert.deepEqual(await pending2, [[b.fileno(), EPOLLOUT]]);
  } finally {
    closeAll(a, b);
  }
});

test("epoll: maxevents limits the result and rotates fairly", async () => {
  const socks: Socket[] = [];
  using ep = epoll();
  try {
    for (let i = 0; i < 3; i++) socks.push(...(await socketpair()));
    for (const s of socks) ep.register(s, EPOLLOUT);
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const got = await ep.poll(0, 2);
      assert.equal(got.length, 2);
      for (const [fd] of got) seen.add(fd);
    }
    assert.equal(seen.size, socks.length);
  } finally {
    closeAll(...socks);
  }
});

test("epoll: EPOLLET reports a change once; EPOLLONESHOT until modify", async () => {
  const [a, b] = await socketpair();
  using ep = epoll();
  try {
    ep.register(a, EPOLLIN | EPOLLET);
    await b.sendall("1");
    assert.deepEqual(await ep.poll(1), [[a.fileno(), EPOLLIN]]);
    assert.deepEqual(await ep.poll(0), []);
    await b.sendall("2");
    assert.deepEqual(await ep.poll(1), [[a.fileno(), EPOLLIN]]);
    ep.modify(a, EPOLLIN | EPOLLONESHOT);
    assert.deepEqual(await ep.poll(0), [[a.fileno(), EPOLLIN]]);
    assert.deepEqual(await ep.poll(0), []);
    ep.modify(a, EPOLLIN | EPOLLONESHOT);
    assert.deepEqual(await ep.poll(0), [[a.fileno(), EPOLLIN]]);
  } finally {
    closeAll(a, b);
  }
});

test("epoll: a closed socket leaves the interest list by itself", async () => {
  const [a, b] = await socketpair();
  using ep = epoll();
  try {
    ep.register(a, EPOLLIN | EPOLLOUT);
    const fd = a.fileno();
    a.close();
    assert.deepEqual(await ep.poll(0), []);
    assert.throws(() => ep.unregister(fd), isError(OSError, 9));
    // The number may be reused by a new socket, which can be registered.
    const c = socket();
    try {
      if (c.fileno() === fd) ep.register(c, EPOLLIN);
    } finally {
      c.close();
    }
  } finally {
    closeAll(a, b);
  }
});

test("epoll: close() ends a waiting poll with no events", async () => {
  const [a, b] = await socketpair();
  const ep = epoll();
  try {
    ep.register(a, EPOLLIN);
    const pending = ep.poll();
    assert.equal(await settlesWithin(pending, 30), false);
    ep.close();
    assert.deepEqual(await pending, []);
  } finally {
    closeAll(a, b);
  }
});

test("epoll: fileno() is a descriptor of its own, readable while events are pending; closed", async () => {
  // CPython: epoll.fileno() is the epoll descriptor, usable with select;
  // after close(), fileno() raises ValueError("I/O operation on closed epoll object").
  const [a, b] = await socketpair();
  const ep = epoll();
  try {
    assert.equal(ep.closed, false);
    const fd = ep.fileno();
    assert.ok(Number.isInteger(fd) && fd >= 0);
    assert.notEqual(fd, a.fileno());
    assert.notEqual(fd, b.fileno());
    ep.register(a, EPOLLIN);
    assert.deepEqual(await select([fd], [], [], 0), [[], [], []]);
    await b.sendall("x");
    assert.deepEqual(await select([fd], [], [], 5), [[fd], [], []]);
    const outer = epoll();
    try {
      outer.register(ep, EPOLLIN);
      assert.deepEqual(await outer.poll(0), [[fd, EPOLLIN]]);
    } finally {
      outer.close();
    }
  } finally {
    ep.close();
    closeAll(a, b);
  }
  assert.equal(ep.closed, true);
  assert.throws(
    () => ep.fileno(),
    isError(RangeError, undefined, "I/O operation on closed epoll object"),
  );
});

// ---- readiness right after a local send ---------------------------------------------------

/** A connected pair `[a, b]` of each kind, and what to close afterwards. */
const PAIRS: [string, () => Promise<[Socket, Socket, Socket[]]>][] = [
  ["socketpair", async () => {
    const [a, b] = await socketpair();
    return [a, b, [a, b]];
  }],
  ["loopback TCP", async () => {
    const [srv, cli, conn] = await tcpPair();
    return [conn, cli, [srv, cli, conn]];
  }],
];

for (const [kind, makePair] of PAIRS) {
  test(`select/poll/epoll: a zero timeout sees bytes a local peer just sent (${kind})`, async () => {
    // CPython: b.send(b"foo") then select([a], [], [], 0) reports a readable;
    // the same for poll(0) and epoll.poll(0).
    const [a, b, all] = await makePair();
    const ep = epoll();
    try {
      await b.send(new TextEncoder().encode("foo"));
      assert.deepEqual(await select([a], [], [], 0), [[a], [], []]);
      assert.equal(dec(await a.recv(10)), "foo");

      const p = poll();
      p.register(a, POLLIN);
      await b.send(new TextEncoder().encode("bar"));
      assert.deepEqual(await p.poll(0), [[a.fileno(), POLLIN]]);
      assert.equal(dec(await a.recv(10)), "bar");

      ep.register(a, EPOLLIN);
      await b.send(new TextEncoder().encode("baz"));
      assert.deepEqual(await ep.poll(0), [[a.fileno(), EPOLLIN]]);
      assert.equal(dec(await a.recv(10)), "baz");
    } finally {
      ep.close();
      closeAll(...all);
    }
  });
}
