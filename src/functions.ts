/**
 * The `socket` module's functions: connection helpers, look-ups, services
 * and the default timeout.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  AI_PASSIVE,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NOFQDN,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./constants.ts";
import { _gaierror, herror, OSError } from "./errors.ts";
import { _argType, _intArg, _timeoutArg } from "./_args.ts";
import { _literalVersion, _resolveHost, type Address } from "./_address.ts";
import { getBackend } from "./backend.ts";
import { _lookup, _reverse } from "./_resolver.ts";
import { type AddressArg, Socket } from "./socket/socket.ts";
import { _getDefaultTimeout, _setDefaultTimeout } from "./_defaults.ts";
import { SERVICES } from "./_services.ts";

/** An IPv4 or IPv6 family: what `create_connection` may connect over. */
type _Inet = typeof AF_INET | typeof AF_INET6;
/** What `create_connection` returns. */
type _Connected = Socket<_Inet, typeof SOCK_STREAM>;
/** A unix datagram socket of a pair. */
type _UnixDgram = Socket<typeof AF_UNIX, typeof SOCK_DGRAM>;

/** One result of {@linkcode getaddrinfo}: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [number, number, number, string, Address];

/**
 * The default timeout of new sockets.
 *
 * @returns Seconds, or `null` (blocking).
 *
 * @example Read it
 * ```ts
 * import { getdefaulttimeout } from "@unisock/socket";
 * console.log(getdefaulttimeout()); // null
 * ```
 */
export function getdefaulttimeout(): number | null {
  return _getDefaultTimeout();
}

/**
 * Sets the default timeout of new sockets.
 *
 * @param timeout Seconds, `0`, or `null`.
 *
 * @example Set and reset
 * ```ts
 * import { setdefaulttimeout } from "@unisock/socket";
 * setdefaulttimeout(5);
 * setdefaulttimeout(null);
 * ```
 */
export function setdefaulttimeout(timeout: number | null): void {
  _setDefaultTimeout(_timeoutArg(timeout));
}

/**
 * Resolves a host and port to socket addresses.
 *
 * @param host A name, a numeric address, or `null` (loopback; the wildcard with `AI_PASSIVE`).
 * @param port A number, a numeric string, a service name, or `null`.
 * @param family `AF_UNSPEC` (0), `AF_INET` or `AF_INET6`.
 * @param type 0 (all), `SOCK_STREAM` or `SOCK_DGRAM`.
 * @param proto 0, or a protocol number.
 * @param flags `AI_PASSIVE` etc.
 * @returns `[family, type, proto, canonname, sockaddr]` items.
 * @throws {gaierror} `[Errno -2] Name or service not known`.
 *
 * @example Resolve localhost
 * ```ts
 * import { getaddrinfo, SOCK_STREAM } from "@unisock/socket";
 * console.log(await getaddrinfo("localhost", 80, 0, SOCK_STREAM));
 * ```
 */
export async function getaddrinfo(
  host: string | null,
  port: number | string | null,
  family: number = 0,
  type: number = 0,
  proto: number = 0,
  flags: number = 0,
): Promise<AddrInfo[]> {
  if (host !== null && host !== undefined && typeof host !== "string") {
    throw new TypeError(`getaddrinfo() argument 1 must be string or None`);
  }
  if (host?.includes("\0")) throw _gaierror(-2); // as glibc: no such name
  _intArg(family);
  _intArg(type);
  _intArg(proto);
  _intArg(flags);
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) throw _gaierror(-6);
  if ((host === null || host === undefined) && (port === null || port === undefined)) {
    throw _gaierror(-2);
  }
  const portNum = _servicePort(port, type);
  const hosts = await _hosts(host ?? null, family, (flags & AI_PASSIVE) !== 0);
  const types = type !== 0
    ? [type]
    : _serviceTypes(port).filter((t) =>
      proto === 0 || t === (proto === IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM)
    );
  const out: AddrInfo[] = [];
  for (const [fam, h] of hosts) {
    for (const t of types) {
      const p = proto !== 0
        ? proto
        : t === SOCK_STREAM
        ? IPPROTO_TCP
        : t === SOCK_DGRAM
        ? IPPROTO_UDP
        : 0;
      const sa: Address = fam === AF_INET6 ? [h, portNum, 0, 0] : [h, portNum];
      out.push([fam, t, p, "", sa]);
    }
  }
  return out;
}

/**
 * What getaddrinfo answers for a numeric host and a plain port, without its
 * look-up round (create_connection's common case); `null` for anything else.
 * Only the canonical IPv4 form counts (getaddrinfo rewrites "127.1" and the
 * like), which is the only form `_literalVersion` calls IPv4.
 */
function _numericInfo(address: readonly [string, number]): AddrInfo[] | null {
  const host = address[0], port = address[1];
  if (typeof host !== "string" || host.includes("%")) return null;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) return null;
  const v = _literalVersion(host);
  if (v === 0) return null;
  const sa: Address = v === 4 ? [host, port] : [host, port, 0, 0];
  return [[v === 4 ? AF_INET : AF_INET6, SOCK_STREAM, IPPROTO_TCP, "", sa]];
}

async function _hosts(
  host: string | null,
  family: number,
  passive: boolean,
): Promise<[number, string][]> {
  const want = (f: number) => family === AF_UNSPEC || family === f;
  if (host === null) {
    // glibc's order: the wildcards IPv4 first, the loopbacks IPv6 first.
    const out: [number, string][] = [];
    if (want(AF_INET)) out.push([AF_INET, passive ? "0.0.0.0" : "127.0.0.1"]);
    if (want(AF_INET6)) out[passive ? "push" : "unshift"]([AF_INET6, passive ? "::" : "::1"]);
    return out;
  }
  if (host === "") throw _gaierror(-2);
  const literal = _literalVersion(host);
  if (literal !== 0) {
    const fam = literal === 4 ? AF_INET : AF_INET6;
    if (!want(fam)) throw _gaierror(-9);
    return [[fam, await _resolveHost(host, literal, passive)]];
  }
  const version = family === AF_INET ? 4 : family === AF_INET6 ? 6 : 0;
  const found = await _lookup(host, version);
  const out: [number, string][] = [];
  const seen = new Set<string>();
  for (const r of found) {
    if (seen.has(r.host)) continue;
    seen.add(r.host);
    out.push([r.version === 6 ? AF_INET6 : AF_INET, r.host]);
  }
  if (out.length === 0) throw _gaierror(-2);
  return out;
}

/** The socket types getaddrinfo lists for type 0: a named service only has those of its rows. */
function _serviceTypes(port: number | string | null): number[] {
  if (typeof port !== "string" || /^[0-9]*$/.test(port)) return [SOCK_STREAM, SOCK_DGRAM, SOCK_RAW];
  const protos = new Set(
    SERVICES.filter((r) => r[0] === port || r[3].includes(port)).map((r) => r[2]),
  );
  return [SOCK_STREAM, SOCK_DGRAM].filter((t) => protos.has(t === SOCK_STREAM ? "tcp" : "udp"));
}

function _servicePort(port: number | string | null, type: number): number {
  if (port === null || port === undefined || port === "") return 0;
  if (typeof port === "number") {
    // As Python, which passes the number to getaddrinfo as text: glibc keeps its low 16 bits.
    if (!Number.isInteger(port)) throw new OSError(null, "Int or String expected");
    _intArg(port); // OverflowError beyond a C long
    if (port < 0) throw _gaierror(-8);
    return port & 0xffff;
  }
  if (typeof port !== "string") throw new OSError(null, "Int or String expected");
  if (/^[0-9]+$/.test(port)) return Number(port) & 0xffff;
  const proto = type === SOCK_DGRAM ? "udp" : "tcp";
  const row = SERVICES.find((r) => (r[0] === port || r[3].includes(port)) && r[2] === proto);
  if (row === undefined) throw _gaierror(-8);
  return row[1];
}

/**
 * The first IPv4 address of a host.
 *
 * @param hostname A name or address.
 * @returns Dotted-quad text.
 *
 * @example Resolve localhost
 * ```ts
 * import { gethostbyname } from "@unisock/socket";
 * console.log(await gethostbyname("localhost")); // "127.0.0.1"
 * ```
 */
export async function gethostbyname(hostname: string): Promise<string> {
  _hostArg(hostname, "gethostbyname");
  return await _resolveHost(hostname, 4, false);
}

/**
 * A host's name, aliases and IPv4 addresses.
 *
 * @param hostname A name or address.
 * @returns `[name, aliases, addresses]`.
 *
 * @example Resolve localhost
 * ```ts
 * import { gethostbyname_ex } from "@unisock/socket";
 * console.log(await gethostbyname_ex("localhost")); // [ "localhost", [], [ "127.0.0.1" ] ]
 * ```
 */
export async function gethostbyname_ex(hostname: string): Promise<[string, string[], string[]]> {
  _hostArg(hostname, "gethostbyname_ex");
  if (_literalVersion(hostname) === 4) return [hostname, [], [hostname]];
  const found = await _lookup(hostname, 4);
  const addrs = [...new Set(found.filter((r) => r.version === 4).map((r) => r.host))];
  if (addrs.length === 0) throw _gaierror(-2);
  return [hostname, [], addrs];
}

/**
 * Reverse look-up: a host's name, aliases and addresses.
 *
 * @param ip_address A numeric address or a name.
 * @returns `[hostname, aliases, addresses]`.
 * @throws {herror} `[Errno 1] Unknown host`.
 *
 * @example Name 127.0.0.1
 * ```ts
 * import { gethostbyaddr } from "@unisock/socket";
 * console.log((await gethostbyaddr("127.0.0.1"))[0]); // "localhost"
 * ```
 */
export async function gethostbyaddr(ip_address: string): Promise<[string, string[], string[]]> {
  _hostArg(ip_address, "gethostbyaddr");
  let ip = ip_address;
  if (_literalVersion(ip) === 0) {
    const found = await _lookup(ip, 0);
    if (found.length === 0) throw _gaierror(-2);
    ip = found[0].host;
  }
  const names = await _reverse(ip);
  if (names.length === 0) throw new herror(1, "Unknown host");
  return [names[0], names.slice(1), [ip]];
}

/**
 * The machine's host name.
 *
 * @returns The name.
 *
 * @example Print it
 * ```ts
 * import { gethostname } from "@unisock/socket";
 * console.log(gethostname());
 * ```
 */
export function gethostname(): string {
  return getBackend().hostname();
}

/**
 * A fully qualified name for `name` (default: this host), as Python's
 * `getfqdn`: the first of the reverse look-up's names that has a dot, else
 * `name` itself.
 *
 * @param name A host name or address; empty for this host.
 * @returns The name.
 *
 * @example This host
 * ```ts
 * import { getfqdn } from "@unisock/socket";
 * console.log(await getfqdn());
 * ```
 */
export async function getfqdn(name: string = ""): Promise<string> {
  let n = name.trim();
  if (n === "" || n === "0.0.0.0" || n === "::") n = gethostname();
  try {
    const [host, aliases] = await gethostbyaddr(n);
    for (const candidate of [host, ...aliases]) if (candidate.includes(".")) return candidate;
    return host;
  } catch {
    return n;
  }
}

/**
 * The port of a service name.
 *
 * @param servicename E.g. `http`.
 * @param protocolname `tcp` or `udp`; any when omitted.
 * @returns The port.
 * @throws {OSError} `service/proto not found`.
 *
 * @example HTTP
 * ```ts
 * import { getservbyname } from "@unisock/socket";
 * console.log(await getservbyname("http", "tcp")); // 80
 * ```
 */
// deno-lint-ignore require-await -- async so that argument errors reject, never throw
export async function getservbyname(
  servicename: string,
  protocolname?: string,
): Promise<number> {
  if (typeof servicename !== "string") {
    throw new TypeError(`getservbyname() argument 1 must be str, not ${_argType(servicename)}`);
  }
  _protoArg(protocolname, "getservbyname");
  if (servicename.includes("\0")) throw new RangeError("embedded null character");
  const row = SERVICES.find((r) =>
    (r[0] === servicename || r[3].includes(servicename)) &&
    (protocolname === undefined || r[2] === protocolname)
  );
  if (row === undefined) throw new OSError(null, "service/proto not found");
  return row[1];
}

/**
 * The service name of a port.
 *
 * @param port 0-65535.
 * @param protocolname `tcp` or `udp`; any when omitted.
 * @returns The name.
 * @throws {OSError} `port/proto not found`.
 *
 * @example Port 80
 * ```ts
 * import { getservbyport } from "@unisock/socket";
 * console.log(await getservbyport(80)); // "http"
 * ```
 */
// deno-lint-ignore require-await -- async so that argument errors reject, never throw
export async function getservbyport(port: number, protocolname?: string): Promise<string> {
  const p = _intArg(port);
  _protoArg(protocolname, "getservbyport");
  if (p < 0 || p > 65535) throw new RangeError("getservbyport: port must be 0-65535.");
  const row = SERVICES.find((r) =>
    r[1] === p && (protocolname === undefined || r[2] === protocolname)
  );
  if (row === undefined) throw new OSError(null, "port/proto not found");
  return row[0];
}

/**
 * The host and service names of a socket address, as Python's
 * `getnameinfo`: the host through a reverse look-up (numeric when it has no
 * name, unless `NI_NAMEREQD`), the port through the services table.
 *
 * @param sockaddr `[host, port]` or `[host, port, flowinfo, scope_id]`, the host numeric.
 * @param flags `NI_NUMERICHOST`, `NI_NUMERICSERV`, `NI_NAMEREQD`, `NI_NOFQDN`, `NI_DGRAM`.
 * @returns `[host, service]`.
 * @throws {gaierror} -2 for a host that is not numeric, or without a name under `NI_NAMEREQD`.
 *
 * @example Name a local address
 * ```ts
 * import { getnameinfo, NI_NUMERICSERV } from "@unisock/socket";
 * console.log(await getnameinfo(["127.0.0.1", 80], 0)); // [ "localhost", "http" ]
 * console.log(await getnameinfo(["127.0.0.1", 80], NI_NUMERICSERV)); // [ "localhost", "80" ]
 * ```
 */
export async function getnameinfo(
  sockaddr: readonly [string, number] | readonly [string, number, number, number],
  flags: number,
): Promise<[string, string]> {
  if (!Array.isArray(sockaddr)) throw new TypeError("getnameinfo() argument 1 must be a tuple");
  const f = _intArg(flags);
  const [host, port, flowinfo = 0, scopeId = 0] = sockaddr as readonly unknown[];
  if (sockaddr.length < 2 || sockaddr.length > 4 || typeof host !== "string") {
    throw new TypeError("getnameinfo(): illegal sockaddr argument");
  }
  // The port goes to getaddrinfo as text, then into 16 bits, as in CPython.
  const p = _intArg(port) & 0xffff;
  if (_intArg(flowinfo) < 0 || (flowinfo as number) > 0xfffff) {
    throw new RangeError("getnameinfo(): flowinfo must be 0-1048575.");
  }
  _intArg(scopeId);
  const version = _literalVersion(host);
  if (version === 0) throw _gaierror(-2); // CPython resolves it with AI_NUMERICHOST
  if (version === 4 && sockaddr.length !== 2) {
    throw new OSError(null, "IPv4 sockaddr must be 2 tuple");
  }
  let name = version === 6 && scopeId !== 0 ? `${host}%${scopeId}` : host;
  if ((f & NI_NUMERICHOST) === 0) {
    const names = await _reverse(host).catch((err: herror) => {
      if (err.errno === 2) throw _gaierror(-3); // a temporary failure, as glibc's EAI_AGAIN
      return [];
    });
    if (names.length > 0) name = (f & NI_NOFQDN) !== 0 ? _localPart(names[0]) : names[0];
    else if ((f & NI_NAMEREQD) !== 0) throw _gaierror(-2);
  }
  let service = String(p);
  if ((f & NI_NUMERICSERV) === 0) {
    const proto = (f & NI_DGRAM) !== 0 ? "udp" : "tcp";
    service = SERVICES.find((r) => r[1] === p && r[2] === proto)?.[0] ?? service;
  }
  return [name, service];
}

/** `NI_NOFQDN`: a name in this host's own domain without that domain, as glibc does. */
function _localPart(name: string): string {
  const own = gethostname();
  const domain = own.includes(".") ? own.slice(own.indexOf(".")) : null;
  return domain !== null && name.endsWith(domain) ? name.slice(0, -domain.length) : name;
}

/**
 * Connects to `[host, port]`, trying each resolved address in turn.
 *
 * @param address `[host, port]`.
 * @param timeout Seconds for the new socket (default: `getdefaulttimeout()`).
 * @param source_address `[host, port]` to bind first, or `null`.
 * @returns The connected socket.
 * @throws {OSError} The first address's error when all fail.
 *
 * @example Connect to a server
 * ```ts
 * import { create_connection, create_server } from "@unisock/socket";
 * const srv = await create_server(["127.0.0.1", 0]);
 * const c = await create_connection(srv.getsockname(), 5);
 * c.close(); srv.close();
 * ```
 */
export function create_connection(
  address: readonly [string, number],
  timeout?: number | null,
  source_address: readonly [string, number] | null = null,
): Promise<Socket<typeof AF_INET | typeof AF_INET6, typeof SOCK_STREAM>> {
  let t: number | null;
  let infos: AddrInfo[] | null;
  try {
    if (!Array.isArray(address) || address.length !== 2) {
      throw new TypeError("create_connection() address must be a pair (host, port)");
    }
    t = timeout === undefined ? _getDefaultTimeout() : _timeoutArg(timeout);
    infos = _numericInfo(address);
  } catch (err) {
    return Promise.reject(err);
  }
  // The common case without an async frame: one numeric address, no source.
  if (infos === null || source_address !== null) {
    return _connectAny(address, t, source_address, infos);
  }
  const info = infos[0];
  const s = new Socket(info[0], info[1], info[2]) as _Connected;
  s.settimeout(t);
  return s.connect(info[4] as AddressArg<_Inet>).then(() => s, (err) => {
    s.close();
    throw err;
  });
}

/** {@linkcode create_connection} through getaddrinfo: each address in turn until one connects. */
async function _connectAny(
  address: readonly [string, number],
  t: number | null,
  source_address: readonly [string, number] | null,
  numeric: AddrInfo[] | null,
): Promise<Socket<typeof AF_INET | typeof AF_INET6, typeof SOCK_STREAM>> {
  const infos = numeric ?? await getaddrinfo(address[0], address[1], 0, SOCK_STREAM);
  let first: unknown = null;
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i];
    const s = new Socket(info[0], info[1], info[2]) as _Connected;
    try {
      s.settimeout(t);
      if (source_address !== null) await s.bind(source_address);
      await s.connect(info[4] as AddressArg<_Inet>);
      return s;
    } catch (err) {
      s.close();
      first ??= err;
    }
  }
  throw first ?? _gaierror(-2);
}

/**
 * Options of {@linkcode create_server}.
 *
 * @typeParam F The family.
 */
export interface CreateServerOptions<F extends number = number> {
  /** `AF_INET` (default), `AF_INET6` or `AF_UNIX`. */
  family?: F;
  /** The listen backlog. */
  backlog?: number;
  /** Sets SO_REUSEPORT. */
  reuse_port?: boolean;
  /** With `AF_INET6` and host `""`/`"::"`, accept IPv4 clients too. */
  dualstack_ipv6?: boolean;
}

/**
 * Creates a listening TCP (or unix) socket bound to `address`, with
 * SO_REUSEADDR set as Python does. It binds exactly where told: host `""`
 * means all interfaces, so pass `"127.0.0.1"` to stay local.
 *
 * @param address `[host, port]` or a unix path.
 * @param options Family, backlog, reuse_port, dualstack_ipv6.
 * @returns The listening socket.
 *
 * @example A local server
 * ```ts
 * import { create_server } from "@unisock/socket";
 * const srv = await create_server(["127.0.0.1", 0]);
 * console.log(srv.getsockname());
 * srv.close();
 * ```
 */
export async function create_server<F extends number = typeof AF_INET>(
  address: AddressArg<F>,
  options: CreateServerOptions<F> = {},
): Promise<Socket<F, typeof SOCK_STREAM>> {
  const family = options.family ?? AF_INET as F;
  if (options.reuse_port && getBackend().capabilities.reusePort !== null) {
    throw new RangeError(
      `SO_REUSEPORT not supported on this platform: ${getBackend().capabilities.reusePort}`,
    );
  }
  if (options.dualstack_ipv6 && family !== AF_INET6) {
    throw new RangeError("dualstack_ipv6 requires AF_INET6 family");
  }
  const s = new Socket(family, SOCK_STREAM);
  try {
    if (family !== AF_UNIX) s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (options.reuse_port) s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    if (family === AF_INET6 && options.dualstack_ipv6) s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
    else if (family === AF_INET6 && (getBackend().capabilities.ipv6OnlyStream ?? null) === null) {
      // As in Python, where IPV6_V6ONLY is unavailable the server stays dual-stack.
      s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
    }
    await s.bind(address);
    s.listen(options.backlog);
    return s;
  } catch (err) {
    s.close();
    throw err;
  }
}

/**
 * Whether `create_server(..., {dualstack_ipv6: true})` works here.
 *
 * @returns `true` on the supported runtimes.
 *
 * @example Check
 * ```ts
 * import { has_dualstack_ipv6 } from "@unisock/socket";
 * console.log(has_dualstack_ipv6());
 * ```
 */
export function has_dualstack_ipv6(): boolean {
  return true;
}

/**
 * Two connected sockets, as Python's `socketpair()`. Over loopback TCP when
 * unix sockets are not available for the family asked. Unix pairs look
 * unnamed (`""` names), as in Python.
 *
 * @param family `AF_UNIX` (default), `AF_INET` or `AF_INET6`.
 * @param type `SOCK_STREAM` (default), or `SOCK_DGRAM` with `AF_UNIX` where
 * the runtime has unix datagram sockets (Deno with `--unstable-net`).
 * @param proto 0.
 * @returns `[a, b]`, both blocking.
 *
 * @example Talk to yourself
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * const [a, b] = await socketpair();
 * await a.sendall("ping");
 * console.log(await b.recv(4));
 * a.close(); b.close();
 * ```
 */
export async function socketpair<
  F extends number = typeof AF_UNIX,
  T extends number = typeof SOCK_STREAM,
>(
  family: F = AF_UNIX as F,
  type: T = SOCK_STREAM as T,
  proto: number = 0,
): Promise<[Socket<F, T>, Socket<F, T>]> {
  _intArg(family);
  _intArg(type);
  _intArg(proto);
  if (type === SOCK_DGRAM && family === AF_UNIX) {
    return await _datagramPair(proto) as [Socket<F, T>, Socket<F, T>];
  }
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM) throw new OSError(22);
  if (type !== SOCK_STREAM) {
    throw new OSError(95, "Operation not supported: socketpair() supports SOCK_STREAM");
  }
  const host = family === AF_INET6 ? "::1" : "127.0.0.1";
  const address: Address = family === AF_UNIX ? `\0unisock-pair-${_random()}` : [host, 0];
  const lsock = new Socket(family, type, proto);
  try {
    await lsock.bind(address);
    lsock.listen(1);
    const a = new Socket(family, type, proto);
    try {
      const [[b], _] = await Promise.all([lsock.accept(), a.connect(lsock.getsockname())]);
      a.settimeout(_getDefaultTimeout());
      b.settimeout(_getDefaultTimeout());
      if (family === AF_UNIX) Socket._unnamedPair(a, b);
      return [a, b];
    } catch (err) {
      a.close();
      throw err;
    }
  } finally {
    lsock.close();
  }
}

/** A unix datagram pair: two sockets on abstract names, connected to each other, shown unnamed. */
async function _datagramPair(proto: number): Promise<[_UnixDgram, _UnixDgram]> {
  const a = new Socket(AF_UNIX, SOCK_DGRAM, proto); // OSError where the runtime has none
  let b: _UnixDgram | null = null;
  try {
    b = new Socket(AF_UNIX, SOCK_DGRAM, proto);
    const base = `\0unisock-pair-${_random()}`;
    await a.bind(`${base}-a`);
    await b.bind(`${base}-b`);
    await a.connect(b.getsockname());
    await b.connect(a.getsockname());
    Socket._unnamedPair(a, b);
    return [a, b];
  } catch (err) {
    a.close();
    b?.close();
    throw err;
  }
}

function _random(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function _hostArg(v: unknown, fn: string): void {
  if (typeof v !== "string") {
    throw new TypeError(`${fn}() argument 1 must be str, bytes or bytearray, not ${_argType(v)}`);
  }
  if (v.includes("\0")) {
    throw new TypeError(`${fn}() argument 1 must be encoded string without null bytes, not str`);
  }
}

function _protoArg(v: unknown, fn: string): void {
  if (v === undefined) return;
  if (typeof v !== "string") {
    throw new TypeError(`${fn}() argument 2 must be str, not ${_argType(v)}`);
  }
  if (v.includes("\0")) throw new RangeError("embedded null character");
}
