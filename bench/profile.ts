/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as written by `--cpu-prof` in
 * Node, Deno and Bun): self time per function and per file, and inclusive
 * time per function, so that "where does the time go" has a number.
 *
 *     node bench/profile.ts FILE.cpuprofile [--top N] [--filter TEXT]
 *
 * `--filter` keeps only functions whose file contains TEXT in the inclusive
 * table (e.g. `--filter src/` for the unisock core).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";

interface _Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface _Node {
  id: number;
  callFrame: _Frame;
  children?: number[];
}

interface _Profile {
  nodes: _Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const _ROOT = `${process.cwd()}/`;

function _short(url: string): string {
  // Paths relative to the working directory (the checkout being profiled).
  const i = url.indexOf(_ROOT);
  const u = i >= 0 ? url.slice(i + _ROOT.length) : url.replace(/^file:\/\//, "");
  return u === "" ? "(native)" : u;
}

function _label(f: _Frame): string {
  return `${f.functionName || "(anonymous)"} ${_short(f.url)}:${f.lineNumber + 1}`;
}

function _arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function _print(title: string, map: Map<string, number>, total: number, top: number): void {
  console.log(`\n${title}`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, v] of rows) {
    console.log(
      `${(100 * v / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    );
  }
}

function _main(): void {
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: node bench/profile.ts FILE.cpuprofile");
  const top = Number(_arg("top", "25"));
  const filter = _arg("filter", "");
  const p = JSON.parse(readFileSync(file, "utf8")) as _Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunc = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame;
    byFunc.set(_label(f), (byFunc.get(_label(f)) ?? 0) + t);
    byFile.set(_short(f.url), (byFile.get(_short(f.url)) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      const key = _label(cf);
      if (seen.has(key) || (filter !== "" && !_short(cf.url).includes(filter))) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + t);
    }
  }
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  _print("self time by file", byFile, total, top);
  _print("self time by function", byFunc, total, top);
  _print(
    `inclusive time by function${filter ? ` (files matching ${filter})` : ""}`,
    inclusive,
    total,
    top,
  );
}

_main();
