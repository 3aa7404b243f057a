/**
 * The one table that turns Deno's errors (and the `node:dns` / `node:dgram`
 * errors the Deno adapter meets) into the core's {@linkcode OSError} classes.
 *
 * @module
 */

import * as E from "../../src/errno.ts";
import { OSError, oserror } from "../../src/errors.ts";
import { _errnoOfCode } from "../shared/errors.ts";
import type { DenoApi, DenoPermissionDescriptor, DenoPermissionStatus } from "./api.ts";

/**
 * Deno's `Deno.errors.*` class names and the DOMException / JS error names
 * the runtime throws → errno. Codes (`"ECONNRESET"`, Node's `ERR_*`) of its
 * `node:` modules go through the shared table first.
 */
const _TABLE: Readonly<Record<string, number>> = {
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

function _fromCode(code: unknown): number | undefined {
  return typeof code === "string" ? _errnoOfCode(code) : undefined;
}

function _fromMessage(message: unknown): number | undefined {
  const m = typeof message === "string" ? /\(os error (\d+)\)/.exec(message) : null;
  return m === null ? undefined : Number(m[1]);
}

function _fromName(name: unknown): number | undefined {
  return typeof name === "string" && Object.hasOwn(_TABLE, name) ? _TABLE[name] : undefined;
}

/**
 * Translates any error the Deno runtime (or its `node:` modules) produced
 * into the core's error: an `.code` errno string first, then Deno's
 * `(os error N)` message suffix, then the error's class name; EIO when none
 * of them is known. A missing permission keeps Deno's text, which names the
 * flag to add; an OSError passes through unchanged.
 *
 * @param err What the runtime threw or rejected with.
 * @returns The matching OSError subclass (ConnectionRefusedError for
 * `Deno.errors.ConnectionRefused` …).
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
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
  };
  if (e.name === "NotCapable" || e.name === "PermissionDenied") {
    if (typeof e.message === "string" && e.message.includes("--allow-")) {
      return oserror(E.EACCES, `Permission denied: ${e.message}`);
    }
  }
  return oserror(_fromCode(e.code) ?? _fromMessage(e.message) ?? _fromName(e.name) ?? E.EIO);
}

/** The flag that grants each permission. */
const _FLAGS = { net: "--allow-net", read: "--allow-read", write: "--allow-write" } as const;

/**
 * Deno's status objects of whole permissions. Deno updates a status in place
 * when a query, request or revoke of the same descriptor changes it, and a
 * whole grant ends only by revoking it as a whole (revoking one host or path
 * leaves it), so a kept status stays true.
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

/**
 * Asks Deno whether this process may use `desc` (prompting where Deno
 * would): `node:` modules on Deno throw a missing permission from a later
 * tick, beyond any handler, so it is asked first.
 *
 * @param deno The Deno global.
 * @param desc The permission.
 * @param what What is accessed, as Deno's own message names it.
 * @returns `null` when granted, else the PermissionError to raise (with
 * Deno's hint: which flag to add).
 *
 * @example Before a node:net connect
 * ```ts ignore
 * const denied = _permission(Deno, { name: "net", host: "127.0.0.1:80" }, "net access to \"127.0.0.1:80\"");
 * if (denied !== null) throw denied;
 * ```
 */
export function _permission(
  deno: DenoApi,
  desc: DenoPermissionDescriptor,
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
 * {@linkcode _permission} for network access to `host:port`.
 *
 * @param deno The Deno global.
 * @param host A numeric host.
 * @param port The port.
 * @returns `null` when granted, else the PermissionError.
 *
 * @example Before a bind
 * ```ts ignore
 * const denied = _netDenied(Deno, "127.0.0.1", 0);
 * ```
 */
export function _netDenied(deno: DenoApi, host: string, port: number): OSError | null {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return _permission(deno, { name: "net", host: where }, `net access to "${where}"`);
}
