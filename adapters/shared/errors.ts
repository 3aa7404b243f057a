/**
 * The error table of the `node:` modules (`node:net`, `node:dgram`,
 * `node:dns`) that Node runs and that Deno and Bun implement with the same
 * codes: a Node error code to a Linux errno, and the translation of any such
 * error into the core's {@linkcode OSError} classes. errno names themselves
 * (`ECONNRESET` …) are read through the core's one table
 * (`_errnoByName`).
 *
 * @module
 */

import { OSError, oserror } from "../../src/errors.ts";
import * as E from "../../src/errno.ts";
import { _errnoByName } from "../../src/errno_names.ts";

/** Node's own codes (not errno names) and their errno. */
const _CODES: Readonly<Record<string, number>> = Object.freeze({
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

/**
 * The `code`, `message` and `errno` of anything thrown, without keeping it.
 *
 * @param err What a runtime threw.
 * @returns Its parts (`""` and `undefined` where missing).
 *
 * @example Read a code
 * ```ts ignore
 * console.log(_describe({ code: "EPIPE" }).code); // "EPIPE"
 * ```
 */
export function _describe(err: unknown): { code: string; message: string; errno: unknown } {
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

/**
 * The errno of a Node error code (an errno name or one of Node's own codes).
 *
 * @param code The code.
 * @returns The errno, or `undefined` when the code is unknown.
 *
 * @example Node's own code
 * ```ts ignore
 * console.log(_errnoOfCode("ERR_SOCKET_CLOSED")); // 9
 * ```
 */
export function _errnoOfCode(code: string): number | undefined {
  if (code === "") return undefined;
  return Object.hasOwn(_CODES, code) ? _CODES[code] : _errnoByName(code);
}

/**
 * Translates any error a `node:` module threw or emitted into the core's
 * OSError class for its errno. An error whose code is unknown becomes an
 * OSError with errno EIO carrying the original message; the raw error never
 * escapes.
 *
 * @param err What the runtime threw, emitted or rejected with.
 * @returns The matching OSError (an OSError passes through unchanged).
 *
 * @example Translate a refused connection
 * ```ts ignore
 * import { _translate } from "./errors.ts";
 * const e = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
 * console.log(_translate(e).errno); // 111
 * ```
 */
export function _translate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const { code, message, errno } = _describe(err);
  const mapped = _errnoOfCode(code);
  if (mapped !== undefined) return oserror(mapped);
  // libuv reports system errors as the negated Linux errno.
  if (typeof errno === "number" && errno < 0 && errno > -4096 && code.startsWith("E")) {
    return oserror(-errno);
  }
  return oserror(E.EIO, code === "" ? message : `${code}: ${message}`);
}
