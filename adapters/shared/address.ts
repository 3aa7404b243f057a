/**
 * Converting Node's address reports into {@linkcode BackendAddress} values.
 *
 * @module
 */

import type { BackendAddress } from "../../src/backend.ts";

/** The IP version of a Node family report (`"IPv4"`, `"IPv6"`, 4, 6). */
function _version(family: unknown, host: string | undefined): 4 | 6 {
  if (family === "IPv6" || family === 6) return 6;
  if (family === "IPv4" || family === 4) return 4;
  return host !== undefined && host.includes(":") ? 6 : 4;
}

/**
 * Builds an inet address from what Node reports. A missing host (the socket
 * is already gone) becomes the wildcard of its family; an IPv4-mapped IPv6
 * text is unmapped only when the socket itself is IPv4.
 *
 * @param host The address text Node reported, if any.
 * @param port The port Node reported, if any.
 * @param family Node's family report (`"IPv4"`, `"IPv6"`, 4 or 6), if any.
 * @returns The inet address.
 *
 * @example An accepted IPv4 peer
 * ```ts ignore
 * import { _inet } from "./address.ts";
 * console.log(_inet("127.0.0.1", 5000, "IPv4"));
 * ```
 */
export function _inet(
  host: string | undefined,
  port: number | undefined,
  family: unknown,
): BackendAddress {
  const version = _version(family, host);
  let text = host ?? (version === 6 ? "::" : "0.0.0.0");
  if (version === 4 && text.toLowerCase().startsWith("::ffff:")) text = text.slice(7);
  return { kind: "inet", host: text, port: port ?? 0, version };
}

/**
 * The address a Node server or dgram socket reports through `address()`.
 *
 * @param reported What `address()` returned (an object, a path or null).
 * @param requested The address that was asked for, used for unix paths.
 * @returns The bound address.
 *
 * @example A listener on port 0
 * ```ts ignore
 * import { _bound } from "./address.ts";
 * console.log(_bound({ address: "::", family: "IPv6", port: 40000 }, requested));
 * ```
 */
export function _bound(reported: unknown, requested: BackendAddress): BackendAddress {
  if (requested.kind === "unix") {
    return { kind: "unix", path: typeof reported === "string" ? reported : requested.path };
  }
  if (typeof reported !== "object" || reported === null) return requested;
  const { address, port, family } = reported as {
    address?: string;
    port?: number;
    family?: unknown;
  };
  return _inet(address, port, family ?? requested.version);
}
