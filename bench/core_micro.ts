/**
 * Measures the unisock core alone: the same `Socket` code over an in-memory
 * backend (no kernel, no runtime networking), so that the figures are the
 * cost of the core's own bookkeeping (promises, buffers, waiters) per call.
 * The "floor" rows drive the same in-memory handles with plain callbacks.
 *
 *     deno run -A bench/core_micro.ts | bun bench/core_micro.ts | node bench/core_micro.ts
 *     node bench/core_micro.ts connrate      (only the cases whose label contains "connrate")
 *
 * Prints nanoseconds per operation (lower is better). Useful with
 * `--cpu-prof` to see where the core spends its time without noise.
 *
 * @module
 */

import "../mod.ts";
import {
  type Backend,
  type BackendAddress,
  type ListenerHandle,
  type ListenerSink,
  setBackend,
  type StreamHandle,
  type StreamSink,
} from "../src/backend.ts";
import { create_server, MSG_PEEK, type Socket, socket } from "../mod.ts";

/** One end of an in-memory stream: a write is delivered to the peer in a microtask. */
class _MemStream implements StreamHandle {
  readonly local: BackendAddress;
  readonly remote: BackendAddress;
  peer: _MemStream | null = null;
  sink: StreamSink | null = null;
  #early: Uint8Array[] = [];

  constructor(local: BackendAddress, remote: BackendAddress) {
    this.local = local;
    this.remote = remote;
  }

  start(sink: StreamSink): void {
    this.sink = sink;
    const early = this.#early;
    this.#early = [];
    if (early.length > 0) queueMicrotask(() => early.forEach((c) => sink.data(c)));
  }

  deliver(chunk: Uint8Array): void {
    if (this.sink === null) this.#early.push(chunk);
    else this.sink.data(chunk);
  }

  pause(): void {}
  resume(): void {}

  /** Copies at once, as a runtime with a synchronous write (Bun, Node) does. */
  write(data: Uint8Array): undefined {
    const copy = data.slice();
    const peer = this.peer!;
    queueMicrotask(() => peer.deliver(copy));
  }

  shutdownWrite(): Promise<void> {
    const peer = this.peer!;
    queueMicrotask(() => peer.sink?.end());
    return Promise.resolve();
  }

  close(): void {
    const peer = this.peer!;
    queueMicrotask(() => peer.sink?.end());
  }

  abort(): void {
    this.close();
  }

  setNoDelay(): void {}
  setKeepAlive(): void {}
}

const _listeners = new Map<number, ListenerSink>();
let _nextPort = 20000;

function _inet(port: number): BackendAddress {
  return { kind: "inet", host: "127.0.0.1", port, version: 4 };
}

function _pair(port: number): [_MemStream, _MemStream] {
  const client = _inet(_nextPort++);
  const a = new _MemStream(client, _inet(port));
  const b = new _MemStream(_inet(port), client);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

const _mem: Backend = {
  name: "memory",
  capabilities: { unixDatagram: "no", reusePort: null, bindBeforeConnect: null },
  listen(options) {
    const port = options.address.kind === "inet" && options.address.port !== 0
      ? options.address.port
      : _nextPort++;
    const handle: ListenerHandle = {
      local: _inet(port),
      start: (sink) => void _listeners.set(port, sink),
      close: () => void _listeners.delete(port),
    };
    return Promise.resolve(handle);
  },
  connect(options) {
    const a = options.address;
    if (a.kind !== "inet") return Promise.reject(new Error("inet only"));
    const [mine, theirs] = _pair(a.port);
    queueMicrotask(() => _listeners.get(a.port)!.connection(theirs));
    return Promise.resolve(mine);
  },
  bindDatagram: () => Promise.reject(new Error("no datagrams")),
  lookup: () => Promise.resolve([]),
  reverse: () => Promise.resolve([]),
  hostname: () => "localhost",
};

async function _connected(): Promise<[Socket, Socket, Socket]> {
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket();
  const [, [conn]] = await Promise.all([cli.connect(srv.getsockname()), srv.accept()]);
  return [srv, cli, conn];
}

/** Runs only the cases whose label contains this text (first argument), or all. */
const _only = (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? "";

async function _time(label: string, n: number, body: () => Promise<void>): Promise<void> {
  if (!label.includes(_only)) return;
  await body(); // warm-up with the same size
  const t0 = performance.now();
  await body();
  const ns = (performance.now() - t0) * 1e6 / n;
  console.log(`${label.padEnd(44)} ${ns.toFixed(0).padStart(7)} ns/op`);
}

async function _pingpong(n: number): Promise<void> {
  const [srv, cli, conn] = await _connected();
  const msg = new Uint8Array(16);
  const echo = (async () => {
    for (;;) {
      const d = await conn.recv(65536);
      if (d.length === 0) return;
      await conn.sendall(d);
    }
  })();
  for (let i = 0; i < n; i++) {
    await cli.sendall(msg);
    await cli.recv(65536);
  }
  cli.close();
  conn.close();
  srv.close();
  await echo.catch(() => {});
}

async function _bulk(n: number): Promise<void> {
  const [srv, cli, conn] = await _connected();
  const chunk = new Uint8Array(65536);
  // Lock-step: the in-memory backend has no flow control, so a sender that
  // ran ahead would measure an ever-growing receive buffer.
  for (let i = 0; i < n; i++) {
    await cli.sendall(chunk);
    let got = 0;
    while (got < chunk.length) got += (await conn.recv(65536)).length;
  }
  cli.close();
  conn.close();
  srv.close();
}

async function _buffered(n: number): Promise<void> {
  const [srv, cli, conn] = await _connected();
  await cli.sendall(new Uint8Array(n * 16));
  await conn.recv(1, MSG_PEEK); // waits until the bytes are buffered
  for (let i = 0; i < n; i++) await conn.recv(16);
  cli.close();
  conn.close();
  srv.close();
}

async function _connrate(n: number): Promise<void> {
  const srv = await create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  const serving = (async () => {
    for (let i = 0; i < n; i++) {
      const [conn] = await srv.accept();
      (async () => {
        const d = await conn.recv(65536);
        await conn.sendall(d);
        await conn.recv(65536);
        conn.close();
      })();
    }
  })();
  const msg = new Uint8Array(16);
  for (let i = 0; i < n; i++) {
    const s = socket();
    await s.connect(["127.0.0.1", port]);
    await s.sendall(msg);
    await s.recv(65536);
    s.close();
  }
  await serving;
  srv.close();
}

function _floorPingpong(n: number): Promise<void> {
  const [a, b] = _pair(1);
  const msg = new Uint8Array(16);
  return new Promise((resolve) => {
    let left = n;
    b.start({ data: (c) => void b.write(c), end() {}, error() {} });
    a.start({
      data: () => --left === 0 ? resolve() : void a.write(msg),
      end() {},
      error() {},
    });
    a.write(msg);
  });
}

async function _main(): Promise<void> {
  setBackend(_mem);
  const n = 100_000;
  console.log(`unisock core over an in-memory backend (${n} ops each)`);
  await _time("floor: callbacks, 16 B round trip", n, () => _floorPingpong(n));
  await _time("pingpong: sendall(16) + recv, both ends", n, () => _pingpong(n));
  await _time("bulk: sendall(64 KiB) + recv(65536)", n / 10, () => _bulk(n / 10));
  await _time("recv(16) from buffered data", n, () => _buffered(n));
  await _time("connrate: connect, 16 B echo, close", n / 10, () => _connrate(n / 10));
}

_main();
