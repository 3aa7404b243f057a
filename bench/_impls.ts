/**
 * The implementation registry: every program the orchestrator can run for a
 * workload, on which runtimes, and against which baselines the ratios are
 * taken. `child.ts` loads an implementation by its name here; `run.ts` runs
 * every registered implementation that has the workload, alternating.
 *
 * A new implementation is one entry here and a `workloads_*.ts` file; a new
 * workload is one entry in `_common.ts`'s `WORKLOAD_INFO` and a pair in the
 * implementations that run it.
 *
 * @module
 */

import type { Impl, Workload } from "./_common.ts";

/** A JavaScript runtime the benchmarks run on. */
export type Runtime = "deno" | "bun" | "node";

/** One registered implementation. */
export interface ImplInfo {
  /** What it is, per runtime it runs on (shown in the table's legend). */
  readonly what: Partial<Record<Runtime, string>>;
  /** A baseline: the other implementations' ratios are taken against it. */
  readonly baseline?: boolean;
  /** Run only with `--floor`. */
  readonly floorOnly?: boolean;
  /** Loads its workloads in a child process of runtime `runtime`. */
  readonly load: (runtime: Runtime) => Promise<Impl>;
}

/** The workloads over one stream connection per pair (what the peers run). */
const _PEER_WORKLOADS = new Set<Workload>(["bulk", "pingpong", "connrate"]);

function _only(impl: Impl, names: Set<Workload>): Impl {
  return Object.fromEntries(Object.entries(impl).filter(([w]) => names.has(w as Workload)));
}

/** The stream workloads (the Deno.Conn baseline runs these; UDP is the same program as raw's). */
const _STREAM_WORKLOADS = new Set<Workload>([
  "bulk",
  "bulk_into",
  "pingpong",
  "connrate",
  "concurrent",
  "socketserver",
  "flood",
  "idle",
  "tls_pingpong",
  "tls_bulk",
]);

/** The TLS workloads (Bun's raw runs them over `node:tls`). */
const _TLS_WORKLOADS = new Set<Workload>(["tls_pingpong", "tls_bulk"]);

const _IMPLS = {
  unisock: {
    what: { deno: "unisock", bun: "unisock", node: "unisock" },
    load: async () => (await import("./workloads_unisock.ts")).unisock,
  },
  raw: {
    what: {
      deno:
        "node:net/node:tls on Deno (the transport unisock's default path uses); UDP Deno.listenDatagram",
      bun: "Bun.listen/Bun.connect callbacks, Bun.udpSocket; TLS node:tls",
      node: "node:net/node:tls data events, node:dgram",
    },
    baseline: true,
    async load(runtime) {
      const node = (await import("./workloads_node.ts")).raw;
      if (runtime === "bun") {
        return { ...(await import("./workloads_bun.ts")).raw, ..._only(node, _TLS_WORKLOADS) };
      }
      if (runtime === "node") return node;
      const deno = (await import("./workloads_deno.ts")).raw;
      return { ..._only(node, _STREAM_WORKLOADS), udp: deno.udp, udppp: deno.udppp };
    },
  },
  "unisock-conn": {
    what: { deno: "unisock over Deno.Conn (the opt-in path, UNISOCK_DENO_NET=conn)" },
    async load() {
      // The adapter reads the switch when unisock is first imported, which in
      // a child happens here.
      (globalThis as unknown as { Deno: { env: { set(k: string, v: string): void } } }).Deno.env
        .set("UNISOCK_DENO_NET", "conn");
      return _only((await import("./workloads_unisock.ts")).unisock, _STREAM_WORKLOADS);
    },
  },
  conn: {
    what: {
      deno:
        "Deno.Conn: conn.read() into a reused buffer, conn.write(); TLS Deno.listenTls/connectTls",
    },
    baseline: true,
    load: async () => _only((await import("./workloads_deno.ts")).raw, _STREAM_WORKLOADS),
  },
  "promise-socket": {
    what: { bun: "promise-socket 8.0.0 (npm)", node: "promise-socket 8.0.0 (npm)" },
    load: async () => (await import("./workloads_peers.ts")).promiseSocket,
  },
  arrowood: {
    what: {
      bun: "@arrowood.dev/socket 0.2.0 (npm) client, raw node:net server",
      node: "@arrowood.dev/socket 0.2.0 (npm) client, raw node:net server",
    },
    load: async () => (await import("./workloads_peers.ts")).arrowood,
  },
  readable: {
    what: { deno: "Deno.Conn's conn.readable/conn.writable (Web Streams)" },
    load: async () => (await import("./workloads_deno_readable.ts")).readable,
  },
  floor: {
    what: {
      deno: "floor (unisock's API shape at its thinnest, Deno.Conn)",
      bun: "floor (unisock's API shape at its thinnest)",
      node: "floor (unisock's API shape at its thinnest)",
    },
    floorOnly: true,
    load: async () => (await import("./workloads_floor.ts")).floor,
  },
} satisfies Record<string, ImplInfo>;

/** The name of a registered implementation. */
export type ImplName = keyof typeof _IMPLS;

/**
 * Every implementation, in the order of the table's columns. The first
 * baseline is "raw" in ratios such as `uni/raw`.
 */
export const IMPLS: Readonly<Record<ImplName, ImplInfo>> = _IMPLS;

/** The registered names, in column order. */
export const IMPL_NAMES = Object.keys(IMPLS) as ImplName[];

/**
 * Which workloads each implementation runs, where it is not all of them.
 * Kept here (not found by loading) because the orchestrator runs on Node
 * and cannot load the Deno or Bun programs.
 */
export const IMPL_WORKLOADS: Partial<Record<ImplName, ReadonlySet<Workload>>> = {
  conn: _STREAM_WORKLOADS,
  "unisock-conn": _STREAM_WORKLOADS,
  "promise-socket": _PEER_WORKLOADS,
  arrowood: _PEER_WORKLOADS,
  readable: _PEER_WORKLOADS,
  floor: new Set<Workload>([
    "bulk",
    "pingpong",
    "connrate",
    "udp",
    "udppp",
    "concurrent",
    "socketserver",
  ]),
};

/**
 * Whether `impl` runs `workload` on `runtime`.
 *
 * @param impl The implementation.
 * @param runtime The runtime.
 * @param workload The workload.
 * @returns Whether it does.
 */
export function runs(impl: ImplName, runtime: Runtime, workload: Workload): boolean {
  return IMPLS[impl].what[runtime] !== undefined && (IMPL_WORKLOADS[impl]?.has(workload) ?? true);
}
