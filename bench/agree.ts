/**
 * Reads two full runs together and prints, as Markdown, what both agree on
 * for each target of the speed round: unisock against every peer library,
 * against 0.9× the runtime's raw API on the named rows (on Deno also against
 * `Deno.Conn`), against CPython on the fastest runtime, and the memory limits.
 * A target counts as met or missed for a row only when both runs say so.
 *
 *     node bench/agree.ts RUN1.json RUN2.json
 *
 * The inputs are what `node bench/run.ts --json=FILE` writes.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { median, WORKLOAD_INFO } from "./_common.ts";

interface _Doc {
  quick: boolean;
  impls: Record<string, { baseline?: boolean }>;
  rows: {
    workload: string;
    mode: string;
    runtime: string;
    series: Record<string, { values: number[] }>;
  }[];
  python: Record<string, { values: number[] }>;
}

/** One row's figures in one run: the median of each implementation, and CPython's. */
type _Medians = Map<string, Record<string, number>>;

/** Rows whose ratio to raw the speed round names. */
const _RAW_ROWS = ["bulk_into", "pingpong", "connrate", "udp", "udppp"];
/** Implementations that are unisock itself, a baseline or the floor: not peers. */
const _NOT_PEERS = new Set(["unisock", "unisock-conn", "floor"]);

function _load(file: string): { doc: _Doc; medians: _Medians } {
  const doc = JSON.parse(readFileSync(file, "utf8")) as _Doc;
  const medians: _Medians = new Map();
  for (const r of doc.rows) {
    const m: Record<string, number> = {};
    for (const [impl, s] of Object.entries(r.series)) {
      if (s.values.length > 0) m[impl] = median(s.values);
    }
    const py = doc.python[`${r.workload}/${r.mode}`];
    if (py !== undefined && py.values.length > 0) m.python = median(py.values);
    medians.set(`${r.workload} ${r.mode} ${r.runtime}`, m);
  }
  return { doc, medians };
}

function _fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(2);
}

/** "met", "missed" or "split" from the two runs' ratios against a threshold. */
function _verdict(a: number | undefined, b: number | undefined, at: number): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return "–";
  const ok = [a >= at, b >= at];
  return ok[0] && ok[1] ? "met" : !ok[0] && !ok[1] ? "**missed**" : "split";
}

function _table(
  title: string,
  head: string,
  lines: { row: string; a?: number; b?: number; at: number; note?: string }[],
): string {
  const out = [
    `### ${title}`,
    "",
    `| row | ${head}, run 1 | run 2 | both runs | |`,
    "|---|---:|---:|---|---|",
  ];
  const count = { met: 0, missed: 0, split: 0 };
  for (const l of lines) {
    const v = _verdict(l.a, l.b, l.at);
    if (v === "met") count.met++;
    else if (v === "split") count.split++;
    else if (v !== "–") count.missed++;
    out.push(`| ${l.row} | ${_fmt(l.a)} | ${_fmt(l.b)} | ${v} | ${l.note ?? ""} |`);
  }
  out.push(
    "",
    `Met in both runs: ${count.met}; missed in both: ${count.missed}; split: ${count.split}.`,
    "",
  );
  return out.join("\n");
}

function _main(): void {
  const [f1, f2] = process.argv.slice(2);
  if (f1 === undefined || f2 === undefined) throw new Error("usage: agree.ts RUN1.json RUN2.json");
  const one = _load(f1), two = _load(f2);
  const keys = [...one.medians.keys()].filter((k) => two.medians.has(k));
  const ratio = (m: _Medians, k: string, a: string, b: string) => {
    const r = m.get(k)!;
    return r[a] !== undefined && r[b] !== undefined ? r[a] / r[b] : undefined;
  };
  const timed = keys.filter((k) =>
    WORKLOAD_INFO[k.split(" ")[0] as never]?.["limit" as never] === undefined
  );
  const out: string[] = [];

  const peers = Object.keys(one.doc.impls).filter((n) =>
    !_NOT_PEERS.has(n) && !one.doc.impls[n].baseline
  );
  out.push(_table(
    "unisock against every peer library (unisock / peer, target ≥ 1)",
    "ratio",
    timed.flatMap((k) =>
      peers.filter((p) => one.medians.get(k)![p] !== undefined).map((p) => ({
        row: `${k} vs ${p}`,
        a: ratio(one.medians, k, "unisock", p),
        b: ratio(two.medians, k, "unisock", p),
        at: 1,
      }))
    ),
  ));

  out.push(_table(
    "unisock against the raw API (unisock / raw, target ≥ 0.9)",
    "ratio",
    timed.filter((k) => _RAW_ROWS.includes(k.split(" ")[0])).map((k) => {
      const conn = [
        ratio(one.medians, k, "unisock", "conn"),
        ratio(two.medians, k, "unisock", "conn"),
      ];
      const floor = [ratio(one.medians, k, "floor", "raw"), ratio(two.medians, k, "floor", "raw")];
      const notes = [
        conn[0] === undefined ? "" : `uni/Deno.Conn ${_fmt(conn[0])} / ${_fmt(conn[1])}`,
        floor[0] === undefined ? "" : `floor/raw ${_fmt(floor[0])} / ${_fmt(floor[1])}`,
      ].filter((s) => s !== "");
      return {
        row: k,
        a: ratio(one.medians, k, "unisock", "raw"),
        b: ratio(two.medians, k, "unisock", "raw"),
        at: 0.9,
        note: notes.join("; "),
      };
    }),
  ));

  // The fastest runtime: the highest geometric mean of unisock over CPython.
  const score = new Map<string, number>();
  for (const k of timed) {
    const v = ratio(one.medians, k, "unisock", "python");
    const rt = k.split(" ")[2];
    if (v !== undefined) score.set(rt, (score.get(rt) ?? 0) + Math.log(v));
  }
  const fastest = [...score].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (fastest !== undefined) {
    out.push(_table(
      `unisock on ${fastest}, the fastest runtime, against CPython (target ≥ 1 in one process, ≥ 0.9 in two)`,
      "unisock / CPython",
      timed.filter((k) => k.endsWith(` ${fastest}`) && one.medians.get(k)!.python !== undefined)
        .map((k) => ({
          row: k,
          a: ratio(one.medians, k, "unisock", "python"),
          b: ratio(two.medians, k, "unisock", "python"),
          at: k.includes(" one ") ? 1 : 0.9,
          note: `raw / CPython ${_fmt(ratio(one.medians, k, "raw", "python"))} / ${
            _fmt(ratio(two.medians, k, "raw", "python"))
          }`,
        })),
    ));
  }

  out.push(
    "### Memory (MiB, unisock; limit in the last column)",
    "",
    "| row | run 1 | run 2 | limit |",
    "|---|---:|---:|---:|",
  );
  for (const k of keys.filter((k) => !timed.includes(k))) {
    const limit = (WORKLOAD_INFO[k.split(" ")[0] as never] as { limit: number }).limit;
    out.push(
      `| ${k} | ${_fmt(one.medians.get(k)!.unisock)} | ${
        _fmt(two.medians.get(k)!.unisock)
      } | ${limit} |`,
    );
  }
  console.log(out.join("\n"));
}

_main();
