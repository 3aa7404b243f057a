/**
 * The one table that turns Deno's errors (and those of its `node:` modules)
 * into the core's {@linkcode OSError} classes, and the permission checks run
 * before a `node:` module call: those modules throw a missing permission
 * from a later tick, beyond any handler.
 *
 * @module
 */

import type { BackendAddress } from "../../src/backend.ts";
import * as E from "../../src/errno.ts";
import { OSError, oserror } from "../../src/errors.ts";
import { _translate as _translateNode } from "../shared/errors.ts";
import type { DenoApi, DenoPermissionDescriptor, DenoPermissionStatus } from "./api.ts";

/**
 * `Deno.errors.*` class names and the DOMException / JS error names Deno
 * throws → errno, for errors with neither an errno `code` (which the shared
 * table reads) nor an `(os error N)` message suffix.
 */
const _NAMES: Readonly<Record<string, number>> = {
  ConnectionRefused: E.ECONNREFUSED,
  ConnectionReset: E.ECONNRESET,
  ConnectionAborted: E.ECONNABORTED,
  BrokenPipe: E.EPIPE,
  AddrInUse: E.EADDRINUSE,
  AddrNotAvailable: E.EADDRNOTAVAIL,
  NotFound: E.ENOENT,
  PermissionDenied: E.EACCES,
  NotCapable: E.EACCES,
  NotConnected: E.ENOTCONN,
  TimedOut: E.ETIMEDOUT,
  Interrupted: E.EINTR,
  WouldBlock: E.EAGAIN,
  InvalidData: E.EINVAL,
  BadResource: E.EBADF,
  AlreadyExists: E.EEXIST,
  Busy: E.EBUSY,
  NotSupported: E.EOPNOTSUPP,
  NetworkUnreachable: E.ENETUNREACH,
  WriteZero: E.EPIPE,
  UnexpectedEof: E.ECONNRESET,
  AbortError: E.ECANCELED,
  TypeError: E.EINVAL,
  RangeError: E.EINVAL,
};

/**
 * Translates any error Deno (or one of its `node:` modules) produced: the
 * shared `node:` table first (errno names in `code`), then Deno's
 * `(os error N)` message suffix, then the error's class name; EIO when none
 * is known. A missing permission keeps Deno's text, which names the flag.
 *
 * @param err What the runtime threw or rejected with.
 * @returns The matching OSError (an OSError passes through unchanged).
 *
 * @example Translate a refused connection
 * ```ts ignore
 * try {
 *   await Deno.connect({ hostname: "127.0.0.1", port: 1 });
 * } catch (err) {
 *   console.log(_translate(err).errno); // 111
 * }
 * ```
 */
export function _translate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const { name, message } = (typeof err === "object" && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
  };
  const text = typeof message === "string" ? message : "";
  if ((name === "NotCapable" || name === "PermissionDenied") && text.includes("--allow-")) {
    return oserror(E.EACCES, `Permission denied: ${text}`);
  }
  const known = _translateNode(err);
  if (known.errno !== E.EIO) return known;
  const os = /\(os error (\d+)\)/.exec(text);
  if (os !== null) return oserror(Number(os[1]));
  return typeof name === "string" && Object.hasOwn(_NAMES, name) ? oserror(_NAMES[name]) : known;
}

/** The flag that grants each permission. */
const _FLAGS = { net: "--allow-net", read: "--allow-read", write: "--allow-write" } as const;

/**
 * Deno's status objects of whole permissions. Deno updates a status in place
 * when a query, request or revoke changes it, and a whole grant ends only by
 * revoking it as a whole, so a kept status stays true.
 */
const _whole = new Map<"net" | "read" | "write", DenoPermissionStatus | null>();

/** Whether all of `name` is granted, without exceptions (one property read once known). */
function _grantedWhole(deno: DenoApi, name: "net" | "read" | "write"): boolean {
  let status = _whole.get(name);
  if (status === undefined) {
    try {
      status = deno.permissions.querySync({ name });
    } catch {
      status = null;
    }
    _whole.set(name, status);
  }
  return status !== null && status.state === "granted" && status.partial !== true;
}

/** `null` when `desc` is granted (after a prompt where Deno would prompt), else the error. */
function _permission(
  deno: DenoApi,
  desc: DenoPermissionDescriptor & { name: "net" | "read" | "write" },
  what: string,
): OSError | null {
  if (_grantedWhole(deno, desc.name)) return null;
  try {
    const state = deno.permissions.querySync(desc).state;
    if (state === "granted") return null;
    if (state === "prompt" && deno.permissions.requestSync(desc).state === "granted") return null;
  } catch {
    return null; // an unknown descriptor form: let the operation itself decide
  }
  return oserror(
    E.EACCES,
    `Permission denied: Requires ${what}, run again with the ${_FLAGS[desc.name]} flag`,
  );
}

/**
 * Finds the permission error Deno's `node:` modules would throw beyond any
 * handler for `address`: net access to `host:port`; for a named unix path
 * read, write and net access to `unix:PATH`.
 *
 * @param deno The Deno global.
 * @param address Where a socket binds or connects.
 * @returns `null` when allowed, else the PermissionError (naming the flag to add).
 *
 * @example Before a node:net connect
 * ```ts ignore
 * const denied = _denied(Deno, { kind: "inet", host: "127.0.0.1", port: 80, version: 4 });
 * if (denied !== null) throw denied;
 * ```
 */
export function _denied(deno: DenoApi, address: BackendAddress): OSError | null {
  if (address.kind === "inet") {
    const { host, port } = address;
    const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    return _permission(deno, { name: "net", host: where }, `net access to "${where}"`);
  }
  const path = address.path;
  if (path === "" || path.startsWith("\0")) return null;
  for (const name of ["read", "write"] as const) {
    const denied = _permission(deno, { name, path }, `${name} access to "${path}"`);
    if (denied !== null) return denied;
  }
  const host = `unix:${path}`;
  return _permission(deno, { name: "net", host }, `net access to "${host}"`);
}
