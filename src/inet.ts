/**
 * Address text and byte-order conversions: `inet_aton`, `inet_ntoa`,
 * `inet_pton`, `inet_ntop`, `htons`, `ntohs`, `htonl`, `ntohl`.
 *
 * @module
 */

import { AF_INET, AF_INET6 } from "./constants.ts";
import { OSError } from "./errors.ts";
import { _argType, _bytesArg, _intArg, _pyType } from "./_args.ts";

/** Strict dotted-quad IPv4 (each part 0-255, no leading zeros), as inet_pton accepts. */
const _IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Whether text is a strict dotted-quad IPv4 address (what {@linkcode _parseIPv4}
 * accepts), without building its bytes.
 *
 * @param text The address text.
 * @returns `true` for an IPv4 literal.
 */
export function _isIPv4(text: string): boolean {
  return _IPV4.test(text);
}

/**
 * Parses strict dotted-quad IPv4 text (as inet_pton does).
 *
 * @param text The address text.
 * @returns Four bytes, or `null` when not an IPv4 literal.
 */
export function _parseIPv4(text: string): Uint8Array | null {
  if (!_IPV4.test(text)) return null;
  const parts = text.split(".");
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]);
  return out;
}

/**
 * Parses IPv6 text (with optional embedded IPv4 tail), as inet_pton does.
 *
 * @param text The address text (no zone id).
 * @returns Sixteen bytes, or `null` when not an IPv6 literal.
 */
export function _parseIPv6(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === "") return [];
    const out: number[] = [];
    const items = s.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = _parseIPv4(item);
        if (v4 === null) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * Formats 16 bytes as glibc's inet_ntop does (longest zero run of 2+
 * groups compressed, IPv4-mapped and -compatible tails in dotted form).
 *
 * @param b Sixteen bytes.
 * @returns The text.
 */
export function _formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  const zero5 = g.slice(0, 5).every((x) => x === 0);
  if (zero5 && (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0))) {
    const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return g[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
  }
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/**
 * Converts IPv4 text (including the classful `a`, `a.b`, `a.b.c` and hex or
 * octal parts that C's inet_aton accepts) to 4 packed bytes.
 *
 * @param ip_string The address text.
 * @returns Four bytes in network order.
 * @throws {OSError} `illegal IP address string passed to inet_aton`.
 *
 * @example Pack an address
 * ```ts
 * import { inet_aton } from "@unisock/socket";
 * console.log(inet_aton("127.0.0.1")); // Uint8Array(4) [ 127, 0, 0, 1 ]
 * ```
 */
export function inet_aton(ip_string: string): Uint8Array {
  if (typeof ip_string !== "string") {
    throw new TypeError(`inet_aton() argument 1 must be str, not ${_argType(ip_string)}`);
  }
  if (ip_string.includes("\0")) throw new RangeError("embedded null character");
  const bad = () => new OSError(null, "illegal IP address string passed to inet_aton");
  const text = ip_string.replace(/[ \t\n].*$/s, "");
  const parts = text.split(".");
  if (parts.length > 4 || text === "") throw bad();
  const nums = parts.map((p) => {
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) return parseInt(p.slice(2) || "0", 16);
    if (/^0[0-7]*$/.test(p)) return parseInt(p, 8);
    if (/^[1-9][0-9]*$/.test(p)) return Number(p);
    return NaN;
  });
  if (nums.some((n) => Number.isNaN(n))) throw bad();
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) throw bad();
  let value = last;
  nums.forEach((n, i) => value += n * 2 ** (8 * (3 - i)));
  return new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]);
}

/**
 * Converts 4 packed bytes to dotted-quad text.
 *
 * @param packed_ip Four bytes.
 * @returns The text.
 * @throws {OSError} `packed IP wrong length for inet_ntoa`.
 *
 * @example Unpack an address
 * ```ts
 * import { inet_ntoa } from "@unisock/socket";
 * console.log(inet_ntoa(new Uint8Array([10, 0, 0, 1]))); // "10.0.0.1"
 * ```
 */
export function inet_ntoa(packed_ip: ArrayBufferView): string {
  const b = _bytesArg(packed_ip, "inet_ntoa");
  if (b.length !== 4) throw new OSError(null, "packed IP wrong length for inet_ntoa");
  return b.join(".");
}

/**
 * Converts address text of a family to packed bytes.
 *
 * @param address_family `AF_INET` or `AF_INET6`.
 * @param ip_string The address text.
 * @returns 4 or 16 bytes.
 * @throws {OSError} `illegal IP address string passed to inet_pton`.
 *
 * @example Pack ::1
 * ```ts
 * import { AF_INET6, inet_pton } from "@unisock/socket";
 * console.log(inet_pton(AF_INET6, "::1").length); // 16
 * ```
 */
export function inet_pton(address_family: number, ip_string: string): Uint8Array {
  _intArg(address_family, "inet_pton");
  if (typeof ip_string !== "string") {
    throw new TypeError(`inet_pton() argument 2 must be str, not ${_argType(ip_string)}`);
  }
  if (ip_string.includes("\0")) throw new RangeError("embedded null character");
  let out: Uint8Array | null;
  if (address_family === AF_INET) out = _parseIPv4(ip_string);
  else if (address_family === AF_INET6) out = _parseIPv6(ip_string);
  else throw new OSError(97);
  if (out === null) throw new OSError(null, "illegal IP address string passed to inet_pton");
  return out;
}

/**
 * Converts packed bytes of a family to address text.
 *
 * @param address_family `AF_INET` or `AF_INET6`.
 * @param packed_ip 4 or 16 bytes.
 * @returns The text.
 * @throws {RangeError} `invalid length of packed IP address string`, `unknown address family N`.
 *
 * @example Unpack ::1
 * ```ts
 * import { AF_INET6, inet_ntop } from "@unisock/socket";
 * const b = new Uint8Array(16); b[15] = 1;
 * console.log(inet_ntop(AF_INET6, b)); // "::1"
 * ```
 */
export function inet_ntop(address_family: number, packed_ip: ArrayBufferView): string {
  _intArg(address_family, "inet_ntop");
  const b = _bytesArg(packed_ip, "inet_ntop");
  const want = address_family === AF_INET ? 4 : address_family === AF_INET6 ? 16 : 0;
  if (want === 0) throw new RangeError(`unknown address family ${address_family}`);
  if (b.length !== want) throw new RangeError("invalid length of packed IP address string");
  return want === 4 ? b.join(".") : _formatIPv6(b);
}

function _unsigned(x: number, bits: 16 | 32, name: string): number {
  if (bits === 32) {
    // htonl/ntohl take any int as a C unsigned long, with their own wording.
    if (typeof x === "boolean") x = x ? 1 : 0;
    if (typeof x !== "number" || !Number.isInteger(x)) {
      throw new TypeError(`expected int, ${_pyType(x)} found`);
    }
    if (x >= 2 ** 64) throw new RangeError("Python int too large to convert to C unsigned long");
  } else _intArg(x, name);
  if (x < 0) {
    throw new RangeError(
      bits === 16
        ? `${name}: can't convert negative Python int to C 16-bit unsigned integer`
        : "can't convert negative value to unsigned int",
    );
  }
  if (x >= 2 ** bits) {
    throw new RangeError(
      bits === 16
        ? `${name}: Python int too large to convert to C 16-bit unsigned integer`
        : "int larger than 32 bits",
    );
  }
  return x;
}

function _swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

function _swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * Host to network byte order, 16 bits (a swap on little-endian Linux).
 *
 * @param x 0-65535.
 * @returns The swapped value.
 *
 * @example Swap a port
 * ```ts
 * import { htons } from "@unisock/socket";
 * console.log(htons(1)); // 256
 * ```
 */
export function htons(x: number): number {
  return _swap16(_unsigned(x, 16, "htons"));
}

/**
 * Network to host byte order, 16 bits.
 *
 * @param x 0-65535.
 * @returns The swapped value.
 *
 * @example Swap back
 * ```ts
 * import { ntohs } from "@unisock/socket";
 * console.log(ntohs(256)); // 1
 * ```
 */
export function ntohs(x: number): number {
  return _swap16(_unsigned(x, 16, "ntohs"));
}

/**
 * Host to network byte order, 32 bits.
 *
 * @param x 0 to 2^32-1.
 * @returns The swapped value.
 *
 * @example Swap an address
 * ```ts
 * import { htonl } from "@unisock/socket";
 * console.log(htonl(1)); // 16777216
 * ```
 */
export function htonl(x: number): number {
  return _swap32(_unsigned(x, 32, "htonl"));
}

/**
 * Network to host byte order, 32 bits.
 *
 * @param x 0 to 2^32-1.
 * @returns The swapped value.
 *
 * @example Swap back
 * ```ts
 * import { ntohl } from "@unisock/socket";
 * console.log(ntohl(16777216)); // 1
 * ```
 */
export function ntohl(x: number): number {
  return _swap32(_unsigned(x, 32, "ntohl"));
}
