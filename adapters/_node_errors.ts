/**
 * The Node adapter's one error table: Node error codes to Linux errno
 * numbers, and the translation of any runtime error into the core's
 * {@linkcode OSError} classes.
 *
 * @module
 */

import { _gaierror, herror, OSError, oserror } from "../src/errors.ts";
import * as E from "../src/errno.ts";

/**
 * Node's error codes and their errno. A negative number is a getaddrinfo
 * EAI_* code (a `gaierror`). Codes that are Linux errno names (`ECONNREFUSED`,
 * `EADDRINUSE`, `ENOENT`, `EPIPE`, `ECONNRESET`, `EACCES`, `EADDRNOTAVAIL`,
 * `EINVAL` …) are looked up in `src/errno.ts` when they are not listed here.
 */
const _CODES: Readonly<Record<string, number>> = Object.freeze({
  ECONNREFUSED: E.ECONNREFUSED,
  EADDRINUSE: E.EADDRINUSE,
  EADDRNOTAVAIL: E.EADDRNOTAVAIL,
  ECONNRESET: E.ECONNRESET,
  EPIPE: E.EPIPE,
  ENOENT: E.ENOENT,
  EACCES: E.EACCES,
  EINVAL: E.EINVAL,
  // getaddrinfo failures (Node folds EAI_NONAME and EAI_NODATA into ENOTFOUND).
  ENOTFOUND: -2,
  EAI_BADFLAGS: -1,
  EAI_NONAME: -2,
  EAI_AGAIN: -3,
  EAI_FAIL: -4,
  EAI_NODATA: -5,
  EAI_FAMILY: -6,
  EAI_SOCKTYPE: -7,
  EAI_SERVICE: -8,
  EAI_ADDRFAMILY: -9,
  EAI_MEMORY: -10,
  EAI_SYSTEM: -11,
  EAI_OVERFLOW: -12,
  ETIMEOUT: -3, // c-ares' name for a resolver timeout
  // Node's own codes.
  ABORT_ERR: E.ECANCELED,
  ERR_SOCKET_DGRAM_NOT_RUNNING: E.EBADF,
  ERR_SOCKET_CLOSED: E.EBADF,
  ERR_SERVER_NOT_RUNNING: E.EBADF,
  ERR_STREAM_DESTROYED: E.EPIPE,
  ERR_STREAM_WRITE_AFTER_END: E.EPIPE,
  ERR_STREAM_PREMATURE_CLOSE: E.EPIPE,
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: E.ECONNABORTED,
  ERR_SOCKET_CONNECTION_TIMEOUT: E.ETIMEDOUT,
  ERR_SOCKET_ALREADY_BOUND: E.EINVAL,
  ERR_SERVER_ALREADY_LISTEN: E.EINVAL,
  ERR_SOCKET_DGRAM_IS_CONNECTED: E.EISCONN,
  ERR_SOCKET_DGRAM_NOT_CONNECTED: E.EDESTADDRREQ,
  ERR_SOCKET_BAD_PORT: E.EINVAL,
  ERR_SOCKET_BUFFER_SIZE: E.EINVAL,
  ERR_INVALID_ARG_TYPE: E.EINVAL,
  ERR_INVALID_ARG_VALUE: E.EINVAL,
  ERR_INVALID_IP_ADDRESS: E.EINVAL,
  ERR_INVALID_HANDLE_TYPE: E.EINVAL,
  ERR_OUT_OF_RANGE: E.EINVAL,
  ERR_INVALID_ADDRESS_FAMILY: E.EAFNOSUPPORT,
});

const _ERRNO_NAMES = E as unknown as Readonly<Record<string, unknown>>;

/** The `code` and `message` of anything thrown, without keeping it. */
function _describe(err: unknown): { code: string; message: string; errno: unknown } {
  if (typeof err !== "object" || err === null) {
    return { code: "", message: String(err), errno: undefined };
  }
  const { code, message, errno } = err as { code?: unknown; message?: unknown; errno?: unknown };
  return {
    code: typeof code === "string" ? code : "",
    message: typeof message === "string" ? message : String(err),
    errno,
  };
}

/** The errno of a Node error code, or `undefined` when unknown. */
function _errnoOf(code: string): number | undefined {
  if (code === "") return undefined;
  if (Object.hasOwn(_CODES, code)) return _CODES[code];
  const named = Object.hasOwn(_ERRNO_NAMES, code) ? _ERRNO_NAMES[code] : undefined;
  return typeof named === "number" ? named : undefined;
}

/**
 * Translates any error a Node API threw or emitted into the core's OSError
 * class for its errno (a `gaierror` for resolver failures). An error whose
 * code is unknown becomes an OSError with errno EIO carrying the original
 * message; the raw error never escapes.
 *
 * @param err What Node threw, emitted or rejected with.
 * @returns The matching OSError (an OSError passes through unchanged).
 *
 * @example Translate a refused connection
 * ```ts ignore
 * import { _translate } from "./_node_errors.ts";
 * const e = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
 * console.log(_translate(e).errno); // 111
 * ```
 */
export function _translate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const { code, message, errno } = _describe(err);
  const mapped = _errnoOf(code);
  if (mapped !== undefined) return mapped < 0 ? _gaierror(mapped) : oserror(mapped);
  // libuv reports system errors as the negated Linux errno.
  if (typeof errno === "number" && errno < 0 && errno > -4096 && code.startsWith("E")) {
    return oserror(-errno);
  }
  return oserror(E.EIO, code === "" ? message : `${code}: ${message}`);
}

/**
 * Translates a failed reverse look-up into Python's `herror`: a temporary
 * resolver failure is `herror(2)`, anything else `herror(1, "Unknown host")`.
 *
 * @param err What the reverse look-up rejected with.
 * @returns The herror.
 *
 * @example Unknown address
 * ```ts ignore
 * import { _herror } from "./_node_errors.ts";
 * console.log(_herror({ code: "ENOTFOUND" }).message); // "[Errno 1] Unknown host"
 * ```
 */
export function _herror(err: unknown): herror {
  const { code } = _describe(err);
  if (code === "EAI_AGAIN" || code === "ETIMEOUT") {
    return new herror(2, "Host name lookup failure");
  }
  return new herror(1, "Unknown host");
}
