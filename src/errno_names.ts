/**
 * The one errno name→number table the adapters use to read a runtime
 * error's `code`. Kept apart from `errno.ts` so that the public `errno` entry
 * exports Python's names only.
 *
 * @module
 */

import { EDEADLK, EOPNOTSUPP, errorcode, EWOULDBLOCK } from "./errno.ts";

let _byName: ReadonlyMap<string, number> | null = null;

/**
 * The Linux errno number of an errno name, the one name→number table every
 * adapter uses to read a runtime error's `code` (`"ECONNRESET"` → 104).
 *
 * @param name An errno name such as `"EADDRINUSE"`.
 * @returns Its number, or `undefined` when `name` is no errno name.
 *
 * @example Read a runtime error's code
 * ```ts ignore
 * import { _errnoByName } from "./errno_names.ts";
 * console.log(_errnoByName("ECONNRESET")); // 104
 * ```
 */
export function _errnoByName(name: string): number | undefined {
  if (_byName === null) {
    const map = new Map<string, number>();
    for (const [num, n] of Object.entries(errorcode)) map.set(n, Number(num));
    // Names errorcode lists under their alias.
    map.set("EWOULDBLOCK", EWOULDBLOCK);
    map.set("EDEADLK", EDEADLK);
    map.set("EOPNOTSUPP", EOPNOTSUPP);
    _byName = map;
  }
  return _byName.get(name);
}
