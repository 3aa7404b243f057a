/**
 * The peer a Deno user picks for promise-style sockets without a library:
 * `Deno.Conn`'s Web Streams, `conn.readable.getReader()` and
 * `conn.writable.getWriter()`, on both sides, for the workloads the peer
 * libraries run (`bulk`, `pingpong`, `connrate`).
 *
 * `conn.readable` closes the whole connection when it reads EOF (a half-close
 * cannot be answered), so this `bulk` client first sends the byte count (8
 * bytes) and the sink replies once it has read that many, instead of at EOF.
 *
 * @module
 */

import {
  CHUNK,
  HOST,
  type Impl,
  PING,
  rate,
  readExactly,
  readU64,
  type Server,
  u64,
} from "./_common.ts";

/** A connection's reader and writer, with bytes read past the last request. */
interface _Streams {
  conn: Deno.Conn;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  rest: Uint8Array | null;
}

function _streams(conn: Deno.Conn): _Streams {
  return {
    conn,
    reader: conn.readable.getReader(),
    writer: conn.writable.getWriter(),
    rest: null,
  };
}

function _close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed (closing the writable closes the connection).
  }
}

function _server(handle: (s: _Streams) => Promise<void>): Promise<Server> {
  const listener = Deno.listen(
    { hostname: HOST, port: 0, tcpBacklog: 4096 } as Deno.TcpListenOptions,
  );
  (async () => {
    for await (const conn of listener) {
      handle(_streams(conn)).catch(() => {}).finally(() => _close(conn));
    }
  })().catch(() => {});
  return Promise.resolve({ port: listener.addr.port, close: () => listener.close() });
}

async function _echo(s: _Streams): Promise<void> {
  for (;;) {
    const { value, done } = await s.reader.read();
    if (done) return;
    await s.writer.write(value);
  }
}

async function _sink(s: _Streams): Promise<void> {
  const expected = readU64(await readExactly(s, 8));
  let total = s.rest?.length ?? 0;
  s.rest = null;
  while (total < expected) {
    const { value, done } = await s.reader.read();
    if (done) break;
    total += value.length;
  }
  await s.writer.write(u64(total));
}

async function _connect(port: number): Promise<_Streams> {
  return _streams(await Deno.connect({ hostname: HOST, port }));
}

async function _trips(s: _Streams, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await s.writer.write(PING);
    await readExactly(s, PING.length);
  }
}

/** The `conn.readable`/`conn.writable` implementation of the peer workloads. */
export const readable: Impl = {
  bulk: {
    serve: () => _server(_sink),
    async drive(port, sizes) {
      const s = await _connect(port);
      const chunk = new Uint8Array(CHUNK);
      const t0 = performance.now();
      await s.writer.write(u64(sizes.bulkBytes));
      for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) await s.writer.write(chunk);
      const total = readU64(await readExactly(s, 8));
      const ms = performance.now() - t0;
      _close(s.conn);
      return rate("bulk", total, ms);
    },
  },
  pingpong: {
    serve: () => _server(_echo),
    async drive(port, sizes) {
      const s = await _connect(port);
      const t0 = performance.now();
      await _trips(s, sizes.pingpongTrips);
      const ms = performance.now() - t0;
      _close(s.conn);
      return rate("pingpong", sizes.pingpongTrips, ms);
    },
  },
  connrate: {
    serve: () => _server(_echo),
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) {
        const s = await _connect(port);
        await _trips(s, 1);
        _close(s.conn);
      }
      return rate("connrate", sizes.connections, performance.now() - t0);
    },
  },
};
