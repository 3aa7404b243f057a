/**
 * How Deno runs the program again for a forking server's worker: Deno keeps
 * its flags (permissions, `--unstable-net`, config) out of `process.execArgv`,
 * so they are read from `/proc/self/cmdline`, or, where that cannot be read
 * (not Linux, or without `--allow-all`), rebuilt from the granted permissions.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { _CommandLine } from "../shared/process.ts";
import type { DenoApi } from "./api.ts";

/** Permission names whose `--allow-*` flag is passed on when fully granted. */
const _PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/**
 * The command line that runs this Deno program again.
 *
 * @returns The Deno binary and its arguments.
 *
 * @example
 * ```ts ignore
 * console.log(_denoCommandLine().args); // ["run", "-A", "--unstable-net", "app.ts"]
 * ```
 */
export function _denoCommandLine(): _CommandLine {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  try {
    const parts = readFileSync("/proc/self/cmdline", "utf8").split("\0");
    if (parts.at(-1) === "") parts.pop();
    return { command: deno.execPath(), args: parts.slice(1) };
  } catch {
    // Not readable here: rebuild the flags from what was granted.
  }
  const flags: string[] = [];
  for (const name of _PERMISSIONS) {
    if (deno.permissions.querySync({ name }).state === "granted") flags.push(`--allow-${name}`);
  }
  if (typeof deno.listenDatagram === "function") flags.push("--unstable-net");
  const main = deno.mainModule.startsWith("file:")
    ? fileURLToPath(deno.mainModule)
    : deno.mainModule;
  return { command: deno.execPath(), args: ["run", ...flags, main, ...deno.args] };
}
