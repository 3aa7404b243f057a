/**
 * Every workload written directly against Node's own API, the way a Node
 * programmer would: `node:net` servers and sockets driven by `data` events,
 * `write()` with `drain` backpressure, `node:dgram`. This is the "raw"
 * baseline unisock is compared with on Node (Bun and Deno run it too, but
 * the orchestrator only uses it on Node).
 *
 * @module
 */

import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import type { Buffer } from "node:buffer";
import {
  BURST,
  CHUNK,
  connectAll,
  DATAGRAM,
  gc,
  HOST,
  type Impl,
  LINE,
  LineFramer,
  type Measurement,
  peakRss,
  PING,
  rate,
  readU64,
  rss,
  type Server,
  type Sizes,
  sleep,
  tlsFile,
  turn,
  u64,
} from "./_common.ts";

const _MIB = 1024 * 1024;

function _tcpServer(handle: (s: net.Socket, sizes: Sizes) => void, sizes: Sizes): Promise<Server> {
  return new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on("error", () => {});
      handle(s, sizes);
    });
    server.listen({ host: HOST, port: 0, backlog: 4096 }, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, close: () => server.close() });
    });
  });
}

/** A `node:tls` server with the test certificate, running `handle` on every handshaken socket. */
function _tlsServer(handle: (s: net.Socket) => void): Promise<Server> {
  return new Promise((resolve) => {
    const opts = {
      key: readFileSync(tlsFile("server.key")),
      cert: readFileSync(tlsFile("server.pem")),
    };
    const server = tls.createServer(opts, (s) => {
      s.on("error", () => {});
      handle(s);
    });
    server.listen({ host: HOST, port: 0, backlog: 4096 }, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, close: () => server.close() });
    });
  });
}

/** A verified `node:tls` client connection, handshaken. */
function _tlsConnect(port: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const ca = readFileSync(tlsFile("ca.pem"));
    const s = tls.connect({ host: HOST, port, servername: "localhost", ca });
    s.once("error", reject);
    s.once("secureConnect", () => {
      s.off("error", reject);
      s.on("error", () => {});
      resolve(s);
    });
  });
}

/** The tls_bulk reader: an 8-byte count first, then that many bytes; replies the count. */
function _countedSink(s: net.Socket): void {
  const head = new Uint8Array(8);
  let got = 0, want = -1;
  s.on("data", (chunk: Buffer) => {
    if (want < 0) {
      const take = Math.min(8 - got, chunk.length);
      head.set(chunk.subarray(0, take), got);
      got += take;
      if (got < 8) return;
      want = readU64(head);
      got = chunk.length - take;
    } else got += chunk.length;
    if (got >= want) s.write(u64(got));
  });
}

/** The tls_bulk writer: the count, the bytes with `drain` backpressure, then the reply. */
async function _countedDrive(port: number, sizes: Sizes): Promise<Measurement> {
  const s = await _tlsConnect(port);
  const chunk = new Uint8Array(CHUNK);
  let got = 0;
  const reply = new Uint8Array(8);
  const replied = new Promise<void>((resolve, reject) => {
    s.on("data", (b: Buffer) => {
      reply.set(b.subarray(0, 8 - got), got);
      if ((got += b.length) >= 8) resolve();
    });
    s.on("close", () => reject(new Error("closed early")));
  });
  const t0 = performance.now();
  s.write(u64(sizes.tlsBulkBytes));
  for (let sent = 0; sent < sizes.tlsBulkBytes; sent += CHUNK) {
    if (!s.write(chunk)) await new Promise((resolve) => s.once("drain", resolve));
  }
  await replied;
  const ms = performance.now() - t0;
  s.end();
  if (readU64(reply) !== sizes.tlsBulkBytes) throw new Error(`sink got ${readU64(reply)}`);
  return rate("tls_bulk", sizes.tlsBulkBytes, ms);
}

function _echo(s: net.Socket): void {
  s.on("data", (chunk: Buffer) => {
    if (!s.write(chunk)) {
      s.pause();
      s.once("drain", () => s.resume());
    }
  });
  s.on("end", () => s.end());
}

/** The socketserver workload's server: a line echo, one write per line. */
function _lineEcho(s: net.Socket): void {
  const framer = new LineFramer();
  s.on("data", (chunk: Buffer) => {
    let ok = true;
    for (const line of framer.lines(chunk)) ok = s.write(line);
    if (!ok) {
      s.pause();
      s.once("drain", () => s.resume());
    }
  });
  s.on("end", () => s.end());
}

function _sink(s: net.Socket): void {
  let total = 0;
  s.on("data", (chunk: Buffer) => total += chunk.length);
  s.on("end", () => s.end(u64(total)));
}

function _flooder(s: net.Socket, sizes: Sizes): void {
  const chunk = new Uint8Array(CHUNK);
  let sent = 0;
  const pump = () => {
    while (sent < sizes.floodBytes && !s.destroyed) {
      sent += CHUNK;
      if (!s.write(chunk)) return void s.once("drain", pump);
    }
  };
  pump();
}

function _connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: HOST, port, allowHalfOpen: true });
    s.once("error", reject);
    s.once("connect", () => {
      s.off("error", reject);
      s.on("error", () => {});
      resolve(s);
    });
  });
}

/** Runs `trips` lock-step round trips of `msg` on `s`. */
function _roundTrips(s: net.Socket, msg: Uint8Array, trips: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0, got = 0;
    const onData = (chunk: Buffer) => {
      got += chunk.length;
      if (got < msg.length) return;
      got = 0;
      if (++done < trips) s.write(msg);
      else {
        s.off("data", onData);
        s.off("close", onClose);
        resolve();
      }
    };
    const onClose = () => reject(new Error("closed early"));
    s.on("data", onData);
    s.on("close", onClose);
    s.write(msg);
  });
}

async function _session(port: number, msg: Uint8Array, trips: number): Promise<void> {
  const s = await _connect(port);
  await _roundTrips(s, msg, trips);
  s.end();
}

function _bindUdp(): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const u = dgram.createSocket("udp4");
    u.bind(0, HOST, () => resolve(u));
  });
}

function _send(u: dgram.Socket, data: Uint8Array, port: number, host: string): Promise<void> {
  return new Promise((resolve) => u.send(data, port, host, () => resolve()));
}

async function _blasterServer(): Promise<Server> {
  const u = await _bindUdp();
  u.on("message", async (req: Buffer, from: dgram.RemoteInfo) => {
    const n = readU64(req);
    for (let i = 0; i < n; i++) {
      if (i % BURST === BURST - 1) await turn();
      await _send(u, DATAGRAM, from.port, from.address);
    }
  });
  return { port: u.address().port, close: () => u.close() };
}

async function _udpEchoServer(): Promise<Server> {
  const u = await _bindUdp();
  u.on("message", (data: Buffer, from: dgram.RemoteInfo) => u.send(data, from.port, from.address));
  return { port: u.address().port, close: () => u.close() };
}

async function _udpDrive(port: number, n: number): Promise<Measurement> {
  const u = await _bindUdp();
  let got = 0, last = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => finish = resolve);
  u.on("message", () => {
    last = performance.now();
    if (++got === n) finish();
  });
  const t0 = performance.now();
  last = t0;
  u.send(u64(n), port, HOST);
  const quiet = setInterval(() => performance.now() - last > 300 && finish(), 50);
  await finished;
  clearInterval(quiet);
  u.close();
  return rate("udp", got, last - t0, { sent: n, received: got, lossPct: 100 * (1 - got / n) });
}

async function _udpPingPong(port: number, n: number): Promise<Measurement> {
  const u = await _bindUdp();
  let done = 0, lost = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => finish = resolve);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = () => {
    clearTimeout(timer);
    if (done === n) return finish();
    u.send(PING, port, HOST);
    timer = setTimeout(() => {
      lost++;
      done++;
      send();
    }, 1000);
  };
  u.on("message", () => {
    done++;
    send();
  });
  const t0 = performance.now();
  send();
  await finished;
  const ms = performance.now() - t0;
  u.close();
  return rate("udppp", n, ms, { lost });
}

async function _concurrent(port: number, n: number, msg: Uint8Array, trips: number) {
  const socks = await connectAll(n, () => _connect(port));
  await Promise.all(socks.map((s) => _roundTrips(s, msg, trips)));
  for (const s of socks) s.end();
}

/** Node's implementation of every workload. */
export const raw: Impl = {
  bulk: {
    serve: (sizes) => _tcpServer(_sink, sizes),
    async drive(port, sizes) {
      const s = await _connect(port);
      const chunk = new Uint8Array(CHUNK);
      const reply: Buffer[] = [];
      const ended = new Promise<void>((resolve) => s.on("end", resolve));
      s.on("data", (b: Buffer) => reply.push(b));
      const t0 = performance.now();
      for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) {
        if (!s.write(chunk)) await new Promise((resolve) => s.once("drain", resolve));
      }
      s.end();
      await ended;
      const ms = performance.now() - t0;
      const all = new Uint8Array(reply.reduce((n, b) => n + b.length, 0));
      let off = 0;
      for (const b of reply) all.set(b, (off += b.length) - b.length);
      return rate("bulk", readU64(all), ms);
    },
  },
  /** The same program as `bulk`: `node:net` hands an accepted socket's data over in chunks it allocates (`onread` with a caller's buffer exists only for outgoing sockets). */
  get bulk_into() {
    return raw.bulk;
  },
  pingpong: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const s = await _connect(port);
      const t0 = performance.now();
      await _roundTrips(s, PING, sizes.pingpongTrips);
      const ms = performance.now() - t0;
      s.end();
      return rate("pingpong", sizes.pingpongTrips, ms);
    },
  },
  connrate: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) await _session(port, PING, 1);
      return rate("connrate", sizes.connections, performance.now() - t0);
    },
  },
  udp: {
    serve: () => _blasterServer(),
    drive: (port, sizes) => _udpDrive(port, sizes.udpDatagrams),
  },
  udppp: {
    serve: () => _udpEchoServer(),
    drive: (port, sizes) => _udpPingPong(port, sizes.udpTrips),
  },
  concurrent: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      await _concurrent(port, sizes.concurrentConns, PING, sizes.concurrentTrips);
      const count = sizes.concurrentConns * sizes.concurrentTrips;
      return rate("concurrent", count, performance.now() - t0);
    },
  },
  socketserver: {
    serve: (sizes) => _tcpServer(_lineEcho, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      await _concurrent(port, sizes.ssClients, LINE, sizes.ssTrips);
      return rate("socketserver", sizes.ssClients * sizes.ssTrips, performance.now() - t0);
    },
  },
  flood: {
    serve: (sizes) => _tcpServer(_flooder, sizes),
    async drive(port, sizes, warm) {
      if (warm) return { value: 0, unit: "MiB" };
      gc();
      const base = rss();
      const s = await _connect(port);
      s.pause();
      const peak = await peakRss(sleep(sizes.floodMillis));
      s.destroy();
      return { value: (peak - base) / _MIB, unit: "MiB" };
    },
  },
  idle: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes, warm) {
      if (warm) return { value: 0, unit: "MiB" };
      gc();
      await sleep(50);
      const base = rss();
      const socks = await connectAll(sizes.idleConns, () => _connect(port));
      await sleep(200);
      gc();
      const grown = rss() - base;
      for (const s of socks) s.destroy();
      return { value: grown / _MIB, unit: "MiB", extra: { conns: socks.length } };
    },
  },
  tls_pingpong: {
    serve: () => _tlsServer(_echo),
    async drive(port, sizes) {
      const s = await _tlsConnect(port);
      const t0 = performance.now();
      await _roundTrips(s, PING, sizes.tlsTrips);
      const ms = performance.now() - t0;
      s.end();
      return rate("tls_pingpong", sizes.tlsTrips, ms);
    },
  },
  tls_bulk: { serve: () => _tlsServer(_countedSink), drive: _countedDrive },
};
