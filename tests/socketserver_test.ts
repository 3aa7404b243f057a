import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AF_INET,
  AF_UNIX,
  create_connection,
  OSError,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SOL_SOCKET,
  TimeoutError,
} from "unisock";
import {
  BaseRequestHandler,
  BaseServer,
  DatagramRequestHandler,
  StreamRequestHandler,
  TCPServer,
  ThreadingMixIn,
  ThreadingTCPServer,
  ThreadingUDPServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "unisock/socketserver";
import { dec, enc, RUNTIME, tempDir } from "./_helpers.ts";

type Addr = [string, number];
const LOCAL: Addr = ["127.0.0.1", 0];

/** Rejects when `p` has not settled within `ms` milliseconds. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise with its resolver. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((r) => open = r);
  return { promise, open };
}

/** Reads until EOF (at most 64 reads). */
async function recvAll(sock: Socket): Promise<string> {
  let out = "";
  for (let i = 0; i < 64; i++) {
    const chunk = await sock.recv(4096);
    if (chunk.length === 0) return out;
    out += dec(chunk);
  }
  throw new Error("no EOF after 64 reads");
}

/** Connects, sends `text`, half-closes and returns everything sent back. */
async function exchange(address: Addr | string, text: string): Promise<string> {
  const family = typeof address === "string" ? AF_UNIX : AF_INET;
  const client = socket(family, SOCK_STREAM);
  try {
    client.settimeout(5);
    await client.connect(address);
    await client.sendall(text);
    await client.shutdown(1);
    return await recvAll(client);
  } finally {
    client.close();
  }
}

class LineEcho extends StreamRequestHandler {
  override async handle() {
    for await (const line of this.rfile) await this.wfile.write(line);
  }
}

class RawEcho extends BaseRequestHandler {
  override async handle() {
    for (let i = 0; i < 1000; i++) {
      const data = await this.request.recv(1024);
      if (data.length === 0) return;
      await this.request.sendall(data);
    }
  }
}

class UpperDatagram extends DatagramRequestHandler {
  override async handle() {
    const text = dec(await this.rfile.read());
    await this.wfile.write(text.toUpperCase());
  }
}

test("TCPServer echoes lines with StreamRequestHandler", async () => {
  await using server = new TCPServer(LOCAL, LineEcho);
  await server.ready;
  const [host, port] = server.server_address;
  assert.equal(host, "127.0.0.1");
  assert.ok(port > 0);
  const serving = server.serve_forever(0.05);
  assert.equal(await within(exchange([host, port], "one\ntwo\n"), 5000, "echo"), "one\ntwo\n");
  assert.equal(await within(exchange([host, port], "three\n"), 5000, "echo"), "three\n");
  await within(server.shutdown(), 5000, "shutdown");
  await serving;
});

test("StreamRequestHandler answers each line while the client waits", async () => {
  await using server = new ThreadingTCPServer(LOCAL, LineEcho);
  await server.ready;
  const serving = server.serve_forever();
  const client = await create_connection(server.server_address);
  try {
    client.settimeout(2);
    for (const line of ["ping\n", "pong\n"]) {
      await client.sendall(line);
      let reply = "";
      for (let i = 0; i < 16 && !reply.endsWith("\n"); i++) reply += dec(await client.recv(100));
      assert.equal(reply, line);
    }
  } finally {
    client.close();
  }
  await within(server.shutdown(), 5000, "shutdown");
  await serving;
});

test("ThreadingTCPServer echoes with BaseRequestHandler", async () => {
  await using server = new ThreadingTCPServer(LOCAL, RawEcho);
  await server.ready;
  const serving = server.serve_forever();
  const address = server.server_address;
  const replies = await within(
    Promise.all([exchange(address, "a"), exchange(address, "bb"), exchange(address, "ccc")]),
    5000,
    "echoes",
  );
  assert.deepEqual(replies, ["a", "bb", "ccc"]);
  await within(server.shutdown(), 5000, "shutdown");
  await serving;
});

/**
 * A handler class counting how many instances run at once. Each waits for a
 * byte from its client, or until `gateAt` handlers have started.
 */
function overlapCounter(gateAt: number) {
  const stats = { active: 0, max: 0, started: 0 };
  const gate = latch();
  class Counting extends BaseRequestHandler {
    override async handle() {
      stats.active++;
      stats.max = Math.max(stats.max, stats.active);
      if (++stats.started === gateAt) gate.open();
      await Promise.race([gate.promise, this.request.recv(1)]);
      await this.request.sendall("done");
      stats.active--;
    }
  }
  return { stats, Counting };
}

test("TCPServer handles one connection at a time", async () => {
  const { stats, Counting } = overlapCounter(Infinity);
  await using server = new TCPServer(LOCAL, Counting);
  await server.ready;
  const serving = server.serve_forever();
  const clients = await Promise.all(
    [0, 1, 2].map(() => create_connection(server.server_address)),
  );
  try {
    await Promise.all(clients.map((c) => c.sendall("x")));
    const replies = await within(Promise.all(clients.map(recvAll)), 5000, "replies");
    assert.deepEqual(replies, ["done", "done", "done"]);
    assert.equal(stats.started, 3);
    assert.equal(stats.max, 1);
  } finally {
    for (const c of clients) c.close();
  }
  await within(server.shutdown(), 5000, "shutdown");
  await serving;
});

test("ThreadingTCPServer handles connections concurrently", async () => {
  const { stats, Counting } = overlapCounter(3);
  await using server = new ThreadingTCPServer(LOCAL, Counting);
  await server.ready;
  const serving = server.serve_forever();
  // Nobody sends a byte: the handlers only finish once all three run at once.
  const clients = await Promise.all(
    [0, 1, 2].map(() => create_connection(server.server_address)),
  );
  try {
    const replies = await within(Promise.all(clients.map(recvAll)), 5000, "replies");
    assert.deepEqual(replies, ["done", "done", "done"]);
    assert.equal(stats.max, 3);
    assert.equal(server.active_count, 0);
  } finally {
    for (const c of clients) c.close();
  }
  await within(server.shutdown(), 5000, "shutdown");
  await serving;
});

test("shutdown() stops serve_forever at once, whatever poll_interval", async () => {
  await using server = new TCPServer(LOCAL, RawEcho);
  await server.ready;
  const serving = server.serve_forever(3600);
  await within(server.shutdown(), 2000, "shutdown");
  await within(serving, 2000, "serve_forever to resolve");
  // The socket still works: serve again, then stop again.
  const again = server.serve_forever(3600);
  assert.equal(await within(exchange(server.server_address, "hi"), 5000, "echo"), "hi");
  await within(server.shutdown(), 2000, "second shutdown");
  await again;
  // shutdown() when not serving resolves at once.
  await within(server.shutdown(), 2000, "idle shutdown");
});

test("serve_forever calls service_actions about every poll_interval", async () => {
  const enough = latch();
  let calls = 0;
  class Server extends TCPServer {
    override service_actions() {
      if (++calls === 3) enough.open();
    }
  }
  await using server = new Server(LOCAL, RawEcho);
  await server.ready;
  const serving = server.serve_forever(0.02);
  await within(enough.promise, 5000, "three service_actions calls");
  await server.shutdown();
  await serving;
  assert.ok(calls >= 3);
});

test("a throwing handler goes to handle_error and the server keeps serving", async () => {
  const errors: [unknown, unknown][] = [];
  let finished = 0;
  class Failing extends BaseRequestHandler {
    override async handle() {
      const data = dec(await this.request.recv(100));
      if (data === "boom") throw new Error("handler failed");
      await this.request.sendall(data);
    }
    override finish() {
      finished++;
    }
  }
  class SequentialServer extends TCPServer {
    override handle_error(_request: Socket, address: Addr, error?: unknown) {
      errors.push([address, error]);
    }
  }
  class ThreadingServer extends ThreadingTCPServer {
    override handle_error(_request: Socket, address: Addr, error?: unknown) {
      errors.push([address, error]);
    }
  }
  for (const make of [SequentialServer, ThreadingServer]) {
    errors.length = 0;
    finished = 0;
    await using server = new make(LOCAL, Failing);
    await server.ready;
    const serving = server.serve_forever();
    const address = server.server_address;
    assert.equal(await within(exchange(address, "boom"), 5000, "closed connection"), "");
    assert.equal(await within(exchange(address, "fine"), 5000, "echo"), "fine");
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0][0], ["127.0.0.1", (errors[0][0] as Addr)[1]]);
    assert.equal((errors[0][1] as Error).message, "handler failed");
    assert.equal(finished, 2, "finish() ran for both requests");
    await server.shutdown();
    await serving;
  }
});

test("default handle_error prints Python's report to stderr", async () => {
  class Failing extends BaseRequestHandler {
    override handle(): void {
      throw new RangeError("bad request");
    }
  }
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args.map(String).join(" "));
  try {
    await using server = new TCPServer(LOCAL, Failing);
    await server.ready;
    const client = await create_connection(server.server_address);
    await within(server.handle_request(), 5000, "handle_request");
    client.close();
  } finally {
    console.error = original;
  }
  const text = printed.join("\n");
  const lines = text.split("\n");
  assert.equal(lines[0], "-".repeat(40));
  assert.match(
    lines[1],
    /^Exception occurred during processing of request from \('127\.0\.0\.1', \d+\)$/,
  );
  assert.match(text, /RangeError: bad request/);
  assert.equal(lines[lines.length - 1], "-".repeat(40));
});

test("StreamRequestHandler.timeout drops a silent client", async () => {
  const errors: unknown[] = [];
  class Idle extends StreamRequestHandler {
    override timeout = 0.1;
    override async handle() {
      await this.rfile.read(10);
    }
  }
  class Server extends TCPServer {
    override handle_error(_r: Socket, _a: Addr, error?: unknown) {
      errors.push(error);
    }
  }
  await using server = new Server(LOCAL, Idle);
  await server.ready;
  const client = await create_connection(server.server_address);
  try {
    client.settimeout(5);
    const handled = server.handle_request();
    assert.equal(await within(recvAll(client), 5000, "EOF"), "");
    await handled;
  } finally {
    client.close();
  }
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof TimeoutError);
});

test("StreamRequestHandler options: nagle, buffered wfile", async () => {
  class Opts extends StreamRequestHandler {
    override disable_nagle_algorithm = true;
    override wbufsize = 8192;
    override async handle() {
      await this.wfile.write(`${this.connection.getsockopt(6, 1) !== 0}`);
    }
  }
  await using server = new TCPServer(LOCAL, Opts);
  await server.ready;
  const reply = exchange(server.server_address, "");
  await within(server.handle_request(), 5000, "handle_request");
  assert.equal(await reply, "true");
});

test("UDPServer answers datagrams through DatagramRequestHandler", async () => {
  for (const Cls of [UDPServer, ThreadingUDPServer]) {
    await using server = new Cls(LOCAL, UpperDatagram);
    await server.ready;
    assert.equal(server.max_packet_size, 8192);
    const serving = server.serve_forever();
    const client = socket(AF_INET, SOCK_DGRAM);
    try {
      client.settimeout(5);
      for (const word of ["hello", "world"]) {
        await client.sendto(word, server.server_address);
        const [reply, from] = await client.recvfrom(100);
        assert.equal(dec(reply), word.toUpperCase());
        assert.deepEqual(from, server.server_address);
      }
    } finally {
      client.close();
    }
    await server.shutdown();
    await serving;
  }
});

test("UnixStreamServer echoes over a path", async () => {
  const [dir, cleanup] = tempDir();
  try {
    const path = join(dir, "stream.sock");
    await using server = new UnixStreamServer(path, LineEcho);
    await server.ready;
    assert.equal(server.server_address, path);
    const serving = server.serve_forever();
    assert.equal(await within(exchange(path, "unix\nline\n"), 5000, "echo"), "unix\nline\n");
    await server.shutdown();
    await serving;
  } finally {
    cleanup();
  }
});

test("UnixDatagramServer answers, or says the runtime has no unix datagrams", async () => {
  const [dir, cleanup] = tempDir();
  try {
    const path = join(dir, "server.dgram");
    await using server = new UnixDatagramServer(path, UpperDatagram);
    try {
      await server.ready;
    } catch (e) {
      assert.ok(e instanceof OSError, String(e));
      assert.match(e.message, new RegExp(RUNTIME, "i"));
      return;
    }
    const serving = server.serve_forever();
    const client = socket(AF_UNIX, SOCK_DGRAM);
    try {
      client.settimeout(5);
      await client.bind(join(dir, "client.dgram"));
      await client.sendto("ping", path);
      const [reply] = await client.recvfrom(100);
      assert.equal(dec(reply), "PING");
    } finally {
      client.close();
    }
    await server.shutdown();
    await serving;
  } finally {
    cleanup();
  }
});

test("handle_request honours timeout and calls handle_timeout", async () => {
  let timeouts = 0;
  class Server extends TCPServer {
    override timeout = 0.05;
    override handle_timeout() {
      timeouts++;
    }
  }
  await using server = new Server(LOCAL, RawEcho);
  await server.ready;
  await within(server.handle_request(), 5000, "timed-out handle_request");
  assert.equal(timeouts, 1);
  // A request within the timeout is handled instead.
  server.timeout = 5;
  const reply = exchange(server.server_address, "req");
  await within(server.handle_request(), 5000, "handle_request");
  assert.equal(await reply, "req");
  assert.equal(timeouts, 1);
});

test("a bind error rejects ready with EADDRINUSE and closes the socket", async () => {
  await using first = new TCPServer(LOCAL, RawEcho);
  await first.ready;
  const second = new TCPServer(first.server_address, RawEcho);
  await assert.rejects(second.ready, (e: unknown) => e instanceof OSError && e.errno === 98);
  assert.equal(second.socket.fileno(), -1);
  await assert.rejects(
    second.serve_forever(),
    (e: unknown) => e instanceof OSError && e.errno === 98,
  );
});

test("an unobserved bind failure is no unhandled rejection", async () => {
  await using first = new TCPServer(LOCAL, RawEcho);
  await first.ready;
  const closed = latch();
  class Server extends TCPServer {
    override async server_close() {
      await super.server_close();
      closed.open();
    }
  }
  new Server(first.server_address, RawEcho); // nobody awaits `ready`
  await within(closed.promise, 5000, "server_close after the failed bind");
  // Let the runtime's unhandled-rejection check run; it must find nothing.
  await new Promise((r) => setTimeout(r, 10));
});

test("subclass fields apply before binding; bind_and_activate=false defers", async () => {
  class Reusing extends TCPServer {
    override allow_reuse_address = true;
    override request_queue_size = 1;
  }
  await using server = new Reusing(LOCAL, RawEcho);
  await server.ready;
  assert.notEqual(server.socket.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);

  await using manual = new TCPServer(LOCAL, RawEcho, false);
  await manual.ready;
  assert.deepEqual(manual.server_address, LOCAL);
  manual.socket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  await manual.server_bind();
  await manual.server_activate();
  assert.notEqual(manual.server_address[1], 0);
  const reply = exchange(manual.server_address, "manual");
  await within(manual.handle_request(), 5000, "handle_request");
  assert.equal(await reply, "manual");
});

test("await using shuts the server down and closes it", async () => {
  let serving: Promise<void> = Promise.resolve();
  let sock: Socket | null = null;
  {
    await using server = new ThreadingTCPServer(LOCAL, RawEcho);
    await server.ready;
    sock = server.socket;
    serving = server.serve_forever(3600);
    assert.equal(await within(exchange(server.server_address, "x"), 5000, "echo"), "x");
  }
  await within(serving, 2000, "serve_forever after disposal");
  assert.equal(sock?.fileno(), -1);
});

test("server_close waits for running handlers unless block_on_close is off", async () => {
  for (const block of [true, false]) {
    const started = latch();
    const release = latch();
    const finished = latch();
    class Slow extends BaseRequestHandler {
      override async handle() {
        started.open();
        await release.promise;
        finished.open();
      }
    }
    const server = new ThreadingTCPServer(LOCAL, Slow);
    server.block_on_close = block;
    await server.ready;
    const client = await create_connection(server.server_address);
    try {
      await within(server.handle_request(), 5000, "handle_request");
      await within(started.promise, 5000, "handler start");
      let closed = false;
      const closing = server.server_close().then(() => closed = true);
      if (block) {
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(closed, false, "server_close returned while a handler ran");
        release.open();
        await within(closing, 5000, "server_close");
      } else {
        await within(closing, 5000, "server_close");
        release.open();
        await within(finished.promise, 5000, "handler end");
      }
      assert.equal(server.socket.fileno(), -1);
    } finally {
      client.close();
    }
  }
});

test("ThreadingMixIn max_connections closes excess connections", async () => {
  const release = latch();
  const started = latch();
  class Hold extends BaseRequestHandler {
    override async handle() {
      started.open();
      await release.promise;
      await this.request.sendall("served");
    }
  }
  class Server extends ThreadingMixIn(TCPServer) {
    override max_connections = 1;
  }
  await using server = new Server(LOCAL, Hold);
  await server.ready;
  const serving = server.serve_forever();
  const first = await create_connection(server.server_address);
  const second = await create_connection(server.server_address);
  try {
    await within(started.promise, 5000, "first handler");
    first.settimeout(5);
    second.settimeout(5);
    assert.equal(await within(recvAll(second), 5000, "excess connection closed"), "");
    release.open();
    assert.equal(await within(recvAll(first), 5000, "first served"), "served");
  } finally {
    first.close();
    second.close();
  }
  await server.shutdown();
  await serving;
});

test("verify_request returning false closes the connection unhandled", async () => {
  let handled = 0;
  class Count extends BaseRequestHandler {
    override handle() {
      handled++;
    }
  }
  class Server extends TCPServer {
    override verify_request() {
      return false;
    }
  }
  await using server = new Server(LOCAL, Count);
  await server.ready;
  const reply = exchange(server.server_address, "x");
  await within(server.handle_request(), 5000, "handle_request");
  assert.equal(await reply, "");
  assert.equal(handled, 0);
});

test("BaseServer serves requests from a custom get_request", async () => {
  const seen: string[] = [];
  class Queue extends BaseServer<string> {
    items = ["a", "b"];
    override get_request(): Promise<[string, string]> {
      return Promise.resolve([this.items.shift() ?? "", "queue"]);
    }
  }
  class Recorder extends BaseRequestHandler<string> {
    override handle() {
      seen.push(`${this.request}@${this.client_address}`);
    }
  }
  await using server = new Queue("queue", Recorder);
  await server.handle_request();
  await server.handle_request();
  assert.deepEqual(seen, ["a@queue", "b@queue"]);
});

test("a datagram handler's rfile and wfile behave like io.BytesIO", async () => {
  const sock = socket(AF_INET, SOCK_DGRAM);
  try {
    const server = new BaseServer<[Uint8Array, Socket]>("x", DatagramRequestHandler);
    const h = new DatagramRequestHandler([enc("ab\ncd\nef"), sock], ["127.0.0.1", 9], server);
    await h.setup();
    const r = h.rfile;
    assert.equal(dec(await r.readline(1)), "a");
    assert.equal(dec(await r.readline()), "b\n");
    assert.deepEqual((await r.readlines()).map(dec), ["cd\n", "ef"]);
    assert.equal((await r.read()).length, 0);
    r.close();
    await assert.rejects(r.read(), RangeError);
    const w = h.wfile;
    assert.equal(await w.write("hé"), 3);
    await w.write(new Uint8Array([33]));
    assert.equal(dec(w.getvalue()), "hé!");
  } finally {
    sock.close();
  }
});

test("StreamRequestHandler: finish() flushes wfile, so un-awaited writes all reach the client", async () => {
  // Python: self.wfile.write(data) in handle() sends everything before the
  // server closes the connection. Ported without `await`, nothing may be lost.
  const big = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  class Writer extends StreamRequestHandler {
    override handle() {
      this.wfile.write(big);
      this.wfile.write("end");
    }
  }
  await using server = new TCPServer(LOCAL, Writer);
  await server.ready;
  const serving = server.handle_request();
  const client = await create_connection(server.server_address);
  try {
    let total = 0;
    let tail = "";
    for (let i = 0; i < 100_000; i++) {
      const chunk = await client.recv(1 << 16);
      if (chunk.length === 0) break;
      total += chunk.length;
      tail = (tail + dec(chunk.subarray(Math.max(0, chunk.length - 3)))).slice(-3);
    }
    assert.equal(total, big.length + 3);
    assert.equal(tail, "end");
  } finally {
    client.close();
  }
  await serving;
});

test("StreamRequestHandler: un-awaited writes to a client that went away raise nothing unhandled", async () => {
  // The writes fail (EPIPE/ECONNRESET); finish() swallows the OSError of its
  // flush as Python's does, and the server serves the next client.
  const big = new Uint8Array(4 * 1024 * 1024);
  let served = 0;
  class Writer extends StreamRequestHandler {
    override async handle() {
      await this.rfile.read(); // until the client has closed
      this.wfile.write(big);
      this.wfile.write(big);
      served++;
    }
  }
  let errors = 0;
  class Server extends TCPServer {
    override handle_error() {
      errors++;
    }
  }
  await using server = new Server(LOCAL, Writer);
  await server.ready;
  for (let i = 0; i < 2; i++) {
    const serving = server.handle_request();
    const client = await create_connection(server.server_address);
    client.close();
    await serving;
  }
  assert.equal(served, 2);
  assert.equal(errors, 0);
});
