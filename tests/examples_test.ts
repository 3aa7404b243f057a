// Runs every program of examples/ as a child process of the runtime running
// the tests (deno run -A, bun or node) and checks what it prints. Servers
// listen on a free port (argument 0) and print "listening on HOST:PORT";
// every child is killed in `finally`, and every wait is bounded.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create_connection, type Socket } from "unisock";
import { dec, hasPython, RUNTIME, tempDir } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = (name: string) => join(ROOT, "node_modules", ".bin", name);
const COMMAND: string[] = RUNTIME === "deno" ? [BIN("deno"), "run", "-A"] : [BIN(RUNTIME)];
const WAIT_MS = 15_000;
const TEST = { timeout: 60_000 };

/** A running example: its output so far, and ways to wait for more. */
class Proc {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  out = "";
  err = "";
  code: number | null = null;
  signal: string | null = null;
  closed = false;
  #wakers = new Set<() => void>();

  constructor(name: string, args: string[]) {
    this.name = name;
    // The forking examples share their port with SO_REUSEPORT: Deno's needs --unstable-net.
    const flags = RUNTIME === "deno" && name.startsWith("forking_") ? ["--unstable-net"] : [];
    const argv = [...COMMAND.slice(1), ...flags, join(ROOT, "examples", name), ...args];
    this.child = spawn(COMMAND[0], argv, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.child.stdout.on("data", (d: Uint8Array) => this.#took(() => (this.out += dec(d))));
    this.child.stderr.on("data", (d: Uint8Array) => this.#took(() => (this.err += dec(d))));
    this.child.on("close", (code, signal) => {
      this.#took(() => {
        this.code = code;
        this.signal = signal;
        this.closed = true;
      });
    });
    this.child.on("error", (e) => this.#took(() => (this.err += String(e))));
  }

  #took(change: () => void): void {
    change();
    for (const wake of this.#wakers) wake();
  }

  /** What the process printed, for error messages. */
  describe(): string {
    return `${this.name}: code=${this.code} signal=${this.signal}\n--- stdout\n${this.out}\n--- stderr\n${this.err}`;
  }

  /** Resolves once `ready()` holds; rejects after `ms` or when it never can. */
  #until<T>(ready: () => T | undefined, what: string, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        const value = ready();
        if (value !== undefined) finish(() => resolve(value));
        else if (this.closed) {
          finish(() => reject(new Error(`exited before ${what}\n${this.describe()}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out waiting for ${what}\n${this.describe()}`))),
        ms,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        settle();
      };
      this.#wakers.add(wake);
      wake();
    });
  }

  /** Waits until stdout matches `re`. */
  waitFor(re: RegExp, ms: number = WAIT_MS): Promise<RegExpMatchArray> {
    return this.#until(() => this.out.match(re) ?? undefined, String(re), ms);
  }

  /** Waits until stderr matches `re`. */
  waitForErr(re: RegExp, ms: number = WAIT_MS): Promise<RegExpMatchArray> {
    return this.#until(() => this.err.match(re) ?? undefined, String(re), ms);
  }

  /** Waits for the server's ready line and returns its port. */
  async port(): Promise<number> {
    return Number((await this.waitFor(/listening on 127\.0\.0\.1:(\d+)\n/))[1]);
  }

  /** Waits for the process to exit and returns its exit code. */
  exit(ms: number = WAIT_MS): Promise<number | null> {
    return this.#until(() => (this.closed ? { c: this.code } : undefined), "exit", ms).then((x) =>
      x.c
    );
  }

  /** Kills the process if it still runs, and waits for it. */
  async kill(): Promise<void> {
    if (this.closed) return;
    this.child.kill("SIGKILL");
    await this.exit(5_000).catch(() => {});
  }
}

/** Starts examples and kills whatever still runs at the end. */
async function withProcs(
  body: (start: (name: string, ...args: string[]) => Proc) => Promise<void>,
) {
  const procs: Proc[] = [];
  try {
    await body((name, ...args) => {
      const p = new Proc(name, args);
      procs.push(p);
      return p;
    });
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
  }
}

/** Runs a client to completion: asserts exit code 0, returns its stdout. */
async function client(p: Proc): Promise<string> {
  const code = await p.exit();
  assert.equal(code, 0, p.describe());
  return p.out;
}

const ADDR = /\('127\.0\.0\.1', \d+\)/.source;

test("the README's first program is examples/first.ts, and it exits", TEST, async () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = readme.match(/## A first program[^]*?```ts\n([^]*?)```/)?.[1];
  const file = readFileSync(join(ROOT, "examples", "first.ts"), "utf8");
  const body = file.slice(file.indexOf("import "));
  assert.equal(
    block?.replace(' from "unisock"; // Deno: "@unisock/socket"', ' from "../mod.ts";'),
    body,
    "README.md shows examples/first.ts",
  );
  await withProcs(async (start) => {
    const out = await client(start("first.ts"));
    assert.match(out, /^connection from .*127\.0\.0\.1.*\nhello\n$/);
  });
});

test("greeting server and client (tutorial 000)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("greeting_server.ts", "0");
    const port = String(await server.port());
    for (let i = 1; i <= 2; i++) {
      const out = await client(start("greeting_client.ts", port));
      assert.equal(out, "The data received is I have got your socket\n");
      await server.waitFor(new RegExp(`(got connected from ${ADDR}\n[^]*){${i}}`));
    }
  });
});

test("hello once server answers one client, then exits (tutorial 001)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("hello_once_server.ts", "0");
    const port = await server.port();
    const out = await client(start("echo_client.ts", `127.0.0.1:${port}`));
    assert.equal(out, "Client received: b'Hello network WorldHello'\n");
    assert.equal(await server.exit(), 0, server.describe());
  });
});

test(
  "hello server serves clients concurrently, a task per client (tutorial 001)",
  TEST,
  async () => {
    await withProcs(async (start) => {
      const server = start("hello_server.ts", "0", "0.05");
      const port = await server.port();
      await server.waitFor(/Waiting for connection\.\.\.\n/);
      // An idle client holds its task; the others must still be served.
      const idle: Socket = await create_connection(["127.0.0.1", port]);
      try {
        assert.equal(dec(await idle.recv(1024)), "Welcome!");
        const clients = [
          start("hello_client.ts", String(port)),
          start("hello_client.ts", String(port)),
        ];
        for (const c of clients) {
          assert.equal(await client(c), "Welcome!\nHello,Michael!\nHello,Tracy!\nHello,Sarah!\n");
        }
        await idle.sendall("Bob");
        assert.equal(dec(await idle.recv(1024)), "Hello,Bob!");
        await idle.sendall("exit");
        assert.equal((await idle.recv(1024)).length, 0);
      } finally {
        idle.close();
      }
      await server.waitFor(new RegExp(`(Connection from ${ADDR} closed\\.\n[^]*){3}`));
      assert.equal(
        server.out.match(new RegExp(`Accept new connection from ${ADDR}\n`, "g"))?.length,
        3,
      );
    });
  },
);

test(
  "hello server: a client that resets fails its thread, printed as Python prints it; serving goes on",
  { ...TEST, skip: !hasPython() && "python3 is not installed" },
  async () => {
    await withProcs(async (start) => {
      const server = start("hello_server.ts", "0", "0");
      const port = await server.port();
      await server.waitFor(/Waiting for connection\.\.\.\n/);
      // CPython resets the connection (SO_LINGER 0) after the welcome; the RST
      // comes from CPython, so every runtime's recv meets ConnectionResetError.
      const script = join(ROOT, "tests", "fixtures", "reset_client.py");
      const reset = spawnSync("python3", [script, String(port)], { timeout: 15_000 });
      assert.equal(reset.status, 0, String(reset.stderr));
      await server.waitForErr(
        /Exception in thread Thread-1 \(tcplink\):\nConnectionResetError: \[Errno 104\] Connection reset by peer\n\s+at /,
      );
      assert.equal(
        await client(start("hello_client.ts", String(port))),
        "Welcome!\nHello,Michael!\nHello,Tracy!\nHello,Sarah!\n",
      );
      await server.waitFor(new RegExp(`Connection from ${ADDR} closed\\.\n`));
      assert.equal(server.closed, false, server.describe());
    });
  },
);

test("UDP server and client (tutorial 001)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("udp_server.ts", "0");
    const port = await server.port();
    await server.waitFor(new RegExp(`Bind UDP on ${port}\\.\\.\\.\n`));
    const out = await client(start("udp_client.ts", String(port)));
    assert.equal(out, "Hello,Michael!\nHello,Tracy!\nHello,Sarah!\n");
    await server.waitFor(/(Received from 127\.0\.0\.1:\d+\.\n[^]*){3}/);
  });
});

test("welcome server: '1', anything else, and a timeout (tutorial 002)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("welcome_server.ts", "0", "0.5");
    const port = String(await server.port());
    assert.equal(await client(start("welcome_client.ts", port, "0.1")), "Welcome to server!\n");
    assert.equal(await client(start("welcome_client.ts", port, "0", "2")), "Please go out!\n");
    // A client that says nothing is dropped after the timeout.
    const silent = await create_connection(["127.0.0.1", Number(port)]);
    try {
      silent.settimeout(10);
      assert.equal((await silent.recv(1024)).length, 0);
    } finally {
      silent.close();
    }
    await server.waitFor(/Time Out\n/);
    assert.equal(await client(start("welcome_client.ts", port, "0")), "Welcome to server!\n");
  });
});

test("echo server and client, messages from argv (tutorial 002)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("echo_server.ts", "0");
    const port = await server.port();
    const one = await client(start("echo_client.ts", `localhost:${port}`));
    assert.equal(one, "Client received: b'echo=>Hello network World'\n");
    const two = await client(start("echo_client.ts", `127.0.0.1:${port}`, "spam", "it's"));
    assert.equal(two, `Client received: b'echo=>spam'\nClient received: b"echo=>it's"\n`);
    await server.waitFor(new RegExp(`(Server connected by ${ADDR}\n[^]*){2}`));
  });
});

test("select-based echo server serves two clients at once (tutorial 004)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("select_server.ts", "0");
    const port = await server.port();
    const [one, two] = await Promise.all([
      client(start("echo_client.ts", `127.0.0.1:${port}`, "first")),
      client(start("echo_client.ts", `127.0.0.1:${port}`, "second")),
    ]);
    assert.equal(one, "Client received: b'first'\n");
    assert.equal(two, "Client received: b'second'\n");
    await server.waitFor(new RegExp(`(closing ${ADDR}\n[^]*){2}`));
  });
});

test("time-stamp server and interactive client (tutorial 003)", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("time_server.ts", "0");
    const port = String(await server.port());
    const stamp =
      /\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\]/.source;

    // "close" ends the client; empty lines are skipped.
    const first = start("time_client.ts", port);
    first.child.stdin.end("hello\n\nwide world\nclose\nnot sent\n");
    assert.match(await client(first), new RegExp(`^>${stamp} hello\n>>${stamp} wide world\n>$`));
    await server.waitFor(new RegExp(`< hello\n< wide world\ndisconnect from: ${ADDR}\n`));

    // The end of the input ends it too; the server waits for the next client.
    const second = start("time_client.ts", port, "127.0.0.1");
    second.child.stdin.end("again\n");
    assert.match(await client(second), new RegExp(`^>${stamp} again\n>$`));
    await server.waitFor(new RegExp(`< again\ndisconnect from: ${ADDR}\nwaiting for connection`));
    assert.doesNotMatch(server.out, /not sent/);
  });
});

test(
  "HTTP 'Hello, World' server with curl and the GET client (tutorials 004, 001)",
  TEST,
  async () => {
    const [dir, cleanup] = tempDir();
    try {
      await withProcs(async (start) => {
        const server = start("http_server.ts", "0");
        const port = String(await server.port());
        const curl = spawnSync("curl", ["-si", "--max-time", "10", `http://127.0.0.1:${port}/`], {
          encoding: "utf8",
          timeout: 15_000,
        });
        if (curl.error === undefined) {
          assert.equal(curl.status, 0, curl.stderr);
          assert.equal(curl.stdout, "HTTP/1.1 200 OK\r\n\r\nHello, World");
        }
        const page = join(dir, "page.html");
        const out = await client(start("http_get_client.ts", "127.0.0.1", port, page));
        assert.equal(out, "HTTP/1.1 200 OK\n");
        assert.equal(readFileSync(page, "utf8"), "Hello, World");
      });
    } finally {
      cleanup();
    }
  },
);

test(
  "ThreadingTCPServer serves clients concurrently and stops on SIGTERM (tutorial 004)",
  TEST,
  async () => {
    await withProcs(async (start) => {
      const server = start("threading_server.ts", "0");
      const port = await server.port();
      const welcome = new RegExp(`^receive: Welcome to the ThreadingTCPServer on ${RUNTIME}!\n`);
      const idle = await create_connection(["127.0.0.1", port]);
      try {
        assert.match(dec(await idle.recv(1024)), /^Welcome/);
        const a = start("threading_client.ts", String(port), "127.0.0.1", "Michael", "Tracy");
        const b = start("threading_client.ts", String(port));
        b.child.stdin.end("Sarah\n\nexit\nnot sent\n");
        const outA = await client(a);
        assert.match(outA, welcome);
        assert.ok(
          outA.endsWith(
            "send: Michael\nreceive: Hello, Michael!\nsend: Tracy\nreceive: Hello, Tracy!\n",
          ),
          outA,
        );
        const outB = await client(b);
        assert.match(outB, welcome);
        assert.ok(outB.endsWith("send: Sarah\nreceive: Hello, Sarah!\n"), outB);
        await idle.sendall("exit");
        assert.equal((await idle.recv(1024)).length, 0);
      } finally {
        idle.close();
      }
      await server.waitFor(new RegExp(`(${ADDR} left\n[^]*){3}`));
      assert.doesNotMatch(server.out, /not sent/);
      // process.kill, not child.kill: Deno's child.kill() makes the child's
      // exit report "SIGTERM" even when the child handled it and exited 0.
      process.kill(server.child.pid!, "SIGTERM");
      assert.equal(await server.exit(), 0, server.describe());
      assert.ok(server.out.endsWith("server closed\n"), server.describe());
    });
  },
);

/** Whether a process with this pid still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(
  "ForkingTCPServer serves from two worker processes and stops them on SIGTERM (tutorial 004)",
  TEST,
  async () => {
    await withProcs(async (start) => {
      const server = start("forking_server.ts", "0", "2");
      const m = await server.waitFor(/listening on 127\.0\.0\.1:(\d+) with workers (\d+),(\d+)\n/);
      const port = Number(m[1]);
      const workers = [Number(m[2]), Number(m[3])];
      const welcome = new RegExp(
        `^Welcome to the ForkingTCPServer on ${RUNTIME}, worker (${workers.join("|")})!$`,
      );
      // Connections held open until two workers answered (the kernel picks the
      // worker by a hash: 40 connections on one worker happen once in 2^39).
      const held: Socket[] = [];
      const seen = new Set<number>();
      try {
        for (let i = 0; i < 40 && seen.size < 2; i++) {
          const conn = await create_connection(["127.0.0.1", port]);
          held.push(conn);
          const hello = dec(await conn.recv(1024));
          assert.match(hello, welcome);
          seen.add(Number(welcome.exec(hello)![1]));
        }
        assert.equal(seen.size, 2, server.describe());
        const out = await client(start("threading_client.ts", String(port), "127.0.0.1", "Bob"));
        assert.ok(out.endsWith("send: Bob\nreceive: Hello, Bob!\n"), out);
      } finally {
        for (const conn of held) conn.close();
      }
      await server.waitFor(new RegExp(`(${ADDR} left\n[^]*){${held.length + 1}}`));
      process.kill(server.child.pid!, "SIGTERM");
      assert.equal(await server.exit(), 143, server.describe());
      for (const pid of workers) assert.equal(alive(pid), false, `worker ${pid} still runs`);
    });
  },
);

test("forking CPU-bound server answers the digest of its work", TEST, async () => {
  await withProcs(async (start) => {
    const server = start("forking_cpu_server.ts", "0", "2", "2");
    const port = await server.port();
    const block = new Uint8Array(1 << 20);
    block.set(new TextEncoder().encode("hello\n"));
    let digest = new Uint8Array(0);
    for (let i = 0; i < 2; i++) {
      digest = new Uint8Array(createHash("sha256").update(digest).update(block).digest());
    }
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    const conn = await create_connection(["127.0.0.1", port]);
    try {
      conn.settimeout(15);
      await conn.sendall("hello\n");
      let answer = "";
      for (let i = 0; i < 10 && !answer.endsWith("\n"); i++) {
        const chunk = dec(await conn.recv(1024));
        if (chunk === "") break;
        answer += chunk;
      }
      assert.equal(answer, hex + "\n");
    } finally {
      conn.close();
    }
    process.kill(server.child.pid!, "SIGTERM");
    assert.equal(await server.exit(), 143, server.describe());
  });
});
