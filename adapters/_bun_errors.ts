/**
 * The Bun adapter's one translation table from Bun's (and `node:dns`'s)
 * runtime errors to the core's {@linkcode OSError} classes.
 *
 * Bun's socket errors carry a Linux `code` (`"ECONNREFUSED"`) and an `errno`
 * that is positive for `listen`/`bind` and negative for `connect`/`read`/`send`.
 * Look-up errors carry `code: "ENOTFOUND"` and friends.
 *
 * @module
 */

import * as E from "../src/errno.ts";
import {
  _gaierror,
  EAI_AGAIN,
  EAI_FAMILY,
  EAI_NONAME,
  herror,
  OSError,
  oserror,
} from "../src/errors.ts";

/** EAI_NODATA: the name exists but has no address. */
const EAI_NODATA = -5;

/** Bun- and Node-specific codes that are not errno names. */
const _SPECIAL: Readonly<Record<string, number>> = {
  ERR_SOCKET_CLOSED: E.EBADF,
  ERR_SOCKET_DGRAM_NOT_RUNNING: E.EBADF,
  ERR_SOCKET_BAD_PORT: E.EINVAL,
  ERR_INVALID_ARG_TYPE: E.EINVAL,
  ERR_INVALID_ARG_VALUE: E.EINVAL,
  ERR_OUT_OF_RANGE: E.EINVAL,
  ERR_INVALID_IP_ADDRESS: E.EINVAL,
};

/** Resolver codes (`node:dns`) → EAI_* codes. */
const _GAI: Readonly<Record<string, number>> = {
  ENOTFOUND: EAI_NONAME,
  ENONAME: EAI_NONAME,
  EAI_NONAME: EAI_NONAME,
  ENODATA: EAI_NODATA,
  EAI_AGAIN: EAI_AGAIN,
  ETIMEOUT: EAI_AGAIN,
  ESERVFAIL: EAI_AGAIN,
  ECONNREFUSED: EAI_AGAIN,
  EBADFAMILY: EAI_FAMILY,
};

let _byName: ReadonlyMap<string, number> | null = null;

/** errno names → numbers, built once from `errorcode`. */
function _errnoByName(): ReadonlyMap<string, number> {
  if (_byName === null) {
    const map = new Map<string, number>();
    for (const [num, name] of Object.entries(E.errorcode)) map.set(name, Number(num));
    _byName = map;
  }
  return _byName;
}

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
    const n = _errnoByName().get(code) ?? _SPECIAL[code];
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
 * import { _translate } from "./_bun_errors.ts";
 * console.log(_translate({ code: "ECONNREFUSED", errno: -111 }).errno); // 111
 * ```
 */
export function _translate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const code = _prop(err, "code");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return _gaiTranslate(err);
  return oserror(_errnoOf(err) ?? E.EIO);
}

/**
 * Translates a `node:dns` look-up failure into a gaierror.
 *
 * @param err What `dns.promises.lookup` rejected with.
 * @returns The gaierror, EAI_NONAME (-2) when the code is not known.
 *
 * @example Name not known
 * ```ts ignore
 * import { _gaiTranslate } from "./_bun_errors.ts";
 * console.log(_gaiTranslate({ code: "ENOTFOUND" }).errno); // -2
 * ```
 */
export function _gaiTranslate(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const code = _prop(err, "code");
  return _gaierror(typeof code === "string" ? _GAI[code] ?? EAI_NONAME : EAI_NONAME);
}

/**
 * The error of a failed reverse look-up, as Python's `gethostbyaddr`.
 *
 * @returns `herror(1, "Unknown host")`.
 *
 * @example Unknown address
 * ```ts ignore
 * import { _unknownHost } from "./_bun_errors.ts";
 * console.log(_unknownHost().message); // "[Errno 1] Unknown host"
 * ```
 */
export function _unknownHost(): OSError {
  return new herror(1, "Unknown host");
}
