// Address checks (Python's wording), host resolution, and conversion between
// Python-style addresses and the backend's BackendAddress.

import { AF_INET, AF_INET6, AF_UNIX } from "./constants.ts";
import { _gaierror, OSError } from "./errors.ts";
import { _intArg, _pyType } from "./_args.ts";
import { _formatIPv6, _isIPv4, _parseIPv6 } from "./inet.ts";
import type { BackendAddress } from "./backend.ts";
import { _lookup } from "./_resolver.ts";

/** An address as users pass and get it: `[host, port]`, `[host, port, flowinfo, scope_id]` or a unix path. */
export type Address =
  | string
  | readonly [string, number]
  | readonly [string, number, number]
  | readonly [string, number, number, number];

/** An address parsed but not resolved. */
interface _Parsed {
  readonly host: string;
  readonly port: number;
  readonly scopeId: number;
}

const _encoder = new TextEncoder();

/**
 * Checks a port with Python's wording.
 *
 * @param port The value.
 * @param fn The calling method's name, e.g. `connect`.
 * @returns The port.
 */
export function _checkPort(port: unknown, fn: string): number {
  const huge = typeof port === "number" && Number.isInteger(port) && Math.abs(port) >= 2 ** 63;
  const p = huge ? -1 : _intArg(port);
  if (p < 0 || p > 65535) throw new RangeError(`${fn}(): port must be 0-65535.`);
  return p;
}

function _parseInet(address: unknown, family: number, fn: string): _Parsed {
  const name = family === AF_INET ? "AF_INET" : "AF_INET6";
  if (!Array.isArray(address)) {
    throw new TypeError(`${fn}(): ${name} address must be tuple, not ${_pyType(address)}`);
  }
  if (family === AF_INET && address.length !== 2) {
    throw new TypeError("AF_INET address must be a pair (host, port)");
  }
  if (family === AF_INET6 && (address.length < 2 || address.length > 4)) {
    throw new TypeError("AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
  }
  const host = address[0];
  if (typeof host !== "string") {
    throw new TypeError(`str, bytes or bytearray expected, not ${_pyType(host)}`);
  }
  if (host.includes("\0")) throw new TypeError("host name must not contain null character");
  const port = _checkPort(address[1], fn);
  const flowinfo = address.length > 2 ? _intArg(address[2]) : 0;
  if (flowinfo < 0 || flowinfo > 0xfffff) {
    throw new RangeError(`${fn}(): flowinfo must be 0-1048575.`);
  }
  const scopeId = address.length > 3 ? _intArg(address[3]) : 0;
  return { host, port, scopeId };
}

/**
 * Checks a unix path with Python's wording.
 *
 * @param address The value.
 * @returns The path.
 */
export function _checkUnixPath(address: unknown): string {
  if (typeof address !== "string") {
    if (ArrayBuffer.isView(address)) return new TextDecoder().decode(address);
    throw new TypeError(`a bytes-like object is required, not '${_pyType(address)}'`);
  }
  if (address.indexOf("\0", 1) > 0 && !address.startsWith("\0")) {
    throw new RangeError("embedded null character");
  }
  // sun_path holds 108 bytes: a path needs its terminating NUL, an abstract name does not.
  const max = address.startsWith("\0") ? 108 : 107;
  if (_encoder.encode(address).length > max) throw new OSError(null, "AF_UNIX path too long");
  return address;
}

/**
 * Validates an address for a family synchronously (before any await), so
 * wrong types and ranges throw where Python would.
 *
 * @param family The socket's family.
 * @param address The user's address.
 * @param fn The calling method's name.
 * @returns A token for {@linkcode _resolve}.
 */
export function _checkAddress(family: number, address: unknown, fn: string): _Parsed | string {
  if (family === AF_UNIX) return _checkUnixPath(address);
  return _parseInet(address, family, fn);
}

/**
 * Resolves a checked address to a numeric backend address.
 *
 * @param family The socket's family.
 * @param parsed From {@linkcode _checkAddress}.
 * @param passive `true` for bind: `""` means the wildcard address.
 * @returns The backend address.
 */
export async function _resolve(
  family: number,
  parsed: _Parsed | string,
  passive: boolean,
): Promise<BackendAddress> {
  const now = _resolveNow(family, parsed);
  if (now !== null) return now;
  const { host, port } = parsed as _Parsed; // a unix path resolves at once
  const version = family === AF_INET6 ? 6 : 4;
  return { kind: "inet", host: await _resolveHost(host, version, passive), port, version };
}

/**
 * Resolves a host text to a numeric address of one IP version.
 *
 * @param host A name, a literal, `""` or `"<broadcast>"`.
 * @param version 4 or 6.
 * @param passive `""` is the wildcard when true, else loopback-ish (as Linux connect to 0.0.0.0).
 * @returns The numeric address text.
 */
export async function _resolveHost(
  host: string,
  version: 4 | 6,
  passive: boolean,
): Promise<string> {
  if (host === "") return version === 4 ? "0.0.0.0" : "::";
  if (host === "<broadcast>") {
    if (version === 4) return "255.255.255.255";
    throw new OSError(null, "address family mismatched");
  }
  const literal = _literalVersion(host);
  if (literal === version) return _canonical(host, version);
  if (literal !== 0) {
    if (version === 6 && literal === 4) throw _gaierror(-9);
    throw _gaierror(-9);
  }
  void passive;
  const found = await _lookup(host, version);
  const hit = found.find((r) => r.version === version);
  if (hit === undefined) throw _gaierror(-9);
  return _canonical(hit.host, version);
}

/**
 * Whether text is a numeric IPv4 or IPv6 address.
 *
 * @param host The text (an IPv6 zone id `%x` is allowed).
 * @returns 4, 6, or 0 for a name.
 */
export function _literalVersion(host: string): 0 | 4 | 6 {
  if (_isIPv4(host)) return 4;
  if (host.includes(":") && _parseIPv6(host.replace(/%.*$/, "")) !== null) return 6;
  return 0;
}

function _canonical(host: string, version: 4 | 6): string {
  if (version === 4) return host;
  const bytes = _parseIPv6(host.replace(/%.*$/, ""));
  return bytes === null ? host : _formatIPv6(bytes);
}

/**
 * Converts a backend address to what Python returns for a family.
 *
 * @param family The socket's family.
 * @param addr The backend's address, or `null` for an unbound socket.
 * @returns `[host, port]`, `[host, port, 0, scope]` or a path.
 */
export function _toPython(family: number, addr: BackendAddress | null): Address {
  if (family === AF_UNIX) return addr === null || addr.kind !== "unix" ? "" : addr.path;
  if (addr === null || addr.kind !== "inet") {
    return family === AF_INET6 ? ["::", 0, 0, 0] : ["0.0.0.0", 0];
  }
  let host = addr.host.includes("%") ? addr.host.replace(/%.*$/, "") : addr.host;
  if (family === AF_INET) {
    if (host.startsWith("::ffff:") && _isIPv4(host.slice(7))) host = host.slice(7);
    return [host, addr.port];
  }
  if (_isIPv4(host)) host = `::ffff:${host}`;
  else host = _canonical(host, 6);
  return [host, addr.port, 0, 0];
}

/**
 * {@linkcode _resolve} without waiting, where no look-up is needed: a unix
 * path or a numeric host of the socket's family.
 *
 * @param family The socket's family.
 * @param parsed From {@linkcode _checkAddress}.
 * @returns The backend address, or `null` when `_resolve` must do the work.
 */
export function _resolveNow(family: number, parsed: _Parsed | string): BackendAddress | null {
  if (typeof parsed === "string") return { kind: "unix", path: parsed };
  const version = family === AF_INET6 ? 6 : 4;
  const host = parsed.host;
  if (host === "" || host === "<broadcast>" || _literalVersion(host) !== version) return null;
  return { kind: "inet", host: _canonical(host, version), port: parsed.port, version };
}
