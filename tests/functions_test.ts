// The socket module's functions: look-ups, services, address and byte-order
// conversions, default timeout, create_connection/create_server/socketpair,
// and SOCK_RAW. Expected values were checked against CPython on Linux
// (python3 on this machine); values that depend on the machine (host name,
// fully qualified name) are asked from python3 at run time when it exists.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { hostname } from "node:os";
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_PASSIVE,
  ConnectionRefusedError,
  create_connection,
  create_server,
  gaierror,
  getaddrinfo,
  getdefaulttimeout,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  gethostname,
  getservbyname,
  getservbyport,
  has_dualstack_ipv6,
  has_ipv6,
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  IPPROTO_TCP,
  ntohl,
  ntohs,
  OSError,
  setdefaulttimeout,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  socket,
  socketpair,
  SOL_SOCKET,
} from "unisock";
import { closedPort, dec, isError } from "./_helpers.ts";

const LOOP = "127.0.0.1";
const bytes = (...b: number[]) => new Uint8Array(b);
const hex = (h: string) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));

/** What python3 prints for `code`, or null when python3 is not there. */
function python(code: string): string | null {
  try {
    return execFileSync("python3", ["-c", `import socket\n${code}`], {
      encoding: "utf8",
      timeout: 10_000,
    }).trim();
  } catch {
    return null;
  }
}

// ---- getaddrinfo ---------------------------------------------------------------------

test("getaddrinfo: numeric hosts, names, services, families and types", async () => {
  assert.deepEqual(await getaddrinfo("localhost", 80, AF_INET, SOCK_STREAM), [
    [AF_INET, SOCK_STREAM, IPPROTO_TCP, "", ["127.0.0.1", 80]],
  ]);
  // Type 0 lists stream, datagram and raw.
  assert.deepEqual(await getaddrinfo(LOOP, 80, AF_INET), [
    [AF_INET, SOCK_STREAM, 6, "", [LOOP, 80]],
    [AF_INET, SOCK_DGRAM, 17, "", [LOOP, 80]],
    [AF_INET, SOCK_RAW, 0, "", [LOOP, 80]],
  ]);
  // A named service only for the protocols it has.
  assert.deepEqual(await getaddrinfo(LOOP, "domain", AF_INET), [
    [AF_INET, SOCK_STREAM, 6, "", [LOOP, 53]],
    [AF_INET, SOCK_DGRAM, 17, "", [LOOP, 53]],
  ]);
  assert.deepEqual(await getaddrinfo(LOOP, "http", 0, SOCK_STREAM), [[AF_INET, SOCK_STREAM, 6, "", [
    LOOP,
    80,
  ]]]);
  assert.deepEqual(await getaddrinfo(LOOP, "8080", AF_INET, SOCK_STREAM), [
    [AF_INET, SOCK_STREAM, 6, "", [LOOP, 8080]],
  ]);
  assert.deepEqual(await getaddrinfo(LOOP, 80, AF_INET, 0, IPPROTO_TCP), [[
    AF_INET,
    SOCK_STREAM,
    6,
    "",
    [LOOP, 80],
  ]]);
  assert.deepEqual(await getaddrinfo("::1", 443, 0, SOCK_STREAM), [[AF_INET6, SOCK_STREAM, 6, "", [
    "::1",
    443,
    0,
    0,
  ]]]);
  assert.deepEqual(await getaddrinfo("::ffff:127.0.0.1", 80, AF_INET6, SOCK_STREAM), [
    [AF_INET6, SOCK_STREAM, 6, "", ["::ffff:127.0.0.1", 80, 0, 0]],
  ]);
  // Port: null or "" is 0; a number keeps its low 16 bits (Python passes it as text).
  assert.deepEqual(await getaddrinfo("localhost", null, AF_INET, SOCK_STREAM), [[
    AF_INET,
    SOCK_STREAM,
    6,
    "",
    [LOOP, 0],
  ]]);
  assert.deepEqual(await getaddrinfo("localhost", "", AF_INET, SOCK_STREAM), [[
    AF_INET,
    SOCK_STREAM,
    6,
    "",
    [LOOP, 0],
  ]]);
  assert.deepEqual(await getaddrinfo(LOOP, 70000, AF_INET, SOCK_STREAM), [[
    AF_INET,
    SOCK_STREAM,
    6,
    "",
    [LOOP, 4464],
  ]]);
  assert.deepEqual(await getaddrinfo("LOCALHOST", 80, AF_INET, SOCK_STREAM), [[
    AF_INET,
    SOCK_STREAM,
    6,
    "",
    [LOOP, 80],
  ]]);
});

test("getaddrinfo: host null is loopback (IPv6 first), or the wildcard with AI_PASSIVE (IPv4 first)", async () => {
  assert.deepEqual(await getaddrinfo(null, 5, 0, SOCK_STREAM), [
    [AF_INET6, SOCK_STREAM, 6, "", ["::1", 5, 0, 0]],
    [AF_INET, SOCK_STREAM, 6, "", [LOOP, 5]],
  ]);
  assert.deepEqual(await getaddrinfo(null, 5, 0, SOCK_STREAM, 0, AI_PASSIVE), [
    [AF_INET, SOCK_STREAM, 6, "", ["0.0.0.0", 5]],
    [AF_INET6, SOCK_STREAM, 6, "", ["::", 5, 0, 0]],
  ]);
  assert.deepEqual(await getaddrinfo(null, 0, AF_INET, SOCK_STREAM), [[
    AF_INET,
    SOCK_STREAM,
    6,
    "",
    [LOOP, 0],
  ]]);
  assert.deepEqual(await getaddrinfo(null, 0, AF_INET, SOCK_STREAM, 0, AI_PASSIVE), [
    [AF_INET, SOCK_STREAM, 6, "", ["0.0.0.0", 0]],
  ]);
});

test("getaddrinfo: errors are gaierror with glibc's texts", async () => {
  const noname = isError(gaierror, -2, "[Errno -2] Name or service not known");
  await assert.rejects(getaddrinfo("nonexistent.invalid", 80), noname);
  await assert.rejects(getaddrinfo(null, null), noname);
  await assert.rejects(getaddrinfo("", 5, AF_INET, SOCK_STREAM), noname);
  const service = isError(gaierror, -8, "[Errno -8] Servname not supported for ai_socktype");
  await assert.rejects(getaddrinfo("localhost", "nosuchservice"), service);
  await assert.rejects(getaddrinfo("localhost", -1), service);
  await assert.rejects(getaddrinfo(LOOP, "http", AF_INET, SOCK_DGRAM), service);
  const family = isError(gaierror, -9, "[Errno -9] Address family for hostname not supported");
  await assert.rejects(getaddrinfo(LOOP, 80, AF_INET6), family);
  await assert.rejects(getaddrinfo("::1", 80, AF_INET), family);
  await assert.rejects(
    getaddrinfo("localhost", 80, 99),
    isError(gaierror, -6, "[Errno -6] ai_family not supported"),
  );
  await assert.rejects(
    getaddrinfo("localhost", 1.5),
    isError(OSError, null, "Int or String expected"),
  );
  await assert.rejects(
    getaddrinfo(1 as unknown as string, 80),
    isError(TypeError, undefined, "getaddrinfo() argument 1 must be string or None"),
  );
});

// ---- host look-ups --------------------------------------------------------------------

test("gethostbyname and gethostbyname_ex", async () => {
  assert.equal(await gethostbyname("localhost"), LOOP);
  assert.equal(await gethostbyname(LOOP), LOOP);
  assert.equal(await gethostbyname(""), "0.0.0.0");
  assert.equal(await gethostbyname("127.1"), LOOP);
  await assert.rejects(
    gethostbyname("nonexistent.invalid"),
    isError(gaierror, -2, "[Errno -2] Name or service not known"),
  );
  await assert.rejects(
    gethostbyname("::1"),
    isError(gaierror, -9, "[Errno -9] Address family for hostname not supported"),
  );
  await assert.rejects(
    gethostbyname(1 as unknown as string),
    isError(
      TypeError,
      undefined,
      "gethostbyname() argument 1 must be str, bytes or bytearray, not int",
    ),
  );
  assert.deepEqual(await gethostbyname_ex("localhost"), ["localhost", [], [LOOP]]);
  assert.deepEqual(await gethostbyname_ex(LOOP), [LOOP, [], [LOOP]]);
  await assert.rejects(gethostbyname_ex("nonexistent.invalid"), isError(gaierror, -2));
  await assert.rejects(
    gethostbyname_ex(1 as unknown as string),
    isError(
      TypeError,
      undefined,
      "gethostbyname_ex() argument 1 must be str, bytes or bytearray, not int",
    ),
  );
});

test("gethostbyaddr, gethostname and getfqdn agree with python3", async () => {
  const [name, aliases, addrs] = await gethostbyaddr(LOOP);
  assert.deepEqual(addrs, [LOOP]);
  assert.ok(Array.isArray(aliases));
  assert.equal(gethostname(), hostname());
  const pyName = python("print(socket.gethostbyaddr('127.0.0.1')[0])");
  if (pyName !== null) assert.equal(name, pyName);
  const pyHost = python("print(socket.gethostname())");
  if (pyHost !== null) assert.equal(gethostname(), pyHost);
  const pyFqdn = python("print(socket.getfqdn())");
  if (pyFqdn !== null) assert.equal(await getfqdn(), pyFqdn);
  const pyLocal = python("print(socket.getfqdn('127.0.0.1'))");
  if (pyLocal !== null) assert.equal(await getfqdn(LOOP), pyLocal);
  assert.deepEqual((await gethostbyaddr("localhost"))[2], [LOOP]);
  // Unknown names stay as given; unknown addresses are herror(1).
  assert.equal(await getfqdn("nonexistent.invalid"), "nonexistent.invalid");
  await assert.rejects(gethostbyaddr("nonexistent.invalid"), isError(gaierror, -2));
  await assert.rejects(
    gethostbyaddr(1 as unknown as string),
    isError(
      TypeError,
      undefined,
      "gethostbyaddr() argument 1 must be str, bytes or bytearray, not int",
    ),
  );
  const err = await gethostbyaddr("192.0.2.1").then(() => null, (e: unknown) => e);
  assert.ok(err instanceof OSError && err.constructor.name === "herror", String(err));
  assert.equal(err.errno, 1);
  assert.equal(err.message, "[Errno 1] Unknown host");
});

// ---- services ---------------------------------------------------------------------

test("getservbyname and getservbyport", async () => {
  assert.equal(await getservbyname("http", "tcp"), 80);
  assert.equal(await getservbyname("http"), 80);
  assert.equal(await getservbyname("www", "tcp"), 80);
  assert.equal(await getservbyname("domain", "udp"), 53);
  assert.equal(await getservbyname("ssh"), 22);
  const noservice = isError(OSError, null, "service/proto not found");
  await assert.rejects(getservbyname("nosuch"), noservice);
  await assert.rejects(getservbyname("http", "udp"), noservice);
  await assert.rejects(
    getservbyname(80 as unknown as string),
    isError(TypeError, undefined, "getservbyname() argument 1 must be str, not int"),
  );
  assert.equal(await getservbyport(80), "http");
  assert.equal(await getservbyport(53, "udp"), "domain");
  assert.equal(await getservbyport(22), "ssh");
  assert.equal(await getservbyport(1), "tcpmux");
  const noport = isError(OSError, null, "port/proto not found");
  await assert.rejects(getservbyport(65535), noport);
  await assert.rejects(getservbyport(80, "udp"), noport);
  const range = isError(RangeError, undefined, "getservbyport: port must be 0-65535.");
  await assert.rejects(getservbyport(-1), range);
  await assert.rejects(getservbyport(70000), range);
  await assert.rejects(
    getservbyport("80" as unknown as number),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
});

// ---- address text and byte order --------------------------------------------------------

test("inet_aton and inet_ntoa", () => {
  assert.deepEqual(inet_aton("127.0.0.1"), bytes(127, 0, 0, 1));
  assert.deepEqual(inet_aton("127.1"), bytes(127, 0, 0, 1));
  assert.deepEqual(inet_aton("0x7f.1"), bytes(127, 0, 0, 1));
  assert.deepEqual(inet_aton("1"), bytes(0, 0, 0, 1));
  assert.deepEqual(inet_aton("1.2.3.4 junk"), bytes(1, 2, 3, 4));
  assert.deepEqual(inet_aton("4294967295"), bytes(255, 255, 255, 255));
  const bad = isError(OSError, null, "illegal IP address string passed to inet_aton");
  for (const s of ["256.1.1.1", "a.b.c.d", "", "4294967296"]) {
    assert.throws(() => inet_aton(s), bad, s);
  }
  assert.throws(
    () => inet_aton(1 as unknown as string),
    isError(TypeError, undefined, "inet_aton() argument 1 must be str, not int"),
  );
  assert.equal(inet_ntoa(bytes(10, 0, 0, 1)), "10.0.0.1");
  assert.throws(
    () => inet_ntoa(bytes(10, 0, 0)),
    isError(OSError, null, "packed IP wrong length for inet_ntoa"),
  );
  assert.throws(
    () => inet_ntoa("abcd" as unknown as Uint8Array),
    isError(TypeError, undefined, "a bytes-like object is required, not 'str'"),
  );
});

test("inet_pton and inet_ntop", () => {
  assert.deepEqual(inet_pton(AF_INET, "1.2.3.4"), bytes(1, 2, 3, 4));
  assert.deepEqual(inet_pton(AF_INET6, "::1"), hex("00000000000000000000000000000001"));
  assert.deepEqual(inet_pton(AF_INET6, "::ffff:1.2.3.4"), hex("00000000000000000000ffff01020304"));
  assert.deepEqual(
    inet_pton(AF_INET6, "2001:db8::8:800:200c:417a"),
    hex("20010db80000000000080800200c417a"),
  );
  const bad = isError(OSError, null, "illegal IP address string passed to inet_pton");
  assert.throws(() => inet_pton(AF_INET, "127.1"), bad);
  assert.throws(() => inet_pton(AF_INET6, "1:::2"), bad);
  assert.throws(
    () => inet_pton(99, "1.2.3.4"),
    isError(OSError, 97, "[Errno 97] Address family not supported by protocol"),
  );
  assert.equal(inet_ntop(AF_INET, bytes(1, 2, 3, 4)), "1.2.3.4");
  assert.equal(inet_ntop(AF_INET6, hex("00000000000000000000000000000001")), "::1");
  assert.equal(inet_ntop(AF_INET6, new Uint8Array(16)), "::");
  assert.equal(inet_ntop(AF_INET6, hex("00000000000000000000ffff01020304")), "::ffff:1.2.3.4");
  assert.equal(
    inet_ntop(AF_INET6, hex("20010db80000000000080800200c417a")),
    "2001:db8::8:800:200c:417a",
  );
  assert.equal(inet_ntop(AF_INET6, hex("00010000000100000000000000000001")), "1:0:1::1");
  assert.equal(inet_ntop(AF_INET6, hex("00010000000100010001000100010001")), "1:0:1:1:1:1:1:1");
  const len = isError(RangeError, undefined, "invalid length of packed IP address string");
  assert.throws(() => inet_ntop(AF_INET, bytes(1, 2, 3)), len);
  assert.throws(() => inet_ntop(AF_INET6, bytes(1, 2, 3)), len);
  assert.throws(
    () => inet_ntop(99, bytes(1, 2, 3, 4)),
    isError(RangeError, undefined, "unknown address family 99"),
  );
});

test("htons, ntohs, htonl, ntohl", () => {
  assert.deepEqual([htons(1), ntohs(256), htons(0x1234), htons(65535)], [256, 1, 13330, 65535]);
  assert.deepEqual([htonl(1), ntohl(16777216), htonl(0x12345678), htonl(2 ** 32 - 1)], [
    16777216,
    1,
    2018915346,
    4294967295,
  ]);
  assert.throws(
    () => htons(-1),
    isError(
      RangeError,
      undefined,
      "htons: can't convert negative Python int to C 16-bit unsigned integer",
    ),
  );
  assert.throws(
    () => htons(65536),
    isError(
      RangeError,
      undefined,
      "htons: Python int too large to convert to C 16-bit unsigned integer",
    ),
  );
  assert.throws(
    () => ntohs(-1),
    isError(
      RangeError,
      undefined,
      "ntohs: can't convert negative Python int to C 16-bit unsigned integer",
    ),
  );
  assert.throws(
    () => htonl(-1),
    isError(RangeError, undefined, "can't convert negative value to unsigned int"),
  );
  assert.throws(() => htonl(2 ** 32), isError(RangeError, undefined, "int larger than 32 bits"));
  assert.throws(() => ntohl(2 ** 32), isError(RangeError, undefined, "int larger than 32 bits"));
  assert.throws(
    () => htons(1.5),
    isError(TypeError, undefined, "'float' object cannot be interpreted as an integer"),
  );
  assert.throws(
    () => htons("1" as unknown as number),
    isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
  );
});

// ---- default timeout, capabilities ------------------------------------------------------

test("getdefaulttimeout / setdefaulttimeout", () => {
  assert.equal(getdefaulttimeout(), null);
  try {
    setdefaulttimeout(1.5);
    assert.equal(getdefaulttimeout(), 1.5);
    using s = socket();
    assert.equal(s.gettimeout(), 1.5);
    setdefaulttimeout(0);
    using nb = socket();
    assert.equal(nb.getblocking(), false);
    assert.throws(
      () => setdefaulttimeout(-1),
      isError(RangeError, undefined, "Timeout value out of range"),
    );
    assert.throws(
      () => setdefaulttimeout("x" as unknown as number),
      isError(TypeError, undefined, "'str' object cannot be interpreted as an integer"),
    );
    assert.equal(getdefaulttimeout(), 0);
  } finally {
    setdefaulttimeout(null);
  }
  assert.equal(getdefaulttimeout(), null);
});

test("has_ipv6, has_dualstack_ipv6 and SOCK_RAW", () => {
  assert.equal(has_ipv6, true);
  assert.equal(has_dualstack_ipv6(), true);
  const err = (() => {
    try {
      socket(AF_INET, SOCK_RAW, 1);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof OSError && err.constructor === OSError);
  assert.equal(err.errno, 93);
  assert.match(err.message, /^\[Errno 93\] Protocol not supported/);
  assert.match(err.message, /raw sockets/);
  assert.throws(() => socket(AF_INET6, SOCK_RAW), isError(OSError, 93));
});

test("socket types Linux knows but no runtime offers, and unknown ones (as CPython)", () => {
  // CPython on Linux: SOCK_RDM (4) and SOCK_SEQPACKET (5) over IP give ESOCKTNOSUPPORT,
  // an unknown type EINVAL; AF_UNIX SOCK_SEQPACKET exists there, here it names the reason.
  for (const family of [AF_INET, AF_INET6, AF_UNIX]) {
    assert.throws(() => socket(family, 4), isError(OSError, 94));
    assert.throws(() => socket(family, 99), isError(OSError, 22));
  }
  assert.throws(() => socket(AF_INET, 5), isError(OSError, 94));
  assert.throws(() => socket(AF_INET6, 5), isError(OSError, 94));
  const err = (() => {
    try {
      socket(AF_UNIX, 5);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof OSError);
  assert.equal(err.errno, 94);
  assert.match(err.message, /^\[Errno 94\] Socket type not supported: AF_UNIX SOCK_SEQPACKET/);
  assert.match(err.message, /(deno|bun|node)/);
});

// ---- create_connection, create_server, socketpair ---------------------------------------

test("create_connection: connects by name, with timeout and source address", async () => {
  using srv = await create_server([LOOP, 0]);
  const port = srv.getsockname()[1];
  using a = await create_connection(["localhost", port]);
  assert.deepEqual(a.getpeername(), [LOOP, port]);
  assert.equal(a.gettimeout(), null);
  using b = await create_connection([LOOP, port], 5);
  assert.equal(b.gettimeout(), 5);
  using c = await create_connection([LOOP, port], null, [LOOP, 0]);
  assert.equal(c.getsockname()[0], LOOP);
  for (let i = 0; i < 3; i++) (await srv.accept())[0].close();
  await assert.rejects(
    create_connection([LOOP, await closedPort()]),
    isError(ConnectionRefusedError, 111, "[Errno 111] Connection refused"),
  );
  await assert.rejects(create_connection(["nonexistent.invalid", 80]), isError(gaierror, -2));
});

test("create_server: SO_REUSEADDR, backlog, IPv6, and its argument checks", async () => {
  using srv = await create_server([LOOP, 0], { backlog: 5 });
  assert.equal(srv.getsockopt(SOL_SOCKET, SO_REUSEADDR), 1);
  assert.equal(srv.family, AF_INET);
  assert.equal(srv.type, SOCK_STREAM);
  assert.equal(srv.getsockname()[0], LOOP);
  using c = await create_connection(srv.getsockname());
  const [conn] = await srv.accept();
  using _conn = conn;
  await c.sendall("hi");
  assert.equal(dec(await conn.recv(2)), "hi");

  using s6 = await create_server(["::1", 0], { family: AF_INET6 });
  const addr = s6.getsockname();
  assert.equal(addr.length, 4);
  assert.equal(addr[0], "::1");
  using c6 = socket(AF_INET6);
  await c6.connect(["::1", addr[1]]);
  (await s6.accept())[0].close();

  await assert.rejects(
    create_server([LOOP, 0], { dualstack_ipv6: true }),
    isError(RangeError, undefined, "dualstack_ipv6 requires AF_INET6 family"),
  );
  // The port is taken by srv.
  await assert.rejects(create_server(srv.getsockname()), isError(OSError, 98));
});

test("socketpair: two connected unix stream sockets", async () => {
  const [a, b] = await socketpair();
  try {
    assert.equal(a.family, AF_UNIX);
    assert.equal(a.type, SOCK_STREAM);
    assert.equal(b.family, AF_UNIX);
    assert.equal(a.gettimeout(), null);
    await a.sendall("ping");
    assert.equal(dec(await b.recv(4)), "ping");
    await b.sendall("pong");
    assert.equal(dec(await a.recv(4)), "pong");
  } finally {
    a.close();
    b.close();
  }
  try {
    setdefaulttimeout(2);
    const [c, d] = await socketpair();
    assert.equal(c.gettimeout(), 2);
    assert.equal(d.gettimeout(), 2);
    c.close();
    d.close();
  } finally {
    setdefaulttimeout(null);
  }
});
