// File objects from Socket.makefile(): binary and text modes, line reading,
// writing, closing (which leaves the socket open), and mixing recv with file
// reads. Expected values were checked against CPython on Linux (python3 on
// this machine); where unisock deliberately differs (no read-ahead, so recv
// and the file share one buffer) the test says so.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MSG_WAITALL, OSError, SHUT_WR, type Socket } from "unisock";
import { dec, enc, isError, settlesWithin, tcpPair } from "./_helpers.ts";

/** Runs `body` with a connected TCP pair `[a, b]`, closing everything afterwards. */
async function withPair(body: (a: Socket, b: Socket) => Promise<void>): Promise<void> {
  const [srv, a, b] = await tcpPair();
  try {
    await body(a, b);
  } finally {
    a.close();
    b.close();
    srv.close();
  }
}

test("makefile rb: readline, readline(limit), read(n), read(0), read() to EOF", async () => {
  await withPair(async (a, b) => {
    using r = b.makefile("rb");
    assert.equal(r.mode, "rb");
    assert.equal(r.closed, false);
    await a.sendall("line1\nline2\npartial");
    assert.deepEqual(await r.readline(), enc("line1\n"));
    assert.deepEqual(await r.readline(3), enc("lin"));
    assert.deepEqual(await r.readline(), enc("e2\n"));
    assert.deepEqual(await r.read(3), enc("par"));
    assert.equal((await r.read(0)).length, 0);
    await a.sendall("tail");
    await a.shutdown(SHUT_WR);
    // read(n) returns fewer bytes only at EOF.
    assert.deepEqual(await r.read(100), enc("tialtail"));
    assert.equal((await r.read()).length, 0);
    assert.equal((await r.readline()).length, 0);
  });
});

test("makefile rb: read(n) waits for n bytes; readline waits only for a line", async () => {
  await withPair(async (a, b) => {
    using r = b.makefile("rb");
    await a.sendall("ab");
    const four = r.read(4);
    assert.equal(await settlesWithin(four, 50), false);
    await a.sendall("cd");
    assert.deepEqual(await four, enc("abcd"));
    // A short line is returned while the connection stays open.
    await a.sendall("short\n");
    assert.deepEqual(await r.readline(), enc("short\n"));
    // A long line spanning many chunks comes back whole.
    const long = "x".repeat(300_000) + "\n";
    const sending = a.sendall(long + "next\n");
    assert.equal(dec(await r.readline()), long);
    assert.equal((await r.readline(70_000)).length, 5);
    await sending;
  });
});

test("makefile rb: readlines and async iteration by line", async () => {
  await withPair(async (a, b) => {
    await a.sendall("abc\ndef\nno newline");
    await a.shutdown(SHUT_WR);
    using r = b.makefile("rb");
    assert.deepEqual((await r.readlines()).map(dec), ["abc\n", "def\n", "no newline"]);
    assert.deepEqual(await r.readlines(), []);
  });
  await withPair(async (a, b) => {
    const sending = (async () => {
      for (let i = 0; i < 50; i++) await a.sendall(`line ${i}\n`);
      await a.shutdown(SHUT_WR);
    })();
    using r = b.makefile("rb");
    const lines: string[] = [];
    for await (const line of r) lines.push(dec(line));
    await sending;
    assert.deepEqual(lines, Array.from({ length: 50 }, (_, i) => `line ${i}\n`));
  });
});

test("makefile wb: write/writelines/flush; close leaves the socket open", async () => {
  await withPair(async (a, b) => {
    const w = a.makefile("wb");
    assert.equal(await w.write(enc("abc")), 3);
    assert.equal(await w.write(new Uint8Array([10])), 1);
    await w.writelines([enc("d"), enc("e\n")]);
    await w.flush();
    assert.equal(dec(await b.recv(7, MSG_WAITALL)), "abc\nde\n");
    w.close();
    w.close(); // idempotent
    assert.equal(w.closed, true);
    // The socket is still open and usable both ways.
    assert.ok(a.fileno() >= 0);
    await a.sendall("after");
    assert.equal(dec(await b.recv(5, MSG_WAITALL)), "after");
    await b.sendall("back");
    assert.equal(dec(await a.recv(4, MSG_WAITALL)), "back");
  });
});

test("makefile: closing the socket while a file is open keeps the connection until the file closes", async () => {
  await withPair(async (a, b) => {
    const f = a.makefile("rwb");
    a.close();
    assert.ok(a.fileno() >= 0, "the descriptor lives while the file is open (Python)");
    await f.write(enc("still"));
    await f.flush();
    assert.equal(dec(await b.recv(5, MSG_WAITALL)), "still");
    await b.sendall("reply\n");
    assert.deepEqual(await f.readline(), enc("reply\n"));
    f.close();
    assert.equal(a.fileno(), -1);
    assert.equal((await b.recv(10)).length, 0);
  });
});

test("makefile: errors on closed files and unsupported operations use Python's texts", async () => {
  await withPair(async (a, b) => {
    const r = b.makefile("rb");
    const w = a.makefile("wb");
    assert.throws(
      () => b.makefile("x"),
      isError(RangeError, undefined, "invalid mode 'x' (only r, w, b allowed)"),
    );
    assert.throws(
      () => b.makefile("ra"),
      isError(RangeError, undefined, "invalid mode 'ra' (only r, w, b allowed)"),
    );
    await assert.rejects(r.write(enc("x")), isError(OSError, null, "write"));
    await assert.rejects(w.read(1), isError(OSError, null, "read"));
    r.close();
    w.close();
    await assert.rejects(r.read(1), isError(RangeError, undefined, "read of closed file"));
    await assert.rejects(r.readline(), isError(RangeError, undefined, "readline of closed file"));
    await assert.rejects(w.write(enc("x")), isError(RangeError, undefined, "write to closed file"));
    await assert.rejects(w.flush(), isError(RangeError, undefined, "flush of closed file"));
    const tr = b.makefile("r");
    const tw = a.makefile("w");
    await assert.rejects(tr.write("x"), isError(OSError, null, "not writable"));
    await assert.rejects(tw.read(1), isError(OSError, null, "not readable"));
    await assert.rejects(tw.readline(), isError(OSError, null, "not readable"));
    tr.close();
    tw.close();
    const closed = isError(RangeError, undefined, "I/O operation on closed file.");
    await assert.rejects(tr.read(1), closed);
    await assert.rejects(tr.readline(), closed);
    await assert.rejects(tw.write("x"), closed);
    await assert.rejects(tw.flush(), closed);
  });
});

test("makefile: recv and file reads share one buffer; no bytes are lost", async () => {
  // CPython's BufferedReader reads ahead, so mixing loses data there; unisock's
  // files read through the socket's own buffer, so any mix works.
  await withPair(async (a, b) => {
    await a.sendall("one\ntwo\nthree\nfour\n");
    const f = b.makefile("rb");
    assert.deepEqual(await f.readline(), enc("one\n"));
    assert.equal(dec(await b.recv(4, MSG_WAITALL)), "two\n");
    assert.deepEqual(await f.read(6), enc("three\n"));
    assert.equal(dec(await b.recv(100)), "four\n");
    await a.sendall("five\n");
    assert.equal(dec(await b.recv(2, MSG_WAITALL)), "fi");
    assert.deepEqual(await f.readline(), enc("ve\n"));
    f.close();
  });
});

test("makefile text: universal newlines, UTF-8 across chunks, read(n) in characters", async () => {
  await withPair(async (a, b) => {
    const w = a.makefile("w");
    const r = b.makefile("r");
    assert.equal(w.mode, "w");
    assert.equal(await w.write("héllo\r\nwörld\nend\r\n"), 18);
    await w.flush();
    await a.shutdown(SHUT_WR);
    assert.equal(await r.readline(), "héllo\n");
    assert.equal(await r.read(3), "wör");
    assert.deepEqual(await r.readlines(), ["ld\n", "end\n"]);
    assert.equal(await r.readline(), "");
    w.close();
    r.close();
  });
  await withPair(async (a, b) => {
    const r = b.makefile("r");
    // "é" split between two sends, and "\r" | "\n" split too.
    await a.sendall(new Uint8Array([0x61, 0xc3]));
    const line = r.readline();
    await a.sendall(new Uint8Array([0xa9, 0x0d]));
    await a.sendall(new Uint8Array([0x0a, 0x7a, 0x0a]));
    assert.equal(await line, "aé\n");
    assert.equal(await r.readline(), "z\n");
    r.close();
  });
  await withPair(async (a, b) => {
    const r = b.makefile("r", { newline: "" });
    await a.sendall("x\r\ny\n");
    await a.shutdown(SHUT_WR);
    assert.deepEqual(await r.readlines(), ["x\r\n", "y\n"]);
    r.close();
  });
});

test("makefile text: async iteration and read() to EOF", async () => {
  await withPair(async (a, b) => {
    await a.sendall("α\nβ\nγ");
    await a.shutdown(SHUT_WR);
    const r = b.makefile("r", { encoding: "utf-8" });
    const lines: string[] = [];
    for await (const line of r) lines.push(line);
    assert.deepEqual(lines, ["α\n", "β\n", "γ"]);
    r.close();
  });
  await withPair(async (a, b) => {
    const w = a.makefile("w");
    await w.writelines(["p", "q\n"]);
    w.close();
    a.close();
    const r = b.makefile("r");
    assert.equal(await r.read(), "pq\n");
    assert.equal(await r.read(), "");
    r.close();
  });
});
