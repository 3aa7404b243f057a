/**
 * The one place where a resolver's failure becomes Python's error. Every
 * adapter's look-up reports the resolver's own code (getaddrinfo's `EAI_*`
 * names, or c-ares/Node names such as `ENOTFOUND`); the core maps it here
 * once, as glibc's getaddrinfo and CPython's `gethostbyaddr` report it.
 *
 * @module
 */

import { getBackend, type LookupResult } from "./backend.ts";
import { _gaierror, type gaierror, herror, OSError } from "./errors.ts";

/** EAI_* code of getaddrinfo for each resolver code (glibc's numbers). */
const _GAI: Readonly<Record<string, number>> = {
  EAI_BADFLAGS: -1,
  EAI_NONAME: -2,
  ENOTFOUND: -2, // Node folds EAI_NONAME and EAI_NODATA into ENOTFOUND
  ENONAME: -2,
  EAI_AGAIN: -3,
  // glibc answers EAI_AGAIN when no name server answers, or answers SERVFAIL.
  ETIMEOUT: -3,
  ESERVFAIL: -3,
  ECONNREFUSED: -3,
  EAI_FAIL: -4,
  EREFUSED: -4,
  EAI_NODATA: -5,
  ENODATA: -5,
  EAI_FAMILY: -6,
  EBADFAMILY: -6,
  EAI_SOCKTYPE: -7,
  EAI_SERVICE: -8,
  EAI_ADDRFAMILY: -9,
  EAI_MEMORY: -10,
  ENOMEM: -10,
  EAI_SYSTEM: -11,
  EAI_OVERFLOW: -12,
};

/** The resolver's code carried by whatever a look-up rejected with. */
function _code(err: unknown): string {
  const code = typeof err === "object" && err !== null
    ? (err as { code?: unknown }).code
    : undefined;
  return typeof code === "string" ? code : "";
}

/**
 * The `gaierror` of a failed forward look-up (`getaddrinfo`).
 *
 * @param err What the adapter's `lookup` rejected with: its `code` is the
 * resolver's code; an OSError passes through unchanged.
 * @returns The gaierror (EAI_NONAME, -2, when the code is unknown).
 *
 * @example A name that does not exist
 * ```ts ignore
 * import { _lookupError } from "./_resolver.ts";
 * console.log(_lookupError({ code: "ENOTFOUND" }).errno); // -2
 * ```
 */
export function _lookupError(err: unknown): gaierror | OSError {
  if (err instanceof OSError) return err;
  return _gaierror(_GAI[_code(err)] ?? -2);
}

/**
 * The `herror` of a failed reverse look-up, as CPython's `gethostbyaddr`:
 * a temporary failure is `herror(2, "Host name lookup failure")`, anything
 * else `herror(1, "Unknown host")`.
 *
 * @param err What the adapter's `reverse` rejected with (`null`: no name).
 * @returns The herror.
 *
 * @example An address without a name
 * ```ts ignore
 * import { _reverseError } from "./_resolver.ts";
 * console.log(_reverseError(null).message); // "[Errno 1] Unknown host"
 * ```
 */
export function _reverseError(err: unknown): herror {
  if (err instanceof herror) return err;
  if (_GAI[_code(err)] === -3) return new herror(2, "Host name lookup failure");
  return new herror(1, "Unknown host");
}

/**
 * The core's one forward look-up: the adapter's resolver, its failures
 * mapped to gaierror here.
 *
 * @param host A host name (not numeric).
 * @param version 4, 6, or 0 for any.
 * @returns The addresses; rejects with a gaierror.
 *
 * @example Resolve localhost
 * ```ts ignore
 * import { _lookup } from "./_resolver.ts";
 * console.log(await _lookup("localhost", 4));
 * ```
 */
export async function _lookup(host: string, version: 0 | 4 | 6): Promise<LookupResult[]> {
  try {
    return await getBackend().lookup(host, version);
  } catch (err) {
    throw _lookupError(err);
  }
}

/**
 * The core's one reverse look-up, its failures mapped to herror here.
 *
 * @param ip A numeric address.
 * @returns The names; rejects with an herror.
 *
 * @example Name 127.0.0.1
 * ```ts ignore
 * import { _reverse } from "./_resolver.ts";
 * console.log(await _reverse("127.0.0.1"));
 * ```
 */
export async function _reverse(ip: string): Promise<string[]> {
  try {
    return await getBackend().reverse(ip);
  } catch (err) {
    throw _reverseError(err);
  }
}
