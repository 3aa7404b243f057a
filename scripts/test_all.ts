// Runs every check of `npm test`, in order, and ends with one summary line
// "N passed, N failed" over the three runtimes' test runs. Stops counting a
// stage as passed when its command exits non-zero.

import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

interface Stage {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly count?: (out: string) => [number, number] | null;
  readonly env?: Readonly<Record<string, string>>;
}

const deno = (out: string): [number, number] | null => {
  const m = [...out.matchAll(/(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g)].at(-1);
  return m ? [Number(m[1]), Number(m[2])] : null;
};
const bun = (out: string): [number, number] | null => {
  const p = [...out.matchAll(/^\s*(\d+) pass$/gm)].at(-1);
  const f = [...out.matchAll(/^\s*(\d+) fail$/gm)].at(-1);
  return p ? [Number(p[1]), f ? Number(f[1]) : 0] : null;
};
const node = (out: string): [number, number] | null => {
  const p = [...out.matchAll(/^. pass (\d+)$/gm)].at(-1);
  const f = [...out.matchAll(/^. fail (\d+)$/gm)].at(-1);
  return p ? [Number(p[1]), f ? Number(f[1]) : 0] : null;
};

const ENTRIES = [
  "mod.ts",
  "select.ts",
  "selectors.ts",
  "socketserver.ts",
  "errno.ts",
  "threading.ts",
  "ssl.ts",
];

const only = process.argv.slice(2);
const stages: Stage[] = [
  { name: "build", cmd: bin("node"), args: [join(root, "scripts", "build_npm.ts")] },
  { name: "publint", cmd: bin("publint"), args: ["npm", "--strict"] },
  { name: "attw", cmd: bin("attw"), args: ["--pack", "npm", "--profile", "esm-only", "--quiet"] },
  {
    // A consumer project against the built package (tsc node16/bundler, Bun's
    // settings, deno check; no @types/node), and tsc --strict over examples/.
    name: "consumer types",
    cmd: bin("node"),
    args: [join(root, "tests", "consumer", "check.ts")],
  },
  { name: "deno fmt", cmd: bin("deno"), args: ["fmt", "--check"] },
  { name: "deno lint", cmd: bin("deno"), args: ["lint"] },
  {
    name: "deno check",
    cmd: bin("deno"),
    args: [
      "check",
      ...ENTRIES,
      "tests/",
      "examples/",
      "bench/",
    ],
  },
  {
    name: "deno doc --lint",
    cmd: bin("deno"),
    args: [
      "doc",
      "--lint",
      ...ENTRIES,
    ],
  },
  {
    name: "deno publish --dry-run",
    cmd: bin("deno"),
    args: ["publish", "--dry-run", "--allow-dirty"],
  },
  // Plain first: it is what most Deno users run (UDP through node:dgram).
  { name: "deno test", cmd: bin("deno"), args: ["test", "-A", "tests/"], count: deno },
  {
    name: "deno test --unstable-net",
    cmd: bin("deno"),
    args: ["test", "-A", "--unstable-net", "tests/"],
    count: deno,
  },
  {
    // The opt-in Deno.Conn stream path (README, "Deno"); tests that need a
    // RST or a source address skip themselves there.
    name: "deno test --unstable-net, UNISOCK_DENO_NET=conn",
    cmd: bin("deno"),
    args: ["test", "-A", "--unstable-net", "tests/"],
    count: deno,
    env: { UNISOCK_DENO_NET: "conn" },
  },
  { name: "bun test", cmd: bin("bun"), args: ["test", "--timeout", "60000", "tests/"], count: bun },
  {
    name: "node --test",
    cmd: bin("node"),
    args: ["--test", "--test-concurrency=1", "--test-timeout=60000", "tests/*_test.ts"],
    count: node,
  },
];

function run(stage: Stage): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(stage.cmd, stage.args as string[], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...stage.env },
    });
    let out = "";
    const take = (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

let passed = 0, failed = 0;
const failedStages: string[] = [];
for (const stage of stages) {
  if (only.length && !only.some((o) => stage.name.startsWith(o))) continue;
  console.log(`\n=== ${stage.name}`);
  const t0 = performance.now();
  const { code, out } = await run(stage);
  const counts = stage.count?.(out) ?? null;
  if (counts) {
    passed += counts[0];
    failed += counts[1];
  }
  if (code !== 0) {
    failedStages.push(stage.name);
    if (!counts || counts[1] === 0) failed += 1;
  } else if (!stage.count) passed += 1;
  console.log(
    `=== ${stage.name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`} in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );
}
if (failedStages.length) console.log(`\nfailed stages: ${failedStages.join(", ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failedStages.length ? 1 : 0;
