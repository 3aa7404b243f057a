/**
 * The timed workloads written with the current runtime's floor sockets
 * (`_floor_deno.ts`, `_floor_bun.ts`, `_floor_node.ts`): the same code as
 * `workloads_unisock.ts`, line for line where the APIs allow, over the
 * thinnest implementation of unisock's API shape. `flood` and `idle` are not
 * measured for the floor.
 *
 * @module
 */

import type { FloorApi, FloorSock, FloorUdp } from "./_floor.ts";
import { FloorTimeout } from "./_floor.ts";
import {
  all,
  BURST,
  CHUNK,
  connectAll,
  DATAGRAM,
  HOST,
  LINE,
  type Measurement,
  type Pair,
  PING,
  rate,
  readU64,
  type Server,
  type Sizes,
  turn,
  u64,
  type Workload,
} from "./_common.ts";

async function _api(): Promise<FloorApi> {
  if ("Bun" in globalThis) return (await import("./_floor_bun.ts")).floor;
  if ("Deno" in globalThis) return (await import("./_floor_deno.ts")).floor;
  return (await import("./_floor_node.ts")).floor;
}

const api: FloorApi = await _api();

/** Accepts forever, running `handle` on every connection. */
async function _tcpServer(handle: (conn: FloorSock, sizes: Sizes) => Promise<void>, sizes: Sizes) {
  const srv = await api.listen(HOST, 0, 4096);
  (async () => {
    for (;;) {
      let conn: FloorSock;
      try {
        conn = await srv.accept();
      } catch {
        return;
      }
      handle(conn, sizes).catch(() => {}).finally(() => conn.close());
    }
  })();
  return { port: srv.port, close: () => srv.close() } satisfies Server;
}

async function _echo(conn: FloorSock): Promise<void> {
  for (;;) {
    const data = await conn.recv(65536);
    if (data.length === 0) return;
    await conn.sendall(data);
  }
}

async function _sink(conn: FloorSock): Promise<void> {
  let total = 0;
  for (;;) {
    const data = await conn.recv(CHUNK);
    if (data.length === 0) break;
    total += data.length;
  }
  await conn.sendall(u64(total));
}

/** The socketserver workload's handler: a line echo, one task per connection. */
async function _lineEcho(conn: FloorSock): Promise<void> {
  for (;;) {
    const line = await conn.readline();
    if (line.length === 0) return;
    await conn.sendall(line);
  }
}

function _connect(port: number): Promise<FloorSock> {
  return api.connect(HOST, port);
}

async function _recvExactly(s: FloorSock, n: number): Promise<Uint8Array> {
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

async function _roundTrips(s: FloorSock, msg: Uint8Array, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await s.sendall(msg);
    await _recvExactly(s, msg.length);
  }
}

function _udpSocket(): Promise<FloorUdp> {
  return api.bindUdp(HOST, 0);
}

function _udpServer(loop: (s: FloorUdp) => Promise<void>): Promise<Server> {
  return _udpSocket().then((s) => {
    loop(s).catch(() => {});
    return { port: s.port, close: () => s.close() };
  });
}

async function _blaster(s: FloorUdp): Promise<void> {
  for (;;) {
    const [req, from] = await s.recvfrom(2048);
    const n = readU64(req);
    for (let i = 0; i < n; i++) {
      if (i % BURST === BURST - 1) await turn();
      await s.sendto(DATAGRAM, from);
    }
  }
}

async function _udpEcho(s: FloorUdp): Promise<void> {
  for (;;) {
    const [data, from] = await s.recvfrom(2048);
    await s.sendto(data, from);
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
      await s.recvfrom(2048);
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
  let lost = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await s.sendto(PING, [HOST, port]);
    try {
      await s.recvfrom(2048, 1000);
    } catch (err) {
      if (!(err instanceof FloorTimeout)) throw err;
      lost++;
    }
  }
  const ms = performance.now() - t0;
  s.close();
  return rate("udppp", n, ms, { lost });
}

/** The floor's implementation of the timed workloads. */
export const floor: Partial<Record<Workload, Pair>> = {
  bulk: {
    serve: (sizes) => _tcpServer(_sink, sizes),
    async drive(port, sizes) {
      const s = await _connect(port);
      const chunk = new Uint8Array(CHUNK);
      const t0 = performance.now();
      for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) await s.sendall(chunk);
      await s.shutdownWrite();
      const total = readU64(await _recvExactly(s, 8));
      const ms = performance.now() - t0;
      s.close();
      if (total !== sizes.bulkBytes) throw new Error(`sink got ${total}`);
      return rate("bulk", total, ms);
    },
  },
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
    serve: (sizes) => _tcpServer(_lineEcho, sizes),
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
};
