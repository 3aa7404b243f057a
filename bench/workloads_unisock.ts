/**
 * Every workload written with unisock, exactly as a Python programmer would
 * write it with the `socket` module (recv/sendall loops, one async task per
 * connection). The same file runs on Deno, Bun and Node.
 *
 * @module
 */

import {
  AF_INET,
  create_server,
  SHUT_WR,
  SOCK_DGRAM,
  type Socket,
  socket,
  TimeoutError,
} from "../mod.ts";
import { StreamRequestHandler, ThreadingTCPServer } from "../socketserver.ts";
import { create_default_context, PROTOCOL_TLS_SERVER, Purpose, SSLContext } from "../ssl.ts";
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

/** Accepts forever, running `handle` on every connection (handshaken first with `tls`). */
async function _tcpServer(
  handle: (conn: Socket, sizes: Sizes) => Promise<void>,
  sizes: Sizes,
  tls = false,
) {
  let srv = await create_server([HOST, 0], { backlog: 4096 });
  if (tls) {
    const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(tlsFile("server.pem"), tlsFile("server.key"));
    srv = await ctx.wrap_socket(srv, { server_side: true });
  }
  const port = (srv.getsockname() as [string, number])[1];
  (async () => {
    for (;;) {
      let conn: Socket;
      try {
        [conn] = await srv.accept();
      } catch {
        return;
      }
      handle(conn, sizes).catch(() => {}).finally(() => conn.close());
    }
  })();
  return { port, close: () => srv.close() } satisfies Server;
}

async function _echo(conn: Socket): Promise<void> {
  for (;;) {
    const data = await conn.recv(65536);
    if (data.length === 0) return;
    await conn.sendall(data);
  }
}

async function _sink(conn: Socket): Promise<void> {
  let total = 0;
  for (;;) {
    const data = await conn.recv(CHUNK);
    if (data.length === 0) break;
    total += data.length;
  }
  await conn.sendall(u64(total));
}

/** The bulk_into reader: `recv_into` one reused buffer, as Python's `recv_into` loops. */
async function _sinkInto(conn: Socket): Promise<void> {
  const buf = new Uint8Array(CHUNK);
  let total = 0;
  for (;;) {
    const n = await conn.recv_into(buf);
    if (n === 0) break;
    total += n;
  }
  await conn.sendall(u64(total));
}

async function _flooder(conn: Socket, sizes: Sizes): Promise<void> {
  const chunk = new Uint8Array(CHUNK);
  for (let sent = 0; sent < sizes.floodBytes; sent += CHUNK) await conn.sendall(chunk);
}

async function _connect(port: number): Promise<Socket> {
  const s = socket();
  await s.connect([HOST, port]);
  return s;
}

/** A verified TLS client connection, handshaken. */
async function _tlsConnect(port: number): Promise<Socket> {
  const ctx = create_default_context(Purpose.SERVER_AUTH, { cafile: tlsFile("ca.pem") });
  return await ctx.wrap_socket(await _connect(port), { server_hostname: "localhost" });
}

/**
 * The tls_bulk reader: the writer sends the count first, since a TLS socket
 * cannot half-close and read on (Python's `SSLSocket.shutdown` drops TLS).
 */
async function _countedSink(conn: Socket): Promise<void> {
  const n = readU64(await _recvExactly(conn, 8));
  let total = 0;
  while (total < n) {
    const data = await conn.recv(CHUNK);
    if (data.length === 0) break;
    total += data.length;
  }
  await conn.sendall(u64(total));
}

async function _recvExactly(s: Socket, n: number): Promise<Uint8Array> {
  const first = await s.recv(n);
  if (first.length === n || first.length === 0) return first;
  const out = new Uint8Array(n);
  out.set(first);
  let got = first.length;
  while (got < n) {
    const more = await s.recv(n - got);
    if (more.length === 0) throw new Error("unexpected EOF");
    out.set(more, got);
    got += more.length;
  }
  return out;
}

async function _roundTrips(s: Socket, msg: Uint8Array, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await s.sendall(msg);
    await _recvExactly(s, msg.length);
  }
}

async function _udpSocket(): Promise<Socket> {
  const s = socket(AF_INET, SOCK_DGRAM);
  await s.bind([HOST, 0]);
  return s;
}

function _udpServer(loop: (s: Socket) => Promise<void>): Promise<Server> {
  return _udpSocket().then((s) => {
    loop(s).catch(() => {});
    return { port: (s.getsockname() as [string, number])[1], close: () => s.close() };
  });
}

async function _blaster(s: Socket): Promise<void> {
  for (;;) {
    const [req, from] = await s.recvfrom(2048);
    const n = readU64(req);
    for (let i = 0; i < n; i++) {
      if (i % BURST === BURST - 1) await turn();
      await s.sendto(DATAGRAM, from!);
    }
  }
}

async function _udpEcho(s: Socket): Promise<void> {
  for (;;) {
    const [data, from] = await s.recvfrom(2048);
    await s.sendto(data, from!);
  }
}

async function _udpDrive(port: number, n: number): Promise<Measurement> {
  const s = await _udpSocket();
  const t0 = performance.now();
  let got = 0, last = t0;
  const quiet = setInterval(() => performance.now() - last > 300 && s.close(), 50);
  await s.sendto(u64(n), [HOST, port]);
  try {
    while (got < n) {
      await s.recv(2048);
      got++;
      last = performance.now();
    }
  } catch {
    // Closed after 300 ms without a datagram: the rest was lost.
  }
  clearInterval(quiet);
  s.close();
  return rate("udp", got, last - t0, { sent: n, received: got, lossPct: 100 * (1 - got / n) });
}

async function _udpPingPong(port: number, n: number): Promise<Measurement> {
  const s = await _udpSocket();
  s.settimeout(1);
  let lost = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await s.sendto(PING, [HOST, port]);
    try {
      await s.recvfrom(2048);
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      lost++;
    }
  }
  const ms = performance.now() - t0;
  s.close();
  return rate("udppp", n, ms, { lost });
}

/** The socketserver workload's handler: Python's canonical line echo. */
class _LineEcho extends StreamRequestHandler {
  override async handle(): Promise<void> {
    for await (const line of this.rfile) await this.wfile.write(line);
  }
}

/** The bulk writer: `sendall`s, half-closes, reads the reader's count. */
async function _bulkDrive(port: number, sizes: Sizes): Promise<Measurement> {
  const s = await _connect(port);
  const chunk = new Uint8Array(CHUNK);
  const t0 = performance.now();
  for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) await s.sendall(chunk);
  await s.shutdown(SHUT_WR);
  const total = readU64(await _recvExactly(s, 8));
  const ms = performance.now() - t0;
  s.close();
  if (total !== sizes.bulkBytes) throw new Error(`sink got ${total}`);
  return rate("bulk", total, ms);
}

/** A TLS client of the tls_pingpong or tls_bulk server. */
async function _tlsDrive(port: number, sizes: Sizes, bulk: boolean): Promise<Measurement> {
  const s = await _tlsConnect(port);
  const t0 = performance.now();
  if (bulk) {
    const chunk = new Uint8Array(CHUNK);
    await s.sendall(u64(sizes.tlsBulkBytes));
    for (let sent = 0; sent < sizes.tlsBulkBytes; sent += CHUNK) await s.sendall(chunk);
    const total = readU64(await _recvExactly(s, 8));
    if (total !== sizes.tlsBulkBytes) throw new Error(`sink got ${total}`);
  } else await _roundTrips(s, PING, sizes.tlsTrips);
  const ms = performance.now() - t0;
  s.close();
  return bulk ? rate("tls_bulk", sizes.tlsBulkBytes, ms) : rate("tls_pingpong", sizes.tlsTrips, ms);
}

/** unisock's implementation of every workload. */
export const unisock: Impl = {
  bulk: { serve: (sizes) => _tcpServer(_sink, sizes), drive: _bulkDrive },
  bulk_into: { serve: (sizes) => _tcpServer(_sinkInto, sizes), drive: _bulkDrive },
  pingpong: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const s = await _connect(port);
      const t0 = performance.now();
      await _roundTrips(s, PING, sizes.pingpongTrips);
      const ms = performance.now() - t0;
      s.close();
      return rate("pingpong", sizes.pingpongTrips, ms);
    },
  },
  connrate: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) {
        const s = await _connect(port);
        await _roundTrips(s, PING, 1);
        s.close();
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
      const socks = await connectAll(n, () => _connect(port));
      await Promise.all(socks.map((s) => _roundTrips(s, PING, trips)));
      for (const s of socks) s.close();
      return rate("concurrent", n * trips, performance.now() - t0);
    },
  },
  socketserver: {
    async serve() {
      const server = new ThreadingTCPServer([HOST, 0], _LineEcho);
      server.request_queue_size = 4096;
      await server.ready;
      server.serve_forever().catch(() => {});
      return {
        port: (server.server_address as [string, number])[1],
        close: () => void server.shutdown().then(() => server.server_close()),
      };
    },
    async drive(port, sizes) {
      const t0 = performance.now();
      await all(sizes.ssClients, async () => {
        const s = await _connect(port);
        await _roundTrips(s, LINE, sizes.ssTrips);
        s.close();
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
      const s = await _connect(port);
      const peak = await peakRss(sleep(sizes.floodMillis));
      s.close();
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
      for (const s of socks) s.close();
      return { value: grown / _MIB, unit: "MiB", extra: { conns: socks.length } };
    },
  },
  tls_pingpong: {
    serve: (sizes) => _tcpServer(_echo, sizes, true),
    drive: (port, sizes) => _tlsDrive(port, sizes, false),
  },
  tls_bulk: {
    serve: (sizes) => _tcpServer(_countedSink, sizes, true),
    drive: (port, sizes) => _tlsDrive(port, sizes, true),
  },
};
