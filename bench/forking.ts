/**
 * Forking against threading for a CPU-bound handler (`node bench/forking.ts`):
 * `examples/forking_cpu_server.ts` on Deno (--unstable-net), Bun and Node,
 * served by a ForkingTCPServer with 2 workers and by a ThreadingTCPServer,
 * and CPython's ForkingTCPServer (`bench/forking_cpu_server.py`), side by
 * side in one run. Each server gets the same load: `CLIENTS` concurrent
 * client loops, each connecting, sending a line and reading the digest, for
 * `SECONDS`; the figure is requests per second. The clients run in this
 * (Node) process over `node:net`, which costs little beside the hashing.
 *
 *     node bench/forking.ts [--seconds N] [--clients N] [--rounds N] [--runtime deno,bun,node]
 *
 * @module
 */

import { connect } from "node:net";
import { join } from "node:path";
import { BIN, option, ROOT, startServer, stopServer } from "./_forking_child.ts";

const EXAMPLE = join(ROOT, "examples", "forking_cpu_server.ts");
const PYTHON = join(ROOT, "bench", "forking_cpu_server.py");
const SECONDS = Number(option("--seconds", "5"));
const CLIENTS = Number(option("--clients", "4"));
const ROUNDS = option("--rounds", "16");
const RUNTIMES = option("--runtime", "deno,bun,node").split(",");

/** The command running a server: [runtime, mode] → argv. */
function command(runtime: string, threading: boolean): [string, string[]] {
  const args = ["0", "2", ROUNDS, ...(threading ? ["--threading"] : [])];
  if (runtime === "python") return ["python3", [PYTHON, ...args]];
  if (runtime === "deno") return [BIN("deno"), ["run", "-A", "--unstable-net", EXAMPLE, ...args]];
  return [BIN(runtime), [EXAMPLE, ...args]];
}

/** One request: connect, send a line, read the 65-byte answer. */
function request(port: number, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    let got = 0;
    sock.on("connect", () => sock.write(`request ${n}\n`));
    sock.on("data", (d) => got += d.length);
    sock.on("end", () => got === 65 ? resolve() : reject(new Error(`short answer: ${got}`)));
    sock.on("error", reject);
  });
}

/** Requests per second over SECONDS with CLIENTS concurrent loops. */
async function load(port: number): Promise<number> {
  await request(port, -1); // warm-up
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  const loop = async (c: number) => {
    for (let i = 0; performance.now() < end; i++) {
      await request(port, c * 1_000_000 + i);
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => loop(c)));
  return done / ((performance.now() - t0) / 1000);
}

async function measure(runtime: string, threading: boolean): Promise<number> {
  const [child, port] = await startServer(runtime, ...command(runtime, threading));
  try {
    return await load(port);
  } finally {
    await stopServer(child);
  }
}

console.log(
  `CPU-bound handler: ${ROUNDS} x SHA-256 of 1 MiB per request; ${CLIENTS} clients, ` +
    `${SECONDS} s per server; Forking with 2 workers`,
);
console.log("runtime  forking req/s  threading req/s  forking/threading");
for (const runtime of [...RUNTIMES, "python"]) {
  const forking = await measure(runtime, false);
  const threading = await measure(runtime, true);
  console.log(
    `${runtime.padEnd(8)} ${forking.toFixed(1).padStart(13)} ${
      threading.toFixed(1).padStart(16)
    } ` +
      `${(forking / threading).toFixed(2).padStart(18)}x`,
  );
}
