/**
 * One benchmark process, started by `bench/run.ts` on Deno, Bun or Node:
 *
 *     child.ts --impl unisock|raw|floor --workload NAME --role both|server|client
 *              [--port N] [--quick]
 *
 * `both` runs server and client in this process; `server` prints
 * `PORT <n>` and serves until killed; `client` drives the server at
 * `--port`. The client side runs an untimed warm-up pass, then the timed
 * pass, and prints `RESULT <json>` (a {@linkcode Measurement}). `floor` (the
 * thinnest implementation of unisock's API shape, see `_floor.ts`) has no
 * `flood` or `idle`.
 *
 * @module
 */

import process from "node:process";
import {
  FULL,
  type Impl,
  type Measurement,
  QUICK,
  type Sizes,
  WARMUP,
  type Workload,
  WORKLOADS,
} from "./_common.ts";

function _arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}`);
}

function _runtime(): "deno" | "bun" | "node" {
  return "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
}

async function _impl(kind: string): Promise<Partial<Impl>> {
  if (kind === "unisock") return (await import("./workloads_unisock.ts")).unisock;
  if (kind === "floor") return (await import("./workloads_floor.ts")).floor;
  if (kind !== "raw") throw new Error(`unknown --impl ${kind}`);
  const runtime = _runtime();
  if (runtime === "deno") return (await import("./workloads_deno.ts")).raw;
  if (runtime === "bun") return (await import("./workloads_bun.ts")).raw;
  return (await import("./workloads_node.ts")).raw;
}

async function _main(): Promise<void> {
  const workload = _arg("workload") as Workload;
  if (!WORKLOADS.includes(workload)) throw new Error(`unknown --workload ${workload}`);
  const role = _arg("role", "both");
  const sizes: Sizes = process.argv.includes("--quick") ? QUICK : FULL;
  const pair = (await _impl(_arg("impl")))[workload];
  if (pair === undefined) throw new Error(`--impl ${_arg("impl")} has no ${workload}`);
  let port: number;
  if (role === "client") port = Number(_arg("port"));
  else {
    const server = await pair.serve(sizes);
    port = server.port;
    if (role === "server") {
      // Exit on SIGTERM instead of dying of it, so that --cpu-prof writes the
      // server's profile too.
      process.on("SIGTERM", () => process.exit(0));
      console.log(`PORT ${port}`);
      return;
    }
  }
  await pair.drive(port, WARMUP, true);
  const result: Measurement = await pair.drive(port, sizes, false);
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

_main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
