// threading: Thread as an async task, Python's names and messages, and an
// exception in a thread printed by excepthook as Python prints it while the
// program (a server with a thread per client) goes on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  ConnectionResetError,
  create_connection,
  create_server,
  type Socket,
  socket,
} from "unisock";
import {
  active_count,
  current_thread,
  excepthook,
  type ExceptHookArgs,
  Thread,
} from "unisock/threading";
import { closedPort, dec, eventually, hasPython, RUNTIME } from "./_helpers.ts";

const PY = hasPython();
const NO_PY = "python3 is not installed";

// Every unhandled rejection or uncaught exception during this file is a failure
// (checked by the last test).
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
process.on("unhandledRejection", onUnhandled);
process.on("uncaughtException", onUnhandled);

/** Runs `body` with console.error captured; returns what it printed. */
async function captureStderr(body: () => Promise<void>): Promise<string> {
  const original = console.error;
  let out = "";
  console.error = (...args: unknown[]) => void (out += args.map(String).join(" ") + "\n");
  try {
    await body();
  } finally {
    console.error = original;
  }
  return out;
}

/** Runs `body` with Thread.excepthook replaced by one that records its arguments. */
async function withHook(body: (seen: ExceptHookArgs[]) => Promise<void>): Promise<void> {
  const seen: ExceptHookArgs[] = [];
  Thread.excepthook = (args) => void seen.push(args);
  try {
    await body(seen);
  } finally {
    Thread.excepthook = excepthook;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 1));

test("threading: names, idents and states follow Python's", async () => {
  async function tcplink(a: number, b: string): Promise<string> {
    await tick();
    return `${a}${b}`;
  }
  const t = new Thread({ target: tcplink, args: [1, "x"] });
  assert.match(t.name, /^Thread-\d+ \(tcplink\)$/);
  const n = Number(t.name.match(/\d+/)![0]);
  assert.equal(new Thread().name, `Thread-${n + 1}`, "the counter is shared, as in Python");
  assert.equal(new Thread({ name: "custom", target: tcplink }).name, "custom");
  assert.equal(t.ident, null);
  assert.equal(t.daemon, false);
  assert.equal(t.is_alive(), false);
  assert.equal(String(t), `<Thread(${t.name}, initial)>`);
  const before = active_count();
  t.start();
  assert.equal(t.is_alive(), true);
  assert.equal(typeof t.ident, "number");
  assert.notEqual(t.ident, current_thread().ident);
  assert.equal(active_count(), before + 1);
  await t.join();
  assert.equal(t.is_alive(), false);
  assert.equal(active_count(), before);
  assert.equal(String(t), `<Thread(${t.name}, stopped ${t.ident})>`);
});

test("threading: misuse raises RuntimeError with Python's messages", async () => {
  const t = new Thread({ target: tick });
  const runtimeError = (message: string) => (e: unknown) =>
    e instanceof Error && e.name === "RuntimeError" && e.message === message;
  await assert.rejects(t.join(), runtimeError("cannot join thread before it is started"));
  t.start();
  assert.throws(() => t.start(), runtimeError("threads can only be started once"));
  assert.throws(() => (t.daemon = true), runtimeError("cannot set daemon status of active thread"));
  const self: Thread = new Thread({ target: (): Promise<void> => self.join() });
  await withHook(async (seen) => {
    self.start();
    await self.join();
    assert.equal(seen.length, 1);
    assert.ok(runtimeError("cannot join current thread")(seen[0].exc_value));
  });
  await t.join();
});

test("threading: current_thread() follows a thread across its awaits", async () => {
  assert.equal(current_thread().name, "MainThread");
  const names: string[] = [];
  async function worker(): Promise<void> {
    names.push(current_thread().name);
    const srv = await create_server(["127.0.0.1", 0]);
    try {
      names.push(current_thread().name);
    } finally {
      srv.close();
    }
    await tick();
    names.push(current_thread().name);
  }
  const a = new Thread({ target: worker, name: "A" });
  const b = new Thread({ target: worker, name: "B" });
  a.start();
  b.start();
  await Promise.all([a.join(), b.join()]);
  assert.deepEqual(names.filter((x) => x === "A"), ["A", "A", "A"]);
  assert.deepEqual(names.filter((x) => x === "B"), ["B", "B", "B"]);
  assert.equal(current_thread().name, "MainThread");
});

test("threading: a subclass overrides run(); daemon is inherited and settable", async () => {
  let ran = "";
  class Worker extends Thread {
    override async run(): Promise<void> {
      await tick();
      ran = current_thread().name;
    }
  }
  const w = new Worker({ name: "w", daemon: true });
  assert.equal(w.daemon, true);
  w.start();
  await w.join();
  assert.equal(ran, "w");
  const inner: boolean[] = [];
  const d = new Thread({
    daemon: true,
    target: () => inner.push(new Thread().daemon),
  });
  d.start();
  await d.join();
  assert.deepEqual(inner, [true], "a thread made inside a daemon thread is a daemon");
});

test("threading: join(timeout) returns while the thread still runs", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const t = new Thread({ target: () => gate });
  t.start();
  await t.join(0.01);
  assert.equal(t.is_alive(), true);
  release();
  await t.join();
  assert.equal(t.is_alive(), false);
});

test("threading: the default excepthook prints what Python prints", async () => {
  async function tcplink(): Promise<void> {
    await tick();
    throw new ConnectionResetError(104);
  }
  const t = new Thread({ target: tcplink });
  const out = await captureStderr(async () => {
    t.start();
    await t.join();
  });
  const lines = out.trimEnd().split("\n");
  assert.equal(lines[0], `Exception in thread ${t.name}:`);
  assert.equal(lines[1], "ConnectionResetError: [Errno 104] Connection reset by peer");
  assert.match(lines[2], /^\s+at .*tcplink/, "the stack names the thread's function");
  if (!PY) return;
  const py = execFileSync("python3", [
    "-c",
    [
      "import threading",
      "def tcplink():",
      "    raise ConnectionResetError(104, 'Connection reset by peer')",
      "t = threading.Thread(target=tcplink)",
      "t.start(); t.join()",
    ].join("\n"),
  ], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  assert.equal(py, "");
  const pyErr = execFileSync("python3", [
    "-c",
    [
      "import sys, threading",
      "sys.stderr = sys.stdout",
      "def tcplink():",
      "    raise ConnectionResetError(104, 'Connection reset by peer')",
      "t = threading.Thread(target=tcplink)",
      "t.start(); t.join()",
    ].join("\n"),
  ], { encoding: "utf8", timeout: 10_000 }).trimEnd().split("\n");
  // Python's header, with its first thread's number, and its exception line.
  assert.equal(lines[0].replace(/Thread-\d+/, "Thread-1"), pyErr[0]);
  assert.equal(lines[1], pyErr.at(-1));
});

test("threading: causes are printed first, joined by Python's sentence", async () => {
  const t = new Thread({
    name: "chain",
    target: () => {
      throw new Error("outer", { cause: new TypeError("inner") });
    },
  });
  const out = await captureStderr(async () => {
    t.start();
    await t.join();
  });
  assert.match(
    out,
    /^Exception in thread chain:\nTypeError: inner\n[^]*\n\nThe above exception was the direct cause of the following exception:\n\nError: outer\n/,
  );
});

test("threading: a socket error made again at the await is printed once, naming the thread's function", async () => {
  const port = await closedPort();
  async function dialer(): Promise<void> {
    using s = socket();
    await s.connect(["127.0.0.1", port]);
  }
  const t = new Thread({ name: "dial", target: dialer });
  const out = await captureStderr(async () => {
    t.start();
    await t.join();
  });
  assert.match(
    out,
    /^Exception in thread dial:\nConnectionRefusedError: \[Errno 111\] Connection refused\n/,
  );
  assert.match(out, /dialer/, "the stack names the thread's function");
  assert.equal(out.split("ConnectionRefusedError").length, 2, `one stack, not two:\n${out}`);
  assert.doesNotMatch(out, /direct cause/);
});

test("threading: a failing hook and a thrown non-Error are printed, never unhandled", async () => {
  Thread.excepthook = () => {
    throw new Error("hook broke");
  };
  try {
    const out = await captureStderr(async () => {
      const t = new Thread({ name: "odd", target: () => Promise.reject(42) });
      t.start();
      await t.join();
    });
    assert.match(out, /^Exception in threading\.excepthook:\nError: hook broke\n/);
    assert.match(out, /\nException in thread odd:\n42\n$/);
  } finally {
    Thread.excepthook = excepthook;
  }
});

/**
 * A client that reads the welcome, then resets the connection (SO_LINGER 0),
 * in CPython; resolves with its exit code.
 */
function resettingClient(port: number): Promise<number | null> {
  const script = fileURLToPath(new URL("fixtures/reset_client.py", import.meta.url));
  const child = spawn("python3", [script, String(port)], { stdio: "ignore", timeout: 15_000 });
  return new Promise((resolve) => child.on("close", (code) => resolve(code)));
}

test(
  "threading: a thread per client; a client that resets fails its thread, the server goes on",
  { skip: !PY && NO_PY },
  async () => {
    const srv = await create_server(["127.0.0.1", 0]);
    const threads: Thread[] = [];
    const served: string[] = [];
    async function tcplink(conn: Socket): Promise<void> {
      try {
        await conn.sendall("Welcome!");
        const data = dec(await conn.recv(1024));
        served.push(data);
        await conn.sendall(`Hello,${data}!`);
      } finally {
        conn.close();
      }
    }
    await withHook(async (seen) => {
      const serving = (async () => {
        for (let i = 0; i < 2; i++) {
          const [conn] = await srv.accept();
          const t = new Thread({ target: tcplink, args: [conn] });
          threads.push(t);
          t.start();
        }
      })();
      try {
        const addr = srv.getsockname();
        assert.equal(await resettingClient(addr[1]), 0);
        const cli = await create_connection(addr);
        try {
          cli.settimeout(10);
          assert.equal(dec(await cli.recv(1024)), "Welcome!");
          await cli.sendall("Bob");
          assert.equal(dec(await cli.recv(1024)), "Hello,Bob!");
        } finally {
          cli.close();
        }
        await serving;
        await Promise.all(threads.map((t) => t.join(10)));
      } finally {
        srv.close();
      }
      assert.deepEqual(served, ["Bob"]);
      assert.equal(seen.length, 1, "one thread failed");
      assert.equal(seen[0].thread, threads[0]);
      assert.match(threads[0].name, /\(tcplink\)$/);
      // A Deno socket reads a reset as ConnectionResetError too: the RST comes from CPython.
      assert.ok(
        seen[0].exc_value instanceof ConnectionResetError,
        `${RUNTIME}: ${seen[0].exc_value}`,
      );
      assert.equal(seen[0].exc_type, ConnectionResetError);
      assert.equal(typeof seen[0].exc_traceback, "string");
    });
  },
);

test("threading: no unhandled rejection or uncaught exception in this file", async () => {
  assert.ok(await eventually(() => true, 10));
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtException", onUnhandled);
  assert.deepEqual(unhandled, []);
});
