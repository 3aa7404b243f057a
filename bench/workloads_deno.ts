/**
 * Every workload written directly against Deno's own API, the way a Deno
 * programmer would: `Deno.listen`/`Deno.connect`, `conn.read()` into a
 * reused buffer, `conn.write()` loops, `Deno.listenDatagram` (run with
 * `--unstable-net`). This is the "raw" baseline unisock is compared with.
 *
 * @module
 */

import type { DenoApi, DenoDatagramConn, DenoNetAddr } from "../adapters/deno/api.ts";
import {
  all,
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

function _listenDatagram(): DenoDatagramConn {
  const listen = (Deno as unknown as DenoApi).listenDatagram;
  if (listen === undefined) throw new Error("run Deno with --unstable-net");
  return listen({ transport: "udp", hostname: HOST, port: 0 });
}

function _tcpServer(
  handle: (conn: Deno.Conn, sizes: Sizes) => Promise<void>,
  sizes: Sizes,
  tls = false,
) {
  const opts = { hostname: HOST, port: 0, tcpBacklog: 4096 } as Deno.TcpListenOptions;
  const listener: Deno.Listener<Deno.Conn, Deno.NetAddr> = tls
    ? Deno.listenTls({
      ...opts,
      cert: Deno.readTextFileSync(tlsFile("server.pem")),
      key: Deno.readTextFileSync(tlsFile("server.key")),
    })
    : Deno.listen(opts);
  (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      handle(conn, sizes).catch(() => {}).finally(() => _close(conn));
    }
  })();
  const server: Server = { port: listener.addr.port, close: () => _close(listener) };
  return Promise.resolve(server);
}

function _close(r: { close(): void }): void {
  try {
    r.close();
  } catch {
    // Already closed.
  }
}

async function _writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(off === 0 ? data : data.subarray(off));
}

async function _readExactly(conn: Deno.Conn, buf: Uint8Array, n: number): Promise<void> {
  let got = 0;
  while (got < n) {
    const k = await conn.read(buf.subarray(got, n));
    if (k === null) throw new Error("unexpected EOF");
    got += k;
  }
}

async function _echo(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    await _writeAll(conn, buf.subarray(0, n));
  }
}

/** The socketserver workload's server: a line echo, one write per line. */
async function _lineEcho(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(65536);
  const framer = new LineFramer();
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    for (const line of framer.lines(buf.subarray(0, n))) await _writeAll(conn, line);
  }
}

async function _sink(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(CHUNK);
  let total = 0;
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    total += n;
  }
  await _writeAll(conn, u64(total));
}

async function _flooder(conn: Deno.Conn, sizes: Sizes): Promise<void> {
  const chunk = new Uint8Array(CHUNK);
  for (let sent = 0; sent < sizes.floodBytes; sent += CHUNK) await _writeAll(conn, chunk);
}

function _connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: HOST, port });
}

/** A verified `Deno.connectTls` connection (the certificate names 127.0.0.1), handshaken. */
async function _tlsConnect(port: number): Promise<Deno.TlsConn> {
  const caCerts = [Deno.readTextFileSync(tlsFile("ca.pem"))];
  const conn = await Deno.connectTls({ hostname: HOST, port, caCerts });
  await conn.handshake();
  return conn;
}

/** The tls_bulk reader: an 8-byte count first, then that many bytes; replies the count. */
async function _countedSink(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(CHUNK);
  await _readExactly(conn, buf, 8);
  const want = readU64(buf);
  let total = 0;
  while (total < want) {
    const n = await conn.read(buf);
    if (n === null) break;
    total += n;
  }
  await _writeAll(conn, u64(total));
}

async function _roundTrips(conn: Deno.Conn, msg: Uint8Array, n: number): Promise<void> {
  const buf = new Uint8Array(msg.length);
  for (let i = 0; i < n; i++) {
    await _writeAll(conn, msg);
    await _readExactly(conn, buf, msg.length);
  }
}

function _udpServer(loop: (u: DenoDatagramConn) => Promise<void>): Promise<Server> {
  const u = _listenDatagram();
  loop(u).catch(() => {});
  return Promise.resolve({ port: (u.addr as DenoNetAddr).port, close: () => _close(u) });
}

async function _blaster(u: DenoDatagramConn): Promise<void> {
  const buf = new Uint8Array(2048);
  for (;;) {
    const [req, from] = await u.receive(buf);
    const n = readU64(req);
    for (let i = 0; i < n; i++) {
      if (i % BURST === BURST - 1) await turn();
      await u.send(DATAGRAM, from);
    }
  }
}

async function _udpEcho(u: DenoDatagramConn): Promise<void> {
  const buf = new Uint8Array(2048);
  for (;;) {
    const [data, from] = await u.receive(buf);
    await u.send(data, from);
  }
}

/** Resolves with `p`'s value, or `null` after `ms` (p is left running). */
function _within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  p.catch(() => {});
  const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), ms));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function _udpDrive(port: number, n: number): Promise<Measurement> {
  const u = _listenDatagram();
  const buf = new Uint8Array(2048);
  const to: Deno.NetAddr = { transport: "udp", hostname: HOST, port };
  const t0 = performance.now();
  let got = 0, last = t0;
  const quiet = setInterval(() => performance.now() - last > 300 && _close(u), 50);
  await u.send(u64(n), to);
  try {
    while (got < n) {
      await u.receive(buf);
      got++;
      last = performance.now();
    }
  } catch {
    // Closed after 300 ms without a datagram: the rest was lost.
  }
  clearInterval(quiet);
  _close(u);
  return rate("udp", got, last - t0, { sent: n, received: got, lossPct: 100 * (1 - got / n) });
}

async function _udpPingPong(port: number, n: number): Promise<Measurement> {
  const u = _listenDatagram();
  const buf = new Uint8Array(2048);
  const to: Deno.NetAddr = { transport: "udp", hostname: HOST, port };
  let lost = 0;
  let pending: Promise<unknown> | null = null;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await u.send(PING, to);
    pending ??= u.receive(buf);
    if (await _within(pending, 1000) === null) lost++;
    else pending = null;
  }
  const ms = performance.now() - t0;
  _close(u);
  return rate("udppp", n, ms, { lost });
}

/** Deno's implementation of every workload. */
export const raw: Impl = {
  bulk: {
    serve: (sizes) => _tcpServer(_sink, sizes),
    async drive(port, sizes) {
      const conn = await _connect(port);
      const chunk = new Uint8Array(CHUNK);
      const t0 = performance.now();
      for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) await _writeAll(conn, chunk);
      await conn.closeWrite();
      const reply = new Uint8Array(8);
      await _readExactly(conn, reply, 8);
      const ms = performance.now() - t0;
      _close(conn);
      return rate("bulk", readU64(reply), ms);
    },
  },
  /** The same program as `bulk`: its sink already reads into one reused buffer (`conn.read(buf)`). */
  get bulk_into() {
    return raw.bulk;
  },
  pingpong: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const conn = await _connect(port);
      const t0 = performance.now();
      await _roundTrips(conn, PING, sizes.pingpongTrips);
      const ms = performance.now() - t0;
      _close(conn);
      return rate("pingpong", sizes.pingpongTrips, ms);
    },
  },
  connrate: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) {
        const conn = await _connect(port);
        await _roundTrips(conn, PING, 1);
        _close(conn);
      }
      return rate("connrate", sizes.connections, performance.now() - t0);
    },
  },
  udp: {
    serve: () => _udpServer(_blaster),
    drive: (port, sizes) => _udpDrive(port, sizes.udpDatagrams),
  },
  udppp: {
    serve: () => _udpServer(_udpEcho),
    drive: (port, sizes) => _udpPingPong(port, sizes.udpTrips),
  },
  concurrent: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const n = sizes.concurrentConns, trips = sizes.concurrentTrips;
      const t0 = performance.now();
      const conns = await connectAll(n, () => _connect(port));
      await Promise.all(conns.map((c) => _roundTrips(c, PING, trips)));
      for (const c of conns) _close(c);
      return rate("concurrent", n * trips, performance.now() - t0);
    },
  },
  socketserver: {
    serve: (sizes) => _tcpServer(_lineEcho, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      await all(sizes.ssClients, async () => {
        const conn = await _connect(port);
        await _roundTrips(conn, LINE, sizes.ssTrips);
        _close(conn);
      });
      return rate("socketserver", sizes.ssClients * sizes.ssTrips, performance.now() - t0);
    },
  },
  flood: {
    serve: (sizes) => _tcpServer(_flooder, sizes),
    async drive(port, sizes, warm) {
      if (warm) return { value: 0, unit: "MiB" };
      gc();
      const base = rss();
      const conn = await _connect(port);
      const peak = await peakRss(sleep(sizes.floodMillis));
      _close(conn);
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
      const conns = await connectAll(sizes.idleConns, () => _connect(port));
      await sleep(200);
      gc();
      const grown = rss() - base;
      for (const c of conns) _close(c);
      return { value: grown / _MIB, unit: "MiB", extra: { conns: conns.length } };
    },
  },
  tls_pingpong: {
    serve: (sizes) => _tcpServer(_echo, sizes, true),
    async drive(port, sizes) {
      const conn = await _tlsConnect(port);
      const t0 = performance.now();
      await _roundTrips(conn, PING, sizes.tlsTrips);
      const ms = performance.now() - t0;
      _close(conn);
      return rate("tls_pingpong", sizes.tlsTrips, ms);
    },
  },
  tls_bulk: {
    serve: (sizes) => _tcpServer(_countedSink, sizes, true),
    async drive(port, sizes) {
      const conn = await _tlsConnect(port);
      const chunk = new Uint8Array(CHUNK);
      const t0 = performance.now();
      await _writeAll(conn, u64(sizes.tlsBulkBytes));
      for (let sent = 0; sent < sizes.tlsBulkBytes; sent += CHUNK) await _writeAll(conn, chunk);
      const reply = new Uint8Array(8);
      await _readExactly(conn, reply, 8);
      const ms = performance.now() - t0;
      _close(conn);
      if (readU64(reply) !== sizes.tlsBulkBytes) throw new Error(`sink got ${readU64(reply)}`);
      return rate("tls_bulk", sizes.tlsBulkBytes, ms);
    },
  },
};
