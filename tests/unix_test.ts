// AF_UNIX sockets over real paths in a temp dir and Linux abstract names:
// stream bind/connect/accept and their errors, names, socketpair(), and
// unix datagrams where the runtime has them (Deno with --unstable-net); on
// the others the core must refuse them with an OSError naming the runtime.
// Every expectation was checked against CPython 3.11 on Linux.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AF_UNIX,
  BrokenPipeError,
  ConnectionRefusedError,
  FileNotFoundError,
  OSError,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  socketpair,
  TimeoutError,
} from "unisock";
import { dec, isError, RUNTIME, tempDir } from "./_helpers.ts";

/** Whether this runtime has unix datagram sockets (Deno with --unstable-net). */
const UNIX_DGRAM = RUNTIME === "deno" &&
  typeof (globalThis as { Deno?: { listenDatagram?: unknown } }).Deno?.listenDatagram ===
    "function";

/** A fresh abstract-namespace name. */
function abstractName(tag: string): string {
  return `\0unisock-test-${tag}-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 8)
  }`;
}

/** Closes every socket given. */
function closeAll(...socks: (Socket | null)[]): void {
  for (const s of socks) s?.close();
}

/** Creates a stale unix socket file (bound by a process that is gone) with python3; false without python3. */
function staleSocket(path: string): boolean {
  try {
    execFileSync("python3", [
      "-c",
      "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])",
      path,
    ], { stdio: "ignore", timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}

test("unix stream: bind creates the path; names as in Python", async () => {
  const [dir, cleanup] = tempDir();
  const path = join(dir, "srv.sock");
  const srv = socket(AF_UNIX, SOCK_STREAM);
  const cli = socket(AF_UNIX, SOCK_STREAM);
  let conn: Socket | null = null;
  try {
    assert.equal(srv.family, AF_UNIX);
    assert.equal(srv.getsockname(), "");
    await srv.bind(path);
    assert.ok(statSync(path).isSocket());
    assert.equal(srv.getsockname(), path);
    srv.listen();
    srv.settimeout(2);
    cli.settimeout(2);
    const [[c, addr]] = await Promise.all([srv.accept(), cli.connect(path)]);
    conn = c;
    conn.settimeout(2);
    assert.equal(addr, "");
    assert.equal(cli.getsockname(), "");
    assert.equal(cli.getpeername(), path);
    assert.equal(conn.getsockname(), path);
    assert.equal(conn.getpeername(), "");
    assert.equal(conn.family, AF_UNIX);
    await cli.sendall("over unix");
    const [data, from] = await conn.recvfrom(100);
    assert.equal(dec(data), "over unix");
    assert.equal(from, null);
    await assert.rejects(cli.sendto("x", path), isError(OSError, 106));
    await conn.sendall("back");
    const buf = new Uint8Array(8);
    assert.deepEqual(await cli.recvfrom_into(buf), [4, null]);
    await cli.shutdown(SHUT_WR);
    assert.equal((await conn.recv(10)).length, 0);
  } finally {
    closeAll(cli, conn, srv);
    cleanup();
  }
});

test("unix stream: bind errors", async () => {
  const [dir, cleanup] = tempDir();
  const path = join(dir, "taken.sock");
  const first = socket(AF_UNIX);
  const socks: Socket[] = [first];
  const fresh = () => {
    const s = socket(AF_UNIX);
    socks.push(s);
    return s;
  };
  try {
    await first.bind(path);
    await assert.rejects(
      fresh().bind(path),
      isError(OSError, 98, "[Errno 98] Address already in use"),
    );
    writeFileSync(join(dir, "file"), "");
    await assert.rejects(fresh().bind(join(dir, "file")), isError(OSError, 98));
    await assert.rejects(
      fresh().bind(join(dir, "missing", "x.sock")),
      isError(FileNotFoundError, 2, "[Errno 2] No such file or directory"),
    );
    await assert.rejects(first.bind(join(dir, "again.sock")), isError(OSError, 22));
    await assert.rejects(
      fresh().bind(`/tmp/${"x".repeat(120)}`),
      isError(OSError, null, "AF_UNIX path too long"),
    );
    // listen on an unbound unix socket is EINVAL on Linux (no autobind).
    assert.throws(() => fresh().listen(), isError(OSError, 22));
  } finally {
    closeAll(...socks);
    cleanup();
  }
});

test("unix stream: connect errors", async () => {
  const [dir, cleanup] = tempDir();
  const socks: Socket[] = [];
  const fresh = () => {
    const s = socket(AF_UNIX);
    s.settimeout(2);
    socks.push(s);
    return s;
  };
  try {
    await assert.rejects(
      fresh().connect(join(dir, "missing.sock")),
      isError(FileNotFoundError, 2, "[Errno 2] No such file or directory"),
    );
    await assert.rejects(
      fresh().connect(join(dir, "no", "dir.sock")),
      isError(FileNotFoundError, 2),
    );
    writeFileSync(join(dir, "regular"), "");
    await assert.rejects(
      fresh().connect(join(dir, "regular")),
      isError(ConnectionRefusedError, 111, "[Errno 111] Connection refused"),
    );
    mkdirSync(join(dir, "subdir"));
    await assert.rejects(
      fresh().connect(join(dir, "subdir")),
      isError(ConnectionRefusedError, 111),
    );
    await assert.rejects(fresh().connect(""), isError(OSError, 22));
    await assert.rejects(
      fresh().connect(`/tmp/${"x".repeat(120)}`),
      isError(OSError, null, "AF_UNIX path too long"),
    );
    await assert.rejects(
      fresh().connect(abstractName("nobody")),
      isError(ConnectionRefusedError, 111),
    );
    await assert.rejects(fresh().connect(["127.0.0.1", 80] as unknown as string), TypeError);
    // A socket file nobody listens on any more (left behind by a process).
    const stale = join(dir, "stale.sock");
    if (staleSocket(stale)) {
      assert.ok(statSync(stale).isSocket());
      await assert.rejects(fresh().connect(stale), isError(ConnectionRefusedError, 111));
      await assert.rejects(fresh().bind(stale), isError(OSError, 98));
    }
  } finally {
    closeAll(...socks);
    cleanup();
  }
});

test("unix stream: errors of an unconnected socket differ from TCP's, as on Linux", async () => {
  const s = socket(AF_UNIX);
  try {
    await assert.rejects(s.send("x"), isError(OSError, 107));
    await assert.rejects(s.sendall("x"), isError(OSError, 107));
    await assert.rejects(s.recv(1), isError(OSError, 22));
    await assert.rejects(s.sendto("x", "/tmp/unisock-nowhere"), isError(OSError, 95));
    assert.throws(() => s.getpeername(), isError(OSError, 107));
    await s.shutdown(SHUT_WR); // no error for unix sockets
  } finally {
    s.close();
  }
});

test("unix stream: Linux abstract names", async () => {
  const name = abstractName("stream");
  const srv = socket(AF_UNIX);
  const cli = socket(AF_UNIX);
  const other = socket(AF_UNIX);
  let conn: Socket | null = null;
  try {
    await srv.bind(name);
    assert.equal(srv.getsockname(), name);
    await assert.rejects(other.bind(name), isError(OSError, 98));
    srv.listen();
    srv.settimeout(2);
    cli.settimeout(2);
    const [[c, addr]] = await Promise.all([srv.accept(), cli.connect(name)]);
    conn = c;
    assert.equal(addr, "");
    assert.equal(cli.getpeername(), name);
    assert.equal(conn.getsockname(), name);
    await cli.sendall("abstract");
    conn.settimeout(2);
    assert.equal(dec(await conn.recv(100)), "abstract");
    // bind("") autobinds to an abstract name of 5 hex digits, as Linux does.
    const auto = socket(AF_UNIX);
    await auto.bind("");
    assert.match(auto.getsockname() as string, /^\0[0-9a-f]{5}$/);
    auto.close();
  } finally {
    closeAll(cli, conn, srv, other);
  }
});

test("unix: socketpair() defaults to AF_UNIX with unnamed ends", async () => {
  const [a, b] = await socketpair();
  try {
    for (const s of [a, b]) {
      assert.equal(s.family, AF_UNIX);
      assert.equal(s.type, SOCK_STREAM);
      assert.equal(s.getsockname(), "");
      assert.equal(s.getpeername(), "");
      assert.equal(s.gettimeout(), null);
    }
    a.settimeout(2);
    b.settimeout(2);
    await a.sendall("a to b");
    const [data, from] = await b.recvfrom(100);
    assert.equal(dec(data), "a to b");
    assert.equal(from, null);
    await b.sendall("b to a");
    assert.equal(dec(await a.recv(100)), "b to a");
    a.close();
    assert.equal((await b.recv(100)).length, 0);
  } finally {
    closeAll(a, b);
  }
});

if (!UNIX_DGRAM) {
  test(`unix datagram: refused on ${RUNTIME} with an OSError naming the runtime`, async () => {
    const check = (e: unknown) => {
      assert.ok(e instanceof OSError);
      assert.equal(e.errno, 94);
      assert.match(e.message, /^\[Errno 94\] AF_UNIX SOCK_DGRAM sockets are not available on /);
      assert.ok(e.message.includes(`on ${RUNTIME}:`), e.message);
      if (RUNTIME === "deno") assert.match(e.message, /--unstable-net/);
      return true;
    };
    assert.throws(() => socket(AF_UNIX, SOCK_DGRAM), check);
    await assert.rejects(socketpair(AF_UNIX, SOCK_DGRAM), check);
  });
} else {
  test("unix datagram: bind, sendto/recvfrom, names and truncation", async () => {
    const [dir, cleanup] = tempDir();
    const pu = join(dir, "u.sock");
    const pv = join(dir, "v.sock");
    const u = socket(AF_UNIX, SOCK_DGRAM);
    const v = socket(AF_UNIX, SOCK_DGRAM);
    u.settimeout(2);
    v.settimeout(2);
    try {
      assert.equal(u.getsockname(), "");
      await u.bind(pu);
      assert.ok(statSync(pu).isSocket());
      assert.equal(u.getsockname(), pu);
      // From an unbound sender: Python shows no address (None) and the
      // sender stays unnamed, so it can still bind later.
      assert.equal(await v.sendto("anon", pu), 4);
      assert.equal(v.getsockname(), "");
      assert.deepEqual(await u.recvfrom(100), [new TextEncoder().encode("anon"), null]);
      await v.bind(pv);
      assert.equal(v.getsockname(), pv);
      await v.sendto("hello world", pu);
      await v.sendto("", pu);
      await v.sendto("next", pu);
      const [head, from] = await u.recvfrom(5);
      assert.equal(dec(head), "hello");
      assert.equal(from, pv);
      const [empty, from2] = await u.recvfrom(5);
      assert.equal(empty.length, 0);
      assert.equal(from2, pv);
      assert.equal(dec(await u.recv(100)), "next");
      // Reply to the sender's path.
      await u.sendto("reply", from);
      assert.deepEqual([dec((await v.recvfrom(100))[0])], ["reply"]);
      u.settimeout(0.05);
      await assert.rejects(u.recv(10), isError(TimeoutError));
    } finally {
      closeAll(u, v);
      cleanup();
    }
  });

  test("unix datagram: connect, send and errors", async () => {
    const [dir, cleanup] = tempDir();
    const pu = join(dir, "u.sock");
    const ps = join(dir, "stream.sock");
    const u = socket(AF_UNIX, SOCK_DGRAM);
    const v = socket(AF_UNIX, SOCK_DGRAM);
    const st = socket(AF_UNIX, SOCK_STREAM);
    const socks: Socket[] = [u, v, st];
    u.settimeout(2);
    v.settimeout(2);
    try {
      await u.bind(pu);
      await st.bind(ps);
      st.listen();
      await assert.rejects(
        v.send("x"),
        isError(OSError, 107, "[Errno 107] Transport endpoint is not connected"),
      );
      assert.throws(() => v.listen(), isError(OSError, 95));
      const clash = socket(AF_UNIX, SOCK_DGRAM);
      socks.push(clash);
      await assert.rejects(clash.bind(pu), isError(OSError, 98));
      await assert.rejects(v.sendto("x", join(dir, "missing")), isError(FileNotFoundError, 2));
      writeFileSync(join(dir, "regular"), "");
      await assert.rejects(
        v.sendto("x", join(dir, "regular")),
        isError(ConnectionRefusedError, 111),
      );
      await assert.rejects(
        v.sendto("x", ps),
        isError(OSError, 91, "[Errno 91] Protocol wrong type for socket"),
      );
      await assert.rejects(v.sendto("x", ""), isError(OSError, 22));
      await assert.rejects(v.connect(""), isError(OSError, 22));
      // A stream socket connecting to a datagram path.
      const sc = socket(AF_UNIX, SOCK_STREAM);
      socks.push(sc);
      await assert.rejects(sc.connect(pu), isError(OSError, 91));
      await v.connect(pu);
      assert.equal(v.getpeername(), pu);
      assert.equal(v.getsockname(), "");
      assert.equal(await v.send("connected"), 9);
      assert.deepEqual(await u.recvfrom(100), [new TextEncoder().encode("connected"), null]);
      // shutdown needs no peer on unix sockets; SHUT_WR stops sending.
      const w = socket(AF_UNIX, SOCK_DGRAM);
      socks.push(w);
      await w.shutdown(SHUT_WR);
      await assert.rejects(w.sendto("x", pu), isError(BrokenPipeError, 32));
      // Linux: at most the send buffer minus 32 bytes per datagram.
      await assert.rejects(v.send(new Uint8Array(212961)), isError(OSError, 90));
      assert.equal(await v.send(new Uint8Array(212960)), 212960);
      assert.equal((await u.recv(300000)).length, 212960);
      u.close();
      // The path stays (as in Python); nobody reads it any more.
      assert.ok(statSync(pu).isSocket());
      await assert.rejects(v.send("x"), isError(ConnectionRefusedError, 111));
    } finally {
      closeAll(...socks);
      cleanup();
    }
  });

  test("unix datagram: abstract names and socketpair(AF_UNIX, SOCK_DGRAM)", async () => {
    const name = abstractName("dgram");
    const w = socket(AF_UNIX, SOCK_DGRAM);
    const x = socket(AF_UNIX, SOCK_DGRAM);
    w.settimeout(2);
    try {
      await w.bind(name);
      assert.equal(w.getsockname(), name);
      await x.bind(abstractName("sender"));
      await x.sendto("abstract", name);
      const [data, from] = await w.recvfrom(100);
      assert.equal(dec(data), "abstract");
      assert.equal(from, x.getsockname());
      await assert.rejects(
        x.sendto("x", abstractName("nobody")),
        isError(ConnectionRefusedError, 111),
      );
    } finally {
      closeAll(w, x);
    }
    const [a, b] = await socketpair(AF_UNIX, SOCK_DGRAM);
    try {
      for (const s of [a, b]) {
        assert.equal(s.type, SOCK_DGRAM);
        assert.equal(s.getsockname(), "");
        assert.equal(s.getpeername(), "");
        s.settimeout(2);
      }
      await a.send("one");
      await a.send("two");
      assert.deepEqual(await b.recvfrom(10), [new TextEncoder().encode("one"), null]);
      assert.equal(dec(await b.recv(10)), "two");
      await b.send("back");
      assert.equal(dec(await a.recv(10)), "back");
    } finally {
      closeAll(a, b);
    }
  });
}
