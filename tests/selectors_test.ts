// The `selectors` module: DefaultSelector and the select/poll/epoll
// selectors over real sockets. Expected values (error classes and messages)
// were checked against CPython on Linux (python3 on this machine).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  create_connection,
  create_server,
  KeyError,
  OSError,
  RuntimeError,
  type Socket,
  socket,
  socketpair,
} from "unisock";
import { select } from "unisock/select";
import {
  type BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  KeyError as SelectorsKeyError,
  PollSelector,
  RuntimeError as SelectorsRuntimeError,
  SelectorKey,
  SelectSelector,
} from "unisock/selectors";
import { dec, isError, settlesWithin } from "./_helpers.ts";

const LOOP = "127.0.0.1";
const TEST = { timeout: 60_000 };

type Factory = new () => BaseSelector<Socket, unknown>;
const KINDS: [string, Factory][] = [
  ["DefaultSelector", DefaultSelector],
  ["SelectSelector", SelectSelector],
  ["PollSelector", PollSelector],
  ["EpollSelector", EpollSelector],
];

/** Closes every socket given. */
function closeAll(...socks: Socket[]): void {
  for (const s of socks) s.close();
}

test("selectors: constants, DefaultSelector is EpollSelector, KeyError and RuntimeError are the socket module's", () => {
  assert.equal(EVENT_READ, 1);
  assert.equal(EVENT_WRITE, 2);
  assert.equal(DefaultSelector, EpollSelector);
  assert.equal(SelectorsKeyError, KeyError);
  assert.equal(SelectorsRuntimeError, RuntimeError);
});

/** Handler of a registered socket (the Python docs' accept/read callbacks). */
type Handler = (sock: Socket) => Promise<void>;

/**
 * The selectors echo server of the Python docs, serving `clients`
 * concurrent clients (each sends one message, reads the echo, closes).
 */
async function echoServer(
  Sel: new () => BaseSelector<Socket, Handler>,
  clients: number,
): Promise<void> {
  await using sel = new Sel();
  const srv = await create_server([LOOP, 0], { backlog: 128 });
  srv.setblocking(false);
  let closed = 0;
  const read: Handler = async (conn) => {
    const data = await conn.recv(1000);
    if (data.length > 0) {
      await conn.sendall(data);
    } else {
      sel.unregister(conn);
      conn.close();
      closed++;
    }
  };
  const accept: Handler = async (sock) => {
    const [conn] = await sock.accept();
    conn.setblocking(false);
    sel.register(conn, EVENT_READ, read);
  };
  sel.register(srv, EVENT_READ, accept);
  const client = async (i: number) => {
    const c = await create_connection(srv.getsockname());
    try {
      c.settimeout(20);
      const msg = `hello from client ${i}`;
      await c.sendall(msg);
      let got = "";
      while (got.length < msg.length) {
        const chunk = await c.recv(1000);
        if (chunk.length === 0) break;
        got += dec(chunk);
      }
      assert.equal(got, msg);
    } finally {
      c.close();
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const deadline = performance.now() + 30_000;
  try {
    while (closed < clients && performance.now() < deadline) {
      for (const [key, mask] of await sel.select(1)) {
        assert.equal(mask, EVENT_READ);
        await key.data!(key.fileobj);
      }
    }
    assert.equal(closed, clients);
    await done;
    assert.equal(sel.get_map()!.size, 1);
  } finally {
    for (const key of [...(sel.get_map()?.values() ?? [])]) key.fileobj.close();
  }
}

for (const [name, Sel] of KINDS) {
  const clients = 100;
  test(`selectors: ${name} echo server serves ${clients} concurrent clients`, TEST, async () => {
    await echoServer(Sel as new () => BaseSelector<Socket, Handler>, clients);
  });
}

for (const [name, Sel] of KINDS) {
  test(`selectors: ${name} register/modify/unregister/get_key/get_map`, async () => {
    const [a, b] = await socketpair();
    const sel = new Sel();
    try {
      const key = sel.register(a, EVENT_READ, "data");
      assert.ok(key instanceof SelectorKey);
      assert.deepEqual([key.fileobj, key.fd, key.events, key.data], [
        a,
        a.fileno(),
        EVENT_READ,
        "data",
      ]);
      assert.throws(() => {
        (key as { events: number }).events = 3;
      }, TypeError);
      assert.equal(sel.get_key(a), key);
      const map = sel.get_map()!;
      assert.equal(map.size, 1);
      assert.deepEqual([...map.keys()], [a.fileno()]);
      assert.equal(map.get(a), key);
      assert.equal(map.get(a.fileno()), key);
      assert.equal(map.has(b), false);

      // modify: same events and data → same key; data defaults to null, as in Python.
      assert.equal(sel.modify(a, EVENT_READ, "data"), key);
      const k2 = sel.modify(a, EVENT_READ | EVENT_WRITE);
      assert.deepEqual([k2.events, k2.data], [EVENT_READ | EVENT_WRITE, null]);
      assert.equal(sel.get_key(a), k2);
      assert.deepEqual(await sel.select(0), [[k2, EVENT_WRITE]]);

      await b.sendall("x");
      await select([a], [], [], 5); // the byte has arrived
      assert.deepEqual(await sel.select(0), [[k2, EVENT_READ | EVENT_WRITE]]);
      const k3 = sel.modify(a, EVENT_READ, 7);
      assert.deepEqual(await sel.select(0), [[k3, EVENT_READ]]);

      assert.equal(sel.unregister(a), k3);
      assert.equal(map.size, 0);
      assert.deepEqual(await sel.select(0), []);
    } finally {
      sel.close();
      closeAll(a, b);
    }
  });
}

for (const [name, Sel] of KINDS) {
  test(`selectors: ${name} errors use Python's classes and wording`, async () => {
    const [a, b] = await socketpair();
    const sel = new Sel();
    try {
      const repr = String(a);
      sel.register(a, EVENT_READ);
      assert.throws(
        () => sel.register(a, EVENT_WRITE),
        isError(KeyError, undefined, `${repr} (FD ${a.fileno()}) is already registered`),
      );
      assert.throws(
        () => sel.unregister(b),
        isError(KeyError, undefined, `${b} is not registered`),
      );
      assert.throws(
        () => sel.modify(b, EVENT_READ),
        isError(KeyError, undefined, `${b} is not registered`),
      );
      assert.throws(() => sel.get_key(b), isError(KeyError, undefined, `${b} is not registered`));
      assert.throws(() => sel.register(b, 0), isError(RangeError, undefined, "Invalid events: 0"));
      assert.throws(() => sel.register(b, 4), isError(RangeError, undefined, "Invalid events: 4"));
      assert.throws(() => sel.modify(a, 4), isError(RangeError, undefined, "Invalid events: 4"));
      assert.equal(sel.get_key(a).events, EVENT_READ);
      const closed = socket();
      closed.close();
      assert.throws(
        () => sel.register(closed, EVENT_READ),
        isError(RangeError, undefined, "Invalid file descriptor: -1"),
      );
      assert.throws(
        () => sel.register("x" as unknown as Socket, EVENT_READ),
        isError(RangeError, undefined, "Invalid file object: 'x'"),
      );
      await assert.rejects(sel.select("1" as unknown as number), TypeError);
    } finally {
      sel.close();
      closeAll(a, b);
    }
    assert.equal(sel.get_map(), null);
    assert.throws(() => sel.get_key(a), isError(RuntimeError, undefined, "Selector is closed"));
    assert.throws(() => sel.unregister(a), KeyError);
    assert.throws(() => sel.register(b, EVENT_READ), RangeError);
    await assert.rejects(sel.select(0), RangeError);
  });
}

for (const [name, Sel] of KINDS) {
  test(`selectors: ${name} timeouts (0, short, none with a socket becoming ready)`, async () => {
    const [a, b] = await socketpair();
    const sel = new Sel();
    try {
      const key = sel.register(a, EVENT_READ);
      assert.deepEqual(await sel.select(0), []);
      assert.deepEqual(await sel.select(-1), []);
      const t0 = performance.now();
      assert.deepEqual(await sel.select(0.12), []);
      const ms = performance.now() - t0;
      assert.ok(ms >= 110 && ms < 5000, `returned after ${ms} ms`);
      const pending = sel.select();
      assert.equal(await settlesWithin(pending, 30), false);
      await b.sendall("x");
      assert.deepEqual(await pending, [[key, EVENT_READ]]);
      // After select reported it readable, a non-blocking recv succeeds.
      a.setblocking(false);
      assert.equal(dec(await a.recv(10)), "x");
    } finally {
      sel.close();
      closeAll(a, b);
    }
  });
}

for (const [name, Sel] of KINDS) {
  test(`selectors: ${name} reports EOF as readable; close() ends a waiting select`, async () => {
    const [a, b] = await socketpair();
    const sel = new Sel();
    try {
      const key = sel.register(a, EVENT_READ);
      const pending = sel.select(10);
      b.close();
      assert.deepEqual(await pending, [[key, EVENT_READ]]);
      a.setblocking(false);
      assert.equal((await a.recv(10)).length, 0);
      sel.unregister(a);
      const [c, d] = await socketpair();
      try {
        sel.register(c, EVENT_READ);
        const waiting = sel.select();
        assert.equal(await settlesWithin(waiting, 30), false);
        sel.close();
        assert.deepEqual(await waiting, []);
      } finally {
        closeAll(c, d);
      }
    } finally {
      sel.close();
      closeAll(a, b);
    }
  });
}

test("selectors: a socket closed before unregister can still be unregistered", async () => {
  for (const [, Sel] of KINDS) {
    const [a, b] = await socketpair();
    const sel = new Sel();
    try {
      const key = sel.register(a, EVENT_READ);
      a.close();
      assert.equal(sel.get_key(a), key);
      assert.equal(sel.unregister(a), key);
      assert.equal(sel.get_map()!.size, 0);
    } finally {
      sel.close();
      closeAll(a, b);
    }
  }
});

test("selectors: a registered socket closed meanwhile (Python's behaviour per selector)", async () => {
  // EpollSelector: the kernel forgets the closed socket, select reports nothing.
  // PollSelector: poll reports POLLNVAL, which selectors map to READ|WRITE.
  // SelectSelector: select() fails with EBADF.
  for (const [name, Sel] of KINDS) {
    const [a, b] = await socketpair();
    const sel = new Sel();
    try {
      const key = sel.register(a, EVENT_READ);
      a.close();
      if (name === "PollSelector") assert.deepEqual(await sel.select(0), [[key, EVENT_READ]]);
      else if (name === "SelectSelector") await assert.rejects(sel.select(0), isError(OSError, 9));
      else assert.deepEqual(await sel.select(0), []);
    } finally {
      sel.close();
      closeAll(a, b);
    }
  }
});

test("selectors: `using` and `await using` close the selector", async () => {
  const [a, b] = await socketpair();
  let s1: BaseSelector | null = null;
  let s2: BaseSelector | null = null;
  try {
    {
      using sel = new DefaultSelector();
      sel.register(a, EVENT_READ);
      s1 = sel;
    }
    {
      await using sel = new PollSelector();
      sel.register(a, EVENT_READ);
      s2 = sel;
    }
    assert.equal(s1.get_map(), null);
    assert.equal(s2.get_map(), null);
  } finally {
    closeAll(a, b);
  }
});

test("selectors: numbers and objects with fileno() are file objects too", async () => {
  const [a, b] = await socketpair();
  using sel = new DefaultSelector<number | { fileno(): number }, string>();
  try {
    const wrapped = { fileno: () => b.fileno() };
    const ka = sel.register(a.fileno(), EVENT_WRITE, "number");
    const kb = sel.register(wrapped, EVENT_WRITE, "wrapped");
    assert.equal(sel.get_key(a.fileno()), ka);
    assert.equal(sel.get_key(wrapped), kb);
    const got = (await sel.select(1)).map(([k, ev]) => [k.data, ev]).sort();
    assert.deepEqual(got, [["number", EVENT_WRITE], ["wrapped", EVENT_WRITE]]);
  } finally {
    closeAll(a, b);
  }
});

test("selectors: the non-blocking connect pattern with EVENT_WRITE", async () => {
  const srv = await create_server([LOOP, 0]);
  const s = socket();
  using sel = new DefaultSelector<Socket>();
  let conn: Socket | null = null;
  try {
    s.setblocking(false);
    assert.equal(await s.connect_ex(srv.getsockname()), 115);
    const key = sel.register(s, EVENT_WRITE);
    assert.deepEqual(await sel.select(5), [[key, EVENT_WRITE]]);
    [conn] = await srv.accept();
    await s.send("ok");
    assert.equal(dec(await conn.recv(10)), "ok");
  } finally {
    conn?.close();
    closeAll(s, srv);
  }
});

for (const [name, Sel] of KINDS) {
  for (const kind of ["socketpair", "loopback TCP"]) {
    test(`selectors: ${name}.select(0) sees bytes a local peer just sent (${kind})`, async () => {
      // CPython: every selector reports the socket readable at once.
      let socks: Socket[];
      let a: Socket, b: Socket;
      if (kind === "socketpair") {
        [a, b] = await socketpair();
        socks = [a, b];
      } else {
        const srv = await create_server([LOOP, 0]);
        socks = [srv];
        b = await create_connection(srv.getsockname());
        socks.push(b);
        [a] = await srv.accept();
        socks.push(a);
      }
      const sel = new Sel();
      try {
        sel.register(a, EVENT_READ);
        await b.send(new TextEncoder().encode("foo"));
        const got = await sel.select(0);
        assert.deepEqual(got.map(([key, ev]) => [key.fileobj, ev]), [[a, EVENT_READ]]);
      } finally {
        sel.close();
        closeAll(...socks);
      }
    });
  }
}

test("selectors: EpollSelector.fileno() is its epoll object's, and raises once closed", () => {
  // CPython: EpollSelector.fileno() returns the epoll descriptor; after close()
  // it raises ValueError("I/O operation on closed epoll object").
  const sel = new EpollSelector();
  const fd = sel.fileno();
  assert.ok(Number.isInteger(fd) && fd >= 0);
  sel.close();
  assert.throws(
    () => sel.fileno(),
    isError(RangeError, undefined, "I/O operation on closed epoll object"),
  );
});
