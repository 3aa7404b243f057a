// AF_INET6 stream sockets over ::1: 4-item names, 2- to 4-item addresses,
// address checks with Python's wording, IPV6_V6ONLY, IPv4-mapped peers and
// create_server(..., {dualstack_ipv6: true}). UDP over IPv6 is covered in
// udp_test.ts. Expectations checked against CPython 3.11 on Linux.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  ConnectionRefusedError,
  create_connection,
  create_server,
  gaierror,
  getaddrinfo,
  has_dualstack_ipv6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  OSError,
  SOCK_STREAM,
  type Socket,
  socket,
} from "unisock";
import { dec, isError, RUNTIME } from "./_helpers.ts";

/** The port of a bound socket. */
function portOf(s: Socket): number {
  return (s.getsockname() as readonly unknown[])[1] as number;
}

/** Closes every socket given. */
function closeAll(...socks: (Socket | null)[]): void {
  for (const s of socks) s?.close();
}

/** Connects `cli` to `address` while `srv` accepts; returns the accepted socket and its address. */
async function connectPair(
  srv: Socket,
  cli: Socket,
  address: Parameters<Socket["connect"]>[0],
): Promise<[Socket, unknown]> {
  srv.settimeout(2);
  cli.settimeout(2);
  const [[conn, addr]] = await Promise.all([srv.accept(), cli.connect(address)]);
  return [conn, addr];
}

test("ipv6: names are [host, port, flowinfo, scope_id]", async () => {
  const srv = socket(AF_INET6, SOCK_STREAM);
  const cli = socket(AF_INET6, SOCK_STREAM);
  let conn: Socket | null = null;
  try {
    assert.deepEqual(srv.getsockname(), ["::", 0, 0, 0]);
    await srv.bind(["::1", 0]);
    const port = portOf(srv);
    assert.deepEqual(srv.getsockname(), ["::1", port, 0, 0]);
    srv.listen();
    const [c, addr] = await connectPair(srv, cli, ["::1", port]);
    conn = c;
    const cport = portOf(cli);
    assert.deepEqual(addr, ["::1", cport, 0, 0]);
    assert.deepEqual(cli.getsockname(), ["::1", cport, 0, 0]);
    assert.deepEqual(cli.getpeername(), ["::1", port, 0, 0]);
    assert.deepEqual(conn.getsockname(), ["::1", port, 0, 0]);
    assert.deepEqual(conn.getpeername(), ["::1", cport, 0, 0]);
    assert.equal(conn.family, AF_INET6);
    await cli.sendall("over ::1");
    conn.settimeout(2);
    assert.equal(dec(await conn.recv(100)), "over ::1");
  } finally {
    closeAll(cli, conn, srv);
  }
});

test("ipv6: 2-, 3- and 4-item addresses are accepted; others rejected as in Python", async () => {
  const srv = socket(AF_INET6);
  const socks: Socket[] = [srv];
  try {
    await srv.bind(["::1", 0, 0, 0]);
    srv.listen();
    const port = portOf(srv);
    for (const address of [["::1", port], ["::1", port, 0], ["::1", port, 0, 0]] as const) {
      const cli = socket(AF_INET6);
      socks.push(cli);
      const [conn] = await connectPair(srv, cli, address);
      socks.push(conn);
      assert.deepEqual(cli.getpeername(), ["::1", port, 0, 0]);
    }
    const s = socket(AF_INET6);
    socks.push(s);
    const shape = "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])";
    await assert.rejects(s.connect(["::1"] as unknown as [string, number]), {
      name: "TypeError",
      message: shape,
    });
    await assert.rejects(
      s.connect(["::1", port, 0, 0, 0] as unknown as [string, number]),
      { name: "TypeError", message: shape },
    );
    await assert.rejects(s.connect(["::1", port, -1, 0]), {
      name: "RangeError",
      message: "connect(): flowinfo must be 0-1048575.",
    });
    await assert.rejects(s.connect(["::1", port, 0x100000, 0]), {
      name: "RangeError",
      message: "connect(): flowinfo must be 0-1048575.",
    });
    await assert.rejects(s.connect(["::1", 70000]), {
      name: "RangeError",
      message: "connect(): port must be 0-65535.",
    });
    await assert.rejects(s.connect(["127.0.0.1", port]), isError(gaierror, -9));
    await assert.rejects(s.bind(["127.0.0.1", 0]), isError(gaierror, -9));
    const v4 = socket(AF_INET);
    socks.push(v4);
    await assert.rejects(v4.connect(["::1", port]), isError(gaierror, -9));
    // @ts-expect-error: a 4-item address on an AF_INET socket is refused at run time too
    await assert.rejects(v4.connect(["::1", port, 0, 0]), TypeError);
  } finally {
    closeAll(...socks);
  }
});

test("ipv6: refused, create_connection and getaddrinfo over ::1", async () => {
  const probe = socket(AF_INET6);
  await probe.bind(["::1", 0]);
  const closed = portOf(probe);
  probe.close();
  const s = socket(AF_INET6);
  try {
    s.settimeout(2);
    await assert.rejects(s.connect(["::1", closed]), isError(ConnectionRefusedError, 111));
    const t = socket(AF_INET6);
    assert.equal(await t.connect_ex(["::1", closed]), 111);
    t.close();
  } finally {
    s.close();
  }
  const srv = await create_server(["::1", 0], { family: AF_INET6 });
  try {
    const port = portOf(srv);
    const infos = await getaddrinfo("::1", port, AF_INET6, SOCK_STREAM);
    assert.deepEqual(infos[0], [AF_INET6, SOCK_STREAM, 6, "", ["::1", port, 0, 0]]);
    const cli = await create_connection(["::1", port], 2);
    srv.settimeout(2);
    const [conn, addr] = await srv.accept();
    assert.equal(cli.family, AF_INET6);
    assert.deepEqual(cli.getpeername(), ["::1", port, 0, 0]);
    assert.deepEqual(addr, cli.getsockname());
    closeAll(cli, conn);
  } finally {
    srv.close();
  }
});

test("ipv6: an AF_INET6 socket reaches an IPv4 listener through ::ffff:127.0.0.1", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket(AF_INET6);
  let conn: Socket | null = null;
  try {
    const port = portOf(srv);
    const [c, addr] = await connectPair(srv, cli, ["::ffff:127.0.0.1", port]);
    conn = c;
    assert.deepEqual(cli.getpeername(), ["::ffff:127.0.0.1", port, 0, 0]);
    assert.equal((cli.getsockname() as readonly unknown[])[0], "::ffff:127.0.0.1");
    assert.deepEqual(addr, ["127.0.0.1", portOf(cli)]);
  } finally {
    closeAll(cli, conn, srv);
  }
});

test("ipv6: create_server(dualstack_ipv6) accepts 127.0.0.1 and ::1 clients", async () => {
  assert.equal(has_dualstack_ipv6(), true);
  const srv = await create_server(["::", 0], { family: AF_INET6, dualstack_ipv6: true });
  const socks: Socket[] = [srv];
  try {
    assert.equal(srv.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 0);
    const port = portOf(srv);
    assert.deepEqual(srv.getsockname(), ["::", port, 0, 0]);
    // An IPv4 client appears as ::ffff:127.0.0.1.
    const c4 = socket(AF_INET);
    socks.push(c4);
    const [conn4, addr4] = await connectPair(srv, c4, ["127.0.0.1", port]);
    socks.push(conn4);
    assert.deepEqual(addr4, ["::ffff:127.0.0.1", portOf(c4), 0, 0]);
    assert.deepEqual(conn4.getsockname(), ["::ffff:127.0.0.1", port, 0, 0]);
    assert.deepEqual(c4.getpeername(), ["127.0.0.1", port]);
    const c6 = socket(AF_INET6);
    socks.push(c6);
    const [conn6, addr6] = await connectPair(srv, c6, ["::1", port]);
    socks.push(conn6);
    assert.deepEqual(addr6, ["::1", portOf(c6), 0, 0]);
    // Both talk.
    await c4.sendall("v4");
    await c6.sendall("v6");
    conn4.settimeout(2);
    conn6.settimeout(2);
    assert.equal(dec(await conn4.recv(10)), "v4");
    assert.equal(dec(await conn6.recv(10)), "v6");
    await assert.rejects(create_server(["", 0], { dualstack_ipv6: true }), {
      name: "RangeError",
      message: "dualstack_ipv6 requires AF_INET6 family",
    });
  } finally {
    closeAll(...socks);
  }
});

test("ipv6: IPV6_V6ONLY on stream sockets", async () => {
  const s = socket(AF_INET6);
  const v4 = socket(AF_INET);
  try {
    assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 0);
    s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
    assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
    assert.throws(() => v4.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1), isError(OSError, 92));
    if (RUNTIME === "deno") {
      // Deno cannot make a TCP listener IPv6-only: the core refuses rather
      // than listen dual-stack behind the caller's back.
      await assert.rejects(s.bind(["::", 0]), (e: unknown) => {
        assert.ok(e instanceof OSError);
        assert.equal(e.errno, 92);
        assert.match(
          e.message,
          /^\[Errno 92\] IPV6_V6ONLY is not available for stream sockets on deno: /,
        );
        return true;
      });
      // A specific address is unaffected.
      await s.bind(["::1", 0]);
      return;
    }
    await s.bind(["::", 0]);
    s.listen();
    const port = portOf(s);
    const c4 = socket(AF_INET);
    c4.settimeout(2);
    await assert.rejects(c4.connect(["127.0.0.1", port]), isError(ConnectionRefusedError, 111));
    c4.close();
    // The IPv4 side of the port is free.
    await v4.bind(["127.0.0.1", port]);
    assert.deepEqual(v4.getsockname(), ["127.0.0.1", port]);
  } finally {
    closeAll(s, v4);
  }
});

test("ipv6: create_server without dualstack_ipv6 is IPv6-only where the runtime allows", async () => {
  const srv = await create_server(["::", 0], { family: AF_INET6 });
  const c4 = socket(AF_INET);
  c4.settimeout(2);
  let conn: Socket | null = null;
  try {
    const port = portOf(srv);
    if (RUNTIME === "deno") {
      // As Python where IPV6_V6ONLY cannot be set: the server stays dual-stack.
      assert.equal(srv.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 0);
      [conn] = await connectPair(srv, c4, ["127.0.0.1", port]);
    } else {
      assert.equal(srv.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 1);
      await assert.rejects(c4.connect(["127.0.0.1", port]), isError(ConnectionRefusedError, 111));
    }
  } finally {
    closeAll(c4, conn, srv);
  }
});
