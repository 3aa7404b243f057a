/**
 * Shared by every benchmark child process: workload names and sizes, the
 * shape of an implementation (unisock or a runtime's raw API), results,
 * and small helpers (memory, garbage collection, timing).
 *
 * Every workload is split into a server side and a measuring client side,
 * so that the same code runs in one process (both sides) and in two
 * processes (the orchestrator starts the server, then the client).
 *
 * @module
 */

import process from "node:process";
import { setImmediate } from "node:timers";
import { fileURLToPath } from "node:url";

/** What the orchestrator needs to know about one workload. */
export interface WorkloadInfo {
  /** Unit of the figure. `MiB/s` workloads count bytes; `MiB` ones are memory. */
  readonly unit: "MiB/s" | "rt/s" | "conn/s" | "msg/s" | "MiB";
  /** Memory workloads: the limit in MiB (lower is better). */
  readonly limit?: number;
  /** Whether the fastest runtime's unisock must beat CPython on it. */
  readonly beatPython?: boolean;
}

const _WORKLOAD_INFO = {
  bulk: { unit: "MiB/s" },
  bulk_into: { unit: "MiB/s" },
  pingpong: { unit: "rt/s", beatPython: true },
  connrate: { unit: "conn/s", beatPython: true },
  udp: { unit: "msg/s", beatPython: true },
  udppp: { unit: "rt/s", beatPython: true },
  concurrent: { unit: "rt/s", beatPython: true },
  socketserver: { unit: "rt/s" },
  flood: { unit: "MiB", limit: 16 },
  idle: { unit: "MiB", limit: 40 },
  tls_pingpong: { unit: "rt/s" },
  tls_bulk: { unit: "MiB/s" },
} as const satisfies Record<string, WorkloadInfo>;

/** One workload name. */
export type Workload = keyof typeof _WORKLOAD_INFO;

/**
 * The workload registry, in the order the tables print them. A new workload
 * is one entry here, its sizes in {@linkcode Sizes}, and a {@linkcode Pair}
 * in every implementation that runs it (`workloads_*.ts`, registered in
 * `_impls.ts`; CPython's in `python_bench.py`).
 */
export const WORKLOAD_INFO: Readonly<Record<Workload, WorkloadInfo>> = _WORKLOAD_INFO;

/** Names of the workloads, in the order the table prints them. */
export const WORKLOADS = Object.keys(WORKLOAD_INFO) as Workload[];

/** The sizes of one run of every workload. */
export interface Sizes {
  /** bulk, bulk_into: bytes sent (in 64 KiB sendall calls). */
  readonly bulkBytes: number;
  /** pingpong: 16-byte round trips. */
  readonly pingpongTrips: number;
  /** connrate: connect/echo/close cycles. */
  readonly connections: number;
  /** udp: 64-byte datagrams blasted. */
  readonly udpDatagrams: number;
  /** udppp: 16-byte UDP round trips. */
  readonly udpTrips: number;
  /** concurrent: connections open at once. */
  readonly concurrentConns: number;
  /** concurrent: 16-byte round trips per connection. */
  readonly concurrentTrips: number;
  /** socketserver: concurrent clients. */
  readonly ssClients: number;
  /** socketserver: 64-byte line round trips per client. */
  readonly ssTrips: number;
  /** flood: bytes the peer tries to send. */
  readonly floodBytes: number;
  /** flood: how long the receiver watches its memory, in ms. */
  readonly floodMillis: number;
  /** idle: connections held open. */
  readonly idleConns: number;
  /** tls_pingpong: 16-byte round trips over TLS. */
  readonly tlsTrips: number;
  /** tls_bulk: bytes sent over TLS (in 64 KiB sendall calls). */
  readonly tlsBulkBytes: number;
}

/** The sizes the issue asks for. */
export const FULL: Sizes = {
  bulkBytes: 1024 * 1024 * 1024,
  pingpongTrips: 20_000,
  connections: 5_000,
  udpDatagrams: 200_000,
  udpTrips: 20_000,
  concurrentConns: 1_000,
  concurrentTrips: 10,
  ssClients: 16,
  ssTrips: 1_000,
  floodBytes: 1024 * 1024 * 1024,
  floodMillis: 2_000,
  idleConns: 1_000,
  tlsTrips: 20_000,
  tlsBulkBytes: 256 * 1024 * 1024,
};

/** Small sizes for a smoke run (`--quick`). */
export const QUICK: Sizes = {
  bulkBytes: 64 * 1024 * 1024,
  pingpongTrips: 2_000,
  connections: 500,
  udpDatagrams: 20_000,
  udpTrips: 2_000,
  concurrentConns: 200,
  concurrentTrips: 10,
  ssClients: 8,
  ssTrips: 200,
  floodBytes: 256 * 1024 * 1024,
  floodMillis: 700,
  idleConns: 1_000,
  tlsTrips: 2_000,
  tlsBulkBytes: 32 * 1024 * 1024,
};

/**
 * Sizes of the untimed warm-up pass that precedes a timed one, except for
 * the connection rows (see {@linkcode warmupSizes}).
 */
export const WARMUP: Sizes = {
  bulkBytes: 16 * 1024 * 1024,
  pingpongTrips: 500,
  connections: 100,
  udpDatagrams: 2_000,
  udpTrips: 500,
  concurrentConns: 20,
  concurrentTrips: 5,
  ssClients: 2,
  ssTrips: 50,
  floodBytes: 0,
  floodMillis: 0,
  idleConns: 0,
  tlsTrips: 500,
  tlsBulkBytes: 8 * 1024 * 1024,
};

/**
 * The warm-up pass before a timed pass of `sizes`: {@linkcode WARMUP}, but
 * `connrate` and `concurrent` warm up with a pass as large as the timed one.
 * Their timed pass is short (under a second) and each connection runs the
 * longest code path of any row, so a small warm-up left that code's
 * compilation inside the timed pass, which measured the code's size more than
 * its speed (bench/README.md, "Before and after this round's restructuring").
 *
 * @param sizes The timed pass's sizes.
 * @returns The warm-up pass's sizes.
 */
export function warmupSizes(sizes: Sizes): Sizes {
  return {
    ...WARMUP,
    connections: sizes.connections,
    concurrentConns: sizes.concurrentConns,
    concurrentTrips: sizes.concurrentTrips,
  };
}

/**
 * A file of the test certificates (`tests/fixtures/tls/`): the TLS workloads'
 * server uses `server.pem`/`server.key` (for `localhost` and 127.0.0.1, signed
 * by `ca.pem`), and their clients verify it against `ca.pem`.
 *
 * @param name The file name.
 * @returns Its path.
 */
export function tlsFile(name: string): string {
  return fileURLToPath(new URL(`../tests/fixtures/tls/${name}`, import.meta.url));
}

/** Size of one bulk write and of one bulk read. */
export const CHUNK = 64 * 1024;
/** The loopback host every workload uses. */
export const HOST = "127.0.0.1";

/** What a client run measured. */
export interface Measurement {
  /** The figure: units per second, or MiB for the memory workloads. */
  readonly value: number;
  /** Unit of `value`. */
  readonly unit: string;
  /** Extra facts (datagrams lost, bytes flooded …). */
  readonly extra?: Record<string, number>;
}

/** A running server side of one workload. */
export interface Server {
  /** The port it listens on (TCP) or is bound to (UDP). */
  readonly port: number;
  /** Stops it (best effort; the process may also just exit). */
  close(): void;
}

/** The server and client sides of one workload over one API. */
export interface Pair {
  /** Starts the server side. */
  serve(sizes: Sizes): Promise<Server>;
  /**
   * Runs the client side against `port`; `warm` marks the untimed pass.
   * Resolves with the measurement (ignored for the warm-up).
   */
  drive(port: number, sizes: Sizes, warm: boolean): Promise<Measurement>;
}

/** One API's implementation of the workloads it runs (see `_impls.ts`). */
export type Impl = Partial<Record<Workload, Pair>>;

/** Units of the workloads; memory workloads report MiB. */
export const UNITS = Object.fromEntries(
  WORKLOADS.map((w) => [w, WORKLOAD_INFO[w].unit]),
) as Record<Workload, string>;

/**
 * A throughput measurement.
 *
 * @param workload Names the unit.
 * @param count Units done (bytes for the `MiB/s` workloads).
 * @param millis Time taken.
 * @param extra Extra facts.
 * @returns The measurement.
 */
export function rate(
  workload: Workload,
  count: number,
  millis: number,
  extra?: Record<string, number>,
): Measurement {
  const units = UNITS[workload] === "MiB/s" ? count / (1024 * 1024) : count;
  return { value: units / (millis / 1000), unit: UNITS[workload], extra };
}

/**
 * The resident set size of this process.
 *
 * @returns Bytes.
 */
export function rss(): number {
  return process.memoryUsage.rss();
}

/** Runs a full garbage collection if the runtime exposes one. */
export function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun !== undefined) g.Bun.gc(true);
  else g.gc?.();
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @param ms The delay.
 * @returns A promise.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Samples RSS every 20 ms until `stop` resolves.
 *
 * @param stop Ends the sampling.
 * @returns The highest RSS seen, in bytes.
 */
export async function peakRss(stop: Promise<unknown>): Promise<number> {
  let peak = rss();
  let done = false;
  stop.then(() => done = true, () => done = true);
  while (!done) {
    peak = Math.max(peak, rss());
    await sleep(20);
  }
  return Math.max(peak, rss());
}

/**
 * Datagrams a UDP blaster sends before it lets the event loop run (so that a
 * receiver in the same process gets its turn, as Python's threads would).
 */
export const BURST = 16;

/**
 * Resolves after the event loop has polled for I/O once.
 *
 * @returns A promise.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** 16 bytes of request. */
export const PING = new Uint8Array(16).fill(0x61);
/** A 64-byte line ending in a newline (socketserver workload). */
export const LINE = new Uint8Array(64).fill(0x62);
LINE[63] = 0x0a;
/** 64-byte datagram of the UDP throughput workload. */
export const DATAGRAM = new Uint8Array(64).fill(0x63);

/**
 * Opens `n` connections, at most 100 connects in flight at once (so that no
 * listen backlog overflows into SYN retries, whose 1 s timer would dominate).
 *
 * @param n How many.
 * @param connect Opens one.
 * @returns The connections, in order.
 */
export async function connectAll<T>(n: number, connect: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch: Promise<T>[] = [];
    for (let j = i; j < Math.min(n, i + 100); j++) batch.push(connect());
    out.push(...await Promise.all(batch));
  }
  return out;
}

/**
 * Runs `fn` for each of `n` items with at most `n` at once (all concurrently).
 *
 * @param n How many.
 * @param fn The task.
 * @returns Resolves when all finished.
 */
export async function all(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < n; i++) tasks.push(fn(i));
  await Promise.all(tasks);
}

/**
 * Big-endian 8-byte count (the bulk sink's reply).
 *
 * @param n The count.
 * @returns 8 bytes.
 */
export function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

/**
 * Reads the count written by {@linkcode u64}.
 *
 * @param b 8 bytes.
 * @returns The count.
 */
export function readU64(b: Uint8Array): number {
  return Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0));
}

/**
 * Frames a byte stream into newline-terminated lines, as `readline` does, so
 * that the raw `socketserver` servers do the same work as unisock's
 * `StreamRequestHandler` (one write per line).
 */
export class LineFramer {
  #rest: Uint8Array | null = null;

  /**
   * The complete lines that `chunk` ends; a trailing partial line is kept
   * (copied, so `chunk` may be a reused buffer).
   *
   * @param chunk Bytes just read.
   * @returns The lines, each with its newline: views of `chunk` where they
   * lie in it, valid until the next read into it.
   */
  lines(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      let line = chunk.subarray(start, nl + 1);
      if (this.#rest !== null) {
        const joined = new Uint8Array(this.#rest.length + line.length);
        joined.set(this.#rest);
        joined.set(line, this.#rest.length);
        line = joined;
        this.#rest = null;
      }
      out.push(line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const tail = chunk.slice(start);
      if (this.#rest === null) this.#rest = tail;
      else {
        const joined = new Uint8Array(this.#rest.length + tail.length);
        joined.set(this.#rest);
        joined.set(tail, this.#rest.length);
        this.#rest = joined;
      }
    }
    return out;
  }
}

/** A Web Streams reader and the bytes a read got beyond what was asked. */
export interface ChunkSource {
  /** The stream's reader. */
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Bytes read past the last request, handed out first. */
  rest: Uint8Array | null;
}

/**
 * Reads exactly `n` bytes from a Web Streams reader (the peers' clients).
 *
 * @param src The reader and its leftover bytes (updated).
 * @param n How many bytes.
 * @returns The bytes; throws at EOF before `n`.
 */
export async function readExactly(src: ChunkSource, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    let chunk = src.rest;
    src.rest = null;
    if (chunk === null) {
      const { value, done } = await src.reader.read();
      if (done) throw new Error("unexpected EOF");
      chunk = value;
    }
    const take = Math.min(n - got, chunk.length);
    out.set(chunk.subarray(0, take), got);
    if (take < chunk.length) src.rest = chunk.subarray(take);
    got += take;
  }
  return out;
}

/**
 * The median.
 *
 * @param xs Numbers.
 * @returns Their median, NaN for none.
 */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
