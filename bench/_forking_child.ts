/**
 * What the forking benchmarks (`forking.ts`, `forking_spread.ts`) share:
 * command-line options, and servers run as child processes that print
 * "listening on HOST:PORT" once ready.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";

/** The repository's root. */
export const ROOT: string = join(import.meta.dirname ?? ".", "..");

/**
 * A runtime binary installed in node_modules.
 *
 * @param name `deno`, `bun` or `node`.
 * @returns Its path.
 */
export const BIN = (name: string): string => join(ROOT, "node_modules", ".bin", name);

/**
 * The value after `name` on the command line.
 *
 * @param name The option, e.g. `--seconds`.
 * @param fallback The value when it is absent.
 * @returns The value.
 */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/**
 * Starts a server and resolves with it and its port once it prints
 * "listening on"; rejects when it exits first or after 60 s.
 *
 * @param label Names the server in errors.
 * @param cmd The executable.
 * @param args Its arguments.
 * @returns The child process and the port.
 */
export function startServer(
  label: string,
  cmd: string,
  args: string[],
): Promise<[ChildProcess, number]> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Uint8Array) => {
    const text = new TextDecoder().decode(d);
    err += text;
    process.stderr.write(text);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${label}: no "listening on"`)), 60_000);
    child.stdout!.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([child, Number(m[1])]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited ${code}: ${err.trim().split("\n")[0]}`));
    });
  });
}

/**
 * Stops a server with SIGTERM (SIGKILL after 10 s) and waits for its exit.
 *
 * @param child The server.
 * @returns A promise resolved once it exited.
 */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killer);
}
