/**
 * The benchmark orchestrator (`npm run bench`, i.e. `node bench/run.ts`).
 *
 * For every workload, in one process and in two processes, and for every
 * runtime, it runs the same workload through every implementation registered
 * for that runtime in `_impls.ts` (unisock, the runtime's raw API, the peer
 * libraries a user would pick instead), alternating their order, several
 * repetitions, each run in a fresh process; CPython's `socket` module runs
 * the same workload beside them. It prints one table per runtime: median and
 * range of each implementation, and each one's ratio to every baseline
 * (`raw`; on Deno also `conn`, `Deno.Conn`). `--floor` adds the floor
 * implementation (`workloads_floor.ts`: unisock's API shape at its thinnest
 * over the raw API) to the timed workloads.
 *
 *     node bench/run.ts [--quick] [--runtime deno,bun,node] [--workload a,b]
 *                       [--impl a,b] [--mode one,two] [--reps N] [--no-python]
 *                       [--floor] [--json[=FILE]] [--cpu-prof]
 *
 * `--json` writes every figure to FILE (default `.bench-out/bench.json`;
 * `bench/chart.ts` draws it); `--cpu-prof` writes one V8 CPU profile per JS
 * process into `.bench-out/prof/` (read them with `node bench/profile.ts
 * FILE`).
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
  median,
  QUICK,
  UNITS,
  warmupSizes,
  type Workload,
  WORKLOAD_INFO,
  WORKLOADS,
} from "./_common.ts";
import { IMPL_NAMES, type ImplName, IMPLS, runs, type Runtime } from "./_impls.ts";

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
  runtime: Runtime;
  /** The implementations that ran, in column order. */
  series: Partial<Record<ImplName, _Series>>;
}

const _ROOT = join(import.meta.dirname ?? ".", "..");
const _BIN = join(_ROOT, "node_modules", ".bin");
const _OUT = join(_ROOT, ".bench-out");
const _RUNTIMES: Runtime[] = ["deno", "bun", "node"];

function _memory(w: Workload): boolean {
  return WORKLOAD_INFO[w].unit === "MiB";
}

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
    impls: list("impl", IMPL_NAMES),
    modes: list<_Mode>("mode", ["one", "two"]),
    reps: Number(value("reps") ?? 3),
    python: !argv.includes("--no-python"),
    floor: argv.includes("--floor"),
    json: json === undefined ? null : json === "" ? join(_OUT, "bench.json") : json,
    cpuProf: argv.includes("--cpu-prof"),
  };
}

type _Options = ReturnType<typeof _options>;

function _command(
  impl: ImplName | "python",
  runtime: Runtime,
  opts: _Options,
  args: string[],
): string[] {
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
      JSON.stringify(warmupSizes(opts.quick ? QUICK : FULL)),
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
  impl: ImplName | "python",
  runtime: Runtime,
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

function _fmt(x: number): string {
  if (!Number.isFinite(x)) return "-";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function _cell(s: _Series): string {
  if (s.values.length === 0) return s.errors.length > 0 ? "ERROR" : "-";
  const text = `${_fmt(median(s.values))} [${_fmt(Math.min(...s.values))}–${
    _fmt(Math.max(...s.values))
  }]`;
  const loss = s.extras.map((e) => e.lossPct).filter((x) => x !== undefined);
  const lost = s.extras.map((e) => e.lost).filter((x) => x !== undefined);
  if (loss.length > 0) return `${text} loss ${_fmt(median(loss))}%`;
  if (lost.some((x) => x > 0)) return `${text} lost ${_fmt(median(lost))}`;
  return s.errors.length > 0 ? `${text} (${s.errors.length} err)` : text;
}

/** The ratio of two series' medians (NaN when either has none). */
function _ratio(a: _Series | undefined, b: _Series | undefined): number {
  return median(a?.values ?? []) / median(b?.values ?? []);
}

function _pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The implementations of `rows` (one runtime), in column order. */
function _columns(rows: _Row[]): ImplName[] {
  return IMPL_NAMES.filter((n) => rows.some((r) => r.series[n] !== undefined));
}

/** A short column name: `uni` for unisock, `ps` for promise-socket. */
function _short(name: ImplName): string {
  return name === "unisock" ? "uni" : name === "promise-socket" ? "ps" : name;
}

/** The ratio columns of one runtime's table: every implementation against every baseline. */
function _ratioColumns(cols: ImplName[]): [ImplName, ImplName][] {
  const bases = cols.filter((n) => IMPLS[n].baseline);
  const others = cols.filter((n) => !IMPLS[n].baseline);
  return others.flatMap((o) => bases.map((b): [ImplName, ImplName] => [o, b]));
}

function _ratioCell(row: _Row, impl: ImplName, base: ImplName): string {
  const a = row.series[impl], b = row.series[base];
  if (_memory(row.workload)) {
    if (impl !== "unisock" || base !== "raw") return "";
    const u = median(a?.values ?? []), limit = WORKLOAD_INFO[row.workload].limit!;
    return Number.isFinite(u) ? (u < limit ? `ok (<${limit})` : `OVER ${limit}`) : "";
  }
  const r = _ratio(a, b);
  if (!Number.isFinite(r)) return "";
  return `${r.toFixed(2)}${impl === "unisock" && r < 0.9 ? " LOW" : ""}`;
}

function _table(runtime: Runtime, rows: _Row[], python: Map<string, _Series>): string {
  const cols = _columns(rows);
  const ratios = _ratioColumns(cols);
  const head = [
    "workload",
    "mode",
    ...cols,
    ...ratios.map(([a, b]) => `${_short(a)}/${_short(b)}`),
    "python",
  ];
  const lines = [head];
  for (const row of rows) {
    const py = python.get(`${row.workload}/${row.mode}`);
    lines.push([
      row.workload,
      row.mode,
      ...cols.map((c) => row.series[c] === undefined ? "-" : _cell(row.series[c]!)),
      ...ratios.map(([a, b]) => _ratioCell(row, a, b)),
      py === undefined ? "-" : _cell(py),
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const text = lines.map((l) => l.map((c, i) => _pad(c, widths[i])).join("  ").trimEnd());
  text.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const legend = cols.map((c) => `  ${c}: ${IMPLS[c].what[runtime]}`);
  return [`${runtime}:`, ...legend, "", ...text].join("\n");
}

function _summary(rows: _Row[], python: Map<string, _Series>): string {
  const out: string[] = [];
  const at = (a: _Series | undefined, b: _Series | undefined, f = 0.9) =>
    median(a?.values ?? []) >= f * median(b?.values ?? []);
  for (const runtime of new Set(rows.map((r) => r.runtime))) {
    const mine = rows.filter((r) => r.runtime === runtime && !_memory(r.workload));
    const cols = _columns(mine);
    for (const base of cols.filter((n) => IMPLS[n].baseline)) {
      const rated = mine.filter((r) => r.series[base] !== undefined);
      const ok = rated.filter((r) => at(r.series.unisock, r.series[base]));
      out.push(`${runtime}: unisock >= 0.9x ${base} on ${ok.length}/${rated.length} timed rows`);
    }
    for (const peer of cols.filter((n) => n !== "unisock" && n !== "floor")) {
      if (IMPLS[peer].baseline) continue;
      const rated = mine.filter((r) => r.series[peer] !== undefined);
      const ok = rated.filter((r) => at(r.series.unisock, r.series[peer], 1));
      out.push(`${runtime}: unisock >= ${peer} on ${ok.length}/${rated.length} rows`);
    }
    const floored = mine.filter((r) => r.series.floor !== undefined);
    if (floored.length > 0) {
      out.push(
        `${runtime}: floor >= 0.9x raw on ${
          floored.filter((r) => at(r.series.floor, r.series.raw)).length
        }/${floored.length}, ` +
          `unisock >= 0.9x floor on ${
            floored.filter((r) => at(r.series.unisock, r.series.floor)).length
          }/${floored.length} timed rows`,
      );
    }
  }
  const beat = WORKLOADS.filter((w) => WORKLOAD_INFO[w].beatPython === true);
  const speed = new Map<string, number>();
  for (const r of rows) {
    if (!beat.includes(r.workload)) continue;
    const py = median(python.get(`${r.workload}/${r.mode}`)?.values ?? []);
    const v = median(r.series.unisock?.values ?? []) / py;
    if (Number.isFinite(v)) speed.set(r.runtime, (speed.get(r.runtime) ?? 0) + Math.log(v));
  }
  const fastest = [...speed].sort((a, b) => b[1] - a[1])[0];
  if (fastest !== undefined) {
    const beaten = rows.filter((r) => r.runtime === fastest[0] && beat.includes(r.workload));
    const wins = beaten.filter((r) =>
      median(r.series.unisock?.values ?? []) >
        median(python.get(`${r.workload}/${r.mode}`)?.values ?? [])
    );
    out.push(
      `fastest runtime vs CPython (${beat.join(", ")}): ${fastest[0]}, ` +
        `unisock beats CPython on ${wins.length}/${beaten.length} rows`,
    );
  }
  return out.join("\n");
}

/** The order of the implementations in repetition `rep`: each leads in turn. */
function _order(impls: ImplName[], rep: number): ImplName[] {
  return impls.map((_, i) => impls[(rep + i) % impls.length]);
}

async function _main(): Promise<void> {
  const opts = _options();
  if (opts.cpuProf) mkdirSync(join(_OUT, "prof"), { recursive: true });
  const rows: _Row[] = [];
  const python = new Map<string, _Series>();
  const t0 = performance.now();
  for (const workload of opts.workloads) {
    for (const mode of opts.modes) {
      const block = opts.runtimes.map((runtime): _Row => ({
        workload,
        mode,
        runtime,
        series: Object.fromEntries(
          opts.impls
            .filter((n) => runs(n, runtime, workload))
            .filter((n) => opts.floor || !IMPLS[n].floorOnly)
            .map((n) => [n, _series()]),
        ),
      }));
      const py = _series();
      for (let rep = 0; rep < opts.reps; rep++) {
        for (const row of block) {
          for (const impl of _order(Object.keys(row.series) as ImplName[], rep)) {
            await _record(row.series[impl]!, _runOnce(impl, row.runtime, workload, mode, opts));
          }
        }
        if (opts.python) await _record(py, _runOnce("python", "node", workload, mode, opts));
      }
      rows.push(...block);
      if (opts.python) python.set(`${workload}/${mode}`, py);
      const secs = ((performance.now() - t0) / 1000).toFixed(0);
      console.error(`[${secs}s] ${workload}/${mode} done`);
      for (const row of block) {
        for (const [impl, series] of Object.entries(row.series)) {
          for (const e of series?.errors ?? []) console.error(`  ${row.runtime} ${impl}: ${e}`);
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
  for (const runtime of opts.runtimes) {
    console.log(_table(runtime, rows.filter((r) => r.runtime === runtime), python) + "\n");
  }
  console.log(`\n${_summary(rows, python)}`);
  if (opts.json !== null) {
    mkdirSync(dirname(opts.json), { recursive: true });
    const doc = {
      quick: opts.quick,
      reps: opts.reps,
      sizes: opts.quick ? QUICK : FULL,
      units: UNITS,
      impls: Object.fromEntries(
        IMPL_NAMES.map((n) => [n, { ...IMPLS[n], load: undefined }]),
      ),
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
