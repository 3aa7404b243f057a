// The forking servers: a pool of worker processes serves, the first process
// supervises. Each case runs tests/fixtures/forking_server.ts as a program of
// its own (a worker runs the program's main module again) on the runtime
// running the tests, and checks processes by pid.

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  AF_INET,
  AF_UNIX,
  create_connection,
  create_server,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
} from "unisock";
import { dec, RUNTIME, tempDir } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURE = join(ROOT, "tests", "fixtures", "forking_server.ts");
const LIMIT_MS = 60_000;
const UNSTABLE = RUNTIME === "deno" &&
  typeof (globalThis as { Deno?: { listenDatagram?: unknown } }).Deno?.listenDatagram ===
    "function";

/** The command running the fixture on this runtime (Deno with this run's flags). */
function command(args: string[]): [string, string[]] {
  if (RUNTIME === "deno") {
    const flags = ["run", "-A", ...(UNSTABLE ? ["--unstable-net"] : [])];
    return [process.execPath, [...flags, "--config", join(ROOT, "deno.json"), FIXTURE, ...args]];
  }
  return [process.execPath, [FIXTURE, ...args]];
}

type Line = Record<string, unknown>;

/** A running fixture: its JSON lines, its exit, a way to send commands. */
class Fixture {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  #lines: Line[] = [];
  #waiters: (() => void)[] = [];
  #err = "";
  #out = "";
  #done = false;

  constructor(args: string[]) {
    const [cmd, argv] = command(args);
    this.child = spawn(cmd, argv, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    const killer = setTimeout(() => this.child.kill("SIGKILL"), LIMIT_MS);
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        clearTimeout(killer);
        this.#done = true;
        this.#wake();
        resolve({ code, signal });
      });
    });
    this.child.stderr!.on("data", (d: Uint8Array) => this.#err += dec(d));
    this.child.stdout!.on("data", (d: Uint8Array) => {
      this.#out += dec(d);
      let nl: number;
      while ((nl = this.#out.indexOf("\n")) >= 0) {
        this.#lines.push(JSON.parse(this.#out.slice(0, nl)));
        this.#out = this.#out.slice(nl + 1);
      }
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The next JSON line; rejects when the fixture ended without one. */
  async next(): Promise<Line> {
    while (this.#lines.length === 0) {
      if (this.#done) throw new Error(`fixture ended: ${this.#err}`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return this.#lines.shift()!;
  }

  send(text: string): void {
    this.child.stdin!.write(text);
  }

  get stderr(): string {
    return this.#err;
  }
}

/** Whether a process exists (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Waits (bounded) until every pid is gone; returns those still alive. */
async function gone(pids: number[], ms = 15_000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

/** Sends "<n>\n" from `count` clients, 10 at a time; returns the answering pids. */
async function clients(port: number, count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < count; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
      const sock = await create_connection(["127.0.0.1", port], 20);
      try {
        await sock.sendall(`${i + j}\n`);
        let text = "";
        for (let k = 0; k < 100 && !text.endsWith("\n"); k++) {
          const chunk = await sock.recv(100);
          if (chunk.length === 0) break;
          text += dec(chunk);
        }
        const [pid, echo] = text.trim().split(" ");
        assert.equal(echo, String(i + j));
        pids.add(Number(pid));
      } finally {
        sock.close();
      }
    }));
  }
  return pids;
}

/** Whether this run cannot share a TCP address: the fixture's error must say why. */
function expectUnsupported(line: Line, what: string): boolean {
  if (line.errno !== 95) return false;
  assert.equal(line.error, "OSError", JSON.stringify(line));
  assert.match(String(line.message), new RegExp(`${what} is not available on ${RUNTIME}`));
  return true;
}

/** Runs the fixture with `args`, hands its first line to `body`, kills it in the end. */
async function withFixture(
  args: string[],
  body: (fx: Fixture, first: Line) => Promise<void>,
): Promise<void> {
  const fx = new Fixture(args);
  try {
    await body(fx, await fx.next());
  } finally {
    fx.child.kill("SIGKILL");
    await fx.exited;
  }
}

/** shutdown() + server_close() in the fixture: it exits by itself, no worker is left. */
async function closeAndCheck(fx: Fixture, workers: number[]): Promise<void> {
  fx.send("close\n");
  assert.deepEqual(await fx.next(), { closed: true, pids: [] });
  assert.equal((await fx.exited).code, 0, fx.stderr); // nothing keeps the supervisor alive
  assert.deepEqual(await gone(workers), []);
}

test("forking TCP server: 100 clients served by two workers; close leaves no process", async () => {
  await withFixture(["tcp", "2"], async (fx, ready) => {
    if (expectUnsupported(ready, "ForkingTCPServer")) {
      assert.ok(RUNTIME === "deno" && !UNSTABLE, "only Deno without --unstable-net lacks it");
      return;
    }
    const workers = ready.pids as number[];
    assert.equal(workers.length, 2);
    assert.ok(!workers.includes(fx.child.pid!));
    const served = await clients(ready.port as number, 100);
    assert.ok(served.size >= 2, `served by ${[...served]}`);
    for (const pid of served) assert.ok(workers.includes(pid), `${pid} not in ${workers}`);
    await closeAndCheck(fx, workers);
  });
});

test("forking TCP server: handle_request() in the supervisor is a RuntimeError", async () => {
  await withFixture(["tcp", "1"], async (fx, ready) => {
    if (expectUnsupported(ready, "ForkingTCPServer")) return;
    fx.send("handle\n");
    const line = await fx.next();
    assert.equal(line.error, "RuntimeError", JSON.stringify(line));
    assert.match(
      String(line.message),
      /^ForkingTCPServer\.handle_request\(\): .*serve_forever\(\)/,
    );
    // The pool still serves.
    assert.deepEqual([...await clients(ready.port as number, 1)], ready.pids);
    await closeAndCheck(fx, ready.pids as number[]);
  });
});

test("forking TCP server: a worker killed mid-run is replaced and service goes on", async () => {
  await withFixture(["tcp", "2"], async (fx, ready) => {
    if (expectUnsupported(ready, "ForkingTCPServer")) return;
    const [victim, other] = ready.pids as number[];
    process.kill(victim, "SIGKILL");
    let pids: number[] = [];
    for (let i = 0; i < 200; i++) {
      fx.send("pids\n");
      pids = (await fx.next()).pids as number[];
      if (pids.length === 2 && !pids.includes(victim)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(pids.length, 2);
    assert.ok(pids.includes(other) && !pids.includes(victim), String(pids));
    const served = await clients(ready.port as number, 30);
    for (const pid of served) assert.ok(pids.includes(pid));
    assert.match(fx.stderr, new RegExp(`worker process ${victim} exited \\(signal SIGKILL\\)`));
    await closeAndCheck(fx, pids);
  });
});

test("forking TCP server: no worker survives a supervisor killed with SIGKILL", async () => {
  await withFixture(["tcp", "2"], async (fx, ready) => {
    if (expectUnsupported(ready, "ForkingTCPServer")) return;
    fx.child.kill("SIGKILL");
    await fx.exited;
    assert.deepEqual(await gone(ready.pids as number[]), []);
  });
});

test("forking TCP server: SIGTERM stops the pool and the supervisor exits as signalled", async () => {
  await withFixture(["tcp", "2"], async (fx, ready) => {
    if (expectUnsupported(ready, "ForkingTCPServer")) return;
    fx.child.kill("SIGTERM");
    const { code, signal } = await fx.exited;
    assert.ok(code === 143 || signal === "SIGTERM", `${code} ${signal}`);
    assert.deepEqual(await gone(ready.pids as number[]), []);
  });
});

test("forking TCP server: a port in use rejects ready with EADDRINUSE", async () => {
  const busy = await create_server(["127.0.0.1", 0]);
  try {
    await withFixture(["tcp", "2", String(busy.getsockname()[1])], async (fx, line) => {
      if (expectUnsupported(line, "ForkingTCPServer")) return;
      assert.equal(line.error, "OSError");
      assert.equal(line.errno, 98);
      assert.equal((await fx.exited).code, 0);
    });
  } finally {
    busy.close();
  }
});

test("forking TCP server: workers that throw at start reject ready; nothing is left", async () => {
  await withFixture(["crash", "2"], async (fx, line) => {
    if (expectUnsupported(line, "ForkingTCPServer")) return;
    assert.equal(line.error, "OSError");
    assert.equal(line.errno, 10);
    assert.match(String(line.message), /worker process \d+ exited before it could serve/);
    assert.equal((await fx.exited).code, 0);
    assert.match(fx.stderr, /this worker fails at start/);
  });
});

test("forking unix stream server: two workers on Node (cluster), elsewhere an OSError naming the runtime", async () => {
  const [dir, cleanup] = tempDir();
  try {
    const path = join(dir, "s.sock");
    await withFixture(["unix", "2", path], async (fx, ready) => {
      if (RUNTIME !== "node") {
        assert.ok(expectUnsupported(ready, "ForkingUnixStreamServer"));
        assert.match(String(ready.message), /SO_REUSEPORT/);
        assert.equal((await fx.exited).code, 0);
        return;
      }
      assert.equal(ready.path, path, JSON.stringify(ready));
      const workers = ready.pids as number[];
      // Connections held open until both workers answered (bounded).
      const held: Socket[] = [];
      const seen = new Set<number>();
      try {
        for (let i = 0; i < 40 && seen.size < 2; i++) {
          const sock = socket(AF_UNIX, SOCK_STREAM);
          held.push(sock);
          sock.settimeout(20);
          await sock.connect(path);
          await sock.sendall(`${i}\n`);
          const [pid, echo] = dec(await sock.recv(100)).trim().split(" ");
          assert.equal(echo, String(i));
          seen.add(Number(pid));
        }
      } finally {
        for (const sock of held) sock.close();
      }
      assert.deepEqual([...seen].sort(), [...workers].sort());
      await closeAndCheck(fx, workers);
    });
  } finally {
    cleanup();
  }
});

test("forking UDP server: datagrams served by the workers (or an OSError naming Deno)", async () => {
  await withFixture(["udp", "2"], async (fx, ready) => {
    if (RUNTIME === "deno") {
      assert.ok(expectUnsupported(ready, "ForkingUDPServer"));
      assert.match(String(ready.message), /SO_REUSEPORT/);
      return;
    }
    const workers = ready.pids as number[];
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const sock = socket(AF_INET, SOCK_DGRAM);
      try {
        sock.settimeout(20);
        await sock.sendto(`d${i}`, ["127.0.0.1", ready.port as number]);
        const [data] = await sock.recvfrom(100);
        const [pid, echo] = dec(data).split(" ");
        assert.equal(echo, `d${i}`);
        seen.add(Number(pid));
      } finally {
        sock.close();
      }
    }
    for (const pid of seen) assert.ok(workers.includes(pid));
    assert.ok(seen.size >= 2, `served by ${[...seen]}`);
    await closeAndCheck(fx, workers);
  });
});
