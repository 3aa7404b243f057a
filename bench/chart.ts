/**
 * Draws a benchmark run as an SVG bar chart: one panel per runtime, one
 * group of bars per timed workload and mode, one bar per ratio the table
 * prints (every implementation's median against every baseline's), a dashed
 * line at 0.9 (the target) and a line at 1.0.
 *
 *     node bench/chart.ts [--json=.bench-out/bench.json[,RUN2.json…]] [--out=bench/chart.svg]
 *
 * With several runs, each row's repetitions of all of them are pooled.
 *
 * The input is what `node bench/run.ts --json=FILE` writes.
 *
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { median } from "./_common.ts";

/** The parts of `run.ts`'s JSON the chart reads. */
interface _Doc {
  quick: boolean;
  reps: number;
  units: Record<string, string>;
  impls: Record<string, { what: Record<string, string>; baseline?: boolean }>;
  rows: {
    workload: string;
    mode: string;
    runtime: string;
    series: Record<string, { values: number[] }>;
  }[];
}

/** One bar series: `impl`'s medians over `base`'s. */
interface _Ratio {
  impl: string;
  base: string;
}

const _ROOT = join(import.meta.dirname ?? ".", "..");
const _COLORS: Record<string, string[]> = {
  unisock: ["#1f5fbf", "#7fa8e6"],
  "promise-socket": ["#e07b00", "#f2b766"],
  arrowood: ["#2e9b4f", "#8fd0a2"],
  readable: ["#8a46c2", "#c4a0e3"],
  floor: ["#6b6b6b", "#b5b5b5"],
};
const _FALLBACK = ["#b03060", "#e08fab"];
const _PANEL_H = 260, _TOP = 40, _LEFT = 56, _BAR = 13, _GAP = 18, _LABEL_H = 58;

function _arg(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? fallback : a.slice(name.length + 3);
}

function _esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `unisock / node:net`: the baseline named by the first word of its description. */
function _label(r: _Ratio, doc: _Doc, runtime: string): string {
  const base = doc.impls[r.base].what[runtime].split(" ")[0].replace(/:$/, "");
  return `${r.impl} / ${base}`;
}

/** Draws one runtime's panel at vertical offset `y0`; returns its SVG and height. */
function _panel(
  doc: _Doc,
  runtime: string,
  y0: number,
  width: number,
  groupW: number,
): [string, number] {
  const rows = doc.rows.filter((r) => r.runtime === runtime && doc.units[r.workload] !== "MiB");
  const names = Object.keys(doc.impls).filter((n) => rows.some((r) => r.series[n]));
  const bases = names.filter((n) => doc.impls[n].baseline);
  const ratios: _Ratio[] = names.filter((n) => !doc.impls[n].baseline)
    .flatMap((impl) => bases.map((base) => ({ impl, base })));
  const value = (row: _Doc["rows"][number], r: _Ratio) =>
    median(row.series[r.impl]?.values ?? []) / median(row.series[r.base]?.values ?? []);
  const all = rows.flatMap((row) => ratios.map((r) => value(row, r))).filter(Number.isFinite);
  const ymax = Math.min(2.5, Math.max(1.2, Math.ceil(Math.max(...all) * 5) / 5));
  const plotH = _PANEL_H - _TOP - _LABEL_H;
  const y = (v: number) => y0 + _TOP + plotH * (1 - Math.min(v, ymax) / ymax);
  const out: string[] = [];
  out.push(
    `<text x="${_LEFT}" y="${y0 + 16}" class="title">${_esc(runtime)}</text>`,
  );
  // Legend, on the title's line.
  let lx = _LEFT + 70;
  for (const r of ratios) {
    const color = (_COLORS[r.impl] ?? _FALLBACK)[bases.indexOf(r.base) % 2];
    const text = _label(r, doc, runtime);
    out.push(`<rect x="${lx}" y="${y0 + 7}" width="11" height="11" fill="${color}"/>`);
    out.push(`<text x="${lx + 15}" y="${y0 + 16}" class="legend">${_esc(text)}</text>`);
    lx = Math.round(lx + 22 + text.length * 6.2);
  }
  // Grid and axis.
  for (let v = 0; v <= ymax + 1e-9; v += 0.2) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${_LEFT}" x2="${width - 10}" y1="${yy}" y2="${yy}" class="grid"/>`);
    out.push(
      `<text x="${_LEFT - 6}" y="${(y(v) + 3).toFixed(1)}" class="axis">${v.toFixed(1)}</text>`,
    );
  }
  for (const [v, cls] of [[1, "one"], [0.9, "target"]] as const) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${_LEFT}" x2="${width - 10}" y1="${yy}" y2="${yy}" class="${cls}"/>`);
  }
  out.push(
    `<text x="${width - 12}" y="${(y(0.9) + 11).toFixed(1)}" class="targetlabel">0.9</text>`,
  );
  // Bars.
  rows.forEach((row, g) => {
    const gx = _LEFT + 10 + g * groupW + (groupW - _GAP - ratios.length * _BAR) / 2;
    ratios.forEach((r, i) => {
      const v = value(row, r);
      if (!Number.isFinite(v)) return;
      const color = (_COLORS[r.impl] ?? _FALLBACK)[bases.indexOf(r.base) % 2];
      const x = gx + i * _BAR, top = y(v), h = y(0) - top;
      out.push(
        `<rect x="${x}" y="${top.toFixed(1)}" width="${_BAR - 2}" height="${
          h.toFixed(1)
        }" fill="${color}"><title>${
          _esc(`${row.workload} ${row.mode}: ${_label(r, doc, runtime)} = ${v.toFixed(2)}`)
        }</title></rect>`,
      );
      const tx = x + (_BAR - 2) / 2 + 3, ty = top - 3;
      out.push(
        `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" class="value" ` +
          `transform="rotate(-90 ${tx.toFixed(1)} ${ty.toFixed(1)})">${
            v > ymax ? `${v.toFixed(2)}↑` : v.toFixed(2)
          }</text>`,
      );
    });
    const cx = gx + (ratios.length * _BAR) / 2;
    out.push(
      `<text x="${cx}" y="${(y(0) + 14).toFixed(1)}" class="wl">${_esc(row.workload)}</text>`,
    );
    out.push(
      `<text x="${cx}" y="${(y(0) + 26).toFixed(1)}" class="mode">${
        row.mode === "one" ? "1 process" : "2 processes"
      }</text>`,
    );
  });
  return [out.join("\n"), _PANEL_H];
}

/**
 * Several runs as one: each row's repetitions of every run together, so a
 * median is taken over all of them.
 */
function _pooled(docs: _Doc[]): _Doc {
  const [first, ...rest] = docs;
  const rows = first.rows.map((r) => ({
    ...r,
    series: Object.fromEntries(
      Object.entries(r.series).map(([k, v]) => [k, { values: [...v.values] }]),
    ),
  }));
  for (const doc of rest) {
    for (const r of doc.rows) {
      const mine = rows.find((x) =>
        x.workload === r.workload && x.mode === r.mode && x.runtime === r.runtime
      );
      if (mine === undefined) continue;
      for (const [k, v] of Object.entries(r.series)) {
        (mine.series[k] ??= { values: [] }).values.push(...v.values);
      }
    }
  }
  return { ...first, rows };
}

function _main(): void {
  const input = _arg("json", join(_ROOT, ".bench-out", "bench.json"));
  const output = _arg("out", join(_ROOT, "bench", "chart.svg"));
  const doc = _pooled(input.split(",").map((f) => JSON.parse(readFileSync(f, "utf8")) as _Doc));
  const runtimes = [...new Set(doc.rows.map((r) => r.runtime))];
  const groups = Math.max(
    ...runtimes.map((rt) =>
      doc.rows.filter((r) => r.runtime === rt && doc.units[r.workload] !== "MiB").length
    ),
  );
  // The same group width in every panel, so that the workloads line up.
  const maxBars = Math.max(
    ...runtimes.map((rt) => {
      const names = Object.keys(doc.impls).filter((n) =>
        doc.rows.some((r) => r.runtime === rt && r.series[n])
      );
      const bases = names.filter((n) => doc.impls[n].baseline).length;
      return bases * (names.length - bases);
    }),
  );
  const groupW = Math.max(72, maxBars * _BAR + _GAP);
  const width = Math.max(900, _LEFT + 20 + groups * groupW);
  const head = 44;
  const panels: string[] = [];
  let y0 = head;
  for (const rt of runtimes) {
    const [svg, h] = _panel(doc, rt, y0, width, groupW);
    panels.push(svg);
    y0 += h;
  }
  const kind = doc.quick ? "quick sizes (smoke run)" : "full sizes";
  const runs = input.split(",").length;
  const reps = runs === 1
    ? `${doc.reps} rep${doc.reps === 1 ? "" : "s"}`
    : `${runs} runs of ${doc.reps} reps pooled`;
  const title = `Ratio of medians to the runtime's raw API, higher is better, ` +
    `target 0.9 dashed (${kind}, ${reps})`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y0 + 10}" ` +
    `viewBox="0 0 ${width} ${y0 + 10}" font-family="Helvetica, Arial, sans-serif">
<style>
  .title { font-size: 15px; font-weight: bold; }
  .head { font-size: 14px; }
  .legend { font-size: 11px; }
  .axis { font-size: 10px; text-anchor: end; fill: #444; }
  .grid { stroke: #e4e4e4; stroke-width: 1; }
  .one { stroke: #555; stroke-width: 1; }
  .target { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 6 4; }
  .targetlabel { font-size: 10px; fill: #d62728; text-anchor: end; }
  .value { font-size: 8.5px; fill: #333; paint-order: stroke; stroke: white; stroke-width: 2.5px; }
  .wl { font-size: 10.5px; text-anchor: middle; }
  .mode { font-size: 9.5px; text-anchor: middle; fill: #666; }
</style>
<rect width="100%" height="100%" fill="white"/>
<text x="${_LEFT}" y="24" class="head">${_esc(title)}</text>
${panels.join("\n")}
</svg>
`;
  writeFileSync(output, svg);
  console.log(`wrote ${output}`);
}

_main();
