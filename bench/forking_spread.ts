/**
 * How evenly two worker processes sharing one port get the connections
 * (`node bench/forking_spread.ts`): SO_REUSEPORT listeners (a unisock
 * `ForkingTCPServer`) against `node:cluster`, on Deno (--unstable-net), Bun
 * and Node. The server (`bench/forking_spread_server.ts`) answers each
 * connection with the accepting worker's pid; this (Node) process counts
 * connections per pid for three client patterns:
 *
 * - `sequential`: `CONNS` connections one after the other;
 * - `burst`: `CONNS` connections opened at once and held;
 * - `4 held`: `TRIALS` times, 4 connections opened at once and held (few
 *   long-lived clients): how many trials split them 2:2;
 * - `cpu`: against a second server whose connections each cost `BURN_MS` of
 *   CPU, 4 client loops connect, read the pid and close, for `SECONDS`:
 *   requests per second and the spread.
 *
 * The spread is the smaller worker's share / the larger's (1.00 = even).
 *
 *     node bench/forking_spread.ts [--conns N] [--trials N] [--burn MS] [--seconds N]
 *                                  [--runtime deno,bun,node] [--method forking,cluster]
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { BIN, option, ROOT, startServer, stopServer } from "./_forking_child.ts";

const SERVER = join(ROOT, "bench", "forking_spread_server.ts");
const CONNS = Number(option("--conns", "200"));
const TRIALS = Number(option("--trials", "20"));
const RUNTIMES = option("--runtime", "deno,bun,node").split(",");
const METHODS = option("--method", "forking,cluster").split(",");
const BURN_MS = option("--burn", "20");
const SECONDS = Number(option("--seconds", "3"));
const LIMIT_MS = 60_000;

/** Starts a server (2 workers) and resolves with it and its port. */
function start(runtime: string, method: string, burn: string) {
  const args = [SERVER, method, "2", burn];
  return runtime === "deno"
    ? startServer(`${runtime} ${method}`, BIN("deno"), ["run", "-A", "--unstable-net", ...args])
    : startServer(`${runtime} ${method}`, BIN(runtime), args);
}

/** Opens a connection and resolves with it and the pid it was answered with. */
function open(port: number): Promise<[Socket, number]> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error("no answer"));
    }, LIMIT_MS);
    let text = "";
    sock.on("data", (d) => {
      text += d.toString();
      if (text.includes("\n")) {
        clearTimeout(timer);
        resolve([sock, Number(text.trim())]);
      }
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Counts per pid → the smaller count / the larger (two workers). */
function spread(pids: number[]): { counts: number[]; ratio: number } {
  const by = new Map<number, number>();
  for (const p of pids) by.set(p, (by.get(p) ?? 0) + 1);
  const counts = [...by.values()].sort((a, b) => a - b);
  if (counts.length === 1) counts.unshift(0);
  return { counts, ratio: counts[0] / counts[counts.length - 1] };
}

async function sequential(port: number): Promise<number[]> {
  const pids: number[] = [];
  for (let i = 0; i < CONNS; i++) {
    const [sock, pid] = await open(port);
    sock.end();
    pids.push(pid);
  }
  return pids;
}

async function held(port: number, n: number): Promise<number[]> {
  const opened = await Promise.all(Array.from({ length: n }, () => open(port)));
  for (const [sock] of opened) sock.end();
  return opened.map(([, pid]) => pid);
}

/** 4 client loops for SECONDS: the pids that answered, and requests per second. */
async function cpu(port: number): Promise<[number[], number]> {
  const pids: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const [sock, pid] = await open(port);
      sock.end();
      pids.push(pid);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 4 }, loop));
  return [pids, pids.length / ((performance.now() - t0) / 1000)];
}

/** Runs `body` against a fresh server, then stops it. */
async function served<T>(
  runtime: string,
  method: string,
  burn: string,
  body: (port: number) => Promise<T>,
): Promise<T> {
  const [child, port] = await start(runtime, method, burn);
  try {
    return await body(port);
  } finally {
    await stopServer(child);
  }
}

async function measure(runtime: string, method: string): Promise<string> {
  const cell = (s: { counts: number[]; ratio: number }) =>
    `${s.counts.join(":").padStart(7)} ${s.ratio.toFixed(2)}`;
  try {
    const shares = await served(runtime, method, "0", async (port) => {
      const seq = spread(await sequential(port));
      const burst = spread(await held(port, CONNS));
      let even = 0;
      for (let t = 0; t < TRIALS; t++) {
        if (spread(await held(port, 4)).ratio === 1) even++;
      }
      return `${cell(seq).padStart(14)} ${cell(burst).padStart(14)} ${
        `${even}/${TRIALS}`.padStart(12)
      }`;
    });
    const [pids, rate] = await served(runtime, method, BURN_MS, cpu);
    return `${runtime.padEnd(5)} ${method.padEnd(9)} ${shares} ${cell(spread(pids)).padStart(14)} ${
      rate.toFixed(1).padStart(8)
    }`;
  } catch (error) {
    return `${runtime.padEnd(5)} ${method.padEnd(9)} fails: ${(error as Error).message}`;
  }
}

console.log(
  `2 workers; ${CONNS} connections per pattern; ${TRIALS} trials of 4 held; ` +
    `cpu: ${BURN_MS} ms per connection, 4 loops, ${SECONDS} s`,
);
console.log("rt    method        sequential          burst  4 held 2:2            cpu    req/s");
for (const runtime of RUNTIMES) {
  for (const method of METHODS) console.log(await measure(runtime, method));
}
