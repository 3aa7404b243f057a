/**
 * `SocketType`, Python's `_socket.socket`: the socket calls themselves. This
 * facade checks arguments and dispatches to the socket's state and parts
 * (`_Endpoint`, and its `_Listener`, `_Stream` or `_Datagram`).
 *
 * @module
 */

import { AF_INET, SOCK_STREAM } from "../constants.ts";
import { _dataArg, _intArg, _intFlagArg, _timeoutArg } from "../_args.ts";
import { _toPython, type Address } from "../_address.ts";
import type { AddressArg, AddressOf, FromAddress } from "./address_types.ts";
import type { StreamHandle } from "../backend.ts";
import { _getDefaultTimeout } from "../_defaults.ts";
import { _allocFd, kReadiness, kWatch, type Readiness } from "../_readiness.ts";
import { _SEND_CHUNK } from "./stream.ts";
import { _Endpoint } from "./endpoint.ts";
import type { _Datagram } from "./datagram.ts";
import { _traced } from "./waiting.ts";
import { _remade } from "../errors.ts";
import { _noFileno } from "../unsupported.ts";
import {
  _readline,
  _recv,
  _recvfrom,
  _recvInto,
  _send,
  _sendall,
  _sendtoResolving,
  _shutdown,
} from "./transfer.ts";

/** Bytes a socket accepts as data: any ArrayBufferView, or a string sent as UTF-8. */
export type Data = ArrayBufferView | string;

/** A settled promise, shared by calls that completed at once. */
const _DONE: Promise<void> = Promise.resolve();

/** The count `sendto` resolves with, once its datagram went out (see `_traced`). */
async function _sentCount(sent: Promise<void>, n: number): Promise<number> {
  try {
    await sent;
    return n;
  } catch (err) {
    throw _remade(err);
  }
}

/** A recv size the fast path takes as is: a positive 32-bit integer. */
function _plainSize(n: unknown): n is number {
  return typeof n === "number" && (n | 0) === n && n > 0;
}

/**
 * The socket calls of Python's `_socket.socket` (`socket.SocketType`):
 * `bind`, `listen`, `accept`, `connect`, `recv`, `send`, `sendall`, `sendto`,
 * `recvfrom`, timeouts, non-blocking mode, half-close, options and
 * errno-accurate errors. Calls that can block in Python return Promises.
 * {@linkcode Socket} adds file objects, streams and `sendfile`; `socket()`
 * makes one.
 *
 * @typeParam F The address family, e.g. `typeof AF_INET`: it types the addresses.
 * @typeParam T The socket type, e.g. `typeof SOCK_DGRAM`.
 *
 * @example An echo round trip
 * ```ts
 * import { socket, AF_INET, SOCK_STREAM } from "@unisock/socket";
 * const srv = socket(AF_INET, SOCK_STREAM);
 * await srv.bind(["127.0.0.1", 0]);
 * srv.listen();
 * const cli = socket();
 * await cli.connect(srv.getsockname());
 * const [conn] = await srv.accept();
 * await cli.sendall("hello");
 * await conn.sendall(await conn.recv(1024));
 * console.log(new TextDecoder().decode(await cli.recv(1024))); // "hello"
 * cli.close(); conn.close(); srv.close();
 * ```
 */
export class SocketType<F extends number = number, T extends number = number> {
  /** The address family, e.g. `AF_INET`. */
  readonly family: F;
  /** The socket type, e.g. `SOCK_STREAM`. */
  readonly type: T;
  /** The protocol number (0 when chosen by type). */
  readonly proto: number;

  /** The state and machinery behind the Python methods. */
  readonly #ep: _Endpoint<unknown>;

  /**
   * Creates a socket, as Python's `socket.socket(family, type, proto)`.
   *
   * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
   * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`; `SOCK_RAW` throws EPROTONOSUPPORT.
   * @param proto 0, or the protocol matching the type.
   * @param fileno Python adopts this OS descriptor; no runtime allows it, so
   * anything but `null` raises OSError EOPNOTSUPP (95) saying why.
   */
  constructor(
    family: F = AF_INET as F,
    type: T = SOCK_STREAM as T,
    proto: number = 0,
    fileno: number | null = null,
  ) {
    if (fileno !== null && fileno !== undefined) throw _noFileno();
    const ep = new _Endpoint<unknown>(family, type, proto, this, SocketType.#accepted);
    this.#ep = ep;
    this.family = ep.family as F;
    this.type = ep.type as T;
    this.proto = ep.proto;
    ep.fd = _allocFd(this);
  }

  // ---- descriptor, timeouts ------------------------------------------------

  /**
   * The socket's library descriptor: a small integer unique in the process,
   * usable with `select`; `-1` after `close()`.
   *
   * @returns The descriptor.
   *
   * @example Print it
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * console.log(s.fileno() >= 3); // true
   * s.close();
   * console.log(s.fileno()); // -1
   * ```
   */
  fileno(): number {
    return this.#ep.fd;
  }

  /**
   * Sets the timeout of blocking calls: `null` blocks, `0` is non-blocking,
   * a positive number is seconds.
   *
   * @param value The timeout.
   *
   * @example Non-blocking
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * s.settimeout(2.5);
   * console.log(s.gettimeout()); // 2.5
   * s.close();
   * ```
   */
  settimeout(value: number | null): void {
    const t = _timeoutArg(value);
    this.#ep.checkOpen();
    this.#ep.shared.timeout = t;
  }

  /**
   * The timeout set by `settimeout`.
   *
   * @returns Seconds, `0`, or `null`.
   *
   * @example Default
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * console.log(s.gettimeout()); // null
   * s.close();
   * ```
   */
  gettimeout(): number | null {
    return this.#ep.shared.timeout;
  }

  /**
   * `setblocking(true)` is `settimeout(null)`; `setblocking(false)` is `settimeout(0)`.
   *
   * @param flag Whether calls block.
   *
   * @example Make a socket non-blocking
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * s.setblocking(false);
   * console.log(s.getblocking(), s.gettimeout()); // false 0
   * s.close();
   * ```
   */
  setblocking(flag: boolean): void {
    if (typeof flag !== "boolean") _intArg(flag);
    this.#ep.checkOpen();
    this.#ep.shared.timeout = flag ? null : 0;
  }

  /**
   * Whether the socket is in blocking mode (`false` when its timeout is 0).
   *
   * @returns The mode.
   *
   * @example Check the mode
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * console.log(s.getblocking()); // true
   * s.close();
   * ```
   */
  getblocking(): boolean {
    return this.#ep.shared.timeout !== 0;
  }

  // ---- binding, listening, accepting -------------------------------------

  /**
   * Binds the socket to an address. Port 0 picks a free port, visible in
   * `getsockname()` when the promise resolves.
   *
   * @param address `[host, port]`, `[host, port, flowinfo, scope_id]` or a unix path.
   * @returns Resolves when bound.
   * @throws {OSError} EADDRINUSE (98) when taken; EINVAL (22) when already bound.
   *
   * @example Bind to a free port
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * await s.bind(["127.0.0.1", 0]);
   * console.log(s.getsockname());
   * s.close();
   * ```
   */
  async bind(address: AddressArg<F>): Promise<void> {
    this.#ep.checkOpen();
    try {
      await this.#ep.bind(address);
    } catch (err) {
      throw _remade(err);
    }
  }

  /**
   * Marks a bound stream socket as listening (an unbound one binds to a free
   * port first, as Linux does).
   *
   * @param backlog The queue length hint (the runtime may fix its own).
   * @throws {OSError} EOPNOTSUPP (95) on a datagram socket.
   *
   * @example Listen
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * await s.bind(["127.0.0.1", 0]);
   * s.listen(5);
   * s.close();
   * ```
   */
  listen(backlog?: number): void {
    this.#ep.checkOpen();
    if (backlog !== undefined) _intFlagArg(backlog);
    this.#ep.listen();
  }

  /**
   * Waits for a connection on a listening socket.
   *
   * @returns `[connection, address]`; the connection is a new blocking socket.
   * @throws {OSError} EINVAL (22) when not listening; TimeoutError/BlockingIOError per timeout.
   *
   * @example Accept one connection
   * ```ts
   * import { socket } from "@unisock/socket";
   * const srv = socket();
   * await srv.bind(["127.0.0.1", 0]);
   * srv.listen();
   * const cli = socket();
   * await cli.connect(srv.getsockname());
   * const [conn, addr] = await srv.accept();
   * console.log(addr);
   * conn.close(); cli.close(); srv.close();
   * ```
   */
  accept(): Promise<[this, AddressOf<F>]> {
    // Without an async frame when listening already (the common case).
    const l = this.#ep.liveListener();
    const p = l === null ? this.#ep.accept() : l.queued > 0 ? l.accept() : _traced(l.accept());
    return p as Promise<[this, AddressOf<F>]>;
  }

  /** The connected socket and peer address `accept` returns for a queued connection. */
  static #accepted(listening: unknown, h: StreamHandle): [SocketType, Address] {
    // The listener's own class, as Python's `type(self)`, so a subclass accepts its kind.
    const { family, type, proto, constructor } = listening as SocketType;
    const conn: SocketType = new (constructor as typeof SocketType)(family, type, proto);
    if (_getDefaultTimeout() === null) conn.#ep.shared.timeout = null;
    conn.#ep.adopt(h);
    return [conn, _toPython(family, h.remote)];
  }

  // ---- connecting ------------------------------------------------------------

  /**
   * Connects to a remote address (stream), or sets the default peer that
   * `send`/`recv` use and that filters other senders (datagram).
   *
   * @param address The peer.
   * @returns Resolves when connected.
   * @throws {OSError} ConnectionRefusedError (111), gaierror (-2), TimeoutError,
   * BlockingIOError EINPROGRESS (115) when non-blocking.
   *
   * @example Connect with a timeout
   * ```ts
   * import { socket, TimeoutError } from "@unisock/socket";
   * const s = socket();
   * s.settimeout(1);
   * try { await s.connect(["127.0.0.1", 1]); } catch (e) { console.log(String(e)); }
   * s.close();
   * ```
   */
  connect(address: AddressArg<F>): Promise<void> {
    return this.#ep.connect(address, "connect");
  }

  /**
   * Like `connect`, but resolves with 0 or the errno instead of throwing an
   * OSError (argument errors still throw).
   *
   * @param address The peer.
   * @returns 0 on success, else the errno (115 when non-blocking).
   *
   * @example Probe a port
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * console.log(await s.connect_ex(["127.0.0.1", 1])); // 111
   * s.close();
   * ```
   */
  connect_ex(address: AddressArg<F>): Promise<number> {
    return this.#ep.connectEx(address);
  }

  /**
   * Makes both sockets of a unix `socketpair()` look unnamed, as in Python
   * (they are connected through abstract names the runtime needed).
   *
   * @param a One socket of the pair.
   * @param b The other.
   * @ignore
   */
  static _unnamedPair(a: SocketType, b: SocketType): void {
    a.#ep.hideNames("pair");
    b.#ep.hideNames("pair");
  }

  // ---- receiving -------------------------------------------------------------

  /**
   * Receives at most `bufsize` bytes; whatever else arrived stays buffered.
   * Resolves with an empty array at EOF.
   *
   * @param bufsize The most bytes to return (0 returns empty at once).
   * @param flags `MSG_PEEK`, `MSG_WAITALL`, `MSG_DONTWAIT`.
   * @returns The bytes, the caller's own.
   * @throws {OSError} ENOTCONN (107) when unconnected; ConnectionResetError (104);
   * TimeoutError; BlockingIOError EAGAIN (11) when non-blocking.
   *
   * @example Receive a line's worth
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("hi\n");
   * console.log(await b.recv(1024)); // Uint8Array(3) [ 104, 105, 10 ]
   * a.close(); b.close();
   * ```
   */
  recv(bufsize: number, flags: number = 0): Promise<Uint8Array> {
    // The common case without an async frame: a connected stream, no flags, a plain size.
    const s = this.#ep.liveStream();
    if (s !== null && flags === 0 && _plainSize(bufsize)) {
      return s.buffered > 0 ? s.recvNow(bufsize) : _traced(s.recvNow(bufsize));
    }
    const d = this.#plainDgram(bufsize, flags);
    if (d !== null) {
      if (d.queued > 0) return Promise.resolve(d.take(bufsize, 0));
      return _traced(d.recvLater(bufsize, false) as Promise<Uint8Array>);
    }
    return _recv(this.#ep, bufsize, flags);
  }

  /**
   * The datagram part for a plain receive the fast path takes: no flags, a
   * plain size, open and bound with nothing pending, and either a datagram
   * queued or a wait that may block (no error pending, not non-blocking).
   * Every other case goes the general way, whose checks and errors it keeps.
   */
  #plainDgram(bufsize: number, flags: number): _Datagram | null {
    const ep = this.#ep;
    const d = ep.dgram;
    if (d === null || flags !== 0 || !_plainSize(bufsize) || ep.shared.closed) return null;
    if (ep.binding !== null || d.handle === null) return null;
    if (d.queued > 0) return d;
    return ep.shared.soError === 0 && ep.shared.timeout !== 0 ? d : null;
  }

  /**
   * Receives into the caller's buffer.
   *
   * @param buffer Where to write.
   * @param nbytes The most bytes (0: the buffer's length).
   * @param flags As for `recv`.
   * @returns The count written.
   *
   * @example Fill a buffer
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("abc");
   * const buf = new Uint8Array(8);
   * console.log(await b.recv_into(buf)); // 3
   * a.close(); b.close();
   * ```
   */
  async recv_into(buffer: ArrayBufferView, nbytes: number = 0, flags: number = 0): Promise<number> {
    const [n] = await _recvInto(this.#ep, buffer, nbytes, flags, "recv_into"); // remade there
    return n;
  }

  /**
   * Receives one datagram (or stream bytes) with the sender's address.
   *
   * @param bufsize The most bytes; a longer datagram is cut and its tail discarded.
   * @param flags As for `recv`.
   * @returns `[data, address]` (`address` is `null` for a connected stream and
   * for a datagram from an unnamed unix socket, as in Python).
   *
   * @example Receive a datagram
   * ```ts
   * import { socket, AF_INET, SOCK_DGRAM } from "@unisock/socket";
   * const a = socket(AF_INET, SOCK_DGRAM), b = socket(AF_INET, SOCK_DGRAM);
   * await a.bind(["127.0.0.1", 0]);
   * await b.sendto("ping", a.getsockname());
   * console.log(await a.recvfrom(1024));
   * a.close(); b.close();
   * ```
   */
  recvfrom(bufsize: number, flags: number = 0): Promise<[Uint8Array, FromAddress<F, T>]> {
    // As `recv`: a plain datagram receive without an async frame.
    const d = this.#plainDgram(bufsize, flags);
    if (d !== null) {
      const r = d.queued > 0
        ? Promise.resolve(d.takeFrom(bufsize, 0))
        : _traced(d.recvLater(bufsize, true));
      return r as Promise<[Uint8Array, FromAddress<F, T>]>;
    }
    return _recvfrom(this.#ep, bufsize, flags) as Promise<[Uint8Array, FromAddress<F, T>]>;
  }

  /**
   * `recvfrom` into the caller's buffer.
   *
   * @param buffer Where to write.
   * @param nbytes The most bytes (0: the buffer's length).
   * @param flags As for `recv`.
   * @returns `[count, address]`.
   *
   * @example Receive a datagram into a buffer
   * ```ts
   * import { socket, AF_INET, SOCK_DGRAM } from "@unisock/socket";
   * const a = socket(AF_INET, SOCK_DGRAM), b = socket(AF_INET, SOCK_DGRAM);
   * await a.bind(["127.0.0.1", 0]);
   * await b.sendto("ping", a.getsockname());
   * console.log(await a.recvfrom_into(new Uint8Array(16)));
   * a.close(); b.close();
   * ```
   */
  recvfrom_into(
    buffer: ArrayBufferView,
    nbytes: number = 0,
    flags: number = 0,
  ): Promise<[number, FromAddress<F, T>]> {
    const r = _recvInto(this.#ep, buffer, nbytes, flags, "recvfrom_into");
    return r as Promise<[number, FromAddress<F, T>]>;
  }

  // ---- sending -----------------------------------------------------------------

  /**
   * Sends bytes; resolves with how many were taken (may be fewer than given).
   *
   * @param data The bytes (a string is sent as UTF-8).
   * @param flags `MSG_DONTWAIT`, or 0.
   * @returns The count taken.
   * @throws {OSError} BrokenPipeError (32) when unconnected or shut down;
   * EDESTADDRREQ (89) for an unconnected datagram socket.
   *
   * @example Send until done
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * let data = new TextEncoder().encode("hello");
   * while (data.length) data = data.subarray(await a.send(data));
   * a.close(); b.close();
   * ```
   */
  send(data: Data, flags: number = 0): Promise<number> {
    return _send(this.#ep, data, flags);
  }

  /**
   * Sends every byte, waiting while the peer is slow instead of buffering
   * without bound. Resolves when all were handed to the OS.
   *
   * @param data The bytes (a string is sent as UTF-8).
   * @param flags `MSG_DONTWAIT`, or 0.
   * @returns Resolves when done.
   *
   * @example Send a message
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("hello");
   * a.close(); b.close();
   * ```
   */
  sendall(data: Data, flags: number = 0): Promise<void> {
    // The common case without an async frame: blocking without a timeout,
    // connected, nothing in flight, one chunk; nothing allocated when the
    // runtime writes at once.
    const ep = this.#ep;
    const s = ep.liveStream();
    if (
      s !== null && s.writableNow() && flags === 0 && ep.shared.timeout === null &&
      data instanceof Uint8Array && data.length <= _SEND_CHUNK
    ) {
      const p = s.write(data, 0, Infinity);
      return p === undefined ? _DONE : _traced(p);
    }
    return _sendall(ep, data, flags);
  }

  /**
   * Sends one datagram to an address (`sendto(data, address)` or
   * `sendto(data, flags, address)`).
   *
   * @param data The bytes.
   * @param flagsOrAddress The address, or flags when a third argument follows.
   * @param maybeAddress The address, after flags.
   * @returns The count sent.
   * @throws {OSError} EMSGSIZE (90) over 65507 bytes (IPv4).
   *
   * @example Send a datagram
   * ```ts
   * import { socket, AF_INET, SOCK_DGRAM } from "@unisock/socket";
   * const s = socket(AF_INET, SOCK_DGRAM);
   * await s.sendto("ping", ["127.0.0.1", 9]);
   * s.close();
   * ```
   */
  sendto(
    data: Data,
    flagsOrAddress: number | AddressArg<F>,
    maybeAddress?: AddressArg<F>,
  ): Promise<number> {
    // Not async: a send the runtime completes at once (a cached address, a
    // synchronous adapter) costs one resolved promise, no async frame.
    try {
      const bytes = _dataArg(data);
      const address = (maybeAddress === undefined ? flagsOrAddress : maybeAddress) as Address;
      const flags = maybeAddress === undefined ? 0 : _intFlagArg(flagsOrAddress);
      const ep = this.#ep;
      ep.checkOpen();
      const d = ep.dgram;
      const target = d?.cachedTargets?.get(address);
      if (d === null || target == null) return _sendtoResolving(ep, bytes, address, flags);
      const sent = ep.sendDatagram(d, bytes, target, flags);
      return sent === undefined ? Promise.resolve(bytes.length) : _sentCount(sent, bytes.length);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---- shutdown, close ---------------------------------------------------------

  /**
   * Shuts down one or both halves: `SHUT_WR` sends EOF to the peer while this
   * side can still `recv`.
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   * @returns Resolves when the FIN was handed to the OS.
   * @throws {OSError} ENOTCONN (107) when unconnected; EINVAL for a bad `how`.
   *
   * @example Half-close
   * ```ts
   * import { socketpair, SHUT_WR } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.shutdown(SHUT_WR);
   * console.log((await b.recv(10)).length); // 0
   * a.close(); b.close();
   * ```
   */
  shutdown(how: number): Promise<void> {
    return _shutdown(this.#ep, how);
  }

  /**
   * Closes the socket now. Idempotent; every later call throws OSError EBADF
   * (9). {@linkcode Socket.close} waits for its file objects first.
   *
   * @example Close twice
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * s.close();
   * s.close();
   * ```
   */
  close(): void {
    if (!this.#ep.shared.closed) this.#ep.close();
  }

  /**
   * Reads one line (through `\n`, at most `limit` bytes) from the receive
   * buffer, waiting only until a newline, `limit` bytes or EOF are buffered.
   * Used by file objects; a datagram socket returns one datagram.
   *
   * @param limit The most bytes (`Infinity` for no limit).
   * @returns The line; empty at EOF.
   * @ignore
   */
  _readline(limit: number): Promise<Uint8Array> {
    const cap = Math.min(limit, Number.MAX_SAFE_INTEGER);
    // The common case without an async frame: a connected stream. A line
    // taken at once shrank the buffer; one to wait for goes through an async
    // frame, so that its error has the caller's frames (see `_traced`).
    const s = this.#ep.liveStream();
    if (s !== null && cap > 0) {
      const buffered = s.buffered;
      const line = s.readline(cap);
      return s.buffered < buffered ? line : _traced(line);
    }
    return _readline(this.#ep, cap);
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  // ---- names, options ------------------------------------------------------------

  /**
   * The socket's own address.
   *
   * @returns `[host, port]` (`["0.0.0.0", 0]` unbound), 4 items for AF_INET6, a path for AF_UNIX.
   *
   * @example After bind
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * console.log(s.getsockname()); // [ "0.0.0.0", 0 ]
   * s.close();
   * ```
   */
  getsockname(): AddressOf<F> {
    this.#ep.checkOpen();
    return this.#ep.sockname() as AddressOf<F>;
  }

  /**
   * The connected peer's address.
   *
   * @returns The address.
   * @throws {OSError} ENOTCONN (107) without a peer.
   *
   * @example Unconnected
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * try { s.getpeername(); } catch (e) { console.log(String(e)); }
   * s.close();
   * ```
   */
  getpeername(): AddressOf<F> {
    this.#ep.checkOpen();
    return this.#ep.peername() as AddressOf<F>;
  }

  /**
   * Sets a socket option.
   *
   * @param level `SOL_SOCKET`, `IPPROTO_TCP` or `IPPROTO_IPV6`.
   * @param optname The option.
   * @param value An integer (or boolean); for `SO_LINGER`, 8 packed bytes.
   * @throws {OSError} ENOPROTOOPT (92) for an unknown option.
   *
   * @example Reuse an address
   * ```ts
   * import { socket, SOL_SOCKET, SO_REUSEADDR } from "@unisock/socket";
   * const s = socket();
   * s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
   * s.close();
   * ```
   */
  setsockopt(level: number, optname: number, value: number | boolean | ArrayBufferView): void {
    _intFlagArg(level);
    _intFlagArg(optname);
    this.#ep.checkOpen();
    this.#ep.setOption(level, optname, value);
  }

  /**
   * Reads a socket option.
   *
   * @param level `SOL_SOCKET`, `IPPROTO_TCP` or `IPPROTO_IPV6`.
   * @param optname The option; `SO_ERROR` returns and clears the pending error.
   * @returns The integer value (for `SO_LINGER`, `onoff | linger << 32` is not used: it returns `onoff`).
   * @throws {OSError} ENOPROTOOPT (92) for an unknown option.
   *
   * @example Socket type
   * ```ts
   * import { socket, SOL_SOCKET, SO_TYPE } from "@unisock/socket";
   * const s = socket();
   * console.log(s.getsockopt(SOL_SOCKET, SO_TYPE)); // 1
   * s.close();
   * ```
   */
  getsockopt(level: number, optname: number): number {
    _intFlagArg(level);
    _intFlagArg(optname);
    this.#ep.checkOpen();
    return this.#ep.getOption(level, optname);
  }

  /**
   * A Python-like representation.
   *
   * @returns The text.
   */
  toString(): string {
    return `<socket.socket fd=${this.#ep.fd}, family=${this.family}, type=${this.type}, proto=${this.proto}>`;
  }

  // ---- hooks for the ssl layer (src/ssl/socket.ts) -------------------------------

  /**
   * Moves a stream socket's whole state (descriptor, timeout, binding,
   * listener or connection) to a fresh socket of the same kind, as Python's
   * `wrap_socket` takes over the descriptor; `from` is left closed, its
   * connection untouched.
   *
   * @param from The socket given to `wrap_socket`.
   * @param to The new socket (fresh, same family and type).
   * @ignore
   */
  static _transfer(from: SocketType, to: SocketType): void {
    from.#ep.transferTo(to.#ep, to);
  }

  /**
   * Takes a connected socket's connection out for an upgrade: the returned
   * handle carries what was buffered and everything after; the socket reads
   * nothing until `_attachStream`.
   *
   * @param sock A connected stream socket.
   * @returns The handle, or `null` when the socket is not connected.
   * @ignore
   */
  static _detachStream(sock: SocketType): StreamHandle | null {
    const s = sock.#ep.liveStream();
    if (s === null) return null;
    sock.#ep.stream = null;
    return s.detach();
  }

  /**
   * Connects the socket over `h` (the upgraded connection).
   *
   * @param sock The socket `_detachStream` was called on.
   * @param h The new handle.
   * @ignore
   */
  static _attachStream(sock: SocketType, h: StreamHandle): void {
    sock.#ep.adopt(h);
  }

  /**
   * Bytes received and not read yet (`SSLSocket.pending`).
   *
   * @param sock The socket.
   * @returns The count.
   * @ignore
   */
  static _buffered(sock: SocketType): number {
    return sock.#ep.liveStream()?.buffered ?? 0;
  }

  /**
   * Whether the socket is connected or listening, for `wrap_socket`.
   *
   * @param sock The socket.
   * @returns `"connected"`, `"listening"`, or `"unconnected"`.
   * @ignore
   */
  static _stateOf(sock: SocketType): "connected" | "listening" | "unconnected" {
    const ep = sock.#ep;
    if (ep.state === "connected" && ep.stream !== null) return "connected";
    if (ep.state === "listening") return "listening";
    return "unconnected";
  }

  // ---- readiness (select/poll) ---------------------------------------------------

  /**
   * Readiness for select/poll.
   *
   * @returns The current readiness.
   * @ignore
   */
  [kReadiness](): Readiness {
    return this.#ep.readiness();
  }

  /**
   * Subscribes to readiness changes.
   *
   * @param onChange Called after each change.
   * @returns Unsubscribe.
   * @ignore
   */
  [kWatch](onChange: () => void): () => void {
    return this.#ep.shared.watchers.add(onChange);
  }

  /**
   * Datagrams dropped because the receive queue was full (like the kernel's
   * drop counter). The queue holds up to twice SO_RCVBUF bytes. Where the
   * runtime can stop reading, reading stops once the queue holds SO_RCVBUF
   * and the kernel's queue fills: datagrams the kernel then drops are counted
   * by the kernel (the `drops` column of /proc/net/udp), not here. Where it
   * cannot, what does not fit is dropped and counted here, as the kernel
   * would. Kept when `bind()` replaces an implicit bind. For tests: not part
   * of Python's API.
   *
   * @param s The socket.
   * @returns The count (0 for a stream socket).
   * @ignore
   */
  static _drops(s: SocketType): number {
    return s.#ep.dgram?.drops ?? 0;
  }
}
