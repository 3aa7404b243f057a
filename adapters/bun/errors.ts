/**
 * The Bun adapter's one translation table from Bun's (and `node:dns`'s)
 * errors to the core's {@linkcode OSError} classes. Bun's socket errors carry
 * a Linux `code` (read through the shared table) and an `errno`, positive for
 * `listen`/`bind` and negative for `connect`/`read`/`send`. A failed connect
 * reports only ECONNREFUSED or ENOENT: Bun folds the other causes into
 * ECONNREFUSED.
 *
 * @module
 */

import * as E from "../../src/errno.ts";
import { OSError, oserror } from "../../src/errors.ts";
import { _describe, _errnoOfCode } from "../shared/errors.ts";

/**
 * Translates any error Bun throws or reports into an OSError subclass.
 *
 * @param err What Bun threw, rejected with, or passed to a handler.
 * @returns The core error (ConnectionRefusedError for ECONNREFUSED …); EIO when nothing is known.
 *
 * @example Translate a refused connection
 * ```ts ignore
 * import { _translate } from "./errors.ts";
 * console.log(_translate({ code: "ECONNREFUSED", errno: -111 }).errno); // 111
 * ```
 */
export function _translate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const { code, message, errno } = _describe(err);
  const mapped = _errnoOfCode(code);
  if (mapped !== undefined) return oserror(mapped);
  if (typeof errno === "number" && errno !== 0 && Number.isInteger(errno)) {
    return oserror(Math.abs(errno));
  }
  if (message === "Socket is closed") return oserror(E.EBADF);
  return oserror(err instanceof TypeError || err instanceof RangeError ? E.EINVAL : E.EIO);
}
