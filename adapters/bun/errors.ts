/**
 * The Bun adapter's one translation table from Bun's (and `node:dns`'s)
 * runtime errors to the core's {@linkcode OSError} classes.
 *
 * Bun's socket errors carry a Linux `code` (`"ECONNREFUSED"`, read through
 * the shared table) and an `errno` that is positive for `listen`/`bind` and
 * negative for `connect`/`read`/`send`.
 *
 * @module
 */

import * as E from "../../src/errno.ts";
import { OSError, oserror } from "../../src/errors.ts";
import { _errnoOfCode } from "../shared/errors.ts";

/** Reads a property of an unknown thrown value. */
function _prop(err: unknown, key: "code" | "errno" | "message"): unknown {
  return typeof err === "object" && err !== null
    ? (err as Record<string, unknown>)[key]
    : undefined;
}

/** The errno number a Bun error names, or `null`. */
function _errnoOf(err: unknown): number | null {
  const code = _prop(err, "code");
  if (typeof code === "string") {
    const n = _errnoOfCode(code);
    if (n !== undefined) return n;
  }
  const errno = _prop(err, "errno");
  if (typeof errno === "number" && errno !== 0 && Number.isInteger(errno)) return Math.abs(errno);
  if (_prop(err, "message") === "Socket is closed") return E.EBADF;
  return err instanceof TypeError || err instanceof RangeError ? E.EINVAL : null;
}

/**
 * Translates any error Bun throws or reports into an OSError subclass.
 *
 * @param err What Bun threw, rejected with, or passed to a handler.
 * @returns The core error (e.g. ConnectionRefusedError for ECONNREFUSED); EIO when nothing is known.
 *
 * @example Translate a refused connection
 * ```ts ignore
 * import { _translate } from "./errors.ts";
 * console.log(_translate({ code: "ECONNREFUSED", errno: -111 }).errno); // 111
 * ```
 */
export function _translate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  return oserror(_errnoOf(err) ?? E.EIO);
}
