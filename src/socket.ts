/**
 * The `Socket` class: Python's socket object over any runtime's networking.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SO_BROADCAST,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./constants.ts";
import * as E from "./errno.ts";
import { BlockingIOError, gaierror, OSError, oserror, TimeoutError } from "./errors.ts";
import { _bufferArg, _cIntArg, _dataArg, _intArg, _pyType, _timeoutArg } from "./_args.ts";
import { _checkAddress, _resolve, _resolveNow, _toPython, type Address } from "./_address.ts";
import {
  type Backend,
  type BackendAddress,
  type ConnectCancel,
  type DatagramHandle,
  getBackend,
  type ListenerHandle,
  type StreamHandle,
  type StreamSink,
} from "./backend.ts";
import { _RecvBuffer } from "./_recv_buffer.ts";
import { _Arrivals, _DatagramQueue, _TargetCache } from "./_datagram.ts";
import { _deadline, _Deadlines, _setTimer } from "./_timer.ts";
import { _getDefaultTimeout } from "./_defaults.ts";
import {
  _allocFd,
  _freeFd,
  _Watchers,
  kReadiness,
  kWatch,
  type Pollable,
  type Readiness,
} from "./_readiness.ts";
import { SocketFile, type SocketFileOptions } from "./makefile.ts";

export type { Address } from "./_address.ts";

/** Bytes a socket accepts as data: any ArrayBufferView, or a string sent as UTF-8. */
export type Data = ArrayBufferView | string;

type _State = "fresh" | "bound" | "listening" | "connecting" | "connected";
type _Flag = "reuseaddr" | "reuseport" | "keepalive" | "broadcast" | "nodelay" | "v6only";
type _OptKey = _Flag | "rcvbuf" | "sndbuf";

/** A pending wait: woken once `ready()` holds or the socket closed. */
interface _Waiter {
  readonly ready: () => boolean;
  readonly wake: () => void;
}

const _EMPTY = new Uint8Array(0);
/** A settled promise, shared by calls that completed at once. */
const _DONE: Promise<void> = Promise.resolve();
const _BROADCAST: ReadonlySet<string> = new Set(["255.255.255.255", "127.255.255.255"]);
const _SEND_CHUNK = 256 * 1024;
const _SOCK_NONBLOCK = 0o4000;
const _SOCK_CLOEXEC = 0o2000000;

/** A recv waiting on the fast path (see `Socket.#waitRead`). */
interface _ReadWait {
  /** The most bytes. */
  readonly n: number;
  /** A readline: settles at a newline, `n` bytes, EOF or an error. */
  readonly line: boolean;
  readonly resolve: (data: Uint8Array) => void;
  readonly reject: (err: unknown) => void;
  timer: { cancel(): void } | null;
}

/** A blocking accept without a timeout, waiting on the fast path (see `Socket.accept`). */
interface _AcceptWait {
  readonly resolve: (pair: [Socket, Address]) => void;
  readonly reject: (err: unknown) => void;
}

/** A recv size the fast path takes as is: a positive 32-bit integer. */
function _plainSize(n: unknown): n is number {
  return typeof n === "number" && (n | 0) === n && n > 0;
}

let _adoptStream: (s: Socket, h: StreamHandle) => void;
let _hideNames: (s: Socket) => void;
let _streamData: (s: Socket, chunk: Uint8Array) => void;
let _streamEnd: (s: Socket) => void;
let _streamError: (s: Socket, err: OSError) => void;

/** What a connected socket gives its stream handle: one object, no closure per event kind. */
class _StreamSink implements StreamSink {
  readonly #s: Socket;

  constructor(s: Socket) {
    this.#s = s;
  }

  data(chunk: Uint8Array): void {
    _streamData(this.#s, chunk);
  }

  end(): void {
    _streamEnd(this.#s);
  }

  error(err: OSError): void {
    _streamError(this.#s, err);
  }
}

/**
 * Abstract names this process's unix sockets hold only because a runtime
 * cannot send from (or pair) an unnamed socket: Python shows such sockets
 * as unnamed (`""` as their name, `null` as a sender's address).
 */
const _hiddenNames = new Set<string>();

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

/** EBADF, for calls a close ends. */
function _ebadf(): OSError {
  return new OSError(E.EBADF);
}

function _sameAddress(a: BackendAddress, b: BackendAddress): boolean {
  if (a.kind === "unix" || b.kind === "unix") {
    return a.kind === "unix" && b.kind === "unix" && a.path === b.path;
  }
  const strip = (h: string) => h.startsWith("::ffff:") ? h.slice(7) : h;
  return a.port === b.port && strip(a.host) === strip(b.host);
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
export class Socket implements Pollable {
  /** The address family, e.g. `AF_INET`. */
  readonly family: number;
  /** The socket type, e.g. `SOCK_STREAM`. */
  readonly type: number;
  /** The protocol number (0 when chosen by type). */
  readonly proto: number;

  #fd: number;
  #timeout: number | null;
  #state: _State = "fresh";
  #closed = false;
  #ioRefs = 0;
  #closeWanted = false;
  #watchers = new _Watchers();
  #waiters: _Waiter[] = [];
  #readWait: _ReadWait | null = null;
  #acceptWait: _AcceptWait | null = null;
  #local: BackendAddress | null = null;
  #remote: BackendAddress | null = null;
  #binding: Promise<void> | null = null;
  #soError = 0;
  /** Boolean options set so far (`null`: none, as for most sockets). */
  #opts: Partial<Record<_Flag, number>> | null = null;
  #rcvbuf: number;
  #sndbuf: number;
  #linger: [number, number] = [0, 0];
  // listening
  #listener: ListenerHandle | null = null;
  #acceptQueue: StreamHandle[] = [];
  #listenError: OSError | null = null;
  // stream
  #stream: StreamHandle | null = null;
  #connecting: _Cancel | null = null;
  #rbuf = new _RecvBuffer();
  #eof = false;
  #readError: OSError | null = null;
  #writeError: OSError | null = null;
  #rdShut = false;
  #wrShut = false;
  #reset = false;
  #paused = false;
  #want = 0;
  #writing = 0;
  /** Settles (never rejects) once the write in flight settled; `null` when none is. */
  #inflight: Promise<void> | null = null;
  /** Settles once the FIN of `shutdown` went out (or failed); `null` before. */
  #fin: Promise<void> | null = null;
  // datagram
  #dgram: DatagramHandle | null = null;
  #dq: _DatagramQueue | null = null; // made on first use: datagram sockets only
  #dgPaused = false;
  #peer: BackendAddress | null = null;
  #sendCache: _TargetCache | null = null;
  #deadlines: _Deadlines | null = null;
  #arrivals: _Arrivals | null = null;
  #fromHost = "";
  #fromText = "";

  #hidden: "auto" | "pair" | null = null;

  static {
    _adoptStream = (s, h) => s.#adopt(h);
    _hideNames = (s) => s.#hideNames("pair");
    _streamData = (s, chunk) => s.#onData(chunk);
    _streamEnd = (s) => s.#onEnd();
    _streamError = (s, err) => s.#onError(err);
  }

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
    this.#timeout = nonblock ? 0 : _getDefaultTimeout();
    this.#rcvbuf = type === SOCK_STREAM ? 131072 : 212992;
    this.#sndbuf = type === SOCK_STREAM ? 16384 : 212992;
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
    this.#timeout = t;
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
    return this.#timeout;
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
    this.#timeout = flag ? null : 0;
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
    return this.#timeout !== 0;
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

  async #doBind(parsed: ReturnType<typeof _checkAddress>): Promise<void> {
    // Linux autobinds a unix stream socket bound to "" to an abstract name of 5 hex digits.
    if (parsed === "" && this.type === SOCK_STREAM) parsed = _autobindName();
    const address = await _resolve(this.family, parsed, true);
    const b = getBackend();
    if (this.type === SOCK_STREAM) {
      _checkV6Only(b, address, this.#opt("v6only") !== 0);
      const l = await b.listen({
        address,
        // The listener exists before listen(n) is called, so take the most the
        // kernel allows: with 511, Node stalled 1 s (ListenOverflows, a SYN
        // retry) at the 512th of 1,000 connections held open at once.
        backlog: 4096,
        reusePort: this.#opt("reuseport") !== 0,
        ipv6Only: this.#opt("v6only") !== 0,
      });
      if (this.#closed) {
        l.close();
        throw new OSError(E.EBADF);
      }
      this.#listener = l;
      this.#local = l.local;
      this.#state = "bound";
      l.start({
        connection: (h) => {
          this.#acceptQueue.push(h);
          this.#notify();
        },
        error: (err) => {
          this.#listenError = err;
          this.#notify();
        },
      });
      return;
    }
    const d = await b.bindDatagram({
      address,
      reuseAddress: this.#opt("reuseaddr") !== 0,
      reusePort: this.#opt("reuseport") !== 0,
      ipv6Only: this.#opt("v6only") !== 0,
    });
    if (this.#closed) {
      d.close();
      throw new OSError(E.EBADF);
    }
    this.#adoptDatagram(d);
  }

  #adoptDatagram(d: DatagramHandle): void {
    this.#dgram = d;
    this.#local = d.local;
    this.#state = "bound";
    if (this.#dgPaused) d.pause?.();
    if (this.#opt("broadcast")) d.setBroadcast(true);
    d.start({
      message: (data, from) => this.#onDatagram(data, from),
      error: (err) => {
        this.#soError = err.errno ?? E.EIO;
        this.#arrivals?.wake(this.#deadlines);
        this.#notify();
      },
    });
  }

  /**
   * Queues an arriving datagram. The queue takes at most twice SO_RCVBUF
   * bytes and drops (and counts) the excess, as a full kernel queue does.
   * Where the runtime can stop reading, reading stops once it holds SO_RCVBUF
   * and the kernel's queue fills instead; where it cannot, the whole bound is
   * the queue's.
   */
  #onDatagram(data: Uint8Array, from: BackendAddress): void {
    if (this.#peer !== null && !_sameAddress(this.#peer, from)) return;
    const q = this.#datagrams();
    if (!q.push(data, from, this.#rcvbuf * 2)) return;
    const d = this.#dgram;
    if (!this.#dgPaused && q.bytes > this.#rcvbuf && d?.pause !== undefined) {
      this.#dgPaused = true;
      d.pause();
    }
    this.#arrivals?.wake(this.#deadlines);
    this.#notify();
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
    if (backlog !== undefined) _intArg(backlog);
    if (this.type !== SOCK_STREAM) throw new OSError(E.EOPNOTSUPP);
    if (this.#state === "connected" || this.#state === "connecting") throw new OSError(E.EINVAL);
    if (this.#state === "fresh" && this.#binding === null) {
      // Linux refuses to listen on an unbound unix socket (no autobind).
      if (this.family === AF_UNIX) throw new OSError(E.EINVAL);
      const wildcard: Address = [this.family === AF_INET6 ? "::" : "0.0.0.0", 0];
      this.bind(wildcard).catch((err: OSError) => {
        this.#listenError = err;
        this.#notify();
      });
    }
    this.#state = "listening";
    this.#notify();
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
    // The common cases without an async frame: a connection waits already (a
    // listener under load), or a blocking accept without a timeout waits in
    // one slot that the notification bringing a connection settles.
    if (this.#state === "listening" && !this.#closed && this.#listenError === null) {
      if (this.#acceptQueue.length > 0) {
        return Promise.resolve(this.#accepted(this.#acceptQueue.shift()!));
      }
      if (this.#timeout === null && this.#acceptWait === null) {
        return new Promise((resolve, reject) => {
          this.#acceptWait = { resolve, reject };
        });
      }
    }
    return this.#accept();
  }

  /** Settles the waiting fast-path accept: a connection came, the listener failed or closed. */
  #serveAccept(): void {
    const w = this.#acceptWait!;
    if (this.#closed) {
      this.#acceptWait = null;
      w.reject(new OSError(E.EBADF));
    } else if (this.#acceptQueue.length > 0) {
      this.#acceptWait = null;
      w.resolve(this.#accepted(this.#acceptQueue.shift()!));
    } else if (this.#listenError !== null) {
      this.#acceptWait = null;
      w.reject(this.#listenError);
    }
  }

  async #accept(): Promise<[Socket, Address]> {
    this.#checkOpen();
    if (this.type !== SOCK_STREAM) throw new OSError(E.EOPNOTSUPP);
    if (this.#state !== "listening") throw new OSError(E.EINVAL);
    const deadline = _deadline(this.#timeout);
    let h: StreamHandle | undefined;
    // Loops when a concurrent accept took the connection this one was woken for.
    while ((h = this.#acceptQueue.shift()) === undefined) {
      if (this.#listenError !== null) throw this.#listenError;
      await this.#until(
        () => this.#acceptQueue.length > 0 || this.#listenError !== null,
        0,
        deadline,
      );
    }
    return this.#accepted(h);
  }

  /** The connected socket and peer address `accept` returns for a queued connection. */
  #accepted(h: StreamHandle): [Socket, Address] {
    const conn = new Socket(this.family, this.type, this.proto);
    if (_getDefaultTimeout() === null) conn.#timeout = null;
    _adoptStream(conn, h);
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
    let parsed: ReturnType<typeof _checkAddress>;
    try {
      this.#checkOpen();
      parsed = _checkAddress(this.family, address, fn);
      if (parsed === "") throw new OSError(E.EINVAL); // an empty unix path names nothing
    } catch (err) {
      return Promise.reject(err);
    }
    if (
      this.type === SOCK_STREAM && this.#timeout === null &&
      (this.#state === "fresh" || this.#state === "bound")
    ) {
      const target = _resolveNow(this.family, parsed);
      if (target !== null) return this.#startConnect(target);
    }
    return this.#connectChecked(parsed);
  }

  async #connectChecked(parsed: ReturnType<typeof _checkAddress>): Promise<void> {
    if (this.type === SOCK_DGRAM) return await this.#connectDatagram(parsed);
    if (this.#state === "connected") throw new OSError(E.EISCONN);
    if (this.#state === "connecting") throw oserror(E.EALREADY);
    if (this.#state === "listening") throw new OSError(E.EISCONN);
    const nonblocking = this.#timeout === 0;
    let target = _resolveNow(this.family, parsed);
    if (target === null) {
      target = await _resolve(this.family, parsed, false);
      this.#checkOpen();
    }
    const attempt = this.#startConnect(target);
    if (nonblocking) {
      attempt.catch(() => {});
      throw new BlockingIOError(E.EINPROGRESS);
    }
    const deadline = _deadline(this.#timeout);
    try {
      await this.#race(attempt, deadline);
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
    this.#notify();
    return b.connect({ address: target, cancel: ctl, source })
      .then((h) => {
        if (this.#closed || ctl.cancelled) {
          h.abort();
          throw new OSError(this.#closed ? E.EBADF : E.ETIMEDOUT);
        }
        this.#connecting = null;
        this.#adopt(h);
      }, (err: OSError) => {
        if (this.#connecting === ctl) this.#connecting = null;
        // A close ends a waiting connect as it ends every other call: EBADF
        // (the backend reports its cancelled attempt as ECANCELED).
        if (this.#closed) throw _ebadf();
        if (this.#state === "connecting") {
          this.#state = "fresh";
          // An attempt the core gave up on (a timeout) failed on nothing the
          // kernel reported: SO_ERROR stays 0, as after CPython's timeout.
          if (!ctl.cancelled) this.#soError = err.errno ?? E.EIO;
          this.#notify();
        }
        throw err;
      });
  }

  #adopt(h: StreamHandle): void {
    this.#stream = h;
    // Read from the handle when first asked (a runtime may need a system call).
    this.#local = null;
    this.#remote = null;
    this.#state = "connected";
    if (this.#opt("nodelay")) h.setNoDelay(true);
    if (this.#opt("keepalive")) h.setKeepAlive(true);
    h.start(new _StreamSink(this));
    this.#notify();
  }

  #onData(chunk: Uint8Array): void {
    if (this.#rdShut) return;
    this.#rbuf.push(chunk);
    this.#notify(); // a waiting recv takes its part first
    // Reading stops at 8x SO_RCVBUF buffered and goes on below 2x: the gap
    // keeps a reader slower than the runtime's big reads (Bun: up to 512
    // KiB) from pausing and resuming on every chunk (two system calls each).
    if (!this.#paused && this.#rbuf.length >= Math.max(this.#rcvbuf * 8, this.#want)) {
      this.#paused = true;
      this.#stream!.pause();
    }
  }

  #onEnd(): void {
    this.#eof = true;
    this.#notify();
  }

  #onError(err: OSError): void {
    this.#readError = err;
    this.#writeError = err;
    this.#reset ||= err.errno === E.ECONNRESET;
    this.#eof = true;
    this.#notify();
  }

  async #connectDatagram(parsed: ReturnType<typeof _checkAddress>): Promise<void> {
    const target = await _resolve(this.family, parsed, false);
    await this.#autobind();
    // Datagrams queued before connect stay queued, as on Linux; only later
    // ones from other senders are filtered out.
    this.#peer = target;
    this.#remote = target;
    this.#notify();
  }

  async #autobind(): Promise<void> {
    if (this.#binding !== null) await this.#binding.catch(() => {});
    if (this.#dgram !== null) return;
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
    if (this.#closed || local === null || local.kind !== "unix") return;
    this.#hidden = kind;
    if (local.path !== "") _hiddenNames.add(local.path);
    if (kind === "pair") this.#remote = { kind: "unix", path: "" };
  }

  /** Before an explicit bind: closes the hidden autobound datagram socket, keeping its queue. */
  #dropAutobind(): void {
    const d = this.#dgram;
    if (this.#local?.kind === "unix") _hiddenNames.delete(this.#local.path);
    this.#hidden = null;
    this.#dgram = null;
    this.#local = null;
    this.#state = "fresh";
    d?.close();
  }

  /**
   * A sender's address as Python shows it (`null` for an unnamed unix
   * socket). The host text of the last sender is cached: most datagrams come
   * from the sender of the one before.
   */
  #fromAddress(from: BackendAddress): Address | null {
    if (from.kind === "unix") {
      return from.path === "" || _hiddenNames.has(from.path) ? null : _toPython(this.family, from);
    }
    if (from.host !== this.#fromHost || this.#fromText === "") {
      this.#fromText = _toPython(this.family, from)[0] as string;
      this.#fromHost = from.host;
    }
    return this.family === AF_INET
      ? [this.#fromText, from.port]
      : [this.#fromText, from.port, 0, 0];
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
    // The common case without an async frame: a connected stream, no flags,
    // a plain size; bytes buffered, or nothing to report but to wait.
    if (flags === 0 && this.#state === "connected" && !this.#closed && _plainSize(bufsize)) {
      if (this.#rbuf.length > 0) return Promise.resolve(this.#takeStream(bufsize, 0));
      if (this.#timeout !== 0 && this.#readWait === null && !this.#readable()) {
        return this.#waitRead(bufsize, false);
      }
    }
    return this.#recv(bufsize, flags);
  }

  /** Every other recv: argument errors, datagrams, flags, EOF and errors. */
  async #recv(bufsize: number, flags: number): Promise<Uint8Array> {
    const n = this.#checkBufsize(bufsize, "recv");
    if (flags !== 0) flags = _intArg(flags);
    this.#checkOpen();
    if (this.type === SOCK_DGRAM) {
      if (n === 0) return new Uint8Array(0); // as Python: no datagram is consumed
      if (this.#datagramReady()) return this.#takeDatagram(n, flags);
      return await this.#recvDatagram(flags, () => this.#takeDatagram(n, flags));
    }
    const r = this.#recvStream(n, flags);
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
    const n = this.#checkBufsize(bufsize, "recvfrom");
    flags = _intArg(flags);
    this.#checkOpen();
    if (this.type === SOCK_DGRAM) {
      if (this.#datagramReady()) return this.#takeDatagramFrom(n, flags);
      return await this.#recvDatagram(flags, () => this.#takeDatagramFrom(n, flags));
    }
    const r = this.#recvStream(n, flags);
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
    flags = _intArg(flags);
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
    if (this.type === SOCK_DGRAM) {
      if (want === 0 && fn === "recv_into") return [0, null]; // as Python's recv_into
      const [data, from] = this.#datagramReady()
        ? this.#takeDatagramFrom(want, flags)
        : await this.#recvDatagram(flags, () => this.#takeDatagramFrom(want, flags));
      dst.set(data);
      return [data.length, from];
    }
    if (want === 0) {
      this.#checkConnected();
      return [0, null];
    }
    do {
      const wait = this.#waitStream(want, flags);
      if (wait !== undefined) await wait;
    } while (this.#takenByOther());
    if (this.#rbuf.length === 0) {
      this.#throwReadError();
      return [0, null];
    }
    const got = this.#rbuf.copyInto(dst.subarray(0, want), (flags & MSG_PEEK) === 0);
    this.#drained();
    return [got, null];
  }

  /** A stream recv: the bytes at once when buffered, else a promise of them. */
  #recvStream(n: number, flags: number): Uint8Array | Promise<Uint8Array> {
    if (n === 0) return new Uint8Array(0);
    if (this.#rbuf.length > 0 && (flags & MSG_WAITALL) === 0) return this.#takeStream(n, flags);
    return this.#recvLater(n, flags);
  }

  async #recvLater(n: number, flags: number): Promise<Uint8Array> {
    do {
      const wait = this.#waitStream(n, flags);
      if (wait !== undefined) await wait;
    } while (this.#takenByOther());
    if (this.#rbuf.length === 0) {
      this.#throwReadError();
      return new Uint8Array(0);
    }
    return this.#takeStream(n, flags);
  }

  /**
   * A blocking recv with nothing to read yet: one promise, settled from the
   * notification that brings data, EOF, an error or close (`#serveRead`).
   */
  #waitRead(n: number, line: boolean): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const r: _ReadWait = { n, line, resolve, reject, timer: null };
      if (this.#timeout !== null) {
        r.timer = _setTimer(this.#timeout * 1000, () => {
          if (this.#readWait === r) {
            this.#readWait = null;
            this.#want = 0;
          }
          reject(new TimeoutError());
        });
      }
      this.#readWait = r;
    });
  }

  /** Settles the waiting fast-path recv or readline if it would now return. */
  #serveRead(): void {
    const r = this.#readWait!;
    let take = 0;
    if (!this.#closed) {
      if (!this.#readable()) return;
      if (this.#rbuf.length > 0) {
        take = r.line ? this.#lineEnd(r.n) : r.n;
        if (take === 0) return; // the line goes on: more must come first
      }
    }
    this.#readWait = null;
    this.#want = 0;
    r.timer?.cancel();
    if (this.#closed) r.reject(new OSError(E.EBADF));
    else if (take > 0) r.resolve(this.#takeStream(take, 0));
    else {
      try {
        this.#throwReadError();
        r.resolve(new Uint8Array(0));
      } catch (err) {
        r.reject(err);
      }
    }
  }

  /**
   * How many buffered bytes the next line takes (through `\n`, at most
   * `cap`; all of them at EOF or an error), or 0 when more must come first
   * (then reading goes on even above the pause mark).
   */
  #lineEnd(cap: number): number {
    const n = Math.min(cap, this.#rbuf.length);
    const at = this.#rbuf.indexOf(0x0a, n);
    if (at >= 0) return at + 1;
    if (n >= cap || this.#eof || this.#rdShut || this.#readError !== null) return n;
    this.#wantMore(this.#rbuf.length + 1);
    return 0;
  }

  /** Woken for data that a concurrent recv took first (not EOF): wait again. */
  #takenByOther(): boolean {
    return this.#rbuf.length === 0 && !this.#eof && !this.#rdShut && this.#readError === null;
  }

  #takeStream(n: number, flags: number): Uint8Array {
    const out = (flags & MSG_PEEK) !== 0 ? this.#rbuf.peek(n) : this.#rbuf.take(n);
    this.#drained();
    return out;
  }

  #waitStream(n: number, flags: number): Promise<void> | undefined {
    this.#checkConnected();
    if ((flags & MSG_WAITALL) === 0 || n <= 1) return this.#until(() => this.#readable(), flags);
    this.#wantMore(n);
    let wait: Promise<void> | undefined;
    try {
      wait = this.#until(
        () => this.#rbuf.length >= n || this.#eof || this.#rdShut || this.#readError !== null,
        flags,
      );
    } finally {
      if (wait === undefined) this.#want = 0;
    }
    return wait?.finally(() => this.#want = 0);
  }

  /** Whether a recv would return now (data, EOF, shutdown or an error). */
  #readable(): boolean {
    return this.#rbuf.length > 0 || this.#eof || this.#rdShut || this.#readError !== null;
  }

  #wantMore(need: number): void {
    this.#want = need;
    if (this.#paused && this.#rbuf.length < need) {
      this.#paused = false;
      this.#stream?.resume();
    }
  }

  #drained(): void {
    if (this.#paused && this.#rbuf.length < this.#rcvbuf * 2) {
      this.#paused = false;
      this.#stream?.resume();
    }
    this.#notify();
  }

  #throwReadError(): void {
    const err = this.#readError;
    if (err !== null) {
      this.#readError = null;
      // One pending error is reported once, as Linux's sk_err: later sends get EPIPE.
      if (this.#writeError === err) this.#writeError = oserror(E.EPIPE);
      throw err;
    }
  }

  /** The datagram queue, made on first use. */
  #datagrams(): _DatagramQueue {
    return this.#dq ??= new _DatagramQueue();
  }

  /** Whether a datagram receive completes now, without waiting. */
  #datagramReady(): boolean {
    return this.#dq !== null && this.#dq.length > 0 && this.#binding === null;
  }

  /**
   * Waits for a datagram (a pending error, queued or not, is raised once the
   * queue is empty), then takes it with `take`.
   */
  async #recvDatagram<T>(flags: number, take: () => T): Promise<T> {
    if (this.#binding !== null) await this.#binding.catch(() => {});
    let at: number | undefined;
    // Loops when another receive, woken by the same datagram, took it first.
    while (this.#datagrams().length === 0) {
      this.#checkOpen();
      const errno = this.#soError;
      if (errno !== 0) {
        this.#soError = 0;
        throw oserror(errno);
      }
      if (this.#timeout === 0 || (flags & MSG_DONTWAIT) !== 0) throw new BlockingIOError(E.EAGAIN);
      if (at === undefined) {
        at = this.#timeout === null ? Infinity : _deadline(this.#timeout)!;
        if (at !== Infinity) this.#deadlines ??= new _Deadlines();
      }
      await (this.#arrivals ??= new _Arrivals()).wait(at, this.#deadlines);
    }
    return take();
  }

  /**
   * Takes (or, with MSG_PEEK, copies) the first queued datagram, cut to `n`
   * bytes. Only when one is queued.
   */
  #takeDatagram(n: number, flags: number): Uint8Array {
    const q = this.#datagrams();
    if ((flags & MSG_PEEK) !== 0) return q.first().slice(0, n);
    const data = q.take();
    if (this.#dgPaused && q.bytes <= this.#rcvbuf / 2) {
      this.#dgPaused = false;
      this.#dgram?.resume?.();
    }
    this.#notify();
    return data.length > n ? data.slice(0, n) : data;
  }

  /** {@linkcode Socket.#takeDatagram} with the sender's address, as `recvfrom` returns them. */
  #takeDatagramFrom(n: number, flags: number): [Uint8Array, Address | null] {
    const from = this.#fromAddress(this.#datagrams().from());
    return [this.#takeDatagram(n, flags), from];
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
    flags = _intArg(flags);
    this.#checkOpen();
    if (this.type === SOCK_DGRAM) {
      if (this.#peer === null) {
        throw new OSError(this.family === AF_UNIX ? E.ENOTCONN : E.EDESTADDRREQ);
      }
      const sent = this.#sendDatagram(bytes, this.#peer, flags);
      if (sent !== undefined) await sent;
      return bytes.length;
    }
    this.#checkSendable();
    if (bytes.length === 0) return 0;
    const part = bytes.subarray(0, Math.min(bytes.length, _SEND_CHUNK));
    const p = this.#write(part, flags, _deadline(this.#timeout));
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
    if (
      flags === 0 && this.#timeout === null && this.#writing === 0 &&
      this.#state === "connected" && !this.#closed && !this.#wrShut && this.#writeError === null &&
      data instanceof Uint8Array && data.length <= _SEND_CHUNK
    ) {
      return this.#write(data, 0, null) ?? _DONE;
    }
    return this.#sendall(data, flags);
  }

  /** Every other sendall: argument errors, datagrams, timeouts, big data. */
  async #sendall(data: Data, flags: number): Promise<void> {
    const bytes = _dataArg(data);
    flags = _intArg(flags);
    this.#checkOpen();
    if (this.type === SOCK_DGRAM) {
      await this.send(bytes, flags);
      return;
    }
    this.#checkSendable();
    const deadline = _deadline(this.#timeout);
    if (bytes.length <= _SEND_CHUNK) {
      const p = this.#write(bytes, flags, deadline);
      if (p !== undefined) await p;
      return;
    }
    for (let off = 0; off < bytes.length; off += _SEND_CHUNK) {
      const p = this.#write(
        bytes.subarray(off, Math.min(bytes.length, off + _SEND_CHUNK)),
        flags,
        deadline,
      );
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
      const flags = maybeAddress === undefined ? 0 : _intArg(flagsOrAddress);
      this.#checkOpen();
      const target = this.#sendCache?.get(address);
      if (target == null) return this.#sendtoResolving(bytes, address, flags);
      const sent = this.#sendDatagram(bytes, target, flags);
      return sent === undefined ? Promise.resolve(bytes.length) : sent.then(() => bytes.length);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** `sendto` to an address not in the cache: checked, resolved, then sent. */
  async #sendtoResolving(bytes: Uint8Array, address: Address, flags: number): Promise<number> {
    const sent = this.#sendDatagram(bytes, await this.#sendTarget(address), flags);
    if (sent !== undefined) await sent;
    return bytes.length;
  }

  /** Checks and resolves a `sendto` address, remembering it when it was numeric. */
  async #sendTarget(address: Address): Promise<BackendAddress> {
    const parsed = _checkAddress(this.family, address, "sendto");
    if (this.type === SOCK_STREAM) {
      if (this.#state === "connected") throw new OSError(E.EISCONN);
      throw this.family === AF_UNIX ? new OSError(E.EOPNOTSUPP) : oserror(E.EPIPE);
    }
    if (parsed === "") throw new OSError(E.EINVAL);
    const target = await _resolve(this.family, parsed, false);
    if (typeof parsed !== "string") {
      (this.#sendCache ??= new _TargetCache()).set(
        address as readonly unknown[],
        parsed.host,
        target,
      );
    }
    return target;
  }

  /**
   * Sends one datagram: `undefined` when it is done (sent at once, or not
   * awaited in non-blocking mode), else a promise of the send.
   */
  #sendDatagram(bytes: Uint8Array, to: BackendAddress, flags: number): Promise<void> | undefined {
    // Linux's limits: 65535 minus the IP and UDP headers; for unix
    // datagrams the default send buffer (wmem_default 212992) minus 32.
    const max = this.family === AF_INET ? 65507 : this.family === AF_INET6 ? 65527 : 212960;
    if (bytes.length > max) throw new OSError(E.EMSGSIZE);
    if (this.#wrShut) throw oserror(E.EPIPE);
    // The limited broadcast and loopback's broadcast address need
    // SO_BROADCAST; checked here because some runtimes set it on every socket.
    if (to.kind === "inet" && !this.#opt("broadcast") && _BROADCAST.has(to.host)) {
      throw oserror(E.EACCES);
    }
    if (this.#dgram !== null && this.#binding === null) return this.#sendNow(bytes, to, flags);
    return this.#autobind().then(() => this.#sendNow(bytes, to, flags));
  }

  #sendNow(bytes: Uint8Array, to: BackendAddress, flags: number): Promise<void> | undefined {
    this.#checkOpen();
    const wait = this.#timeout !== 0 && (flags & MSG_DONTWAIT) === 0;
    const p = this.#dgram!.send(wait ? bytes : bytes.slice(), to);
    if (p === undefined) return undefined;
    if (!wait) {
      p.catch((err: OSError) => {
        this.#soError = err.errno ?? E.EIO;
      });
      return undefined;
    }
    return this.#timeout === null ? p : this.#watchSend(p, _deadline(this.#timeout)!);
  }

  /**
   * `p`, but rejected with TimeoutError at `at` (`Infinity`: never), or with
   * EBADF when the socket closes first: a pending send does not outlive
   * close (and node:dgram never calls back a send dropped at close).
   */
  #watchSend(p: Promise<void>, at: number): Promise<void> {
    const deadlines = this.#deadlines ??= new _Deadlines();
    return new Promise<void>((resolve, reject) => {
      const d = deadlines.add(at, (closed) => reject(closed ?? new TimeoutError()));
      p.then(() => {
        deadlines.remove(d);
        resolve();
      }, (err: unknown) => {
        deadlines.remove(d);
        reject(err);
      });
    });
  }

  /** At close: forgets the queued datagrams; waiting receives end with EBADF. */
  #closeDatagram(): void {
    this.#dq?.clear();
    this.#arrivals?.close(_ebadf);
  }

  /**
   * Starts one write of a stream socket. Returns `undefined` when it needs no
   * waiting: the runtime wrote every byte at once, or (non-blocking) the
   * bytes were handed over; else a promise that settles with the write,
   * rejects with EBADF at once if the socket is closed meanwhile (a pending
   * send does not outlive close) and with TimeoutError at the deadline.
   */
  #write(part: Uint8Array, flags: number, deadline: number | null): Promise<void> | undefined {
    const nonblocking = this.#timeout === 0 || (flags & MSG_DONTWAIT) !== 0;
    if (this.#writing > 0) {
      if (nonblocking) throw new BlockingIOError(E.EAGAIN);
      return this.#writeLater(part, flags, deadline);
    }
    // Blocking without a timeout, the runtime may use the caller's memory
    // until the write settles; otherwise the call may return first: copy.
    const own = nonblocking || this.#timeout !== null ? part.slice() : part;
    const p = this.#stream!.write(own);
    if (p === undefined) return undefined;
    this.#writing++;
    this.#notify();
    // Registered first: the bookkeeping is done before the caller resumes.
    this.#inflight = p.then(() => this.#wrote(null), (err: OSError) => this.#wrote(err));
    return nonblocking ? undefined : this.#watchSend(p, deadline ?? Infinity);
  }

  /** A blocking write behind one in flight: waits for it, then writes. */
  async #writeLater(part: Uint8Array, flags: number, deadline: number | null): Promise<void> {
    await this.#until(() => this.#writing === 0 || this.#writeError !== null, flags, deadline);
    this.#checkSendable();
    const p = this.#write(part, flags, deadline);
    if (p !== undefined) await p;
  }

  /** The write in flight settled. */
  #wrote(err: OSError | null): void {
    this.#writing--;
    this.#inflight = null;
    if (err !== null) this.#writeError ??= err;
    this.#notify();
  }

  #checkSendable(): void {
    const err = this.#writeError;
    if (err !== null) {
      if (this.#readError === err) {
        this.#readError = null;
        this.#writeError = oserror(E.EPIPE);
      }
      throw err;
    }
    if (this.#wrShut) throw oserror(E.EPIPE);
    if (this.#state !== "connected") {
      // Linux: send on an unconnected unix stream socket is ENOTCONN, on TCP EPIPE.
      const errno = this.family === AF_UNIX ? E.ENOTCONN : E.EPIPE;
      throw oserror(this.#state === "connecting" ? E.EAGAIN : errno);
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
  async shutdown(how: number): Promise<void> {
    how = _cIntArg(how);
    this.#checkOpen();
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new OSError(E.EINVAL);
    // Linux: shutdown of an unconnected unix socket succeeds; UDP and TCP need a peer.
    if (this.type === SOCK_DGRAM) {
      if (this.#peer === null && this.family !== AF_UNIX) throw new OSError(E.ENOTCONN);
      if (how !== SHUT_RD) this.#wrShut = true; // later sends fail with EPIPE, as on Linux
      return;
    }
    if (this.family === AF_UNIX && this.#state !== "connected") return;
    if (this.#state !== "connected" || this.#reset) throw new OSError(E.ENOTCONN);
    if (how !== SHUT_WR) {
      this.#rdShut = true;
      this.#notify();
    }
    if (how !== SHUT_RD && !this.#wrShut) {
      this.#wrShut = true;
      this.#notify();
      const h = this.#stream!;
      const fin = this.#inflight === null
        ? h.shutdownWrite()
        : this.#inflight.then(() => h.shutdownWrite());
      this.#fin = fin.catch(() => {});
      await fin.catch((err: OSError) => {
        if (err.errno !== E.ENOTCONN && err.errno !== E.EPIPE) throw err;
      });
    }
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
    if (this.#closed) return;
    this.#closeWanted = true;
    if (this.#ioRefs > 0) return;
    this.#realClose();
  }

  #realClose(): void {
    if (this.#hidden !== null && this.#local?.kind === "unix") {
      _hiddenNames.delete(this.#local.path);
    }
    this.#closed = true;
    _freeFd(this.#fd);
    this.#fd = -1;
    this.#connecting?.cancel();
    this.#deadlines?.close(_ebadf);
    this.#listener?.close();
    if (this.#acceptQueue.length > 0) {
      for (const h of this.#acceptQueue) h.abort();
      this.#acceptQueue = [];
    }
    this.#dgram?.close();
    this.#closeDatagram();
    const h = this.#stream;
    if (h !== null) {
      const reset = this.#rbuf.length > 0 || (this.#linger[0] !== 0 && this.#linger[1] === 0);
      if (reset) {
        this.#rbuf.clear();
        h.abort();
      } else {
        // FIN (if any) was queued behind the write in flight: close after both.
        const pending = this.#fin ?? this.#inflight;
        if (pending === null) h.close();
        else pending.then(() => h.close());
      }
    }
    this.#notify();
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
    // The common case without an async frame: a connected stream, a line
    // buffered already, or nothing to report but to wait for more.
    if (this.#state === "connected" && !this.#closed && cap > 0 && this.#readWait === null) {
      const take = this.#rbuf.length > 0 ? this.#lineEnd(cap) : 0;
      if (take > 0) return Promise.resolve(this.#takeStream(take, 0));
      if (this.#timeout !== 0 && (take === 0 && this.#rbuf.length > 0 || !this.#readable())) {
        return this.#waitRead(cap, true);
      }
      this.#want = 0;
    }
    return this.#readline(cap);
  }

  async #readline(cap: number): Promise<Uint8Array> {
    this.#checkOpen();
    if (this.type === SOCK_DGRAM) {
      return await this.#recvDatagram(0, () => this.#takeDatagram(cap, 0));
    }
    if (cap <= 0) return new Uint8Array(0);
    this.#checkConnected();
    let take = 0;
    // A line (or the limit) is in, or EOF or an error with nothing buffered.
    const ready = () =>
      (take = this.#lineEnd(cap)) > 0 || (this.#rbuf.length === 0 && this.#readable());
    try {
      const wait = this.#until(ready, 0);
      if (wait !== undefined) await wait;
    } finally {
      this.#want = 0;
    }
    if (this.#rbuf.length === 0) {
      this.#throwReadError();
      return new Uint8Array(0);
    }
    return this.#takeStream(take, 0);
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
    const gone = this.#state !== "connected" || this.#reset;
    const remote = this.#remoteAddress();
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
    _intArg(level);
    _intArg(optname);
    this.#checkOpen();
    if (level === SOL_SOCKET && optname === SO_LINGER) {
      this.#linger = _unpackLinger(value);
      return;
    }
    // Python takes a C int, else a buffer: anything else is "not a bytes-like object".
    const int32 = typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) &&
      value < 2 ** 31;
    if (!int32 && typeof value !== "boolean" && !ArrayBuffer.isView(value)) {
      throw new TypeError(`a bytes-like object is required, not '${_pyType(value)}'`);
    }
    const v = ArrayBuffer.isView(value) ? _unpackInt(value) : _intArg(value);
    const key = this.#optKey(level, optname);
    if (key === "rcvbuf") this.#rcvbuf = Math.max(2304, Math.min(v, 212992) * 2);
    else if (key === "sndbuf") this.#sndbuf = Math.max(4608, Math.min(v, 212992) * 2);
    else {
      (this.#opts ??= {})[key] = v ? 1 : 0;
      this.#applyOpt(key);
    }
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
    _intArg(level);
    _intArg(optname);
    this.#checkOpen();
    if (level === SOL_SOCKET && optname === SO_TYPE) return this.type;
    if (level === SOL_SOCKET && optname === SO_LINGER) return this.#linger[0];
    if (level === SOL_SOCKET && optname === SO_ERROR) {
      const e = this.#soError;
      this.#soError = 0;
      return e;
    }
    const key = this.#optKey(level, optname, true);
    if (key === "rcvbuf") return this.#rcvbuf;
    if (key === "sndbuf") return this.#sndbuf;
    return this.#opt(key);
  }

  /** A boolean option's value (0 when never set). */
  #opt(key: _Flag): number {
    return this.#opts?.[key] ?? 0;
  }

  #optKey(level: number, optname: number, get = false): _OptKey {
    if (level === SOL_SOCKET) {
      switch (optname) {
        case SO_REUSEADDR:
          return "reuseaddr";
        case SO_REUSEPORT:
          return "reuseport";
        case SO_KEEPALIVE:
          return "keepalive";
        case SO_BROADCAST:
          return "broadcast";
        case SO_RCVBUF:
          return "rcvbuf";
        case SO_SNDBUF:
          return "sndbuf";
      }
    } else if (level === IPPROTO_TCP && optname === TCP_NODELAY && this.type === SOCK_STREAM) {
      return "nodelay";
    } else if (level === IPPROTO_IPV6 && optname === IPV6_V6ONLY && this.family === AF_INET6) {
      return "v6only";
    }
    throw new OSError(_optErrno(this.family, this.type, level, get));
  }

  #applyOpt(key: string): void {
    if (key === "nodelay") this.#stream?.setNoDelay(this.#opt("nodelay") !== 0);
    if (key === "keepalive") this.#stream?.setKeepAlive(this.#opt("keepalive") !== 0);
    if (key === "broadcast") this.#dgram?.setBroadcast(this.#opt("broadcast") !== 0);
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

  // ---- readiness (select/poll) ---------------------------------------------------

  /**
   * Readiness for select/poll.
   *
   * @returns The current readiness.
   */
  [kReadiness](): Readiness {
    if (this.#closed) {
      return { readable: false, writable: false, error: false, hangup: false, closed: true };
    }
    const errorPending = this.#soError !== 0;
    if (this.type === SOCK_DGRAM) {
      return {
        readable: (this.#dq?.length ?? 0) > 0 || errorPending,
        writable: true,
        error: errorPending,
        hangup: false,
        closed: false,
      };
    }
    if (this.#state === "listening") {
      const r = this.#acceptQueue.length > 0 || this.#listenError !== null;
      return {
        readable: r,
        writable: false,
        error: this.#listenError !== null,
        hangup: false,
        closed: false,
      };
    }
    if (this.#state === "connected") {
      const readable = this.#rbuf.length > 0 || this.#eof || this.#rdShut ||
        this.#readError !== null;
      const failed = this.#readError !== null || this.#writeError !== null;
      return {
        readable,
        writable: this.#writing === 0 || failed,
        error: failed,
        hangup: (this.#eof && this.#wrShut) || failed,
        closed: false,
      };
    }
    if (this.#state === "fresh" && errorPending) {
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
   */
  [kWatch](onChange: () => void): () => void {
    return this.#watchers.add(onChange);
  }

  /**
   * Datagrams dropped because the receive queue was full (like the kernel's
   * drop counter). The queue holds up to twice SO_RCVBUF bytes. Where the
   * runtime can stop reading, reading stops once the queue holds SO_RCVBUF
   * and the kernel's queue fills: datagrams the kernel then drops are counted
   * by the kernel (the `drops` column of /proc/net/udp), not here. Where it
   * cannot, what does not fit is dropped and counted here, as the kernel
   * would. Kept when `bind()` replaces an implicit bind.
   *
   * @returns The count.
   */
  get _drops(): number {
    return this.#dq?.drops ?? 0;
  }

  // ---- waiting ---------------------------------------------------------------------

  #notify(): void {
    if (this.#readWait !== null) this.#serveRead();
    if (this.#acceptWait !== null) this.#serveAccept();
    if (this.#waiters.length > 0) this.#wakeReady();
    this.#watchers.notify();
  }

  /** Wakes the waiters whose condition holds (all of them once closed); keeps the others. */
  #wakeReady(): void {
    const ws = this.#waiters;
    if (!this.#closed && !ws.some((w) => w.ready())) return;
    this.#waiters = [];
    for (const w of ws) {
      if (this.#closed || w.ready()) w.wake();
      else this.#waiters.push(w);
    }
  }

  /**
   * Waits until `ready()` (or close), honouring the timeout mode: returns
   * `undefined` when it holds already, else a promise that resolves once it
   * holds and rejects with EBADF on close or TimeoutError at the deadline.
   * Throws BlockingIOError EAGAIN at once when non-blocking.
   */
  #until(
    ready: () => boolean,
    flags: number,
    deadline: number | null = _deadline(this.#timeout),
  ): Promise<void> | undefined {
    if (ready()) return undefined;
    if (this.#timeout === 0 || (flags & MSG_DONTWAIT) !== 0) throw new BlockingIOError(E.EAGAIN);
    return new Promise<void>((resolve, reject) => {
      let timer: { cancel(): void } | null = null;
      const w: _Waiter = {
        ready,
        wake: () => {
          timer?.cancel();
          if (this.#closed) reject(new OSError(E.EBADF));
          else resolve();
        },
      };
      this.#waiters.push(w);
      if (deadline !== null) {
        timer = _setTimer(deadline - performance.now(), () => {
          const i = this.#waiters.indexOf(w);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(new TimeoutError());
        });
      }
    });
  }

  /** Awaits `p` until the deadline; on timeout rejects with TimeoutError (p goes on). */
  #race<T>(p: Promise<T>, deadline: number | null): Promise<T> {
    if (deadline === null) return p;
    return new Promise<T>((resolve, reject) => {
      const timer = _setTimer(deadline - performance.now(), () => reject(new TimeoutError()));
      p.then((v) => {
        timer.cancel();
        resolve(v);
      }, (e) => {
        timer.cancel();
        reject(e);
      });
    });
  }

  // ---- checks ------------------------------------------------------------------------

  /** The local endpoint: bound, or the connection's (asked of the runtime once). */
  #localAddress(): BackendAddress | null {
    return this.#local ??= this.#stream?.local ?? null;
  }

  /** The peer: connected to, or the connection's (asked of the runtime once). */
  #remoteAddress(): BackendAddress | null {
    return this.#remote ??= this.#stream?.remote ?? null;
  }

  #checkOpen(): void {
    if (this.#closed) throw new OSError(E.EBADF);
  }

  #checkConnected(): void {
    if (this.#state !== "connected") {
      if (this.#soError !== 0 && this.#state === "fresh") {
        const e = this.#soError;
        this.#soError = 0;
        throw oserror(e);
      }
      // Linux: recv on an unconnected unix stream socket is EINVAL.
      throw new OSError(this.family === AF_UNIX ? E.EINVAL : E.ENOTCONN);
    }
  }

  #checkBufsize(bufsize: number, fn: string): number {
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
}

/** Linux's errno for an option it does not know: which one depends on the level and protocol. */
function _optErrno(family: number, type: number, level: number, get: boolean): number {
  if (family === AF_UNIX) return level === SOL_SOCKET ? E.ENOPROTOOPT : E.EOPNOTSUPP;
  if (family !== AF_INET || !get || level === SOL_SOCKET || level === 0) return E.ENOPROTOOPT;
  return level === IPPROTO_TCP && type === SOCK_STREAM ? E.ENOPROTOOPT : E.EOPNOTSUPP;
}

/**
 * Makes both sockets of a unix `socketpair()` look unnamed, as in Python
 * (they are connected through abstract names the runtime needed).
 *
 * @param a One socket of the pair.
 * @param b The other.
 *
 * @example Hide the names of a pair
 * ```ts ignore
 * _unnamedPair(a, b);
 * console.log(a.getsockname(), a.getpeername()); // "" ""
 * ```
 */
export function _unnamedPair(a: Socket, b: Socket): void {
  _hideNames(a);
  _hideNames(b);
}

/** A name as Linux's unix autobind picks: NUL and 5 hex digits. */
function _autobindName(): string {
  return `\0${Math.floor(Math.random() * 0x100000).toString(16).padStart(5, "0")}`;
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

function _unpackInt(v: ArrayBufferView): number {
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (b.length < 4) throw new OSError(E.EINVAL);
  return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
}

function _unpackLinger(v: unknown): [number, number] {
  if (Array.isArray(v) && v.length === 2) return [_intArg(v[0]), _intArg(v[1])];
  if (!ArrayBuffer.isView(v)) throw new OSError(E.EINVAL);
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (b.length < 8) throw new OSError(E.EINVAL);
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  return [dv.getInt32(0, true), dv.getInt32(4, true)];
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
