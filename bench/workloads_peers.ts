/**
 * The peer libraries a user would pick instead of unisock, each written the
 * way its README shows, for the workloads every one of them can run
 * (`bulk`, `pingpong`, `connrate`):
 *
 * - `promise-socket` (npm): promises over a `node:net` socket
 *   (`read()`/`write()`/`end()`), both sides (the server wraps each accepted
 *   socket).
 * - `@arrowood.dev/socket` (npm): the Cloudflare `connect()` API (Web
 *   Streams `readable`/`writable`) over `node:net`. It has no listener, so
 *   its client talks to the raw `node:net` server of `workloads_node.ts`.
 *
 * Both run on Node and on Bun (through Bun's `node:net`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import * as net from "node:net";
import { PromiseSocket } from "promise-socket";
import { connect as cfConnect } from "@arrowood.dev/socket";
import {
  CHUNK,
  HOST,
  type Impl,
  type Measurement,
  PING,
  rate,
  readExactly,
  readU64,
  type Server,
  type Sizes,
  u64,
} from "./_common.ts";
import { raw } from "./workloads_node.ts";

type _PSock = PromiseSocket<net.Socket>;

/** `promise-socket` is typed for Buffers, as Node users write. */
const _PING = Buffer.from(PING);

function _psServer(handle: (s: _PSock) => Promise<void>): Promise<Server> {
  return new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (sock) => {
      const s = new PromiseSocket(sock);
      handle(s).catch(() => {}).finally(() => s.destroy());
    });
    server.listen({ host: HOST, port: 0, backlog: 4096 }, () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, close: () => server.close() });
    });
  });
}

async function _psEcho(s: _PSock): Promise<void> {
  for (;;) {
    const data = await s.read();
    if (data === undefined) break;
    await s.write(data);
  }
  await s.end();
}

async function _psSink(s: _PSock): Promise<void> {
  let total = 0;
  for (;;) {
    const data = await s.read();
    if (data === undefined) break;
    total += data.length;
  }
  await s.write(Buffer.from(u64(total)));
  await s.end();
}

async function _psConnect(port: number): Promise<_PSock> {
  const s = new PromiseSocket(new net.Socket({ allowHalfOpen: true }));
  await s.connect({ host: HOST, port });
  return s;
}

/** Reads exactly `n` bytes (or throws at EOF). */
async function _psRead(s: _PSock, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const data = await s.read(n - got);
    if (data === undefined) throw new Error("unexpected EOF");
    out.set(data as Uint8Array, got);
    got += data.length;
  }
  return out;
}

async function _psTrips(s: _PSock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await s.write(_PING);
    await _psRead(s, _PING.length);
  }
}

/** `promise-socket`'s implementation of the peer workloads. */
export const promiseSocket: Impl = {
  bulk: {
    serve: () => _psServer(_psSink),
    async drive(port, sizes) {
      const s = await _psConnect(port);
      const chunk = Buffer.alloc(CHUNK);
      const t0 = performance.now();
      for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) await s.write(chunk);
      await s.end();
      const total = readU64(await _psRead(s, 8));
      const ms = performance.now() - t0;
      s.destroy();
      return rate("bulk", total, ms);
    },
  },
  pingpong: {
    serve: () => _psServer(_psEcho),
    async drive(port, sizes) {
      const s = await _psConnect(port);
      const t0 = performance.now();
      await _psTrips(s, sizes.pingpongTrips);
      const ms = performance.now() - t0;
      s.destroy();
      return rate("pingpong", sizes.pingpongTrips, ms);
    },
  },
  connrate: {
    serve: () => _psServer(_psEcho),
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) {
        const s = await _psConnect(port);
        await _psTrips(s, 1);
        await s.end();
        s.destroy();
      }
      return rate("connrate", sizes.connections, performance.now() - t0);
    },
  },
};

type _CfSocket = ReturnType<typeof cfConnect>;

/** A Cloudflare-API socket with one reader and one writer, as its README uses them. */
interface _Cf {
  sock: _CfSocket;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Bytes read past what the last `read` asked for. */
  rest: Uint8Array | null;
}

function _cfConnect(port: number): _Cf {
  const sock = cfConnect({ hostname: HOST, port });
  return {
    sock,
    reader: sock.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>,
    writer: sock.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>,
    rest: null,
  };
}

async function _cfTrips(c: _Cf, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await c.writer.write(PING);
    await readExactly(c, PING.length);
  }
}

async function _cfBulk(port: number, sizes: Sizes): Promise<Measurement> {
  const c = _cfConnect(port);
  const chunk = new Uint8Array(CHUNK);
  const t0 = performance.now();
  for (let sent = 0; sent < sizes.bulkBytes; sent += CHUNK) await c.writer.write(chunk);
  await c.writer.close();
  const total = readU64(await readExactly(c, 8));
  const ms = performance.now() - t0;
  await c.sock.close();
  return rate("bulk", total, ms);
}

/** `@arrowood.dev/socket`'s clients against the raw `node:net` servers. */
export const arrowood: Impl = {
  bulk: { serve: raw.bulk!.serve, drive: _cfBulk },
  pingpong: {
    serve: raw.pingpong!.serve,
    async drive(port, sizes) {
      const c = _cfConnect(port);
      const t0 = performance.now();
      await _cfTrips(c, sizes.pingpongTrips);
      const ms = performance.now() - t0;
      await c.sock.close();
      return rate("pingpong", sizes.pingpongTrips, ms);
    },
  },
  connrate: {
    serve: raw.connrate!.serve,
    async drive(port, sizes) {
      const t0 = performance.now();
      for (let i = 0; i < sizes.connections; i++) {
        const c = _cfConnect(port);
        await _cfTrips(c, 1);
        await c.sock.close();
      }
      return rate("connrate", sizes.connections, performance.now() - t0);
    },
  },
};
