/**
 * Every workload written directly against Bun's own API, the way a Bun
 * programmer would: `Bun.listen`/`Bun.connect` with callback handlers,
 * `write()` honouring short writes and `drain`, `Bun.udpSocket`. This is the
 * "raw" baseline unisock is compared with on Bun.
 *
 * @module
 */

import type {
  BunApi,
  BunSocket,
  BunSocketHandler,
  BunUdpHandler,
  BunUdpSocket,
} from "../adapters/bun/api.ts";
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
  turn,
  u64,
} from "./_common.ts";

/** The per-socket callbacks; `socket.data` holds one of these. */
interface _Conn {
  open?(s: _Sock): void;
  data(s: _Sock, chunk: Uint8Array): void;
  drain?(s: _Sock): void;
  end?(s: _Sock): void;
  close?(s: _Sock): void;
}

/** A Bun stream socket carrying its callbacks in `data`. */
type _Sock = BunSocket<_Conn>;

const _bun = (globalThis as unknown as { Bun: BunApi }).Bun;
const _MIB = 1024 * 1024;

/** Handlers that forward every event to `socket.data`. */
const _HANDLERS: BunSocketHandler<_Conn> = {
  binaryType: "uint8array",
  open: (s) => s.data.open?.(s),
  data: (s, chunk) => s.data.data(s, chunk),
  drain: (s) => s.data.drain?.(s),
  end: (s) => s.data.end?.(s),
  close: (s) => s.data.close?.(s),
  error: () => {},
};

/** Writes `data` fully, queueing what the kernel did not take until `drain`. */
class _Writer {
  #queue: Uint8Array[] = [];
  #onEmpty: (() => void) | null = null;

  /** Whether bytes wait for `drain`. */
  get busy(): boolean {
    return this.#queue.length > 0;
  }

  write(s: _Sock, data: Uint8Array): void {
    if (this.#queue.length > 0) {
      this.#queue.push(data.slice());
      return;
    }
    const n = s.write(data);
    if (n < 0) return;
    if (n < data.length) this.#queue.push(data.slice(n));
  }

  drain(s: _Sock): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      const n = s.write(head);
      if (n < 0) return;
      if (n < head.length) {
        this.#queue[0] = head.subarray(n);
        return;
      }
      this.#queue.shift();
    }
    const done = this.#onEmpty;
    this.#onEmpty = null;
    done?.();
  }

  /** Calls `fn` once the queue is empty. */
  whenEmpty(fn: () => void): void {
    if (this.#queue.length === 0) fn();
    else this.#onEmpty = fn;
  }
}

/** Server side of a connection: built for every accepted socket. */
type _ServerConn = (sizes: Sizes) => _Conn;

function _tcpServer(make: _ServerConn, sizes: Sizes): Promise<Server> {
  const listener = _bun.listen({
    hostname: HOST,
    port: 0,
    allowHalfOpen: true,
    socket: {
      ..._HANDLERS,
      open: (s) => {
        s.data = make(sizes);
        s.data.open?.(s);
      },
    },
  });
  return Promise.resolve({ port: listener.port!, close: () => listener.stop(true) });
}

function _echo(): _Conn {
  const w = new _Writer();
  return {
    data: (s, chunk) => w.write(s, chunk),
    drain: (s) => w.drain(s),
    end: (s) => w.whenEmpty(() => s.end()),
  };
}

/** The socketserver workload's server: a line echo, one write per line. */
function _lineEcho(): _Conn {
  const w = new _Writer();
  const framer = new LineFramer();
  return {
    data: (s, chunk) => {
      for (const line of framer.lines(chunk)) w.write(s, line);
    },
    drain: (s) => w.drain(s),
    end: (s) => w.whenEmpty(() => s.end()),
  };
}

function _sink(): _Conn {
  let total = 0;
  const w = new _Writer();
  return {
    data: (_s, chunk) => total += chunk.length,
    drain: (s) => w.drain(s),
    end: (s) => {
      w.write(s, u64(total));
      w.whenEmpty(() => s.end());
    },
  };
}

function _flooder(sizes: Sizes): _Conn {
  const chunk = new Uint8Array(CHUNK);
  let sent = 0;
  const pump = (s: _Sock) => {
    while (sent < sizes.floodBytes) {
      const n = s.write(chunk);
      if (n < 0) return;
      sent += n;
      if (n < chunk.length) return; // the rest goes with the next chunk, after drain
    }
  };
  return { open: pump, data: () => {}, drain: pump };
}

/** Connects with `conn` as the socket's callbacks. */
function _connect(port: number, conn: _Conn): Promise<_Sock> {
  return _bun.connect({ hostname: HOST, port, allowHalfOpen: true, socket: _HANDLERS, data: conn });
}

/** Callbacks that ignore everything. */
const _IDLE: _Conn = { data: () => {} };

/** Runs `trips` lock-step round trips of `msg` on `sock`, then closes it. */
function _tripsOn(sock: _Sock, msg: Uint8Array, trips: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0, got = 0;
    sock.data = {
      data: (s, chunk) => {
        got += chunk.length;
        if (got < msg.length) return;
        got = 0;
        if (++done === trips) {
          s.end();
          resolve();
        } else s.write(msg);
      },
      close: () => done < trips && reject(new Error("closed early")),
    };
    sock.write(msg);
  });
}

/** Runs `trips` lock-step round trips of `msg` on a new connection. */
async function _roundTrips(port: number, msg: Uint8Array, trips: number): Promise<void> {
  await _tripsOn(await _connect(port, _IDLE), msg, trips);
}

function _bindUdp(handlers: BunUdpHandler): Promise<BunUdpSocket> {
  return _bun.udpSocket({ hostname: HOST, port: 0, binaryType: "uint8array", socket: handlers });
}

async function _blasterServer(): Promise<Server> {
  let pending = 0, to = 0, toHost = "";
  let waiting = false; // for drain or for the next turn of the event loop
  const pump = (u: BunUdpSocket) => {
    waiting = false;
    for (let burst = 0; pending > 0; burst++) {
      if (burst === BURST) {
        waiting = true;
        turn().then(() => pump(u));
        return;
      }
      if (!u.send(DATAGRAM, to, toHost)) {
        waiting = true;
        return;
      }
      pending--;
    }
  };
  const u = await _bindUdp({
    data: (sock, req, port, address) => {
      pending += readU64(req);
      to = port;
      toHost = address;
      if (!waiting) pump(sock);
    },
    drain: pump,
  });
  return { port: u.port, close: () => u.close() };
}

async function _udpEchoServer(): Promise<Server> {
  const u = await _bindUdp({ data: (s, data, port, address) => s.send(data, port, address) });
  return { port: u.port, close: () => u.close() };
}

async function _udpDrive(port: number, n: number): Promise<Measurement> {
  let got = 0, last = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => finish = resolve);
  const u = await _bindUdp({
    data: () => {
      last = performance.now();
      if (++got === n) finish();
    },
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
  let done = 0, lost = 0;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => finish = resolve);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = (u: BunUdpSocket) => {
    clearTimeout(timer);
    if (done === n) return finish();
    u.send(PING, port, HOST);
    timer = setTimeout(() => {
      lost++;
      done++;
      send(u);
    }, 1000);
  };
  const u = await _bindUdp({
    data: (s) => {
      done++;
      send(s);
    },
  });
  const t0 = performance.now();
  send(u);
  await finished;
  const ms = performance.now() - t0;
  u.close();
  return rate("udppp", n, ms, { lost });
}

async function _concurrent(port: number, n: number, msg: Uint8Array, trips: number) {
  const socks = await connectAll(n, () => _connect(port, _IDLE));
  await Promise.all(socks.map((s) => _tripsOn(s, msg, trips)));
}

/** Bun's implementation of every workload. */
export const raw: Impl = {
  bulk: {
    serve: (sizes) => _tcpServer(_sink, sizes),
    async drive(port, sizes) {
      const chunk = new Uint8Array(CHUNK);
      let sent = 0, reply = new Uint8Array(0);
      let finish = () => {};
      const finished = new Promise<void>((resolve) => finish = resolve);
      const pump = (s: _Sock) => {
        while (sent < sizes.bulkBytes) {
          const n = s.write(sent % CHUNK === 0 ? chunk : chunk.subarray(sent % CHUNK));
          if (n < 0) return;
          sent += n;
          if (n === 0) return;
        }
        s.shutdown();
      };
      const conn: _Conn = {
        data: (_s, chunk) => {
          const r = new Uint8Array(reply.length + chunk.length);
          r.set(reply);
          r.set(chunk, reply.length);
          reply = r;
          if (reply.length >= 8) finish();
        },
        drain: pump,
      };
      const s = await _connect(port, conn);
      const t0 = performance.now();
      pump(s);
      await finished;
      const ms = performance.now() - t0;
      s.end();
      return rate("bulk", readU64(reply), ms);
    },
  },
  /** The same program as `bulk`: Bun hands data over in chunks it allocates; there is no reading into a caller's buffer. */
  get bulk_into() {
    return raw.bulk;
  },
  pingpong: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      await _roundTrips(port, PING, sizes.pingpongTrips);
      return rate("pingpong", sizes.pingpongTrips, performance.now() - t0);
    },
  },
  connrate: {
    serve: (sizes) => _tcpServer(_echo, sizes),
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) await _roundTrips(port, PING, 1);
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
      const s = await _connect(port, { open: (s) => s.pause(), data: () => {} });
      s.pause();
      const peak = await peakRss(sleep(sizes.floodMillis));
      s.end();
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
      const socks = await connectAll(sizes.idleConns, () => _connect(port, _IDLE));
      await sleep(200);
      gc();
      const grown = rss() - base;
      for (const s of socks) s.end();
      return { value: grown / _MIB, unit: "MiB", extra: { conns: socks.length } };
    },
  },
};
