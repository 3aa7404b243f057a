// SSLContext.wrap_socket and SSLSocket: unisock against itself, CPython's
// ssl module, curl and openssl, on loopback, with the certificates in
// tests/fixtures/tls/ (made by scripts/make_test_certs.sh).

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import {
  create_connection,
  create_server,
  SOCK_DGRAM,
  type Socket,
  socket,
  TimeoutError,
} from "unisock";
import { select } from "unisock/select";
import { DefaultSelector, EVENT_READ } from "unisock/selectors";
import { StreamRequestHandler, TCPServer } from "unisock/socketserver";
import {
  CERT_NONE,
  CERT_REQUIRED,
  create_default_context,
  OSError,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLError,
  type SSLSocket,
} from "unisock/ssl";
import { dec, enc, eventually, hasPython, osFdCount, RUNTIME } from "./_helpers.ts";

const F = join(import.meta.dirname!, "fixtures", "tls");
const f = (name: string) => join(F, name);

function serverContext(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(f("server.pem"), f("server.key"));
  return ctx;
}

function clientContext(): SSLContext {
  return create_default_context(Purpose.SERVER_AUTH, { cafile: f("ca.pem") });
}

/** A listening TLS socket on 127.0.0.1 and its port. */
async function tlsListener(ctx = serverContext()): Promise<[SSLSocket, number]> {
  const srv = await create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  return [await ctx.wrap_socket(srv, { server_side: true }), port];
}

/** A connected TLS pair in one process: `[client, accepted]`. */
async function tlsPair(
  cctx = clientContext(),
  sctx = serverContext(),
  host: string | null = "localhost",
): Promise<[SSLSocket, SSLSocket, SSLSocket]> {
  const [srv, port] = await tlsListener(sctx);
  const cli = await cctx.wrap_socket(socket(), { server_hostname: host });
  try {
    const [, [conn]] = await Promise.all([cli.connect(["127.0.0.1", port]), srv.accept()]);
    return [srv, cli, conn];
  } catch (err) {
    cli.close();
    srv.close();
    throw err;
  }
}

function closeAll(...socks: (Socket | null | undefined)[]): void {
  for (const s of socks) s?.close();
}

async function recvAll(s: Socket, limit = 1 << 20): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (let i = 0; i < 10_000 && n < limit; i++) {
    const b = await s.recv(65536);
    if (b.length === 0) break;
    parts.push(b);
    n += b.length;
  }
  return Buffer.concat(parts);
}

const verifyFailed = (code: number, message: string) => (e: unknown) => {
  assert.ok(e instanceof SSLCertVerificationError, String(e));
  assert.equal(e.verify_code, code);
  assert.equal(e.verify_message, message);
  assert.equal(
    e.message,
    `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${message}`,
  );
  return true;
};

describe("unisock client and server in one process", () => {
  test("echo, session details and peer certificate", async () => {
    const [srv, cli, conn] = await tlsPair();
    try {
      await cli.sendall("hello tls");
      assert.equal(dec(await conn.recv(100)), "hello tls");
      await conn.sendall("back");
      assert.equal(dec(await cli.recv(100)), "back");
      assert.equal(cli.version(), "TLSv1.3");
      assert.equal(conn.version(), "TLSv1.3");
      const [name, proto, bits] = cli.cipher()!;
      assert.match(name, /^TLS_/);
      assert.equal(proto, "TLSv1.3");
      assert.ok(bits === 128 || bits === 256);
      const cert = cli.getpeercert()!;
      assert.deepEqual(cert.subject.at(-1), [["commonName", "localhost"]]);
      assert.deepEqual(cert.subjectAltName, [["DNS", "localhost"], ["IP Address", "127.0.0.1"]]);
      assert.ok((cli.getpeercert(true) as Uint8Array).length > 100);
      assert.equal(conn.getpeercert(), null); // the client sent none
      assert.equal(cli.server_hostname, "localhost");
      assert.equal(cli.server_side, false);
      assert.equal(conn.server_side, true);
      assert.equal(cli.selected_alpn_protocol(), null);
      assert.ok(cli.fileno() >= 0);
      assert.match(String(cli), /^<ssl\.SSLSocket fd=/);
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("STARTTLS: wrapping connected sockets, bytes sent before stay plain", async () => {
    const lsn = await create_server(["127.0.0.1", 0]);
    const plain = await create_connection(lsn.getsockname() as [string, number]);
    const [acc] = await lsn.accept();
    let cli: SSLSocket | null = null, conn: SSLSocket | null = null;
    try {
      await acc.sendall("220 ready\r\n");
      assert.equal(dec(await plain.recv(100)), "220 ready\r\n");
      [cli, conn] = await Promise.all([
        clientContext().wrap_socket(plain, { server_hostname: "localhost" }),
        serverContext().wrap_socket(acc, { server_side: true }),
      ]);
      assert.equal(plain.fileno(), -1, "the original is taken over");
      await cli.sendall("EHLO\r\n");
      assert.equal(dec(await conn.recv(100)), "EHLO\r\n");
    } finally {
      closeAll(cli, conn, plain, acc, lsn);
    }
  });

  test("close sends close_notify: the peer reads EOF", async () => {
    const [srv, cli, conn] = await tlsPair();
    try {
      await cli.sendall("last words");
      cli.close();
      assert.equal(dec(await recvAll(conn)), "last words");
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("unwrap() refuses with OSError 95 naming the runtime; the TLS socket goes on", async () => {
    const [srv, cli, conn] = await tlsPair();
    try {
      await assert.rejects(cli.unwrap(), (e: OSError) => {
        assert.equal(e.errno, 95);
        assert.match(e.message, new RegExp(`unwrap\\(\\) is not available on ${RUNTIME}`));
        return true;
      });
      await cli.sendall("still TLS");
      assert.equal(dec(await conn.recv(100)), "still TLS");
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("ALPN", async () => {
    const cctx = clientContext();
    cctx.set_alpn_protocols(["h2", "http/1.1"]);
    const sctx = serverContext();
    sctx.set_alpn_protocols(["http/1.1"]);
    const [srv, cli, conn] = await tlsPair(cctx, sctx);
    try {
      assert.equal(cli.selected_alpn_protocol(), "http/1.1");
      assert.equal(conn.selected_alpn_protocol(), "http/1.1");
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("select and selectors see decrypted bytes", async () => {
    const [srv, cli, conn] = await tlsPair();
    const sel = new DefaultSelector();
    try {
      let [r] = await select([conn], [], [], 0);
      assert.deepEqual(r, []);
      await cli.sendall("x");
      [r] = await select([conn], [], [], 5);
      assert.deepEqual(r, [conn]);
      assert.equal(conn.pending(), 1);
      assert.equal(dec(await conn.recv(10)), "x");
      sel.register(cli, EVENT_READ);
      assert.deepEqual(await sel.select(0), []);
      await conn.sendall("y");
      const ready = await sel.select(5);
      assert.equal(ready.length, 1);
      assert.equal(dec(await cli.recv(10)), "y");
    } finally {
      sel.close();
      closeAll(cli, conn, srv);
    }
  });

  test("a timeout loses no decrypted bytes", async () => {
    const [srv, cli, conn] = await tlsPair();
    try {
      conn.settimeout(0.05);
      await assert.rejects(conn.recv(10), TimeoutError);
      await cli.sendall("late");
      conn.settimeout(5);
      assert.equal(dec(await conn.recv(10)), "late");
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("makefile reads lines over TLS", async () => {
    const [srv, cli, conn] = await tlsPair();
    const rf = conn.makefile("rb");
    try {
      await cli.sendall("one\ntwo\n");
      assert.equal(dec(await rf.readline()), "one\n");
      assert.equal(dec(await rf.readline()), "two\n");
    } finally {
      rf.close();
      closeAll(cli, conn, srv);
    }
  });

  test("100 MB each way arrive SHA-256 equal", async () => {
    const [srv, cli, conn] = await tlsPair();
    const total = 100 * 1024 * 1024;
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
    const sent = createHash("sha256");
    const got = createHash("sha256");
    try {
      const sender = (async () => {
        for (let n = 0; n < total; n += chunk.length) {
          chunk[0] = n >> 20;
          sent.update(chunk);
          await cli.sendall(chunk);
        }
        cli.close();
      })();
      const buf = new Uint8Array(256 * 1024);
      let n = 0;
      for (let i = 0; i < 1_000_000; i++) {
        const k = await conn.recv_into(buf);
        if (k === 0) break;
        got.update(buf.subarray(0, k));
        n += k;
      }
      await sender;
      assert.equal(n, total);
      assert.equal(got.digest("hex"), sent.digest("hex"));
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("do_handshake_on_connect=false: the first read handshakes", async () => {
    const [srv, port] = await tlsListener();
    const cli = await clientContext().wrap_socket(socket(), {
      server_hostname: "localhost",
      do_handshake_on_connect: false,
    });
    let conn: SSLSocket | null = null;
    try {
      await cli.connect(["127.0.0.1", port]);
      assert.equal(cli.version(), null);
      const accepting = srv.accept();
      await cli.do_handshake();
      [conn] = await accepting;
      assert.equal(cli.version(), "TLSv1.3");
    } finally {
      closeAll(cli, conn, srv);
    }
  });
});

describe("refusals", () => {
  test("unknown CA: SSLCertVerificationError with Python's message", async () => {
    const ctx = create_default_context(Purpose.SERVER_AUTH, { cafile: f("selfsigned.pem") });
    const [srv, port] = await tlsListener();
    const cli = socket();
    try {
      const accepting = srv.accept().catch((e) => e);
      const wrapped = await ctx.wrap_socket(cli, { server_hostname: "localhost" });
      await assert.rejects(
        wrapped.connect(["127.0.0.1", port]),
        verifyFailed(20, "unable to get local issuer certificate"),
      );
      wrapped.close();
      assert.ok((await accepting) instanceof Error);
    } finally {
      closeAll(cli, srv);
    }
  });

  test("host name and IP mismatch: codes 62 and 64", async () => {
    const [srv, port] = await tlsListener();
    try {
      for (
        const [host, code, text] of [
          ["example.com", 62, "Hostname mismatch, certificate is not valid for 'example.com'."],
          ["10.0.0.1", 64, "IP address mismatch, certificate is not valid for '10.0.0.1'."],
        ] as const
      ) {
        const accepting = srv.accept().then(([c]) => c.close(), () => {});
        const s = await clientContext().wrap_socket(socket(), { server_hostname: host });
        try {
          await assert.rejects(s.connect(["127.0.0.1", port]), verifyFailed(code, text));
        } finally {
          s.close();
        }
        await accepting;
      }
    } finally {
      srv.close();
    }
  });

  test("the IP address a certificate names is accepted", async () => {
    const [srv, cli, conn] = await tlsPair(clientContext(), serverContext(), "127.0.0.1");
    closeAll(cli, conn, srv);
  });

  test("CERT_NONE with check_hostname=false connects to an untrusted server", async () => {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.check_hostname = false;
    ctx.verify_mode = CERT_NONE;
    const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
    sctx.load_cert_chain(f("selfsigned.pem"), f("selfsigned.key"));
    const [srv, cli, conn] = await tlsPair(ctx, sctx, null);
    try {
      assert.deepEqual(cli.getpeercert(), {});
      assert.ok(cli.getpeercert(true) instanceof Uint8Array);
    } finally {
      closeAll(cli, conn, srv);
    }
  });

  test("check_hostname without server_hostname, server_hostname on a server", async () => {
    const s = socket();
    try {
      await assert.rejects(clientContext().wrap_socket(s), {
        name: "RangeError",
        message: "check_hostname requires server_hostname",
      });
      await assert.rejects(
        serverContext().wrap_socket(s, { server_side: true, server_hostname: "x" }),
        {
          message: "server_hostname can only be specified in client mode",
        },
      );
    } finally {
      s.close();
    }
  });

  test("suppress_ragged_eofs=false is refused, naming the runtime", async () => {
    const s = socket();
    try {
      await assert.rejects(
        clientContext().wrap_socket(s, {
          server_hostname: "localhost",
          suppress_ragged_eofs: false,
        }),
        (e: unknown) =>
          e instanceof Error && (e as { errno?: number }).errno === 95 &&
          e.message.includes(RUNTIME),
      );
      assert.ok(s.fileno() >= 0, "the socket is left as it was");
    } finally {
      s.close();
    }
  });

  test("wrapping a UDP socket", async () => {
    const u = socket(2, SOCK_DGRAM);
    try {
      await assert.rejects(clientContext().wrap_socket(u, { server_hostname: "localhost" }), {
        name: "NotImplementedError",
        message: "only stream sockets are supported",
      });
    } finally {
      u.close();
    }
  });

  test("a client certificate required and not sent fails the handshake", async () => {
    const sctx = serverContext();
    sctx.verify_mode = CERT_REQUIRED;
    sctx.load_verify_locations(f("ca.pem"));
    const [srv, port] = await tlsListener(sctx);
    const cli = await clientContext().wrap_socket(socket(), { server_hostname: "localhost" });
    try {
      const accepting = srv.accept().then(() => null, (e) => e);
      // TLS 1.3: the client learns of the refusal at its first read.
      const seen = await cli.connect(["127.0.0.1", port]).then(() => cli.recv(1)).catch((e) => e);
      const err = await accepting;
      assert.ok(err instanceof SSLError, String(err));
      assert.match(err.message, /peer did not return a certificate/);
      if (RUNTIME !== "deno") {
        assert.ok(seen instanceof SSLError, String(seen));
        assert.match(seen.message, /alert certificate required/);
      } else {
        // Deno's node:tls server resets instead of sending the alert (an EOF
        // over Deno.Conn, which cannot reset); the client is not left waiting.
        assert.ok(
          (seen instanceof Error && seen.name === "ConnectionResetError") ||
            (seen instanceof Uint8Array && seen.length === 0),
          String(seen),
        );
      }
    } finally {
      closeAll(cli, srv);
    }
  });
});

describe("bad input", () => {
  test("a failing load_cert_chain leaves no descriptor open", () => {
    const bad: [string, string?, string?][] = [
      [f("nope.pem")],
      [f("server.pem"), f("nope.key")],
      [f("malformed.pem"), f("server.key")],
      [f("server.pem"), f("selfsigned.key")],
      [f("server.pem"), f("server_encrypted.key"), "wrong"],
    ];
    const fds0 = osFdCount();
    for (let i = 0; i < 10; i++) {
      for (const args of bad) {
        assert.throws(() => new SSLContext(PROTOCOL_TLS_SERVER).load_cert_chain(...args), OSError);
      }
    }
    assert.equal(osFdCount(), fds0);
  });

  test("wrapping a closed socket raises OSError 9, as in Python", async () => {
    const s = socket();
    s.close();
    await assert.rejects(clientContext().wrap_socket(s, { server_hostname: "localhost" }), {
      name: "OSError",
      errno: 9,
      message: "[Errno 9] Bad file descriptor",
    });
  });

  test("a server context without a certificate fails both sides, nothing left open", async () => {
    const fds0 = osFdCount();
    const [srv, port] = await tlsListener(new SSLContext(PROTOCOL_TLS_SERVER));
    try {
      const accepting = srv.accept().then(([c]) => c.close(), (e: unknown) => e);
      // Node and Bun's servers send an alert; Deno's resets the connection.
      await assert.rejects(
        clientContext().wrap_socket(await create_connection(["127.0.0.1", port]), {
          server_hostname: "localhost",
        }),
        (e: unknown) => e instanceof SSLError || (e as Error).name === "ConnectionResetError",
      );
      const err = await accepting;
      assert.ok(err instanceof SSLError && err.errno === 1, String(err));
    } finally {
      srv.close();
    }
    assert.ok(await eventually(() => osFdCount() <= fds0, 5000), `fds ${osFdCount()} > ${fds0}`);
  });

  test("a peer that does not speak TLS: SSLError, nothing left open", async () => {
    const fds0 = osFdCount();
    const srv = await create_server(["127.0.0.1", 0]);
    const port = (srv.getsockname() as [string, number])[1];
    try {
      const serving = srv.accept().then(async ([conn]) => {
        try {
          await conn.recv(1000);
          await conn.sendall("HTTP/1.0 400 Bad Request\r\n\r\nthis is not TLS");
        } finally {
          conn.close();
        }
      });
      await assert.rejects(
        clientContext().wrap_socket(await create_connection(["127.0.0.1", port]), {
          server_hostname: "localhost",
        }),
        (e: unknown) => {
          // OpenSSL 3.0 (Bun, Deno, CPython) and 3.5 (Node) read the first
          // bytes as a record header differently.
          assert.ok(e instanceof SSLError, String(e));
          assert.equal(e.errno, 1);
          assert.match(e.message, /^\[SSL: (WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG)\] /);
          return true;
        },
      );
      await serving;
    } finally {
      srv.close();
    }
    assert.ok(await eventually(() => osFdCount() <= fds0, 5000), `fds ${osFdCount()} > ${fds0}`);
  });
});

const PY_SERVER = `
import ssl, socket, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ctx.set_alpn_protocols(["h2", "http/1.1"])
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
tls = ctx.wrap_socket(conn, server_side=True)
data = b""
while not data.endswith(b"\\n"):
    b = tls.recv(100)
    if not b: break
    data += b
tls.sendall(b"py:" + data + (tls.selected_alpn_protocol() or "-").encode() + b":" + (tls.version() or "").encode())
print(repr(tls.recv(10)), flush=True)
tls.close()
`;

const PY_CLIENT = `
import ssl, socket, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        t.sendall(b"hello from python\\n")
        data = b""
        while True:
            b = t.recv(100)
            if not b: break
            data += b
        print(data.decode(), t.version())
`;

function startPython(code: string, args: string[]): [ChildProcess, Promise<string>] {
  const p = spawn("python3", ["-c", code, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  p.stdout!.setEncoding("utf8");
  const done = new Promise<string>((resolve) => {
    p.stdout!.on("data", (c: string) => out += c);
    p.on("close", () => resolve(out));
  });
  return [p, done];
}

async function firstLine(p: ChildProcess): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    let buf = "";
    const onData = (c: string) => {
      buf += c;
      const i = buf.indexOf("\n");
      if (i >= 0) {
        p.stdout!.off("data", onData);
        resolve(buf.slice(0, i));
      }
    };
    p.stdout!.on("data", onData);
    p.once("exit", () => reject(new Error("python exited")));
  });
}

describe("with real peers", { skip: !hasPython() }, () => {
  test("unisock client, CPython ssl server (SNI, ALPN, close_notify)", async () => {
    const [py, done] = startPython(PY_SERVER, [f("server.pem"), f("server.key")]);
    const port = Number(await firstLine(py));
    const ctx = clientContext();
    ctx.set_alpn_protocols(["http/1.1"]);
    const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port]), {
      server_hostname: "localhost",
    });
    try {
      await s.sendall("hi\n");
      const want = "py:hi\nhttp/1.1:TLSv1.3";
      let got = "";
      for (let i = 0; i < 100 && got.length < want.length; i++) got += dec(await s.recv(100));
      assert.equal(got, want);
      s.close(); // close_notify: Python's recv returns b""
      assert.match(await done, /^b''$/m);
    } finally {
      s.close();
      py.kill();
    }
  });

  test("a CPython server without a certificate: Python's handshake-failure alert", async () => {
    const code = `
import ssl, socket
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
try:
    ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).wrap_socket(conn, server_side=True)
except ssl.SSLError as e:
    print(e.reason, flush=True)
`;
    const [py, done] = startPython(code, []);
    try {
      const port = Number(await firstLine(py));
      await assert.rejects(
        clientContext().wrap_socket(await create_connection(["127.0.0.1", port]), {
          server_hostname: "localhost",
        }),
        {
          name: "SSLError",
          errno: 1,
          reason: "SSLV3_ALERT_HANDSHAKE_FAILURE",
          message: "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure",
        },
      );
      assert.match(await done, /NO_SHARED_CIPHER/);
    } finally {
      py.kill();
    }
  });

  test("CPython ssl client, unisock server", async () => {
    const [srv, port] = await tlsListener();
    const [py, done] = startPython(PY_CLIENT, [f("ca.pem"), String(port)]);
    try {
      const [conn] = await srv.accept();
      const rf = conn.makefile("rb");
      const line = dec(await rf.readline());
      rf.close();
      await conn.sendall("unisock:" + line);
      conn.close();
      assert.equal((await done).trim(), "unisock:hello from python\n TLSv1.3");
    } finally {
      srv.close();
      py.kill();
    }
  });
});

const hasCurl = spawnSync("curl", ["--version"]).status === 0;

class Hello extends StreamRequestHandler {
  override async handle(): Promise<void> {
    const line = dec(await this.rfile.readline());
    // Read the whole request: closing with unread bytes makes the kernel
    // send a reset, which can reach curl before the response does.
    for (let i = 0; i < 100; i++) {
      const h = await this.rfile.readline();
      if (h.length === 0 || dec(h) === "\r\n") break;
    }
    const body = `hello over ${(this.connection as SSLSocket).version()} for ${
      line.split(" ")[1]
    }\n`;
    await this.wfile.write(
      enc(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    );
  }
}

describe("socketserver over TLS", { skip: !hasCurl }, () => {
  test("curl --cacert against a TLS TCPServer", async () => {
    const server = new TCPServer(["127.0.0.1", 0], Hello);
    await server.ready;
    server.socket = await serverContext().wrap_socket(server.socket, { server_side: true });
    const serving = server.serve_forever(0.05);
    try {
      const port = (server.server_address as [string, number])[1];
      const out = await new Promise<string>((resolve, reject) => {
        const c = spawn("curl", ["-sS", "--cacert", f("ca.pem"), `https://localhost:${port}/x`]);
        let s = "";
        c.stdout.setEncoding("utf8");
        c.stdout.on("data", (d: string) => s += d);
        c.stderr.on("data", (d: Buffer) => s += d.toString());
        c.on("close", (code) => code === 0 ? resolve(s) : reject(new Error(s)));
      });
      assert.equal(out, "hello over TLSv1.3 for /x\n");
    } finally {
      await server.shutdown();
      await serving;
      await server.server_close();
    }
  });
});

const ROOT = join(import.meta.dirname!, "..");
const BIN = (name: string) => join(ROOT, "node_modules", ".bin", name);
const COMMAND: string[] = RUNTIME === "deno" ? [BIN("deno"), "run", "-A"] : [BIN(RUNTIME)];

/** Runs an example to its end (bounded); resolves with its stdout. */
function runExample(name: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(COMMAND[0], [...COMMAND.slice(1), join(ROOT, "examples", name), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 30_000,
    });
    let out = "", err = "";
    c.stdout.on("data", (d: Buffer) => out += d.toString());
    c.stderr.on("data", (d: Buffer) => err += d.toString());
    c.on("close", (code) => code === 0 ? resolve(out) : reject(new Error(`${code}: ${out}${err}`)));
  });
}

const PY_HTTPS = `
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"Hello, HTTPS"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.handle_request()
`;

describe("examples", { skip: !hasPython() || !hasCurl }, () => {
  test("https_client.ts against CPython's http.server over TLS", async () => {
    const [py, done] = startPython(PY_HTTPS, [f("server.pem"), f("server.key")]);
    try {
      const port = await firstLine(py);
      const out = await runExample("https_client.ts", ["localhost", port, f("ca.pem")]);
      assert.match(out, /^TLSv1\.3 TLS_\w+\nHTTP\/1\.0 200 OK\nHello, HTTPS\n$/);
      await done;
    } finally {
      py.kill();
    }
  });

  test("tls_hello_server.ts answers curl --cacert", async () => {
    const c = spawn(COMMAND[0], [
      ...COMMAND.slice(1),
      join(ROOT, "examples", "tls_hello_server.ts"),
      "0",
      f("server.pem"),
      f("server.key"),
    ], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 });
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        c.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on [\d.]+:(\d+)\n/.exec(out);
          if (m) resolve(m[1]);
        });
        c.on("close", () => reject(new Error("exited: " + out)));
      });
      const r = spawnSync("curl", [
        "-sS",
        "--max-time",
        "10",
        "--cacert",
        f("ca.pem"),
        `https://localhost:${port}/`,
      ], {
        encoding: "utf8",
        timeout: 15_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "Hello, World over TLSv1.3\n");
    } finally {
      c.kill("SIGTERM");
    }
  });
});
