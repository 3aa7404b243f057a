/**
 * The one look-up every adapter uses: `node:dns` (Node's, and Deno's and
 * Bun's implementations of it) over the system resolver, /etc/hosts
 * included. Failures keep the resolver's code; the core turns it into
 * Python's `gaierror`/`herror` (`src/_resolver.ts`).
 *
 * @module
 */

import { promises as dns } from "node:dns";
import type { LookupResult } from "../../src/backend.ts";

/**
 * Resolves a host name with getaddrinfo.
 *
 * @param host A host name (never a numeric address).
 * @param version 4, 6, or 0 for any.
 * @returns The addresses in the resolver's order; rejects with the
 * resolver's error (its `code`), `ENOTFOUND` when the answer is empty.
 *
 * @example Resolve localhost
 * ```ts ignore
 * console.log(await _lookup("localhost", 0));
 * ```
 */
export async function _lookup(host: string, version: 0 | 4 | 6): Promise<LookupResult[]> {
  const found = await dns.lookup(host, {
    all: true,
    family: version,
    verbatim: true, // Deno and Bun read this, Node reads `order`
    order: "verbatim",
  });
  if (found.length === 0) throw Object.assign(new Error("no address"), { code: "ENOTFOUND" });
  return found.map((r) => ({ host: r.address, version: r.family === 6 ? 6 : 4 }));
}

/**
 * Reverse look-up through getnameinfo (so /etc/hosts counts, as for
 * Python's `gethostbyaddr`), not a DNS-only PTR query.
 *
 * @param host A numeric address.
 * @returns Its name; rejects with the resolver's error (`ENOTFOUND` when
 * the address has no name).
 *
 * @example Name 127.0.0.1
 * ```ts ignore
 * console.log(await _reverse("127.0.0.1")); // ["localhost"]
 * ```
 */
export async function _reverse(host: string): Promise<string[]> {
  const name = (await dns.lookupService(host, 0)).hostname;
  if (name === "" || name === host) {
    throw Object.assign(new Error("no name"), { code: "ENOTFOUND" });
  }
  return [name];
}
