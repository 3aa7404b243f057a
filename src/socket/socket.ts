/**
 * The `Socket` class: Python's socket object over any runtime's networking.
 * This facade checks arguments and dispatches to the socket's part for its
 * kind: `_Listener`, `_Stream` or `_Datagram`.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_ERROR,
  SO_LINGER,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../constants.ts";
import * as E from "../errno.ts";
import { BlockingIOError, gaierror, OSError, oserror, TimeoutError } from "../errors.ts";
import { _bufferArg, _cIntArg, _dataArg, _intArg, _intFlagArg, _timeoutArg } from "../_args.ts";
import { _checkAddress, _resolve, _resolveNow, _toPython, type Address } from "../_address.ts";
import {
  type Backend,
  type BackendAddress,
  type ConnectCancel,
  getBackend,
  type StreamHandle,
} from "../backend.ts";
import { _getDefaultTimeout } from "../_defaults.ts";
import { _allocFd, _freeFd, kReadiness, kWatch, type Readiness } from "../_readiness.ts";
import { SocketFile, type SocketFileOptions } from "./makefile.ts";
import { _SocketShared } from "./shared.ts";
import { _Listener } from "./listener.ts";
import { _SEND_CHUNK, _Stream } from "./stream.ts";
import { _Datagram } from "./datagram.ts";
import { _autobindName, _hiddenNames } from "./unix_names.ts";
import { _deadline, _ebadf } from "./waiting.ts";

export type { Address } from "../_address.ts";

/** Bytes a socket accepts as data: any ArrayBufferView, or a string sent as UTF-8. */
export type Data = ArrayBufferView | string;

type _State = "fresh" | "bound" | "listening" | "connecting" | "connected";
type _Parsed = ReturnType<typeof _checkAddress>;

/** A settled promise, shared by calls that completed at once. */
const _DONE: Promise<void> = Promise.resolve();
const _SOCK_NONBLOCK = 0o4000;
const _SOCK_CLOEXEC = 0o2000000;
/**
 * The backlog a listener is made with: it exists before `listen(n)` is
 * called, so take the most the kernel allows (a smaller one stalled
 * connection bursts; see bench/README.md).
 */
const _LISTEN_BACKLOG = 4096;

/** A recv size the fast path takes as is: a positive 32-bit integer. */
function _plainSize(n: unknown): n is number {
  return typeof n === "number" && (n | 0) === n && n > 0;
}

/** The core's side of a {@linkcode ConnectCancel}: gives up on a pending connect once. */
class _Cancel implements ConnectCancel {
  cancelled = false;
  onCancel: (() => void) | null = null;

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const f = this.onCancel;
    this.onCancel = null;
    f?.();
  }
}

/**
 * A network socket with Python's semantics: `bind`, `listen`, `accept`,
 * `connect`, `recv`, `send`, `sendall`, `sendto`, `recvfrom`, timeouts,
 * non-blocking mode, half-close, options and errno-accurate errors. Calls that
 * can block in Python return Promises.
 *
 * @example An echo round trip
 * ```ts
 * import { socket, AF_INET, SOCK_STREAM } from "@unisock/socket";
 * const srv = socket(AF_INET, SOCK_STREAM);
 * await srv.bind(["127.0.0.1", 0]);
 * srv.listen();
 * const cli = socket();
 * await cli.connect(srv.getsockname() as [string, number]);
 * const [conn] = await srv.accept();
 * await cli.sendall("hello");
 * await conn.sendall(await conn.recv(1024));
 * console.log(new TextDecoder().decode(await cli.recv(1024))); // "hello"
 * cli.close(); conn.close(); srv.close();
 * ```
 */
export class Socket {
  /** The address family, e.g. `AF_INET`. */
  readonly family: number;
  /** The socket type, e.g. `SOCK_STREAM`. */
  readonly type: number;
  /** The protocol number (0 when chosen by type). */
  readonly proto: number;

  #fd: number;
  #shared: _SocketShared; // not readonly: `_transfer` moves it (ssl)
  #state: _State = "fresh";
  #ioRefs = 0;
  #closeWanted = false;
  #local: BackendAddress | null = null;
  #remote: BackendAddress | null = null;
  #binding: Promise<void> | null = null;
  /** Why the bind that `listen` started on an unbound socket failed. */
  #bindError: OSError | null = null;
  #listener: _Listener<[Socket, Address]> | null = null;
  #stream: _Stream | null = null;
  /** The datagram part (datagram sockets only). */
  readonly #dgram: _Datagram | null;
  #connecting: _Cancel | null = null;
  #hidden: "auto" | "pair" | null = null;

  /**
   * Creates a socket, as Python's `socket.socket(family, type, proto)`.
   *
   * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
   * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`; `SOCK_RAW` throws EPROTONOSUPPORT.
   * @param proto 0, or the protocol matching the type.
   */
  constructor(family: number = AF_INET, type: number = SOCK_STREAM, proto: number = 0) {
    _cIntArg(family);
    _cIntArg(type);
    _cIntArg(proto);
    const nonblock = (type & _SOCK_NONBLOCK) !== 0;
    type &= ~(_SOCK_NONBLOCK | _SOCK_CLOEXEC);
    if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) throw new OSError(97);
    if (type === SOCK_RAW) {
      throw new OSError(
        E.EPROTONOSUPPORT,
        "Protocol not supported: JavaScript runtimes expose no raw sockets",
      );
    }
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) throw new OSError(E.EINVAL);
    const want = type === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    if (proto !== 0 && (family === AF_UNIX || proto !== want)) throw new OSError(E.EPROTONOSUPPORT);
    if (family === AF_UNIX && type === SOCK_DGRAM) {
      const why = getBackend().capabilities.unixDatagram;
      if (why !== null) {
        throw new OSError(
          E.ESOCKTNOSUPPORT,
          `AF_UNIX SOCK_DGRAM sockets are not available on ${getBackend().name}: ${why}`,
        );
      }
    }
    this.family = family;
    this.type = type;
    this.proto = proto;
    this.#shared = new _SocketShared(family, type, nonblock ? 0 : _getDefaultTimeout());
    this.#dgram = type === SOCK_DGRAM ? new _Datagram(this.#shared) : null;
    this.#fd = _allocFd(this);
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
    return this.#fd;
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
    this.#checkOpen();
    this.#shared.timeout = t;
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
    return this.#shared.timeout;
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
    this.#checkOpen();
    this.#shared.timeout = flag ? null : 0;
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
    return this.#shared.timeout !== 0;
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
  async bind(address: Address): Promise<void> {
    this.#checkOpen();
    const parsed = _checkAddress(this.family, address, "bind");
    if (this.#hidden === "auto" && this.#binding === null) this.#dropAutobind();
    if (this.#local !== null || this.#binding !== null || this.#state !== "fresh") {
      throw new OSError(E.EINVAL);
    }
    const done = this.#doBind(parsed);
    this.#binding = done;
    try {
      await done;
    } finally {
      this.#binding = null;
    }
  }

  async #doBind(parsed: _Parsed): Promise<void> {
    // Linux autobinds a unix stream socket bound to "" to an abstract name of 5 hex digits.
    if (parsed === "" && this.type === SOCK_STREAM) parsed = _autobindName();
    const address = await _resolve(this.family, parsed, true);
    const b = getBackend();
    const opts = this.#shared.options;
    if (this.type === SOCK_STREAM) {
      _checkV6Only(b, address, opts.flag("v6only") !== 0);
      const l = await b.listen({
        address,
        backlog: _LISTEN_BACKLOG,
        reusePort: opts.flag("reuseport") !== 0,
        ipv6Only: opts.flag("v6only") !== 0,
      });
      if (this.#shared.closed) {
        l.close();
        throw new OSError(E.EBADF);
      }
      this.#local = l.local;
      this.#state = "bound";
      this.#listener = new _Listener(this.#shared, l, (h) => this.#accepted(h));
      return;
    }
    const d = await b.bindDatagram({
      address,
      reuseAddress: opts.flag("reuseaddr") !== 0,
      reusePort: opts.flag("reuseport") !== 0,
      ipv6Only: opts.flag("v6only") !== 0,
    });
    if (this.#shared.closed) {
      d.close();
      throw new OSError(E.EBADF);
    }
    this.#local = d.local;
    this.#state = "bound";
    this.#dgram!.attach(d);
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
    this.#checkOpen();
    if (backlog !== undefined) _intFlagArg(backlog);
    if (this.type !== SOCK_STREAM) throw new OSError(E.EOPNOTSUPP);
    if (this.#state === "connected" || this.#state === "connecting") throw new OSError(E.EINVAL);
    if (this.#state === "fresh" && this.#binding === null) {
      // Linux refuses to listen on an unbound unix socket (no autobind).
      if (this.family === AF_UNIX) throw new OSError(E.EINVAL);
      const wildcard: Address = [this.family === AF_INET6 ? "::" : "0.0.0.0", 0];
      this.bind(wildcard).catch((err: OSError) => {
        this.#bindError = err;
        this.#shared.notify();
      });
    }
    this.#state = "listening";
    this.#shared.notify();
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
  accept(): Promise<[Socket, Address]> {
    // Without an async frame when listening already (the common case).
    const l = this.#liveListener();
    return l !== null ? l.accept() : this.#acceptChecked();
  }

  /** The listener when `accept` may use it now: open, listening and bound. */
  #liveListener(): _Listener<[Socket, Address]> | null {
    return this.#state === "listening" && !this.#shared.closed ? this.#listener : null;
  }

  async #acceptChecked(): Promise<[Socket, Address]> {
    this.#checkOpen();
    if (this.type !== SOCK_STREAM) throw new OSError(E.EOPNOTSUPP);
    if (this.#state !== "listening") throw new OSError(E.EINVAL);
    // Listening, but the bind `listen` started is still pending.
    const wait = this.#shared.until(
      () => this.#listener !== null || this.#bindError !== null,
      0,
    );
    if (wait !== undefined) await wait;
    if (this.#listener === null) throw this.#bindError!;
    return await this.#liveListener()!.accept();
  }

  /** The connected socket and peer address `accept` returns for a queued connection. */
  #accepted(h: StreamHandle): [Socket, Address] {
    const conn = new Socket(this.family, this.type, this.proto);
    if (_getDefaultTimeout() === null) conn.#shared.timeout = null;
    conn.#adopt(h);
    return [conn, _toPython(this.family, h.remote)];
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
  connect(address: Address): Promise<void> {
    return this.#connect(address, "connect");
  }

  /**
   * Checks the address, then connects: a blocking stream socket to a numeric
   * peer (the common case) without an async frame, anything else through
   * {@linkcode Socket.#connectChecked}.
   */
  #connect(address: Address, fn: string): Promise<void> {
    let parsed: _Parsed;
    try {
      this.#checkOpen();
      parsed = _checkAddress(this.family, address, fn);
      if (parsed === "") throw new OSError(E.EINVAL); // an empty unix path names nothing
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.type === SOCK_STREAM && this.#shared.timeout === null && this.#connectable()) {
      const target = _resolveNow(this.family, parsed);
      if (target !== null) return this.#startConnect(target);
    }
    return this.#connectChecked(parsed);
  }

  /** Whether a stream socket may start a connect (else `#checkConnectable` says why not). */
  #connectable(): boolean {
    return this.#state === "fresh" || this.#state === "bound";
  }

  #checkConnectable(): void {
    if (this.#connectable()) return;
    throw this.#state === "connecting" ? oserror(E.EALREADY) : new OSError(E.EISCONN);
  }

  async #connectChecked(parsed: _Parsed): Promise<void> {
    if (this.type === SOCK_DGRAM) return await this.#connectDatagram(parsed);
    this.#checkConnectable();
    const timeout = this.#shared.timeout;
    let target = _resolveNow(this.family, parsed);
    if (target === null) {
      target = await _resolve(this.family, parsed, false);
      this.#checkOpen();
    }
    const attempt = this.#startConnect(target);
    if (timeout === 0) {
      attempt.catch(() => {});
      throw new BlockingIOError(E.EINPROGRESS);
    }
    try {
      await this.#shared.waiting.race(attempt, _deadline(timeout));
    } catch (err) {
      if (err instanceof TimeoutError) this.#connecting?.cancel();
      throw err;
    }
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
  async connect_ex(address: Address): Promise<number> {
    try {
      await this.#connect(address, "connect_ex");
      return 0;
    } catch (err) {
      if (err instanceof TimeoutError && err.errno === null) return E.EAGAIN;
      if (err instanceof OSError && err.errno !== null && !(err instanceof gaierror)) {
        return err.errno;
      }
      throw err;
    }
  }

  #startConnect(target: BackendAddress): Promise<void> {
    const b = getBackend();
    const source = this.#local ?? undefined;
    const why = source?.kind === "inet" ? b.capabilities.bindBeforeConnect : null;
    if (why !== null) {
      // Never connect from another address than the one bound.
      const text = `a bound source address cannot be used on ${b.name}: ${why}`;
      return Promise.reject(new OSError(E.EOPNOTSUPP, text));
    }
    const ctl = new _Cancel();
    this.#connecting = ctl;
    if (this.#listener !== null) {
      this.#listener.close();
      this.#listener = null;
    }
    this.#state = "connecting";
    this.#shared.notify();
    return b.connect({ address: target, cancel: ctl, source })
      .then((h) => {
        if (this.#connecting === ctl) this.#connecting = null;
        if (this.#shared.closed || ctl.cancelled) {
          h.abort();
          // Given up on (a timeout) in the same turn as it succeeded: the
          // socket is unconnected again, as after any failed attempt.
          if (!this.#shared.closed) this.#connectFailed();
          throw new OSError(this.#shared.closed ? E.EBADF : E.ETIMEDOUT);
        }
        this.#adopt(h);
      }, (err: OSError) => {
        if (this.#connecting === ctl) this.#connecting = null;
        // A close ends a waiting connect as it ends every other call: EBADF
        // (the backend reports its cancelled attempt as ECANCELED).
        if (this.#shared.closed) throw _ebadf();
        // An attempt the core gave up on (a timeout) failed on nothing the
        // kernel reported: SO_ERROR stays 0, as after CPython's timeout.
        if (this.#state === "connecting" && !ctl.cancelled) {
          this.#shared.soError = err.errno ?? E.EIO;
        }
        this.#connectFailed();
        throw err;
      });
  }

  /** A connect attempt ended without a connection: the socket may connect again. */
  #connectFailed(): void {
    if (this.#state !== "connecting") return;
    this.#state = "fresh";
    this.#shared.notify();
  }

  /** Connected over `h` (a connect succeeded, or `accept` made this socket). */
  #adopt(h: StreamHandle): void {
    // Read from the handle when first asked (a runtime may need a system call).
    this.#local = null;
    this.#remote = null;
    this.#state = "connected";
    this.#stream = new _Stream(this.#shared, h);
    this.#shared.notify();
  }

  async #connectDatagram(parsed: _Parsed): Promise<void> {
    const target = await _resolve(this.family, parsed, false);
    await this.#autobind();
    // Datagrams queued before connect stay queued, as on Linux; only later
    // ones from other senders are filtered out.
    this.#dgram!.peer = target;
    this.#remote = target;
    this.#shared.notify();
  }

  async #autobind(): Promise<void> {
    if (this.#binding !== null) await this.#binding.catch(() => {});
    if (this.#dgram!.handle !== null) return;
    this.#checkOpen();
    const wildcard: Address = this.family === AF_INET6 ? ["::", 0] : ["0.0.0.0", 0];
    if (this.family === AF_UNIX) {
      this.#binding = this.#doBind("").then(() => this.#hideNames("auto"));
    } else {
      this.#binding = this.#doBind(_checkAddress(this.family, wildcard, "bind"));
    }
    try {
      await this.#binding;
    } finally {
      this.#binding = null;
    }
  }

  /** Shows this unix socket as unnamed, as Python would (see `_hiddenNames`). */
  #hideNames(kind: "auto" | "pair"): void {
    const local = this.#localAddress();
    if (this.#shared.closed || local === null || local.kind !== "unix") return;
    this.#hidden = kind;
    if (local.path !== "") _hiddenNames.add(local.path);
    if (kind === "pair") this.#remote = { kind: "unix", path: "" };
  }

  /** Before an explicit bind: closes the hidden autobound datagram socket, keeping its queue. */
  #dropAutobind(): void {
    if (this.#local?.kind === "unix") _hiddenNames.delete(this.#local.path);
    this.#hidden = null;
    this.#local = null;
    this.#state = "fresh";
    this.#dgram?.detach()?.close();
  }

  /**
   * Makes both sockets of a unix `socketpair()` look unnamed, as in Python
   * (they are connected through abstract names the runtime needed).
   *
   * @param a One socket of the pair.
   * @param b The other.
   * @ignore
   */
  static _unnamedPair(a: Socket, b: Socket): void {
    a.#hideNames("pair");
    b.#hideNames("pair");
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
    const s = this.#liveStream();
    if (s !== null && flags === 0 && _plainSize(bufsize)) return s.recvNow(bufsize);
    return this.#recv(bufsize, flags);
  }

  /** Every other recv: argument errors, datagrams, flags, EOF and errors. */
  async #recv(bufsize: number, flags: number): Promise<Uint8Array> {
    const n = _bufsizeArg(bufsize, "recv");
    if (flags !== 0) flags = _intFlagArg(flags);
    this.#checkOpen();
    const d = this.#dgram;
    if (d !== null) {
      if (n === 0) return new Uint8Array(0); // as Python: no datagram is consumed
      if (this.#datagramReady()) return d.take(n, flags);
      if (this.#binding !== null) await this.#bound();
      return await d.recv(flags, () => d.take(n, flags));
    }
    if (n === 0) return new Uint8Array(0);
    const r = this.#connectedStream().recv(n, flags);
    return r instanceof Uint8Array ? r : await r;
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
    const [n] = await this.#recvInto(buffer, nbytes, flags, "recv_into");
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
  async recvfrom(bufsize: number, flags: number = 0): Promise<[Uint8Array, Address | null]> {
    const n = _bufsizeArg(bufsize, "recvfrom");
    flags = _intFlagArg(flags);
    this.#checkOpen();
    const d = this.#dgram;
    if (d !== null) {
      if (this.#datagramReady()) return d.takeFrom(n, flags);
      if (this.#binding !== null) await this.#bound();
      return await d.recv(flags, () => d.takeFrom(n, flags));
    }
    if (n === 0) return [new Uint8Array(0), null];
    const r = this.#connectedStream().recv(n, flags);
    return [r instanceof Uint8Array ? r : await r, null];
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
  async recvfrom_into(
    buffer: ArrayBufferView,
    nbytes: number = 0,
    flags: number = 0,
  ): Promise<[number, Address | null]> {
    return await this.#recvInto(buffer, nbytes, flags, "recvfrom_into");
  }

  async #recvInto(
    buffer: ArrayBufferView,
    nbytes: number,
    flags: number,
    fn: string,
  ): Promise<[number, Address | null]> {
    const dst = _bufferArg(buffer, fn);
    const n = _intArg(nbytes);
    flags = _intFlagArg(flags);
    if (n < 0) throw new RangeError(`negative buffersize in ${fn}`);
    if (n > dst.length) {
      throw new RangeError(
        fn === "recvfrom_into"
          ? "nbytes is greater than the length of the buffer"
          : "buffer too small for requested bytes",
      );
    }
    const want = n === 0 ? dst.length : n;
    this.#checkOpen();
    const d = this.#dgram;
    if (d !== null) {
      if (want === 0 && fn === "recv_into") return [0, null]; // as Python's recv_into
      let got: [Uint8Array, Address | null];
      if (this.#datagramReady()) got = d.takeFrom(want, flags);
      else {
        if (this.#binding !== null) await this.#bound();
        got = await d.recv(flags, () => d.takeFrom(want, flags));
      }
      dst.set(got[0]);
      return [got[0].length, got[1]];
    }
    const s = this.#connectedStream();
    return [await s.recvInto(dst.subarray(0, want), flags), null];
  }

  /** Whether a datagram receive completes now, without waiting. */
  #datagramReady(): boolean {
    return this.#dgram!.queued > 0 && this.#binding === null;
  }

  /** Once the pending bind settled (a receive waits for it). */
  async #bound(): Promise<void> {
    await this.#binding?.catch(() => {});
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
  async send(data: Data, flags: number = 0): Promise<number> {
    const bytes = _dataArg(data);
    flags = _intFlagArg(flags);
    this.#checkOpen();
    const d = this.#dgram;
    if (d !== null) {
      if (d.peer === null) throw new OSError(this.family === AF_UNIX ? E.ENOTCONN : E.EDESTADDRREQ);
      const sent = this.#sendDatagram(d, bytes, d.peer, flags);
      if (sent !== undefined) await sent;
      return bytes.length;
    }
    const s = this.#sendableStream();
    if (bytes.length === 0) return 0;
    const part = bytes.subarray(0, Math.min(bytes.length, _SEND_CHUNK));
    const p = s.write(part, flags, _deadline(this.#shared.timeout));
    if (p !== undefined) await p;
    return part.length;
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
    const s = this.#liveStream();
    if (
      s !== null && s.writableNow() && flags === 0 && this.#shared.timeout === null &&
      data instanceof Uint8Array && data.length <= _SEND_CHUNK
    ) {
      return s.write(data, 0, Infinity) ?? _DONE;
    }
    return this.#sendall(data, flags);
  }

  /** Every other sendall: argument errors, datagrams, timeouts, big data. */
  async #sendall(data: Data, flags: number): Promise<void> {
    const bytes = _dataArg(data);
    flags = _intFlagArg(flags);
    this.#checkOpen();
    if (this.#dgram !== null) {
      await this.send(bytes, flags);
      return;
    }
    const s = this.#sendableStream();
    const at = _deadline(this.#shared.timeout);
    for (let off = 0; off === 0 || off < bytes.length; off += _SEND_CHUNK) {
      const p = s.write(bytes.subarray(off, Math.min(bytes.length, off + _SEND_CHUNK)), flags, at);
      if (p !== undefined) await p;
    }
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
    flagsOrAddress: number | Address,
    maybeAddress?: Address,
  ): Promise<number> {
    // Not async: a send the runtime completes at once (a cached address, a
    // synchronous adapter) costs one resolved promise, no async frame.
    try {
      const bytes = _dataArg(data);
      const address = maybeAddress === undefined ? flagsOrAddress as Address : maybeAddress;
      const flags = maybeAddress === undefined ? 0 : _intFlagArg(flagsOrAddress);
      this.#checkOpen();
      const d = this.#dgram;
      const target = d?.cachedTargets?.get(address);
      if (d === null || target == null) return this.#sendtoResolving(bytes, address, flags);
      const sent = this.#sendDatagram(d, bytes, target, flags);
      return sent === undefined ? Promise.resolve(bytes.length) : sent.then(() => bytes.length);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** `sendto` to an address not in the cache: checked, resolved, then sent. */
  async #sendtoResolving(bytes: Uint8Array, address: Address, flags: number): Promise<number> {
    const parsed = _checkAddress(this.family, address, "sendto");
    const d = this.#dgram;
    if (d === null) {
      if (this.#state === "connected") throw new OSError(E.EISCONN);
      throw this.family === AF_UNIX ? new OSError(E.EOPNOTSUPP) : oserror(E.EPIPE);
    }
    if (parsed === "") throw new OSError(E.EINVAL);
    const target = await _resolve(this.family, parsed, false);
    if (typeof parsed !== "string") {
      d.sendCache.set(address as readonly unknown[], parsed.host, target);
    }
    const sent = this.#sendDatagram(d, bytes, target, flags);
    if (sent !== undefined) await sent;
    return bytes.length;
  }

  /**
   * Sends one datagram, binding first if needed: `undefined` when it is
   * done, else a promise of the send.
   */
  #sendDatagram(
    d: _Datagram,
    bytes: Uint8Array,
    to: BackendAddress,
    flags: number,
  ): Promise<void> | undefined {
    d.checkSend(bytes, to);
    if (d.handle !== null && this.#binding === null) return d.sendNow(bytes, to, flags);
    return this.#autobind().then(() => {
      this.#checkOpen();
      return d.sendNow(bytes, to, flags);
    });
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
  async shutdown(how: number): Promise<void> {
    how = _cIntArg(how);
    this.#checkOpen();
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new OSError(E.EINVAL);
    // Linux: shutdown of an unconnected unix socket succeeds; UDP and TCP need a peer.
    const d = this.#dgram;
    if (d !== null) {
      if (d.peer === null && this.family !== AF_UNIX) throw new OSError(E.ENOTCONN);
      if (how !== SHUT_RD) d.wrShut = true; // later sends fail with EPIPE, as on Linux
      return;
    }
    const s = this.#liveStream();
    if (this.family === AF_UNIX && s === null) return;
    if (s === null || s.reset) throw new OSError(E.ENOTCONN);
    await s.shutdown(how);
  }

  /**
   * Closes the socket. Idempotent; every later call throws OSError EBADF (9).
   * Data already sent is still delivered, then EOF; unread received data
   * makes the close a reset, as on Linux. A file from `makefile` keeps the
   * connection open until it is closed too.
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
    if (this.#shared.closed) return;
    this.#closeWanted = true;
    if (this.#ioRefs > 0) return;
    this.#realClose();
  }

  #realClose(): void {
    const shared = this.#shared;
    if (this.#hidden !== null && this.#local?.kind === "unix") {
      _hiddenNames.delete(this.#local.path);
    }
    shared.closed = true;
    _freeFd(this.#fd);
    this.#fd = -1;
    this.#connecting?.cancel();
    shared.waiting.close(_ebadf);
    this.#listener?.close();
    this.#dgram?.close();
    this.#stream?.close();
    shared.notify();
  }

  /**
   * Reads one line (through `\n`, at most `limit` bytes) from the receive
   * buffer, waiting only until a newline, `limit` bytes or EOF are buffered.
   * Used by file objects; a datagram socket returns one datagram.
   *
   * @param limit The most bytes (`Infinity` for no limit).
   * @returns The line; empty at EOF.
   */
  _readline(limit: number): Promise<Uint8Array> {
    const cap = Math.min(limit, Number.MAX_SAFE_INTEGER);
    // The common case without an async frame: a connected stream.
    const s = this.#liveStream();
    if (s !== null && cap > 0) return s.readline(cap);
    return this.#readline(cap);
  }

  async #readline(cap: number): Promise<Uint8Array> {
    this.#checkOpen();
    const d = this.#dgram;
    if (d !== null) {
      if (this.#binding !== null) await this.#bound();
      return await d.recv(0, () => d.take(cap, 0));
    }
    if (cap <= 0) return new Uint8Array(0);
    return await this.#connectedStream().readline(cap);
  }

  /**
   * Detaches a `makefile` reference (used by file objects).
   *
   * @returns Nothing.
   */
  _decref_socketios(): void {
    if (this.#ioRefs > 0) this.#ioRefs--;
    if (this.#closeWanted && this.#ioRefs === 0) this.#realClose();
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
  getsockname(): Address {
    this.#checkOpen();
    if (this.#hidden !== null) return "";
    return _toPython(this.family, this.#localAddress());
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
  getpeername(): Address {
    this.#checkOpen();
    const remote = this.#remoteAddress();
    const gone = this.#stream === null || this.#stream.reset;
    if (remote === null || (this.type === SOCK_STREAM && gone)) {
      throw new OSError(E.ENOTCONN);
    }
    return _toPython(this.family, remote);
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
    this.#checkOpen();
    const key = this.#shared.options.set(level, optname, value);
    const on = key !== null && this.#shared.options.flag(key as "nodelay") !== 0;
    const h = this.#stream?.handle;
    if (key === "nodelay") h?.setNoDelay(on);
    if (key === "keepalive") h?.setKeepAlive(on);
    if (key === "broadcast") this.#dgram?.handle?.setBroadcast(on);
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
    this.#checkOpen();
    if (level === SOL_SOCKET && optname === SO_TYPE) return this.type;
    if (level === SOL_SOCKET && optname === SO_LINGER) return this.#shared.options.linger[0];
    if (level === SOL_SOCKET && optname === SO_ERROR) return this.#shared.takeError();
    return this.#shared.options.get(level, optname);
  }

  // ---- files, streams, iteration -----------------------------------------------

  /**
   * A file object over the socket: `"rb"`/`"wb"`/`"rwb"` binary, `"r"`/`"w"`/`"rw"` text.
   * Closing it leaves the socket open; closing the socket while a file is
   * open keeps the connection until the file is closed too, as in Python.
   *
   * @param mode The mode.
   * @param options `encoding` (text, default `utf-8`), `newline`.
   * @returns The file.
   *
   * @example Read a line
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("one\ntwo\n");
   * const f = b.makefile("rb");
   * console.log(await f.readline()); // Uint8Array of "one\n"
   * f.close(); a.close(); b.close();
   * ```
   */
  makefile(
    mode: "rb" | "wb" | "rwb" | "wrb" | "br" | "bw",
    options?: SocketFileOptions,
  ): SocketFile<Uint8Array>;
  /**
   * A text file object over the socket (modes `r`, `w`, `rw`): reads return strings.
   *
   * @param mode The mode; `"r"` by default.
   * @param options `encoding` (utf-8 only) and `newline`.
   * @returns The file.
   *
   * @example Read text lines
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("one\n");
   * const f = b.makefile("r");
   * console.log(await f.readline()); // "one\n"
   * f.close(); a.close(); b.close();
   * ```
   */
  makefile(mode?: "r" | "w" | "rw" | "wr", options?: SocketFileOptions): SocketFile<string>;
  /**
   * A file object over the socket for a mode known only at run time.
   *
   * @param mode Any of the binary or text modes.
   * @param options Text options.
   * @returns The file; its reads return bytes or strings by mode.
   *
   * @example Choose the mode at run time
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * const mode: string = "rb";
   * const f = b.makefile(mode);
   * f.close(); a.close(); b.close();
   * ```
   */
  makefile(mode?: string, options?: SocketFileOptions): SocketFile;
  makefile(mode: string = "r", options: SocketFileOptions = {}): SocketFile {
    this.#checkOpen();
    const f = new SocketFile(this, mode, options);
    this.#ioRefs++;
    return f;
  }

  /**
   * Received chunks until EOF.
   *
   * @returns An async iterator of chunks.
   *
   * @example Read everything
   * ```ts
   * import { socketpair, SHUT_WR } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("data"); await a.shutdown(SHUT_WR);
   * for await (const chunk of b) console.log(chunk.length);
   * a.close(); b.close();
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = await this.recv(65536);
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /**
   * A ReadableStream over `recv`, sharing its buffer.
   *
   * @returns The stream; it ends at EOF.
   *
   * @example Pipe to a collector
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("x"); a.close();
   * console.log(await new Response(b.readable).text()); // "x"
   * b.close();
   * ```
   */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    // Chunks are typed over ArrayBuffer so `pipeThrough(new TextDecoderStream())` type-checks.
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (ctl) => {
        const chunk = await this.recv(65536);
        if (chunk.length === 0) ctl.close();
        else ctl.enqueue(chunk as Uint8Array<ArrayBuffer>);
      },
    }, { highWaterMark: 0 });
  }

  /**
   * A WritableStream over `sendall`; closing it sends EOF (`SHUT_WR`).
   *
   * @returns The stream.
   *
   * @example Write through a stream
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * const w = a.writable.getWriter();
   * await w.write(new TextEncoder().encode("hi")); await w.close();
   * console.log(await b.recv(10));
   * a.close(); b.close();
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: (chunk) => this.sendall(chunk),
      close: () => this.shutdown(SHUT_WR),
      abort: () => this.close(),
    });
  }

  /**
   * A Python-like representation.
   *
   * @returns The text.
   */
  toString(): string {
    return `<socket.socket fd=${this.#fd}, family=${this.family}, type=${this.type}, proto=${this.proto}>`;
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
  static _transfer(from: Socket, to: Socket): void {
    _freeFd(to.#fd);
    to.#shared = from.#shared;
    to.#state = from.#state;
    to.#local = from.#local;
    to.#remote = from.#remote;
    to.#binding = from.#binding;
    to.#bindError = from.#bindError;
    to.#listener = from.#listener;
    to.#stream = from.#stream;
    to.#connecting = from.#connecting;
    to.#hidden = from.#hidden;
    _freeFd(from.#fd);
    to.#fd = _allocFd(to);
    from.#fd = -1;
    from.#shared = new _SocketShared(from.family, from.type, null);
    from.#shared.closed = true;
    from.#stream = null;
    from.#listener = null;
    from.#connecting = null;
    to.#shared.notify();
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
  static _detachStream(sock: Socket): StreamHandle | null {
    const s = sock.#liveStream();
    if (s === null) return null;
    sock.#stream = null;
    return s.detach();
  }

  /**
   * Connects the socket over `h` (the upgraded connection).
   *
   * @param sock The socket `_detachStream` was called on.
   * @param h The new handle.
   * @ignore
   */
  static _attachStream(sock: Socket, h: StreamHandle): void {
    sock.#adopt(h);
  }

  /**
   * Bytes received and not read yet (`SSLSocket.pending`).
   *
   * @param sock The socket.
   * @returns The count.
   * @ignore
   */
  static _buffered(sock: Socket): number {
    return sock.#liveStream()?.buffered ?? 0;
  }

  /**
   * Whether the socket is connected or listening, for `wrap_socket`.
   *
   * @param sock The socket.
   * @returns `"connected"`, `"listening"`, or `"unconnected"`.
   * @ignore
   */
  static _stateOf(sock: Socket): "connected" | "listening" | "unconnected" {
    if (sock.#state === "connected" && sock.#stream !== null) return "connected";
    if (sock.#state === "listening") return "listening";
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
    const shared = this.#shared;
    if (shared.closed) {
      return { readable: false, writable: false, error: false, hangup: false, closed: true };
    }
    if (this.#dgram !== null) return this.#dgram.readiness();
    if (this.#state === "listening") {
      if (this.#listener !== null) return this.#listener.readiness();
      const failed = this.#bindError !== null;
      return { readable: failed, writable: false, error: failed, hangup: false, closed: false };
    }
    if (this.#stream !== null) return this.#stream.readiness();
    if (this.#state === "fresh" && shared.soError !== 0) {
      return { readable: true, writable: true, error: true, hangup: true, closed: false };
    }
    return {
      readable: false,
      writable: false,
      error: false,
      hangup: this.#state === "fresh",
      closed: false,
    };
  }

  /**
   * Subscribes to readiness changes.
   *
   * @param onChange Called after each change.
   * @returns Unsubscribe.
   * @ignore
   */
  [kWatch](onChange: () => void): () => void {
    return this.#shared.watchers.add(onChange);
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
  static _drops(s: Socket): number {
    return s.#dgram?.drops ?? 0;
  }

  // ---- checks ------------------------------------------------------------------------

  /** The local endpoint: bound, or the connection's (asked of the runtime once). */
  #localAddress(): BackendAddress | null {
    return this.#local ??= this.#stream?.handle.local ?? null;
  }

  /** The peer: connected to, or the connection's (asked of the runtime once). */
  #remoteAddress(): BackendAddress | null {
    return this.#remote ??= this.#stream?.handle.remote ?? null;
  }

  #checkOpen(): void {
    if (this.#shared.closed) throw new OSError(E.EBADF);
  }

  /** The stream part when reads and writes may use it now: open and connected. */
  #liveStream(): _Stream | null {
    return this.#shared.closed ? null : this.#stream;
  }

  /** The stream part of an open connected socket, or the error a recv raises. */
  #connectedStream(): _Stream {
    const s = this.#liveStream();
    if (s !== null) return s;
    this.#checkOpen();
    const shared = this.#shared;
    if (this.#state === "fresh" && shared.soError !== 0) throw oserror(shared.takeError());
    if (this.#state === "connecting") throw this.#stillConnecting();
    // Linux: recv on an unconnected unix stream socket is EINVAL.
    throw new OSError(this.family === AF_UNIX ? E.EINVAL : E.ENOTCONN);
  }

  /** The stream part when a send may go out, or the error a send raises. */
  #sendableStream(): _Stream {
    const s = this.#liveStream();
    if (s !== null) {
      s.checkSendable();
      return s;
    }
    this.#checkOpen();
    if (this.#state === "connecting") throw this.#stillConnecting();
    // Linux: send on an unconnected unix stream socket is ENOTCONN, on TCP EPIPE.
    throw oserror(this.family === AF_UNIX ? E.ENOTCONN : E.EPIPE);
  }

  /**
   * A call while `connect()` is pending: EAGAIN as Linux reports it; on a
   * blocking socket that means the connect's promise was not awaited, so say so.
   */
  #stillConnecting(): OSError {
    if (this.#shared.timeout === 0) return oserror(E.EAGAIN);
    return new BlockingIOError(
      E.EAGAIN,
      "Resource temporarily unavailable: connect() is still pending " +
        "(await the promise connect() returns before using the socket)",
    );
  }
}

/** Checks a recv size as Python does (a C ssize_t, not negative). */
function _bufsizeArg(bufsize: number, fn: string): number {
  if (typeof bufsize === "number" && bufsize >= 2 ** 63) {
    throw new RangeError("Python int too large to convert to C ssize_t");
  }
  const n = _intArg(bufsize);
  if (n < 0) throw new RangeError(`negative buffersize in ${fn}`);
  if (n > Number.MAX_SAFE_INTEGER) {
    throw new RangeError("Python int too large to convert to C ssize_t");
  }
  return n;
}

/**
 * Refuses an IPv6-only wildcard stream bind where the runtime would listen
 * dual-stack anyway (rather than accept IPv4 clients silently).
 */
function _checkV6Only(b: Backend, address: BackendAddress, v6only: boolean): void {
  const why = b.capabilities.ipv6OnlyStream ?? null;
  if (!v6only || why === null || address.kind !== "inet" || address.version !== 6) return;
  if (address.host !== "::") return; // a specific address: V6ONLY changes nothing
  throw new OSError(
    E.ENOPROTOOPT,
    `IPV6_V6ONLY is not available for stream sockets on ${b.name}: ${why}`,
  );
}

/**
 * Creates a socket, as Python's `socket.socket(...)`.
 *
 * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
 * @param proto 0, or the protocol matching the type.
 * @returns The new socket.
 *
 * @example A UDP socket
 * ```ts
 * import { socket, AF_INET, SOCK_DGRAM } from "@unisock/socket";
 * const s = socket(AF_INET, SOCK_DGRAM);
 * s.close();
 * ```
 */
export function socket(
  family: number = AF_INET,
  type: number = SOCK_STREAM,
  proto: number = 0,
): Socket {
  return new Socket(family, type, proto);
}
