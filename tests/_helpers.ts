// Shared helpers of the test suite (not a test file).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { create_server, type Socket } from "unisock";

/** Which runtime runs the tests. */
export const RUNTIME: "deno" | "bun" | "node" = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : "node";

/**
 * Deno with its default stream sockets, through Deno's node:net (RST works);
 * false with `UNISOCK_DENO_NET=conn` (`Deno.Conn`).
 */
export const DENO_NODE_NET = RUNTIME === "deno" && process.env.UNISOCK_DENO_NET !== "conn";

/**
 * A listening TCP socket on 127.0.0.1 with a free port, and a connected pair.
 *
 * @returns `[server, client, accepted]`.
 */
export async function tcpPair(): Promise<[Socket, Socket, Socket]> {
  const { socket } = await import("unisock");
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket();
  const [, [conn]] = await Promise.all([cli.connect(srv.getsockname()), srv.accept()]);
  return [srv, cli, conn];
}

/**
 * A fresh temporary directory, removed by the returned function.
 *
 * @returns `[path, cleanup]`.
 */
export function tempDir(): [string, () => void] {
  const dir = mkdtempSync(join(tmpdir(), "unisock-test-"));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/** UTF-8 encode. */
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** UTF-8 decode. */
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * A validator for `assert.throws`/`assert.rejects`: the error is exactly of
 * class `cls` (not a subclass), with `errno` and, when given, `message`.
 *
 * @returns `true`, or throws an AssertionError describing the mismatch.
 */
export function isError(
  cls: abstract new (...args: never[]) => Error,
  errno?: number | null,
  message?: string,
): (e: unknown) => boolean {
  return (e: unknown) => {
    const got = e instanceof Error
      ? `${e.constructor.name}(errno=${(e as { errno?: unknown }).errno}) ${
        JSON.stringify(e.message)
      }`
      : String(e);
    const want = `${cls.name}(errno=${errno}) ${JSON.stringify(message)}`;
    const ok = e instanceof Error && e.constructor === cls && e.name === cls.name &&
      (errno === undefined || (e as { errno?: unknown }).errno === errno) &&
      (message === undefined || e.message === message);
    if (!ok) throw new Error(`expected ${want}, got ${got}`, { cause: e });
    return true;
  };
}

/**
 * Whether a promise settles within `ms` milliseconds (it keeps running).
 *
 * @returns `true` when it settled (resolved or rejected) in time.
 */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = p.then(() => true, () => true);
  const late = new Promise<boolean>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A TCP port on 127.0.0.1 with nothing listening (bound, then closed).
 *
 * @returns The port.
 */
export async function closedPort(): Promise<number> {
  const { socket } = await import("unisock");
  const s = socket();
  await s.bind(["127.0.0.1", 0]);
  const port = s.getsockname()[1];
  s.close();
  return port;
}

/**
 * How many descriptors the process has open (its real OS fds, from /proc).
 *
 * @returns The count.
 */
export function osFdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/**
 * The library descriptors a batch of `n` fresh sockets gets (they are closed
 * again at once). Descriptors are allocated lowest-first, so a socket leaked
 * in between shows up as a different set.
 *
 * @returns The sorted descriptors.
 */
export async function libFdProbe(n: number): Promise<number[]> {
  const { socket } = await import("unisock");
  const socks = Array.from({ length: n }, () => socket());
  const fds = socks.map((s) => s.fileno());
  for (const s of socks) s.close();
  return fds.sort((a, b) => a - b);
}

/**
 * Polls `cond` (each macrotask turn, then every few ms) until it holds or
 * `ms` pass; for states that settle asynchronously, such as a runtime
 * releasing descriptors after close.
 *
 * @returns Whether `cond` held in time.
 */
export async function eventually(cond: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  for (let i = 0; !cond(); i++) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, i < 10 ? 0 : 5));
  }
  return true;
}

/** Whether `python3` runs here (tests against CPython peers skip without it). */
export function hasPython(): boolean {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
