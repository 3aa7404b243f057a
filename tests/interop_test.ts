// TCP between runtimes: a server process on one runtime, clients on the other
// two and on CPython; a CPython server with clients on all three runtimes; and
// a CPython peer's RST seen by every runtime. Children run
// tests/fixtures/tcp_peer.ts (Deno, Bun, Node with the built npm package) and
// tests/fixtures/tcp_peer.py, with the runtimes in ./node_modules/.bin. The
// protocol (a header line, 1 MiB of pattern bytes, a checked echo) crosses
// many chunks, so backpressure works across processes too. This file passes
// whichever runtime runs the suite.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasPython } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const PEER_TS = join(ROOT, "tests", "fixtures", "tcp_peer.ts");
const PEER_PY = join(ROOT, "tests", "fixtures", "tcp_peer.py");
const BYTES = (1 << 20) + 17;
const LIMIT_MS = 45_000;

type Name = "deno" | "bun" | "node" | "python";

const PYTHON = hasPython();
const NODE_BUILT = existsSync(join(ROOT, "npm", "dist", "mod.js"));

/** The command line running the peer in `mode` on runtime `name`. */
function command(name: Name, mode: string[]): [string, string[]] {
  switch (name) {
    case "deno":
      return [join(BIN, "deno"), [
        "run",
        "-A",
        "--config",
        join(ROOT, "deno.json"),
        PEER_TS,
        ...mode,
      ]];
    case "bun":
      return [join(BIN, "bun"), [PEER_TS, ...mode]];
    case "node":
      return [join(BIN, "node"), [PEER_TS, ...mode]];
    case "python":
      return ["python3", [PEER_PY, ...mode]];
  }
}

/** Why `name` cannot take part here, or null. */
function unavailable(name: Name): string | null {
  if (name === "python" && !PYTHON) return "python3 is not installed";
  if (name === "node" && !NODE_BUILT) return "npm/dist is not built (npm run build)";
  return null;
}

interface Child {
  /** Resolves with the first JSON line the child prints. */
  readonly first: Promise<Record<string, unknown>>;
  /** Resolves with the exit code once the child ended (killed after LIMIT_MS). */
  readonly exited: Promise<number | null>;
  readonly output: () => string;
}

function start(name: Name, mode: string[]): Child {
  const [cmd, args] = command(name, mode);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const killer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => {
      clearTimeout(killer);
      resolve(code);
    });
    child.once("error", (e) => {
      clearTimeout(killer);
      err += String(e);
      resolve(-1);
    });
  });
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.stderr.on("data", (d: Uint8Array) => err += new TextDecoder().decode(d));
    exited.then((code) =>
      reject(new Error(`${name} ${mode.join(" ")} exited ${code}: ${err || out}`))
    );
  });
  first.catch(() => {});
  return { first, exited, output: () => `stdout: ${out}\nstderr: ${err}` };
}

/** Runs a client to completion and returns its JSON line. */
async function runClient(name: Name, mode: string[]): Promise<Record<string, unknown>> {
  const c = start(name, mode);
  const [line, code] = await Promise.all([c.first, c.exited]);
  assert.equal(code, 0, `${name} client: ${c.output()}`);
  return line;
}

const RUNTIMES: Name[] = ["deno", "bun", "node"];

for (const server of RUNTIMES) {
  test(`interop: ${server} server, clients on the other runtimes and CPython`, {
    skip: unavailable(server) ?? false,
  }, async () => {
    const clients = ([...RUNTIMES, "python"] as Name[]).filter((c) =>
      c !== server && unavailable(c) === null
    );
    const srv = start(server, ["server", String(clients.length)]);
    const { runtime, port } = await srv.first;
    assert.equal(runtime, server);
    const results = await Promise.all(
      clients.map((c) => runClient(c, ["client", String(port), String(BYTES)])),
    );
    assert.deepEqual(results, clients.map((c) => ({ client: c, server, bytes: BYTES })));
    assert.equal(await srv.exited, 0, srv.output());
  });
}

test("interop: CPython server, clients on Deno, Bun and Node", {
  skip: unavailable("python") ?? false,
}, async () => {
  const clients = RUNTIMES.filter((c) => unavailable(c) === null);
  const srv = start("python", ["server", String(clients.length)]);
  const { port } = await srv.first;
  const results = await Promise.all(
    clients.map((c) => runClient(c, ["client", String(port), String(BYTES)])),
  );
  assert.deepEqual(results, clients.map((c) => ({ client: c, server: "python", bytes: BYTES })));
  assert.equal(await srv.exited, 0, srv.output());
});

test(
  "interop: a CPython peer's RST reaches every runtime as buffered bytes, then ConnectionResetError 104",
  {
    skip: unavailable("python") ?? false,
  },
  async () => {
    const clients = RUNTIMES.filter((c) => unavailable(c) === null);
    const srv = start("python", ["resetter", String(clients.length)]);
    const { port } = await srv.first;
    const results = await Promise.all(clients.map((c) => runClient(c, ["reset", String(port)])));
    assert.deepEqual(
      results,
      clients.map((c) => ({ client: c, got: "bye", error: "ConnectionResetError", errno: 104 })),
    );
    assert.equal(await srv.exited, 0, srv.output());
  },
);
