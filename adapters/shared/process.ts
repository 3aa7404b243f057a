/**
 * Worker processes for the forking servers, over `node:child_process`,
 * `node:process` and `node:os`, which Deno, Bun and Node all provide. Only
 * how the program is started again differs per runtime: each adapter passes
 * its own (see `adapters/deno/process.ts`, `adapters/node/process.ts`).
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import * as os from "node:os";
import process from "node:process";
import type { BackendProcesses, WorkerProcess } from "../../src/backend.ts";
import { oserror } from "../../src/errors.ts";
import * as E from "../../src/errno.ts";

/** The executable and arguments that run this program again. */
export interface _CommandLine {
  /** The runtime binary. */
  readonly command: string;
  /** Runtime flags, the main module and the program's arguments. */
  readonly args: readonly string[];
}

/**
 * The command line of a runtime that reports its flags in
 * `process.execArgv` and the main module in `process.argv[1]` (Node, Bun).
 *
 * @returns The command line.
 *
 * @example Node's command line
 * ```ts ignore
 * console.log(_execArgvCommandLine()); // { command: "/usr/bin/node", args: ["app.ts"] }
 * ```
 */
export function _execArgvCommandLine(): _CommandLine {
  return { command: process.execPath, args: [...process.execArgv, ...process.argv.slice(1)] };
}

/** The environment to pass on, plus `extra`; a PermissionError when unreadable. */
function _environment(runtime: string, extra: Readonly<Record<string, string>>) {
  let env: Record<string, string | undefined>;
  try {
    env = { ...process.env };
  } catch {
    throw oserror(E.EPERM, `${runtime} may not read the environment to pass it to workers`);
  }
  return { ...env, ...extra };
}

/**
 * Starts a child process running this program again with `env` (the whole
 * environment to pass).
 */
export type _Starter = (env: Record<string, string | undefined>) => ChildProcess;

/**
 * Starts the program again as a plain child process (Deno, Bun, Node).
 *
 * @param commandLine How this runtime runs the program again.
 * @returns The starter.
 *
 * @example Bun's starter
 * ```ts ignore
 * const start = _spawnStarter(_execArgvCommandLine);
 * ```
 */
export function _spawnStarter(commandLine: () => _CommandLine): _Starter {
  return (env) => {
    const line = commandLine();
    return spawn(line.command, [...line.args], { env, stdio: ["ignore", "inherit", "inherit"] });
  };
}

/** Starts one child; a synchronous failure becomes a PermissionError/OSError. */
function _spawn(
  runtime: string,
  start: _Starter,
  env: Readonly<Record<string, string>>,
): WorkerProcess {
  let child: ChildProcess;
  try {
    child = start(_environment(runtime, env));
  } catch (err) {
    if (err instanceof Error && /NotCapable|PermissionDenied|--allow-run/.test(String(err))) {
      throw oserror(E.EPERM, `${runtime} may not start worker processes (Deno: --allow-run)`);
    }
    throw oserror(E.ECHILD, `${runtime} could not start a worker process: ${String(err)}`);
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("error", () => resolve({ code: 127, signal: null }));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    pid: child.pid ?? -1,
    kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone: nothing to stop.
      }
    },
    exited,
  };
}

/** Why workers cannot share a unix socket's path where nothing else shares it. */
export const _UNIX_STREAM_GAP = "worker processes share an address with SO_REUSEPORT, which does " +
  "not apply to unix sockets, and a listening unix socket cannot be handed to another process here";

/**
 * Builds the process control of a runtime.
 *
 * @param runtime The runtime's name, for error messages.
 * @param start How this runtime starts the program again.
 * @param shareDatagram `null` when UDP sockets of several processes can
 *   share a port with SO_REUSEPORT, else why not.
 * @param shareUnixStream `null` when a listening unix stream path can be
 *   shared by the workers, else why not.
 * @returns The backend's `processes` member.
 *
 * @example Bun's process control
 * ```ts ignore
 * const processes = _processes("bun", _spawnStarter(_execArgvCommandLine), null);
 * ```
 */
export function _processes(
  runtime: string,
  start: _Starter,
  shareDatagram: string | null,
  shareUnixStream: string | null = _UNIX_STREAM_GAP,
): BackendProcesses {
  return {
    shareDatagram,
    shareUnixStream,
    cpuCount: () =>
      typeof os.availableParallelism === "function"
        ? os.availableParallelism()
        : Math.max(1, os.cpus().length),
    pid: () => process.pid,
    getenv: (name) => {
      try {
        return process.env[name];
      } catch {
        return undefined;
      }
    },
    spawnSelf: (env) => _spawn(runtime, start, env),
    onSignal: (signal, handler) => {
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    exit: (code) => process.exit(code),
  };
}
