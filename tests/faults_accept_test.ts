// accept(2) errors never end a listener (only closing it does): running out
// of descriptors passes once some are freed, and a connection its client
// reset before the server accepted it is either returned with its real peer
// address (as CPython does) or skipped, never given an invented address.
// The misbehaving peers are real: a server process under a lowered fd limit
// (tests/fixtures/emfile_server.ts) and a CPython client that resets
// (tests/fixtures/linger_client.py).

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { create_connection, create_server, type Socket, socket } from "unisock";
import { StreamRequestHandler, ThreadingTCPServer } from "unisock/socketserver";
import { dec, hasPython, RUNTIME } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NO_PY = "python3 is not installed";
const UNSTABLE = RUNTIME === "deno" &&
  typeof (globalThis as { Deno?: { listenDatagram?: unknown } }).Deno?.listenDatagram ===
    "function";
/**
 * Whether connections that arrive while the server is out of descriptors
 * wait in the kernel's backlog until it accepts again (CPython, Deno, Bun),
 * rather than being accepted and closed at once by libuv's EMFILE handling
 * (Node; Deno's node:net is not libuv and has no such handling).
 */
const KEEPS_WAITING = RUNTIME !== "node";
const LIBUV_DROPS =
  "expected-different on Node: libuv accepts and closes the connections that wait while out of descriptors";
/** The descriptor limit of the exhausted server (above what a runtime opens to start). */
const FD_LIMIT = 256;

function hasPrlimit(): boolean {
  try {
    execFileSync("prlimit", ["--version"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The command running a fixture on this runtime (Deno with this run's flags). */
function command(fixture: string): string[] {
  const file = join(ROOT, "tests", "fixtures", fixture);
  if (RUNTIME !== "deno") return [process.execPath, file];
  const flags = ["run", "-A", ...(UNSTABLE ? ["--unstable-net"] : [])];
  return [process.execPath, ...flags, "--config", join(ROOT, "deno.json"), file];
}

type Line = Record<string, unknown>;

/** tests/fixtures/emfile_server.ts under `prlimit`, spoken to in JSON lines. */
class Exhausted {
  readonly child: ChildProcess;
  #lines: Line[] = [];
  #waiters: (() => void)[] = [];
  #done = false;
  #err = "";

  constructor() {
    this.child = spawn("prlimit", [
      `--nofile=${FD_LIMIT}:${FD_LIMIT}`,
      ...command("emfile_server.ts"),
    ], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: 60_000,
    });
    this.child.stderr!.on("data", (d: Uint8Array) => this.#err += dec(d));
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      this.#lines.push(JSON.parse(line));
      this.#wake();
    });
    this.child.once("close", () => {
      this.#done = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The next line (fails when the process ends first). */
  async next(): Promise<Line> {
    while (this.#lines.length === 0) {
      if (this.#done) throw new Error(`the server exited: ${this.#err}`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    return this.#lines.shift()!;
  }

  /** Sends a command and returns its answer. */
  ask(cmd: string): Promise<Line> {
    this.child.stdin!.write(`${cmd}\n`);
    return this.next();
  }
}

test("accept faults: out of descriptors (EMFILE), a listener accepts again once they are freed", {
  skip: !hasPrlimit() && "prlimit is not installed",
}, async () => {
  const server = new Exhausted();
  const clients: Socket[] = [];
  try {
    const ports = await server.next();
    assert.equal(typeof ports.plain, "number", JSON.stringify(ports));
    const exhausted = await server.ask("exhaust");
    assert.ok(Number(exhausted.exhausted) > 0, JSON.stringify(exhausted));
    // Connected by the kernel's backlog; the server's accept meets EMFILE.
    const plain = await create_connection(["127.0.0.1", Number(ports.plain)], 20);
    clients.push(plain);
    const threaded = await create_connection(["127.0.0.1", Number(ports.threading)], 20);
    clients.push(threaded);
    await threaded.sendall("while out of descriptors\n");
    // Let the server's runtime try to accept (and fail) a while.
    await new Promise((r) => setTimeout(r, 300));
    const freed = await server.ask("free");
    assert.equal(freed.freed, exhausted.exhausted);
    // Whatever became of the clients that came while out of descriptors,
    // the listeners accept and serve new ones.
    const late = await create_connection(["127.0.0.1", Number(ports.plain)], 20);
    clients.push(late);
    const first = await server.ask("accept");
    if (KEEPS_WAITING) {
      assert.deepEqual(first, { accepted: plain.getsockname() }, "served once freed, as CPython");
      assert.equal(dec(await threaded.recv(100)), "echo while out of descriptors\n");
      assert.deepEqual(await server.ask("accept"), { accepted: late.getsockname() });
    } else {
      // libuv accepts and closes what waits while out of descriptors.
      assert.deepEqual(first, { accepted: late.getsockname() }, LIBUV_DROPS);
      assert.equal(await threaded.recv(100).then((b) => b.length, () => 0), 0, LIBUV_DROPS);
    }
    const again = await create_connection(["127.0.0.1", Number(ports.threading)], 20);
    clients.push(again);
    await again.sendall("after\n");
    assert.equal(dec(await again.recv(100)), "echo after\n");
    await server.ask("quit").catch(() => {});
  } finally {
    for (const c of clients) c.close();
    server.child.kill();
  }
});

/**
 * Runs tests/fixtures/linger_client.py against `port`, synchronously: this
 * process cannot accept meanwhile, so every connection is reset while it
 * waits in the backlog.
 *
 * @returns The client ports of the reset connections.
 */
function resetBeforeAccept(port: number, count: number): number[] {
  const script = join(ROOT, "tests", "fixtures", "linger_client.py");
  const out = execFileSync("python3", [script, String(port), String(count)], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return out.trim().split("\n").map(Number);
}

test(
  "accept faults: connections reset before accept: real addresses or skipped, and the listener goes on",
  {
    skip: !hasPython() && NO_PY,
  },
  async () => {
    const srv = await create_server(["127.0.0.1", 0]);
    srv.settimeout(20);
    const cli = socket();
    const accepted: Socket[] = [];
    try {
      const port = (srv.getsockname() as [string, number])[1];
      const reset = resetBeforeAccept(port, 3);
      await cli.connect(["127.0.0.1", port]);
      const mine = (cli.getsockname() as [string, number])[1];
      // CPython accepts the three dead connections (real addresses), then this one.
      let served: Socket | null = null;
      for (let i = 0; i < 4 && served === null; i++) {
        const [conn, address] = await srv.accept();
        accepted.push(conn);
        const [host, from] = address as [string, number];
        assert.equal(host, "127.0.0.1");
        assert.ok(
          reset.includes(from) || from === mine,
          `accept() returned ${
            JSON.stringify(address)
          }: not a client (reset: ${reset}, live: ${mine})`,
        );
        if (from === mine) served = conn;
      }
      assert.ok(served !== null, "the live client was accepted");
      await cli.sendall("still served");
      assert.equal(dec(await served.recv(100)), "still served");
    } finally {
      for (const c of accepted) c.close();
      cli.close();
      srv.close();
    }
  },
);

/** Answers one line with "echo <line>"; a reset client ends its handler quietly. */
class Echo extends StreamRequestHandler {
  static addresses: [string, number][] = [];
  override async handle(): Promise<void> {
    Echo.addresses.push(this.client_address);
    try {
      const line = dec(await this.rfile.readline()).trim();
      await this.wfile.write(new TextEncoder().encode(`echo ${line}\n`));
    } catch {
      // The reset clients: nothing to answer.
    }
  }
}

test("accept faults: a ThreadingTCPServer serves on after clients reset before accept", {
  skip: !hasPython() && NO_PY,
}, async () => {
  Echo.addresses = [];
  const server = new ThreadingTCPServer(["127.0.0.1", 0], Echo);
  await server.ready;
  const serving = server.serve_forever(0.05);
  const port = server.server_address[1];
  let cli: Socket | null = null;
  try {
    const reset = resetBeforeAccept(port, 3);
    cli = await create_connection(["127.0.0.1", port], 20);
    await cli.sendall("after the resets\n");
    assert.equal(dec(await cli.recv(100)), "echo after the resets\n");
    const mine = (cli.getsockname() as [string, number])[1];
    for (const [host, from] of Echo.addresses) {
      assert.equal(host, "127.0.0.1");
      assert.ok(reset.includes(from) || from === mine, `request from ('${host}', ${from})`);
    }
  } finally {
    cli?.close();
    await server.shutdown();
    await serving;
    await server.server_close();
  }
});
