// `npm start`: one ThreadingTCPServer (examples/threading_server.ts), three
// clients on the other runtimes and Python, all at once. Each runtime serves
// one round: Deno, then Bun, then Node. Every line is prefixed with who
// printed it. Exits 0 when every process did what it should.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

type Runtime = "deno" | "bun" | "node";
type Peer = Runtime | "python3";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = (name: string) => join(ROOT, "node_modules", ".bin", name);
const STEP_MS = 10_000;
const BUDGET_MS = 20_000;
const started = performance.now();
const children = new Set<ChildProcess>();

/** The command line running `file` with `args` on `peer`. */
function command(peer: Peer, file: string, args: string[]): [string, string[]] {
  if (peer === "python3") return ["python3", [file, ...args]];
  if (peer === "deno") return [BIN("deno"), ["run", "-A", file, ...args]];
  return [BIN(peer), [file, ...args]];
}

/** A started process whose output lines are printed with `label` in front. */
interface Run {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
  readonly line: (re: RegExp) => Promise<RegExpMatchArray>;
}

function start(label: string, peer: Peer, file: string, args: string[]): Run {
  const [cmd, argv] = command(peer, file, args);
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  children.add(child);
  const output: string[] = [];
  const waiters: Array<() => void> = [];
  const take = (stream: NodeJS.ReadableStream | null) => {
    let rest = "";
    stream?.on("data", (d: Buffer) => {
      const lines = (rest + d.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) {
        console.log(`${label.padEnd(16)}| ${l}`);
        output.push(l);
      }
      for (const w of waiters.splice(0)) w();
    });
  };
  take(child.stdout);
  take(child.stderr);
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", (e) => {
      console.log(`${label.padEnd(16)}| cannot start: ${e.message}`);
      resolve(-1);
    });
    child.on("close", (code) => {
      children.delete(child);
      for (const w of waiters.splice(0)) w();
      resolve(code);
    });
  });
  const line = (re: RegExp) =>
    bounded(
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const m = output.map((l) => l.match(re)).find((x) => x !== null);
          if (m) resolve(m);
          else if (!children.has(child)) reject(new Error(`${label} ended before printing ${re}`));
          else waiters.push(check);
        };
        check();
      }),
      `${label} to print ${re}`,
    );
  return { child, output, exited, line };
}

/** Rejects when `p` takes longer than STEP_MS. */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), STEP_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** One round: a server on `server`, a client on each of `clients`. */
async function round(server: Runtime, clients: Peer[]): Promise<void> {
  console.log(`\n=== ThreadingTCPServer on ${server}; clients on ${clients.join(", ")} ===`);
  const srv = start(`${server} server`, server, "examples/threading_server.ts", ["0"]);
  const port = (await srv.line(/^listening on 127\.0\.0\.1:(\d+)$/))[1];
  const runs = clients.map((peer) => {
    const label = `${peer} client`;
    const messages = [`I am ${peer}`, `${peer} says bye`];
    if (peer === "python3") {
      return start(label, peer, "tests/fixtures/demo_client.py", [port, ...messages]);
    }
    return start(label, peer, "examples/threading_client.ts", [port, "127.0.0.1", ...messages]);
  });
  const codes = await bounded(Promise.all(runs.map((r) => r.exited)), "the clients");
  codes.forEach((code, i) => {
    if (code !== 0) throw new Error(`${clients[i]} client exited with ${code}`);
  });
  // SIGTERM asks the server to shut down and close; it prints "server closed".
  srv.child.kill("SIGTERM");
  const code = await bounded(srv.exited, `the ${server} server to stop`);
  if (code !== 0 || srv.output.at(-1) !== "server closed") {
    throw new Error(`${server} server exited with ${code}`);
  }
}

async function main(): Promise<number> {
  const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
  const hasPython = python.error === undefined && python.status === 0;
  if (!hasPython) console.log("python3 not found: skipping the Python client.");
  const runtimes: Runtime[] = ["deno", "bun", "node"];
  for (const [i, server] of runtimes.entries()) {
    if (i > 0 && performance.now() - started > BUDGET_MS / 2) {
      console.log(`\n(skipping the ${server} round to stay short)`);
      continue;
    }
    const others: Peer[] = runtimes.filter((r) => r !== server);
    await round(server, hasPython ? [...others, "python3"] : others);
  }
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (e) {
  console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
} finally {
  for (const child of children) child.kill("SIGKILL");
}
process.exit(exitCode);
