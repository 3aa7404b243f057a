/**
 * The benchmark orchestrator (`npm run bench`, i.e. `node bench/run.ts`).
 *
 * For every workload, in one process and in two processes, and for every
 * runtime, it runs the same workload through unisock and through the
 * runtime's raw API, alternating their order, several repetitions, each run
 * in a fresh process; CPython's `socket` module runs the same workload beside
 * them. It prints median and range of each, and the ratio unisock/raw.
 * `--floor` adds the floor implementation (`workloads_floor.ts`: unisock's
 * API shape at its thinnest over the raw API) to the alternation of the
 * timed workloads, with the ratios unisock/floor and floor/raw.
 *
 *     node bench/run.ts [--quick] [--runtime deno,bun,node] [--workload a,b]
 *                       [--mode one,two] [--reps N] [--no-python] [--floor]
 *                       [--json[=FILE]] [--cpu-prof]
 *
 * `--json` writes every figure to FILE (default `.bench-out/bench.json`);
 * `--cpu-prof` writes one V8 CPU profile per JS process into
 * `.bench-out/prof/` (read them with `node bench/profile.ts FILE`).
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import {
  FULL,
  type Measurement,
  QUICK,
  UNITS,
  WARMUP,
  type Workload,
  WORKLOADS,
} from "./_common.ts";

type _Runtime = "deno" | "bun" | "node";
type _Impl = "unisock" | "raw" | "floor" | "python";
type _Mode = "one" | "two";

/** All measurements of one runtime (or Python) and implementation. */
interface _Series {
  values: number[];
  extras: Record<string, number>[];
  errors: string[];
}

/** One row of the results: a workload, a mode, a runtime. */
interface _Row {
  workload: Workload;
  mode: _Mode;
  runtime: _Runtime;
  unisock: _Series;
  raw: _Series;
  /** Only with `--floor`, only for timed workloads. */
  floor?: _Series;
}

const _ROOT = join(import.meta.dirname ?? ".", "..");
const _BIN = join(_ROOT, "node_modules", ".bin");
const _OUT = join(_ROOT, ".bench-out");
const _RUNTIMES: _Runtime[] = ["deno", "bun", "node"];
const _MEMORY = new Set<Workload>(["flood", "idle"]);
/** Limits of the memory workloads, in MiB. */
const _LIMITS: Partial<Record<Workload, number>> = { flood: 16, idle: 40 };
/** Workloads where the fastest runtime's unisock must beat CPython. */
const _BEAT_PYTHON = new Set<Workload>(["pingpong", "connrate", "udp", "udppp", "concurrent"]);

function _options() {
  const argv = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i];
    if (a.includes("=")) return a.slice(a.indexOf("=") + 1);
    const next = argv[i + 1];
    return next !== undefined && !next.startsWith("--") ? next : "";
  };
  const list = <T extends string>(name: string, all: readonly T[]): T[] => {
    const v = value(name);
    if (v === undefined || v === "") return [...all];
    const picked = v.split(",") as T[];
    for (const p of picked) if (!all.includes(p)) throw new Error(`unknown --${name} ${p}`);
    return picked;
  };
  const quick = argv.includes("--quick");
  const json = value("json");
  return {
    quick,
    runtimes: list("runtime", _RUNTIMES),
    workloads: list("workload", WORKLOADS),
    modes: list<_Mode>("mode", ["one", "two"]),
    reps: Number(value("reps") ?? 3),
    python: !argv.includes("--no-python"),
    floor: argv.includes("--floor"),
    json: json === undefined ? null : json === "" ? join(_OUT, "bench.json") : json,
    cpuProf: argv.includes("--cpu-prof"),
  };
}

type _Options = ReturnType<typeof _options>;

function _command(impl: _Impl, runtime: _Runtime, opts: _Options, args: string[]): string[] {
  const child = join(_ROOT, "bench", "child.ts");
  const prof = join(_OUT, "prof");
  const cpu = opts.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [];
  if (impl === "python") {
    const sizes = JSON.stringify(opts.quick ? QUICK : FULL);
    return [
      "python3",
      join(_ROOT, "bench", "python_bench.py"),
      "--sizes",
      sizes,
      "--warm",
      JSON.stringify(WARMUP),
      ...args,
    ];
  }
  const tail = [child, "--impl", impl, ...args, ...(opts.quick ? ["--quick"] : [])];
  if (runtime === "deno") {
    return [
      join(_BIN, "deno"),
      "run",
      "-A",
      "--unstable-net",
      "--v8-flags=--expose-gc",
      ...cpu,
      ...tail,
    ];
  }
  if (runtime === "bun") return [join(_BIN, "bun"), ...cpu, ...tail];
  return [join(_BIN, "node"), "--expose-gc", ...cpu, ...tail];
}

/** Starts a process; resolves with the first stdout line starting with `prefix`. */
function _start(cmd: string[], prefix: string, timeoutMs: number) {
  const child = spawn(cmd[0], cmd.slice(1), { cwd: _ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  const line = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      _kill(child);
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout!.on("data", (b: Uint8Array) => {
      out += String(b);
      const hit = out.split("\n").find((l) => l.startsWith(prefix));
      if (hit !== undefined) {
        clearTimeout(timer);
        resolve(hit.slice(prefix.length));
      }
    });
    child.stderr!.on("data", (b: Uint8Array) => err += String(b));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exit ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
  return { child, line };
}

function _kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function _runOnce(
  impl: _Impl,
  runtime: _Runtime,
  workload: Workload,
  mode: _Mode,
  opts: _Options,
): Promise<Measurement> {
  const timeout = opts.quick ? 60_000 : 180_000;
  const base = ["--workload", workload];
  if (mode === "one") {
    const run = _start(
      _command(impl, runtime, opts, [...base, "--role", "both"]),
      "RESULT ",
      timeout,
    );
    try {
      return JSON.parse(await run.line) as Measurement;
    } finally {
      await _kill(run.child);
    }
  }
  const server = _start(
    _command(impl, runtime, opts, [...base, "--role", "server"]),
    "PORT ",
    20_000,
  );
  try {
    const port = await server.line;
    const args = [...base, "--role", "client", "--port", port];
    const client = _start(_command(impl, runtime, opts, args), "RESULT ", timeout);
    try {
      return JSON.parse(await client.line) as Measurement;
    } finally {
      await _kill(client.child);
    }
  } finally {
    await _kill(server.child);
  }
}

function _series(): _Series {
  return { values: [], extras: [], errors: [] };
}

async function _record(series: _Series, run: Promise<Measurement>): Promise<void> {
  try {
    const m = await run;
    series.values.push(m.value);
    if (m.extra !== undefined) series.extras.push(m.extra);
  } catch (err) {
    series.errors.push(err instanceof Error ? err.message : String(err));
  }
}

function _median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function _fmt(x: number): string {
  if (!Number.isFinite(x)) return "-";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function _cell(s: _Series): string {
  if (s.values.length === 0) return s.errors.length > 0 ? "ERROR" : "-";
  const text = `${_fmt(_median(s.values))} [${_fmt(Math.min(...s.values))}–${
    _fmt(Math.max(...s.values))
  }]`;
  const loss = s.extras.map((e) => e.lossPct).filter((x) => x !== undefined);
  const lost = s.extras.map((e) => e.lost).filter((x) => x !== undefined);
  if (loss.length > 0) return `${text} loss ${_fmt(_median(loss))}%`;
  if (lost.some((x) => x > 0)) return `${text} lost ${_fmt(_median(lost))}`;
  return s.errors.length > 0 ? `${text} (${s.errors.length} err)` : text;
}

function _verdict(row: _Row): string {
  const u = _median(row.unisock.values), r = _median(row.raw.values);
  if (_MEMORY.has(row.workload)) {
    const limit = _LIMITS[row.workload]!;
    return Number.isFinite(u) ? (u < limit ? `ok (<${limit})` : `OVER ${limit}`) : "";
  }
  const ratio = u / r;
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}${ratio >= 0.9 ? "" : " LOW"}` : "";
}

/** The ratio of two series' medians, or "" when either has none. */
function _ratio(a: _Series | undefined, b: _Series | undefined): string {
  const ratio = _median(a?.values ?? []) / _median(b?.values ?? []);
  return Number.isFinite(ratio) ? ratio.toFixed(2) : "";
}

function _pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function _table(rows: _Row[], python: Map<string, _Series>, floor: boolean): string {
  const head = floor
    ? [
      "workload",
      "mode",
      "runtime",
      "unisock",
      "raw",
      "floor",
      "uni/raw",
      "uni/floor",
      "floor/raw",
    ]
    : ["workload", "mode", "runtime", "unisock", "raw", "uni/raw"];
  head.push("python");
  const lines = [head];
  for (const row of rows) {
    const py = python.get(`${row.workload}/${row.mode}`);
    const line = [row.workload, row.mode, row.runtime, _cell(row.unisock), _cell(row.raw)];
    if (floor) line.push(row.floor === undefined ? "-" : _cell(row.floor));
    line.push(_verdict(row));
    if (floor) line.push(_ratio(row.unisock, row.floor), _ratio(row.floor, row.raw));
    line.push(py === undefined ? "-" : _cell(py));
    lines.push(line);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const text = lines.map((l) => l.map((c, i) => _pad(c, widths[i])).join("  ").trimEnd());
  text.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return text.join("\n");
}

function _summary(rows: _Row[], python: Map<string, _Series>): string {
  const out: string[] = [];
  for (const runtime of new Set(rows.map((r) => r.runtime))) {
    const mine = rows.filter((r) => r.runtime === runtime && !_MEMORY.has(r.workload));
    const ok = mine.filter((r) => _median(r.unisock.values) >= 0.9 * _median(r.raw.values));
    out.push(`${runtime}: unisock >= 0.9x raw on ${ok.length}/${mine.length} timed rows`);
    const floored = mine.filter((r) => r.floor !== undefined);
    if (floored.length > 0) {
      const at = (a: _Series, b: _Series) => _median(a.values) >= 0.9 * _median(b.values);
      out.push(
        `${runtime}: floor >= 0.9x raw on ${
          floored.filter((r) => at(r.floor!, r.raw)).length
        }/${floored.length}, ` +
          `unisock >= 0.9x floor on ${
            floored.filter((r) => at(r.unisock, r.floor!)).length
          }/${floored.length} timed rows`,
      );
    }
  }
  const speed = new Map<string, number>();
  for (const r of rows) {
    if (_MEMORY.has(r.workload) || !_BEAT_PYTHON.has(r.workload)) continue;
    const py = _median(python.get(`${r.workload}/${r.mode}`)?.values ?? []);
    const v = _median(r.unisock.values) / py;
    if (Number.isFinite(v)) speed.set(r.runtime, (speed.get(r.runtime) ?? 0) + Math.log(v));
  }
  const fastest = [...speed].sort((a, b) => b[1] - a[1])[0];
  if (fastest !== undefined) {
    const beaten = rows.filter((r) => r.runtime === fastest[0] && _BEAT_PYTHON.has(r.workload));
    const wins = beaten.filter((r) =>
      _median(r.unisock.values) > _median(python.get(`${r.workload}/${r.mode}`)?.values ?? [])
    );
    out.push(
      `fastest runtime vs CPython (${[..._BEAT_PYTHON].join(", ")}): ${fastest[0]}, ` +
        `unisock beats CPython on ${wins.length}/${beaten.length} rows`,
    );
  }
  return out.join("\n");
}

/** The order of the implementations in repetition `rep`: each leads in turn. */
function _order(rep: number, floor: boolean): ("unisock" | "raw" | "floor")[] {
  if (!floor) return rep % 2 === 0 ? ["unisock", "raw"] : ["raw", "unisock"];
  const all = ["unisock", "raw", "floor"] as const;
  return [0, 1, 2].map((i) => all[(rep + i) % 3]);
}

async function _main(): Promise<void> {
  const opts = _options();
  if (opts.cpuProf) mkdirSync(join(_OUT, "prof"), { recursive: true });
  const rows: _Row[] = [];
  const python = new Map<string, _Series>();
  const t0 = performance.now();
  for (const workload of opts.workloads) {
    for (const mode of opts.modes) {
      const withFloor = opts.floor && !_MEMORY.has(workload);
      const block = opts.runtimes.map((runtime): _Row => ({
        workload,
        mode,
        runtime,
        unisock: _series(),
        raw: _series(),
        ...(withFloor ? { floor: _series() } : {}),
      }));
      const py = _series();
      for (let rep = 0; rep < opts.reps; rep++) {
        for (const row of block) {
          for (const impl of _order(rep, withFloor)) {
            await _record(row[impl]!, _runOnce(impl, row.runtime, workload, mode, opts));
          }
        }
        if (opts.python) await _record(py, _runOnce("python", "node", workload, mode, opts));
      }
      rows.push(...block);
      if (opts.python) python.set(`${workload}/${mode}`, py);
      const secs = ((performance.now() - t0) / 1000).toFixed(0);
      console.error(`[${secs}s] ${workload}/${mode} done`);
      for (const row of block) {
        for (const e of [...row.unisock.errors, ...row.raw.errors, ...row.floor?.errors ?? []]) {
          console.error(`  ${row.runtime}: ${e}`);
        }
      }
      for (const e of py.errors) console.error(`  python: ${e}`);
    }
  }
  const units = opts.workloads.map((w) => `${w} ${UNITS[w]}`).join(", ");
  console.log(
    `\nunisock benchmark (${opts.quick ? "quick" : "full"}, ${opts.reps} reps; median [min–max])`,
  );
  console.log(`units: ${units}\n`);
  console.log(_table(rows, python, opts.floor));
  console.log(`\n${_summary(rows, python)}`);
  if (opts.json !== null) {
    mkdirSync(dirname(opts.json), { recursive: true });
    const doc = {
      quick: opts.quick,
      reps: opts.reps,
      sizes: opts.quick ? QUICK : FULL,
      units: UNITS,
      rows,
      python: Object.fromEntries(python),
    };
    writeFileSync(opts.json, JSON.stringify(doc, null, 2) + "\n");
    console.log(`\nJSON written to ${opts.json}`);
  }
}

_main().catch((err) => {
  console.error(err);
  process.exit(1);
});
