// Socket behaviours checked against CPython 3.11 on Linux (python3 on this
// machine): file objects from makefile, C int overflow, long lines, flush of
// writes not awaited, and a call while connect() is still pending.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BlockingIOError,
  create_server,
  OSError,
  SO_REUSEADDR,
  socket,
  socketpair,
  SOL_SOCKET,
} from "unisock";
import { select } from "unisock/select";
import { enc, isError } from "./_helpers.ts";

test("makefile: a file has fileno(), name, mode and closed, and select takes it", async () => {
  const [a, b] = await socketpair();
  const r = b.makefile("rb");
  const w = a.makefile("w");
  try {
    // CPython: f.fileno() == f.name == sock.fileno(); f.mode == "rb"; f.closed is False.
    assert.equal(r.fileno(), b.fileno());
    assert.equal(r.name, b.fileno());
    assert.equal(r.mode, "rb");
    assert.equal(w.mode, "w");
    assert.equal(r.closed, false);
    await a.sendall("x\n");
    // CPython: select([f], [], [], t) reports the file itself.
    const [rd] = await select([r], [], [], 5);
    assert.deepEqual(rd, [r]);
    assert.deepEqual(await r.readline(), enc("x\n"));
    r.close();
    // CPython: ValueError "I/O operation on closed file."; name becomes -1.
    assert.throws(
      () => r.fileno(),
      isError(RangeError, undefined, "I/O operation on closed file."),
    );
    assert.equal(r.name, -1);
    assert.equal(r.closed, true);
  } finally {
    r.close();
    w.close();
    a.close();
    b.close();
  }
});

test("C int arguments: values beyond 32 bits raise RangeError with Python's wording", async () => {
  const [a, b] = await socketpair();
  const s = socket();
  const over = isError(RangeError, undefined, "signed integer is greater than maximum");
  const under = isError(RangeError, undefined, "signed integer is less than minimum");
  try {
    // CPython: OverflowError for each of these ("i" format arguments).
    assert.throws(() => s.listen(2 ** 31), over);
    assert.throws(() => s.listen(-(2 ** 31) - 1), under);
    assert.throws(() => s.setsockopt(2 ** 31, SO_REUSEADDR, 1), over);
    assert.throws(() => s.setsockopt(SOL_SOCKET, 2 ** 31, 1), over);
    assert.throws(() => s.getsockopt(2 ** 31, SO_REUSEADDR), over);
    assert.throws(() => s.getsockopt(SOL_SOCKET, -(2 ** 31) - 1), under);
    await assert.rejects(a.recv(1, 2 ** 31), over);
    await assert.rejects(a.recvfrom(1, 2 ** 31), over);
    await assert.rejects(a.recv_into(new Uint8Array(1), 0, 2 ** 31), over);
    await assert.rejects(a.send("x", 2 ** 31), over);
    await assert.rejects(a.sendall("x", 2 ** 31), over);
    // CPython: shutdown() and socket() say "Python int too large to convert to C int".
    await assert.rejects(
      a.shutdown(2 ** 31),
      isError(RangeError, undefined, "Python int too large to convert to C int"),
    );
    // The largest C int is accepted, as by CPython.
    s.listen(2 ** 31 - 1);
  } finally {
    s.close();
    a.close();
    b.close();
  }
});

test("readline: a multi-MiB line arriving in many chunks comes back whole", async () => {
  const [a, b] = await socketpair();
  const f = b.makefile("rb");
  try {
    const size = 8 * 1024 * 1024;
    const line = new Uint8Array(size).fill(0x61);
    line[size - 1] = 0x0a;
    const sending = (async () => {
      for (let off = 0; off < size; off += 65536) await a.sendall(line.subarray(off, off + 65536));
      await a.sendall("tail\n");
    })();
    const got = await f.readline();
    assert.equal(got.length, size);
    assert.equal(got.indexOf(0x0a), size - 1);
    assert.deepEqual(await f.readline(), enc("tail\n"));
    await sending;
  } finally {
    f.close();
    a.close();
    b.close();
  }
});

test("makefile: flush waits for writes not awaited; the peer gets every byte", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket();
  try {
    await cli.connect(srv.getsockname());
    const [conn] = await srv.accept();
    const size = 4 * 1024 * 1024;
    const w = cli.makefile("wb");
    // As a port of Python's `w.write(data); w.flush(); w.close(); sock.close()`.
    const reading = (async () => {
      let got = 0;
      for (let i = 0; i < 1e6; i++) {
        const d = await conn.recv(1 << 20);
        if (d.length === 0) break;
        got += d.length;
      }
      conn.close();
      return got;
    })();
    void w.write(new Uint8Array(size).fill(1));
    await w.flush();
    w.close();
    cli.close();
    assert.equal(await reading, size);
  } finally {
    cli.close();
    srv.close();
  }
});

test("makefile: a failed write nobody awaited is reported by flush", async () => {
  const [a, b] = await socketpair();
  const w = a.makefile("wb");
  try {
    b.close();
    // A peer gone: the writes fail (EPIPE or ECONNRESET); not an unhandled rejection.
    for (let i = 0; i < 4; i++) void w.write(new Uint8Array(1 << 20));
    await assert.rejects(w.flush(), (e: unknown) => e instanceof OSError);
    await w.flush(); // reported once
  } finally {
    w.close();
    a.close();
  }
});

test("connect not awaited: a call on the blocking socket says so", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const s = socket();
  try {
    const pending = s.connect(srv.getsockname());
    const said = (e: unknown) =>
      e instanceof BlockingIOError && e.errno === 11 && /connect\(\)/.test(e.message) &&
      /await/.test(e.message);
    await assert.rejects(s.sendall("x"), said);
    await assert.rejects(s.recv(1), said);
    await pending;
    await s.sendall("x");
  } finally {
    s.close();
    srv.close();
  }
});
