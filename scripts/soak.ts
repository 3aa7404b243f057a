// `npm run soak`: the long runs of the robustness suite, on Deno, Bun and Node.
//
// 1. integrity, load and faults tests with UNISOCK_LONG=1 on each runtime
//    (4 GiB SHA-256 transfer, 5x property cases, 20,000 connect/close cycles,
//    20 s echo storm);
// 2. an echo soak on each runtime: 200 connections echoing random-length
//    messages for UNISOCK_SOAK_SECONDS (default 60) with zero mismatched
//    bytes, no connection starved (no round trip over 2 s), live memory flat
//    after warm-up, descriptors back to baseline.
//
// Options: `--only deno,bun` limits the runtimes; `--skip-tests` runs only the
// echo soak. Ends with one line per runtime and exits non-zero on a failure.
// Internally the same file is the echo-soak worker (`--worker`), run by each
// runtime.

import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import v8 from "node:v8";
import vm from "node:vm";
import { message, rng } from "../tests/_data.ts";

const root = join(import.meta.dirname ?? ".", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const MiB = 1024 * 1024;

// ---- worker: the echo soak, run inside one runtime -----------------------------------

/** A full GC where the runtime allows one (Bun.gc; V8's gc through --expose-gc set at run time). */
function makeGc(): () => void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return () => bun.gc(true);
  try {
    v8.setFlagsFromString("--expose-gc");
    const fn = vm.runInNewContext("gc") as () => void;
    return () => fn();
  } catch {
    return () => {};
  }
}

type Unisock = typeof import("unisock");

/** `conns` connections echo random-length messages through one server for `seconds`. */
async function storm(S: Unisock, conns: number, seconds: number, sample: () => void) {
  const srv = await S.create_server(["127.0.0.1", 0], { backlog: 4096 });
  const addr = srv.getsockname() as [string, number];
  const serverErrors: string[] = [];
  const handlers = new Set<Promise<void>>();
  const acceptLoop = (async () => {
    for (;;) {
      let conn: InstanceType<Unisock["Socket"]>;
      try {
        [conn] = await srv.accept();
      } catch {
        return;
      }
      const h = (async () => {
        try {
          for (;;) {
            const d = await conn.recv(65536);
            if (d.length === 0) break;
            await conn.sendall(d);
          }
        } catch (err) {
          serverErrors.push(String(err));
        } finally {
          conn.close();
        }
      })();
      handlers.add(h);
      h.finally(() => handlers.delete(h));
    }
  })();
  // No client timeout: a starved connection shows as a slow round trip, not a crash.
  const clients = await Promise.all(Array.from({ length: conns }, () => S.create_connection(addr)));
  const end = performance.now() + seconds * 1000;
  let messages = 0, bytes = 0, bad = 0, worst = 0, starved = 0;
  const sampler = setInterval(sample, Math.max(1000, Math.min(5000, seconds * 1000 / 12)));
  try {
    await Promise.all(clients.map(async (c, i) => {
      const rand = rng(1 + i);
      let slow = false;
      for (let seq = 0; performance.now() < end; seq++) {
        const len = 1 + Math.floor(2 ** (rand() * 16)); // 1 B .. 64 KiB, log-uniform
        const m = message(i, seq, len);
        const t = performance.now();
        await c.sendall(m);
        const back = await c.recv(len, S.MSG_WAITALL);
        const rtt = performance.now() - t;
        worst = Math.max(worst, rtt);
        if (rtt > 5000 && !slow) {
          slow = true;
          starved++;
        }
        if (back.length !== len) bad += len;
        else for (let k = 0; k < len; k++) if (back[k] !== m[k]) bad++;
        messages++;
        bytes += len;
      }
    }));
  } finally {
    clearInterval(sampler);
    for (const c of clients) c.close();
    srv.close();
    await acceptLoop;
    await Promise.all(handlers);
  }
  return { messages, bytes, bad, worst, starved, serverErrors };
}

async function worker(): Promise<void> {
  const S = await import("unisock");
  const conns = Number(process.env.UNISOCK_SOAK_CONNS ?? 200);
  const seconds = Number(process.env.UNISOCK_SOAK_SECONDS ?? 60);
  const gc = makeGc();
  const live = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + (m.arrayBuffers ?? m.external);
  };
  const fds = () => readdirSync("/proc/self/fd").length;
  // Warm-up: JIT, buffer pools, and descriptors a runtime opens once on first use.
  await storm(S, 50, Math.min(2, seconds / 10), () => {});
  const fds0 = fds();
  const t0 = performance.now();
  const samples: [number, number][] = [];
  const r = await storm(
    S,
    conns,
    seconds,
    () => samples.push([(performance.now() - t0) / 1000, live()]),
  );
  const secs = (performance.now() - t0) / 1000;
  let fdsBack = false;
  for (let i = 0; i < 200 && !fdsBack; i++) {
    fdsBack = fds() <= fds0;
    if (!fdsBack) await new Promise((res) => setTimeout(res, 25));
  }
  // Flat memory: the last third of the samples peaks no higher than the first third + 32 MiB.
  const third = Math.max(1, Math.floor(samples.length / 3));
  const firstPeak = Math.max(...samples.slice(0, third).map(([, v]) => v));
  const lastPeak = Math.max(...samples.slice(-third).map(([, v]) => v));
  const flat = samples.length < 3 || lastPeak - firstPeak < 32 * MiB;
  const result = {
    conns,
    seconds: Number(secs.toFixed(1)),
    messages: r.messages,
    mib: Number((r.bytes / MiB).toFixed(1)),
    mismatched: r.bad,
    serverErrors: r.serverErrors.length,
    slowestRoundTripMs: Math.round(r.worst),
    starvedConns: r.starved,
    liveMiB: samples.map(([t, v]) => `${t.toFixed(0)}s:${(v / MiB).toFixed(1)}`),
    flat,
    fds: `${fds()}/${fds0}`,
    fdsBack,
  };
  console.log(`SOAK ${JSON.stringify(result)}`);
  const ok = r.bad === 0 && r.serverErrors.length === 0 && r.starved === 0 && flat && fdsBack;
  process.exitCode = ok ? 0 : 1;
}

// ---- orchestrator ---------------------------------------------------------------------

interface Run {
  readonly runtime: string;
  readonly what: string;
  readonly cmd: string;
  readonly args: string[];
}

function run(r: Run): Promise<{ code: number; out: string; secs: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(r.cmd, r.args, {
      cwd: root,
      env: { ...process.env, UNISOCK_LONG: "1", NO_COLOR: "1" },
    });
    let out = "";
    const take = (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on(
      "close",
      (code) => resolve({ code: code ?? 1, out, secs: (performance.now() - t0) / 1000 }),
    );
  });
}

async function orchestrate(): Promise<void> {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf("--only");
  const only = onlyAt >= 0 ? argv[onlyAt + 1].split(",") : ["deno", "bun", "node"];
  const skipTests = argv.includes("--skip-tests");
  const tests = ["tests/integrity_test.ts", "tests/load_test.ts", "tests/faults_test.ts"];
  const self = "scripts/soak.ts";
  const runs: Run[] = [];
  if (only.includes("node")) {
    const built = await run({
      runtime: "node",
      what: "build",
      cmd: bin("node"),
      args: ["scripts/build_npm.ts"],
    });
    if (built.code !== 0) {
      console.log("=== npm build failed: Node is skipped");
      only.splice(only.indexOf("node"), 1);
    }
  }
  for (const rt of only) {
    if (!skipTests) {
      if (rt === "deno") {
        runs.push({
          runtime: rt,
          what: "tests",
          cmd: bin("deno"),
          args: ["test", "-A", "--unstable-net", ...tests],
        });
      }
      if (rt === "bun") {
        runs.push({
          runtime: rt,
          what: "tests",
          cmd: bin("bun"),
          args: ["test", "--timeout", "600000", ...tests],
        });
      }
      if (rt === "node") {
        runs.push({
          runtime: rt,
          what: "tests",
          cmd: bin("node"),
          args: ["--test", "--test-concurrency=1", "--test-timeout=600000", ...tests],
        });
      }
    }
    if (rt === "deno") {
      runs.push({
        runtime: rt,
        what: "echo soak",
        cmd: bin("deno"),
        args: ["run", "-A", "--unstable-net", self, "--worker"],
      });
    }
    if (rt === "bun") {
      runs.push({ runtime: rt, what: "echo soak", cmd: bin("bun"), args: [self, "--worker"] });
    }
    if (rt === "node") {
      runs.push({ runtime: rt, what: "echo soak", cmd: bin("node"), args: [self, "--worker"] });
    }
  }
  const summary: string[] = [];
  let failed = 0;
  for (const r of runs) {
    console.log(`\n=== ${r.runtime}: ${r.what}`);
    const { code, out, secs } = await run(r);
    const soak = out.match(/^SOAK (.*)$/m)?.[1];
    const figures = out.match(/^# .*$/gm)?.join("; ") ?? "";
    summary.push(
      `${r.runtime.padEnd(5)} ${r.what.padEnd(9)} ${code === 0 ? "ok    " : "FAILED"} ${
        secs.toFixed(0)
      } s ${soak ?? figures}`,
    );
    if (code !== 0) failed++;
  }
  console.log(`\n=== soak summary\n${summary.join("\n")}`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv.includes("--worker")) await worker();
else await orchestrate();
