/**
 * One benchmark process, started by `bench/run.ts` on Deno, Bun or Node:
 *
 *     child.ts --impl NAME --workload NAME --role both|server|client
 *              [--port N] [--quick]
 *
 * `both` runs server and client in this process; `server` prints
 * `PORT <n>` and serves until killed; `client` drives the server at
 * `--port`. The client side runs an untimed warm-up pass, then the timed
 * pass, and prints `RESULT <json>` (a {@linkcode Measurement}). The
 * implementations (`--impl`) are registered in `_impls.ts`.
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
  sleep,
  warmupSizes,
  type Workload,
  WORKLOADS,
} from "./_common.ts";
import { IMPL_NAMES, type ImplName, IMPLS, type Runtime } from "./_impls.ts";

/** The pause after the warm-up of `concurrent`. */
const _SETTLE_MS = 500;

function _arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback !== undefined) return fallback;
  throw new Error(`missing --${name}`);
}

function _runtime(): Runtime {
  return "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
}

async function _impl(name: string): Promise<Impl> {
  if (!IMPL_NAMES.includes(name as ImplName)) throw new Error(`unknown --impl ${name}`);
  const info = IMPLS[name as ImplName];
  const runtime = _runtime();
  if (info.what[runtime] === undefined) {
    throw new Error(`--impl ${name} does not run on ${runtime}`);
  }
  return await info.load(runtime);
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
  await pair.drive(port, warmupSizes(sizes), true);
  // The warm-up of `concurrent` closes as many connections as the timed pass
  // opens: let the server finish closing them first, or on a runtime whose
  // backlog is fixed (Bun: 512) the timed pass's connects overflow it and wait
  // for the kernel's one-second SYN retry.
  if (workload === "concurrent") await sleep(_SETTLE_MS);
  const result: Measurement = await pair.drive(port, sizes, false);
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

_main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
