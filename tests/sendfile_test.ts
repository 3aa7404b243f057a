// sendfile (Python's send-loop fallback), getnameinfo, and the Python calls
// no JavaScript runtime can do, which raise OSError EOPNOTSUPP saying why.
// Expected values were checked against CPython 3.12 on Linux.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  AF_INET,
  fromfd,
  gaierror,
  getnameinfo,
  if_nameindex,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  OSError,
  recv_fds,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  socket,
  socketpair,
} from "unisock";
import { dec, enc, hasPython, isError } from "./_helpers.ts";

/** A Python-style binary file over bytes: read(size), seek(pos), tell(). */
class BytesFile {
  readonly mode = "rb";
  pos = 0;
  readonly data: Uint8Array;
  constructor(data: Uint8Array) {
    this.data = data;
  }
  read(size: number): Uint8Array {
    const out = this.data.slice(this.pos, this.pos + size);
    this.pos += out.length;
    return out;
  }
  seek(pos: number): void {
    this.pos = pos;
  }
}

async function recvAll(s: { recv(n: number): Promise<Uint8Array> }, n: number): Promise<string> {
  let got = "";
  for (let i = 0; i < 100 && got.length < n; i++) got += dec(await s.recv(n - got.length));
  return got;
}

test("sendfile: bytes, a Blob and a file object, with offset and count, as Python", async () => {
  const [a, b] = await socketpair();
  try {
    const data = enc("hello world");
    assert.equal(await a.sendfile(data), 11);
    assert.equal(await recvAll(b, 11), "hello world");
    assert.equal(await a.sendfile(new Blob(["hello world"]), 6), 5);
    assert.equal(await recvAll(b, 5), "world");
    const f = new BytesFile(data);
    assert.equal(await a.sendfile(f, 0, 5), 5);
    assert.equal(await recvAll(b, 5), "hello");
    assert.equal(f.pos, 5, "the file is left just past what was sent, as Python's tell()");
    const g = new BytesFile(data);
    assert.equal(await a.sendfile(g, 6), 5);
    assert.equal(await recvAll(b, 5), "world");
    assert.equal(g.pos, 11);
    // Larger than one block: every byte arrives, in order.
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    const [sent, got] = await Promise.all([a.sendfile(new Blob([big])), recvBytes(b, big.length)]);
    assert.equal(sent, big.length);
    assert.deepEqual(got, big);
  } finally {
    a.close();
    b.close();
  }
});

async function recvBytes(s: { recv(n: number): Promise<Uint8Array> }, n: number) {
  const out = new Uint8Array(n);
  let off = 0;
  for (let i = 0; i < 10_000 && off < n; i++) {
    const chunk = await s.recv(n - off);
    if (chunk.length === 0) break;
    out.set(chunk, off);
    off += chunk.length;
  }
  return out.subarray(0, off);
}

test("sendfile: Python's argument errors", async () => {
  const [a, b] = await socketpair();
  using u = socket(AF_INET, SOCK_DGRAM);
  try {
    const data = enc("x");
    await assert.rejects(
      a.sendfile(data, 0, 0),
      isError(RangeError, undefined, "count must be a positive integer (got 0)"),
    );
    await assert.rejects(
      a.sendfile(data, 0, 1.5),
      isError(TypeError, undefined, "count must be a positive integer (got 1.5)"),
    );
    await assert.rejects(
      a.sendfile(data, -1),
      isError(RangeError, undefined, "negative seek value -1"),
    );
    const text = { mode: "r", read: () => enc("x") };
    await assert.rejects(
      a.sendfile(text),
      isError(RangeError, undefined, "file should be opened in binary mode"),
    );
    await assert.rejects(
      u.sendfile(data),
      isError(RangeError, undefined, "only SOCK_STREAM type sockets are supported"),
    );
    a.setblocking(false);
    await assert.rejects(
      a.sendfile(data),
      isError(RangeError, undefined, "non-blocking sockets are not supported"),
    );
  } finally {
    a.close();
    b.close();
  }
});

test("getnameinfo: numeric and reverse look-ups, services, errors, as Python", async () => {
  assert.deepEqual(await getnameinfo(["127.0.0.1", 80], NI_NUMERICHOST | NI_NUMERICSERV), [
    "127.0.0.1",
    "80",
  ]);
  assert.deepEqual(await getnameinfo(["::1", 53, 0, 0], NI_NUMERICHOST | NI_DGRAM), [
    "::1",
    "domain",
  ]);
  assert.deepEqual(await getnameinfo(["127.0.0.1", 12345], NI_NUMERICHOST), ["127.0.0.1", "12345"]);
  await assert.rejects(getnameinfo(["localhost", 80], 0), isError(gaierror, -2));
  await assert.rejects(
    getnameinfo(["127.0.0.1", 80, 0, 0], 0),
    isError(OSError, null, "IPv4 sockaddr must be 2 tuple"),
  );
  await assert.rejects(
    getnameinfo("x" as never, 0),
    isError(TypeError, undefined, "getnameinfo() argument 1 must be a tuple"),
  );
  // 192.0.2.1 (TEST-NET-1) has no name: numeric, or gaierror -2 when a name is required.
  assert.deepEqual(await getnameinfo(["192.0.2.1", 80], 0), ["192.0.2.1", "http"]);
  await assert.rejects(getnameinfo(["192.0.2.1", 80], NI_NAMEREQD), isError(gaierror, -2));
  if (!hasPython()) return;
  const py = JSON.parse(execFileSync("python3", [
    "-c",
    "import socket, json; print(json.dumps(socket.getnameinfo(('127.0.0.1', 80), 0)))",
  ], { encoding: "utf8", timeout: 10_000 }));
  assert.deepEqual(await getnameinfo(["127.0.0.1", 80], 0), py);
});

test("unsupported Python calls raise OSError EOPNOTSUPP saying why", async () => {
  using s = socket(AF_INET, SOCK_STREAM);
  const why = (e: unknown) => {
    assert.ok(e instanceof OSError && e.errno === 95, String(e));
    assert.match(
      e.message,
      /^\[Errno 95\] Operation not supported: \w+\(\): JavaScript runtimes|core/,
    );
    return true;
  };
  assert.throws(() => s.dup(), why);
  assert.throws(() => s.detach(), why);
  assert.throws(() => s.set_inheritable(true), why);
  assert.equal(s.get_inheritable(), false);
  await assert.rejects(s.sendmsg([enc("x")]), why);
  await assert.rejects(s.recvmsg(10), why);
  await assert.rejects(s.recvmsg_into([new Uint8Array(4)]), why);
  assert.throws(() => fromfd(3, AF_INET, SOCK_STREAM), why);
  // Python's fourth argument adopts an OS descriptor; JavaScript callers can pass it too.
  assert.throws(() => socket(AF_INET, SOCK_STREAM, 0, 3), why);
  assert.throws(() => new Socket(AF_INET, SOCK_STREAM, 0, 3), why);
  socket(AF_INET, SOCK_STREAM, 0, null).close();
  assert.throws(() => if_nameindex(), why);
  await assert.rejects(recv_fds(s, 10, 1), why);
});
