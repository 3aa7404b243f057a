/**
 * The one table that turns Deno's errors (and the `node:dns` / `node:dgram`
 * errors the Deno adapter meets) into the core's {@linkcode OSError} classes.
 *
 * @module
 */

import * as E from "../src/errno.ts";
import { _gaierror, OSError, oserror } from "../src/errors.ts";

/**
 * Error names and codes → errno. Deno's `Deno.errors.*` class names, the
 * DOMException / JS error names the runtime throws, and the getaddrinfo codes
 * of `node:dns`; a negative value is an EAI_* code and becomes a gaierror.
 * Errno-style codes (`"ECONNRESET"` …) are looked up in `src/errno.ts` first.
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
  ENOTFOUND: -2,
  EAI_NONAME: -2,
  EAI_AGAIN: -3,
  EAI_FAIL: -4,
  ENODATA: -5,
  EAI_NODATA: -5,
  EAI_FAMILY: -6,
  EAI_SERVICE: -8,
  EAI_ADDRFAMILY: -9,
};

const _ERRNO: Readonly<Record<string, unknown>> = E;

function _fromCode(code: unknown): number | undefined {
  if (typeof code !== "string") return undefined;
  if (Object.hasOwn(_TABLE, code)) return _TABLE[code];
  const n = /^E[A-Z0-9]+$/.test(code) ? _ERRNO[code] : undefined;
  return typeof n === "number" ? n : undefined;
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
 * of them is known. EAI_* codes become a `gaierror`; an OSError passes
 * through unchanged.
 *
 * @param err What the runtime threw or rejected with.
 * @returns The matching OSError subclass (ConnectionRefusedError for
 * `Deno.errors.ConnectionRefused`, gaierror -2 for `ENOTFOUND` …).
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
  const errno = _fromCode(e.code) ?? _fromMessage(e.message) ?? _fromName(e.name) ?? E.EIO;
  return errno < 0 ? _gaierror(errno) : oserror(errno);
}
