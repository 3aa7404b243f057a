// TCP argument errors (TypeError/RangeError with Python's wording) and errno
// errors (OSError subclasses, `[Errno N] strerror`). Every expected value
// was checked against CPython on Linux (python3 on this machine).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  BlockingIOError,
  BrokenPipeError,
  ConnectionError,
  ConnectionRefusedError,
  error,
  gaierror,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  OSError,
  SO_KEEPALIVE,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  SOL_SOCKET,
  TCP_NODELAY,
  timeout,
  TimeoutError,
} from "unisock";
import { closedPort, isError, tcpPair } from "./_helpers.ts";

const LOOP = "127.0.0.1";

// ---- argument errors ------------------------------------------------------------

test("tcp errors: address arguments use Python's wording", async () => {
  using s = socket();
  await assert.rejects(
    s.bind([LOOP, 70000]),
    isError(RangeError, undefined, "bind(): port must be 0-65535."),
  );
  await assert.rejects(
    s.bind([LOOP, -1]),
    isError(RangeError, undefined, "bind(): port must be 0-65535."),
  );
  await assert.rejects(
    s.connect([LOOP, -1]),
    isError(RangeError, undefined, "connect(): port must be 0-65535."),
  );
  await assert.rejects(
    s.connect_ex([LOOP, 65536]),
    isError(RangeError, undefined, "connect_ex(): port must be 0-65535."),
  );
  await assert.rejects(
    s.bind([LOOP] as unknown as [string, number]),
    isError(TypeError, undefined, "AF_INET address must be a pair (host, port)"),
  );
  await assert.rejects(
    // @ts-expect-error: a path on an AF_INET socket is refused at run time too
    s.bind(LOOP),
    isError(TypeError, undefined, "bind(): AF_INET address must be tuple, not str"),
  );
  await assert.rejects(
    s.bind([1, 0] as unknown as [string, number]),
    isError(TypeError, undefined, "str, bytes or bytearray expected, not int"),
  );
  await assert.rejects(
    s.bind([LOOP, "80"] as unknown as [string, number]),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
  // The socket is still fresh after all of these.
  assert.deepEqual(s.getsockname(), ["0.0.0.0", 0]);
});

test("tcp errors: buffer sizes and data arguments", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    const neg = (fn: string) => isError(RangeError, undefined, `negative buffersize in ${fn}`);
    await assert.rejects(conn.recv(-1), neg("recv"));
    await assert.rejects(conn.recvfrom(-1), neg("recvfrom"));
    await assert.rejects(conn.recv_into(new Uint8Array(4), -1), neg("recv_into"));
    await assert.rejects(conn.recvfrom_into(new Uint8Array(4), -1), neg("recvfrom_into"));
    await assert.rejects(
      conn.recv_into(new Uint8Array(4), 5),
      isError(RangeError, undefined, "buffer too small for requested bytes"),
    );
    const notInt = (t: string) =>
      isError(TypeError, undefined, `'${t}' object cannot be interpreted as an integer`);
    await assert.rejects(conn.recv("x" as unknown as number), notInt("str"));
    await assert.rejects(conn.recv(1.5), notInt("float"));
    await assert.rejects(conn.recv(null as unknown as number), notInt("NoneType"));
    await assert.rejects(
      conn.recv_into("abc" as unknown as Uint8Array),
      isError(
        TypeError,
        undefined,
        "recv_into() argument 1 must be read-write bytes-like object, not str",
      ),
    );
    await assert.rejects(
      conn.recvfrom_into("abc" as unknown as Uint8Array),
      isError(
        TypeError,
        undefined,
        "recvfrom_into() argument 1 must be read-write bytes-like object, not str",
      ),
    );
    await assert.rejects(
      cli.send(123 as unknown as Uint8Array),
      isError(TypeError, undefined, "a bytes-like object is required, not 'int'"),
    );
    await assert.rejects(
      cli.sendall(null as unknown as Uint8Array),
      isError(TypeError, undefined, "a bytes-like object is required, not 'NoneType'"),
    );
    await assert.rejects(cli.shutdown("x" as unknown as number), notInt("str"));
    await assert.rejects(cli.shutdown(7), isError(OSError, 22, "[Errno 22] Invalid argument"));
    // Nothing was consumed or broken by the failed calls.
    await cli.sendall("ok");
    assert.equal(new TextDecoder().decode(await conn.recv(10)), "ok");
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
});

test("tcp errors: timeouts and blocking flags", () => {
  using s = socket();
  assert.throws(
    () => s.settimeout(-1),
    isError(RangeError, undefined, "Timeout value out of range"),
  );
  assert.throws(
    () => s.settimeout(NaN),
    isError(RangeError, undefined, "Invalid value NaN (not a number)"),
  );
  assert.throws(
    () => s.settimeout(Infinity),
    isError(RangeError, undefined, "timestamp out of range for platform time_t"),
  );
  assert.throws(
    () => s.settimeout("1" as unknown as number),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
  assert.throws(
    () => s.setblocking("x" as unknown as boolean),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
  assert.throws(
    () => s.listen("x" as unknown as number),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
  assert.equal(s.gettimeout(), null);
});

test("tcp errors: socket() arguments", () => {
  assert.throws(
    () => socket(99),
    isError(OSError, 97, "[Errno 97] Address family not supported by protocol"),
  );
  assert.throws(() => socket(AF_INET, 99), isError(OSError, 22, "[Errno 22] Invalid argument"));
  assert.throws(
    () => socket(AF_INET, SOCK_STREAM, 17),
    isError(OSError, 93, "[Errno 93] Protocol not supported"),
  );
  assert.throws(
    () => socket("x" as unknown as number),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
});

test("tcp errors: option arguments", () => {
  using s = socket();
  assert.throws(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, "1" as unknown as number),
    isError(TypeError, undefined, "a bytes-like object is required, not 'str'"),
  );
  assert.throws(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, null as unknown as number),
    isError(TypeError, undefined, "a bytes-like object is required, not 'NoneType'"),
  );
  assert.throws(
    () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, new Uint8Array([1])),
    isError(OSError, 22, "[Errno 22] Invalid argument"),
  );
  // A 4-byte native-endian int is accepted, as in Python.
  s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, new Uint8Array([1, 0, 0, 0]));
  assert.equal(s.getsockopt(SOL_SOCKET, SO_KEEPALIVE), 1);
});

// ---- errno errors -----------------------------------------------------------------

test("tcp errors: bind EADDRINUSE (98) and EINVAL (22)", async () => {
  using a = socket();
  await a.bind([LOOP, 0]);
  a.listen();
  using b = socket();
  await assert.rejects(
    b.bind(a.getsockname()),
    isError(OSError, 98, "[Errno 98] Address already in use"),
  );
  // SO_REUSEADDR does not allow a second bind beside a listening socket.
  using c = socket();
  c.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  await assert.rejects(c.bind(a.getsockname()), isError(OSError, 98));
  // Bound twice.
  using d = socket();
  await d.bind([LOOP, 0]);
  await assert.rejects(d.bind([LOOP, 0]), isError(OSError, 22, "[Errno 22] Invalid argument"));
});

test("tcp errors: listen/accept on SOCK_DGRAM EOPNOTSUPP (95), accept not listening EINVAL (22)", async () => {
  using d = socket(AF_INET, SOCK_DGRAM);
  assert.throws(() => d.listen(), isError(OSError, 95, "[Errno 95] Operation not supported"));
  await assert.rejects(d.accept(), isError(OSError, 95, "[Errno 95] Operation not supported"));
  using fresh = socket();
  await assert.rejects(fresh.accept(), isError(OSError, 22, "[Errno 22] Invalid argument"));
  using bound = socket();
  await bound.bind([LOOP, 0]);
  await assert.rejects(bound.accept(), isError(OSError, 22, "[Errno 22] Invalid argument"));
});

test("tcp errors: connect refused (111), connect_ex 111, unknown host gaierror (-2)", async () => {
  const port = await closedPort();
  using a = socket();
  await assert.rejects(
    a.connect([LOOP, port]),
    isError(ConnectionRefusedError, 111, "[Errno 111] Connection refused"),
  );
  using b = socket();
  assert.equal(await b.connect_ex([LOOP, port]), 111);
  using c = socket();
  await assert.rejects(
    c.connect(["nonexistent.invalid", 80]),
    isError(gaierror, -2, "[Errno -2] Name or service not known"),
  );
  // connect_ex raises resolver errors, as Python does.
  await assert.rejects(c.connect_ex(["nonexistent.invalid", 80]), isError(gaierror, -2));
});

test("tcp errors: connected socket: EISCONN (106), listen/bind EINVAL", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    await assert.rejects(
      cli.connect(srv.getsockname()),
      isError(OSError, 106, "[Errno 106] Transport endpoint is already connected"),
    );
    assert.equal(await cli.connect_ex(srv.getsockname()), 106);
    assert.throws(() => cli.listen(), isError(OSError, 22));
    await assert.rejects(cli.bind([LOOP, 0]), isError(OSError, 22));
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
});

test("tcp errors: unconnected socket: ENOTCONN (107), BrokenPipeError (32)", async () => {
  using s = socket();
  const notconn = isError(OSError, 107, "[Errno 107] Transport endpoint is not connected");
  await assert.rejects(s.recv(10), notconn);
  await assert.rejects(s.recv_into(new Uint8Array(4)), notconn);
  await assert.rejects(s.recvfrom(10), notconn);
  await assert.rejects(s.recvfrom_into(new Uint8Array(4)), notconn);
  await assert.rejects(s.shutdown(1), notconn);
  assert.throws(() => s.getpeername(), notconn);
  const pipe = isError(BrokenPipeError, 32, "[Errno 32] Broken pipe");
  await assert.rejects(s.send("x"), pipe);
  await assert.rejects(s.sendall("x"), pipe);
  await assert.rejects(s.sendto("x", [LOOP, 9]), pipe);
  // recv(0) returns empty at once, even unconnected (as in Python).
  assert.equal((await s.recv(0)).length, 0);
  // A bound (not listening, not connected) socket behaves the same.
  using b = socket();
  await b.bind([LOOP, 0]);
  await assert.rejects(b.recv(1), notconn);
  await assert.rejects(b.send("x"), pipe);
});

test("tcp errors: getsockopt/setsockopt: ENOPROTOOPT (92) and EOPNOTSUPP (95)", () => {
  using s = socket();
  const noproto = isError(OSError, 92, "[Errno 92] Protocol not available");
  assert.throws(() => s.getsockopt(SOL_SOCKET, 9999), noproto);
  assert.throws(() => s.setsockopt(SOL_SOCKET, 9999, 1), noproto);
  assert.throws(() => s.getsockopt(IPPROTO_TCP, 9999), noproto);
  assert.throws(() => s.setsockopt(9999, 1, 1), noproto);
  const notsup = isError(OSError, 95, "[Errno 95] Operation not supported");
  assert.throws(() => s.getsockopt(9999, 1), notsup);
  assert.throws(() => s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), notsup);
  using s6 = socket(AF_INET6);
  assert.throws(() => s6.getsockopt(9999, 1), noproto);
  assert.throws(() => s6.getsockopt(IPPROTO_IPV6, 9999), noproto);
  assert.equal(s6.getsockopt(IPPROTO_TCP, TCP_NODELAY), 0);
});

test("tcp errors: every call after close() is EBADF (9)", async () => {
  const s = socket();
  s.close();
  s.close(); // idempotent
  assert.equal(s.fileno(), -1);
  const badf = isError(OSError, 9, "[Errno 9] Bad file descriptor");
  await assert.rejects(s.recv(1), badf);
  await assert.rejects(s.recv_into(new Uint8Array(1)), badf);
  await assert.rejects(s.recvfrom(1), badf);
  await assert.rejects(s.recvfrom_into(new Uint8Array(1)), badf);
  await assert.rejects(s.send("x"), badf);
  await assert.rejects(s.sendall("x"), badf);
  await assert.rejects(s.sendto("x", [LOOP, 9]), badf);
  await assert.rejects(s.bind([LOOP, 0]), badf);
  await assert.rejects(s.accept(), badf);
  await assert.rejects(s.connect([LOOP, 1]), badf);
  await assert.rejects(s.shutdown(1), badf);
  assert.equal(await s.connect_ex([LOOP, 1]), 9);
  assert.throws(() => s.listen(), badf);
  assert.throws(() => s.getsockname(), badf);
  assert.throws(() => s.getpeername(), badf);
  assert.throws(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1), badf);
  assert.throws(() => s.getsockopt(SOL_SOCKET, SO_TYPE), badf);
  assert.throws(() => s.settimeout(1), badf);
  assert.throws(() => s.setblocking(false), badf);
  assert.throws(() => s.makefile("rb"), badf);
});

test("tcp errors: close() wakes pending calls with EBADF", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    const pendingRecv = conn.recv(10);
    const pendingAccept = srv.accept();
    conn.close();
    srv.close();
    await assert.rejects(pendingRecv, isError(OSError, 9));
    await assert.rejects(pendingAccept, isError(OSError, 9));
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
});

test("tcp errors: TimeoutError and BlockingIOError", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    conn.settimeout(0.02);
    await assert.rejects(conn.recv(10), isError(TimeoutError, null, "timed out"));
    conn.setblocking(false);
    await assert.rejects(
      conn.recv(10),
      isError(BlockingIOError, 11, "[Errno 11] Resource temporarily unavailable"),
    );
    srv.setblocking(false);
    await assert.rejects(srv.accept(), isError(BlockingIOError, 11));
    srv.settimeout(0.02);
    await assert.rejects(srv.accept(), isError(TimeoutError, null, "timed out"));
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
});

test("tcp errors: class hierarchy, names and aliases", async () => {
  assert.equal(error, OSError);
  assert.equal(timeout, TimeoutError);
  const port = await closedPort();
  using s = socket();
  const err = await s.connect([LOOP, port]).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ConnectionRefusedError);
  assert.ok(err instanceof ConnectionError);
  assert.ok(err instanceof OSError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, "ConnectionRefusedError");
  assert.equal(err.errno, 111);
  assert.equal(err.strerror, "Connection refused");
  assert.equal(String(err), "ConnectionRefusedError: [Errno 111] Connection refused");
  assert.ok(!(err instanceof gaierror));
  const t = new TimeoutError();
  assert.ok(t instanceof OSError && !(t instanceof ConnectionError));
  assert.equal(t.message, "timed out");
  assert.equal(t.errno, null);
  const g = new gaierror(-2, "Name or service not known");
  assert.ok(g instanceof OSError && !(g instanceof ConnectionError));
  assert.equal(g.message, "[Errno -2] Name or service not known");
});
