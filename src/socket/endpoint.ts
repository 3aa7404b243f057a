// One socket's state and the machinery behind the `Socket` facade: binding
// (explicit, implicit and unix autobind), listening, connecting, names,
// closing, readiness and the precondition checks every call shares.

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SO_ERROR,
  SO_LINGER,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../constants.ts";
import * as E from "../errno.ts";
import { _remade, BlockingIOError, gaierror, OSError, oserror, TimeoutError } from "../errors.ts";
import { _cIntArg } from "../_args.ts";
import { _checkAddress, _resolve, _resolveNow, _toPython, type Address } from "../_address.ts";
import {
  type Backend,
  type BackendAddress,
  type ConnectCancel,
  getBackend,
  type StreamHandle,
} from "../backend.ts";
import { _getDefaultTimeout } from "../_defaults.ts";
import { _allocFd, _freeFd, type Pollable, type Readiness } from "../_readiness.ts";
import { _SocketShared } from "./shared.ts";
import { _Listener } from "./listener.ts";
import { _Stream } from "./stream.ts";
import { _Datagram } from "./datagram.ts";
import { _autobindName, _hiddenNames } from "./unix_names.ts";
import { _deadline, _ebadf, _traced } from "./waiting.ts";

type _State = "fresh" | "bound" | "listening" | "connecting" | "connected";
/** An address checked by `_checkAddress`, not yet resolved. */
export type _Parsed = ReturnType<typeof _checkAddress>;

const _SOCK_NONBLOCK = 0o4000;
const _SOCK_CLOEXEC = 0o2000000;
/** Linux's SOCK_RDM and SOCK_SEQPACKET: types Linux knows, which no runtime offers. */
const _SOCK_RDM = 4;
const _SOCK_SEQPACKET = 5;
/**
 * The backlog a listener is made with: it exists before `listen(n)` is
 * called, so take the most the kernel allows (a smaller one stalled
 * connection bursts; see bench/README.md).
 */
const _LISTEN_BACKLOG = 4096;

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
 * What a socket's facade is made of: its kind, state, parts (listener,
 * stream or datagram) and the calls that change them. `S` is the facade
 * type, built for accepted connections by the function given at construction.
 *
 * @example Behind a facade
 * ```ts ignore
 * const ep = new _Endpoint(AF_INET, SOCK_STREAM, 0, facade, makeAccepted);
 * await ep.bind(["127.0.0.1", 0]);
 * ```
 */
export class _Endpoint<S> {
  readonly family: number;
  readonly type: number;
  readonly proto: number;
  shared: _SocketShared; // not readonly: `transferTo` moves it (ssl)
  /** The datagram part (datagram sockets only). */
  readonly dgram: _Datagram | null;
  fd = -1;
  state: _State = "fresh";
  local: BackendAddress | null = null;
  remote: BackendAddress | null = null;
  binding: Promise<void> | null = null;
  /** Why the bind that `listen` started on an unbound socket failed. */
  bindError: OSError | null = null;
  listener: _Listener<[S, Address]> | null = null;
  stream: _Stream | null = null;
  connecting: _Cancel | null = null;
  hidden: "auto" | "pair" | null = null;
  readonly #owner: S;
  readonly #accepted: (owner: S, h: StreamHandle) => [S, Address];

  /**
   * Checks the kind as Linux's `socket()` does, and makes the state.
   *
   * @param family The address family.
   * @param type The socket type, possibly with SOCK_NONBLOCK/SOCK_CLOEXEC.
   * @param proto The protocol.
   * @param owner The facade.
   * @param accepted Makes the facade and address of an accepted connection.
   */
  constructor(
    family: number,
    type: number,
    proto: number,
    owner: S,
    accepted: (owner: S, h: StreamHandle) => [S, Address],
  ) {
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
    if (type === _SOCK_RDM || type === _SOCK_SEQPACKET) {
      // Linux: a type it knows but not for this family; AF_UNIX SOCK_SEQPACKET
      // exists on Linux, but no JavaScript runtime exposes it.
      throw new OSError(
        E.ESOCKTNOSUPPORT,
        family === AF_UNIX && type === _SOCK_SEQPACKET
          ? `Socket type not supported: AF_UNIX SOCK_SEQPACKET sockets are not available on ${getBackend().name} (no JavaScript runtime exposes them)`
          : undefined,
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
    this.#owner = owner;
    this.#accepted = accepted;
    this.shared = new _SocketShared(family, type, nonblock ? 0 : _getDefaultTimeout());
    this.dgram = type === SOCK_DGRAM ? new _Datagram(this.shared) : null;
  }

  // ---- binding, listening, accepting -------------------------------------

  /**
   * `bind`, after the facade checked the socket is open.
   *
   * @param address As the user gave it.
   */
  async bind(address: Address): Promise<void> {
    const parsed = _checkAddress(this.family, address, "bind");
    if (this.hidden === "auto" && this.binding === null) this.#dropAutobind();
    if (this.local !== null || this.binding !== null || this.state !== "fresh") {
      throw new OSError(E.EINVAL);
    }
    const done = this.#doBind(parsed);
    this.binding = done;
    try {
      await done;
    } finally {
      this.binding = null;
    }
  }

  async #doBind(parsed: _Parsed): Promise<void> {
    // Linux autobinds a unix stream socket bound to "" to an abstract name of 5 hex digits.
    if (parsed === "" && this.type === SOCK_STREAM) parsed = _autobindName();
    const address = await _resolve(this.family, parsed, true);
    const b = getBackend();
    const opts = this.shared.options;
    if (this.type === SOCK_STREAM) {
      _checkV6Only(b, address, opts.flag("v6only") !== 0);
      const l = await b.listen({
        address,
        backlog: _LISTEN_BACKLOG,
        reusePort: opts.flag("reuseport") !== 0,
        ipv6Only: opts.flag("v6only") !== 0,
      });
      if (this.shared.closed) {
        l.close();
        throw new OSError(E.EBADF);
      }
      this.local = l.local;
      this.state = "bound";
      this.listener = new _Listener(this.shared, l, (h) => this.#accepted(this.#owner, h));
      return;
    }
    const d = await b.bindDatagram({
      address,
      reuseAddress: opts.flag("reuseaddr") !== 0,
      reusePort: opts.flag("reuseport") !== 0,
      ipv6Only: opts.flag("v6only") !== 0,
    });
    if (this.shared.closed) {
      d.close();
      throw new OSError(E.EBADF);
    }
    this.local = d.local;
    this.state = "bound";
    this.dgram!.attach(d);
  }

  /** `listen`, after the facade checked its argument and that the socket is open. */
  listen(): void {
    if (this.type !== SOCK_STREAM) throw new OSError(E.EOPNOTSUPP);
    if (this.state === "connected" || this.state === "connecting") throw new OSError(E.EINVAL);
    if (this.state === "fresh" && this.binding === null) {
      // Linux refuses to listen on an unbound unix socket (no autobind).
      if (this.family === AF_UNIX) throw new OSError(E.EINVAL);
      const wildcard: Address = [this.family === AF_INET6 ? "::" : "0.0.0.0", 0];
      this.bind(wildcard).catch((err: OSError) => {
        this.bindError = err;
        this.shared.notify();
      });
    }
    this.state = "listening";
    this.shared.notify();
  }

  /**
   * The listener when `accept` may use it now: open, listening and bound.
   *
   * @returns The listener, or `null`.
   */
  liveListener(): _Listener<[S, Address]> | null {
    return this.state === "listening" && !this.shared.closed ? this.listener : null;
  }

  /**
   * Every accept the fast path does not take: checks, and the pending bind.
   *
   * @returns The connection and its peer's address.
   */
  async accept(): Promise<[S, Address]> {
    this.checkOpen();
    if (this.type !== SOCK_STREAM) throw new OSError(E.EOPNOTSUPP);
    if (this.state !== "listening") throw new OSError(E.EINVAL);
    try {
      // Listening, but the bind `listen` started is still pending.
      const wait = this.shared.until(() => this.listener !== null || this.bindError !== null, 0);
      if (wait !== undefined) await wait;
      if (this.listener === null) throw this.bindError!;
      return await this.liveListener()!.accept();
    } catch (err) {
      throw _remade(err);
    }
  }

  // ---- connecting ------------------------------------------------------------

  /**
   * Checks the address, then connects: a blocking stream socket to a numeric
   * peer (the common case) without an async frame, anything else through
   * `#connectChecked`.
   *
   * @param address As the user gave it.
   * @param fn The calling method's name.
   * @returns Resolves when connected.
   */
  connect(address: Address, fn: string): Promise<void> {
    let parsed: _Parsed;
    try {
      this.checkOpen();
      parsed = _checkAddress(this.family, address, fn);
      if (parsed === "") throw new OSError(E.EINVAL); // an empty unix path names nothing
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.type === SOCK_STREAM && this.shared.timeout === null && this.#connectable()) {
      const target = _resolveNow(this.family, parsed);
      if (target !== null) return _traced(this.#startConnect(target));
    }
    return this.#connectChecked(parsed);
  }

  /** Whether a stream socket may start a connect (else `#checkConnectable` says why not). */
  #connectable(): boolean {
    return this.state === "fresh" || this.state === "bound";
  }

  #checkConnectable(): void {
    if (this.#connectable()) return;
    throw this.state === "connecting" ? oserror(E.EALREADY) : new OSError(E.EISCONN);
  }

  async #connectChecked(parsed: _Parsed): Promise<void> {
    try {
      await this.#connectOther(parsed);
    } catch (err) {
      throw _remade(err);
    }
  }

  async #connectOther(parsed: _Parsed): Promise<void> {
    if (this.type === SOCK_DGRAM) return await this.#connectDatagram(parsed);
    this.#checkConnectable();
    const timeout = this.shared.timeout;
    let target = _resolveNow(this.family, parsed);
    if (target === null) {
      target = await _resolve(this.family, parsed, false);
      this.checkOpen();
    }
    const attempt = this.#startConnect(target);
    if (timeout === 0) {
      attempt.catch(() => {});
      throw new BlockingIOError(E.EINPROGRESS);
    }
    try {
      await this.shared.waiting.race(attempt, _deadline(timeout));
    } catch (err) {
      if (err instanceof TimeoutError) this.connecting?.cancel();
      throw err;
    }
  }

  /**
   * `connect_ex`: the errno instead of an OSError.
   *
   * @param address As the user gave it.
   * @returns 0, or the errno.
   */
  async connectEx(address: Address): Promise<number> {
    try {
      await this.connect(address, "connect_ex");
      return 0;
    } catch (err) {
      if (err instanceof TimeoutError && err.errno === null) return E.EAGAIN;
      if (err instanceof OSError && err.errno !== null && !(err instanceof gaierror)) {
        return err.errno;
      }
      throw _remade(err);
    }
  }

  #startConnect(target: BackendAddress): Promise<void> {
    const b = getBackend();
    const source = this.local ?? undefined;
    const why = source?.kind === "inet" ? b.capabilities.bindBeforeConnect : null;
    if (why !== null) {
      // Never connect from another address than the one bound.
      const text = `a bound source address cannot be used on ${b.name}: ${why}`;
      return Promise.reject(new OSError(E.EOPNOTSUPP, text));
    }
    const ctl = new _Cancel();
    this.connecting = ctl;
    if (this.listener !== null) {
      this.listener.close();
      this.listener = null;
    }
    this.state = "connecting";
    this.shared.notify();
    return b.connect({ address: target, cancel: ctl, source })
      .then((h) => {
        if (this.connecting === ctl) this.connecting = null;
        if (this.shared.closed || ctl.cancelled) {
          h.abort();
          // Given up on (a timeout) in the same turn as it succeeded: the
          // socket is unconnected again, as after any failed attempt.
          if (!this.shared.closed) this.#connectFailed();
          throw new OSError(this.shared.closed ? E.EBADF : E.ETIMEDOUT);
        }
        this.adopt(h);
      }, (err: OSError) => {
        if (this.connecting === ctl) this.connecting = null;
        // A close ends a waiting connect as it ends every other call: EBADF
        // (the backend reports its cancelled attempt as ECANCELED).
        if (this.shared.closed) throw _ebadf();
        // An attempt the core gave up on (a timeout) failed on nothing the
        // kernel reported: SO_ERROR stays 0, as after CPython's timeout.
        if (this.state === "connecting" && !ctl.cancelled) {
          this.shared.soError = err.errno ?? E.EIO;
        }
        this.#connectFailed();
        throw err;
      });
  }

  /** A connect attempt ended without a connection: the socket may connect again. */
  #connectFailed(): void {
    if (this.state !== "connecting") return;
    this.state = "fresh";
    this.shared.notify();
  }

  /**
   * Connected over `h` (a connect succeeded, or `accept` made this socket).
   *
   * @param h The runtime's stream.
   */
  adopt(h: StreamHandle): void {
    // Read from the handle when first asked (a runtime may need a system call).
    this.local = null;
    this.remote = null;
    this.state = "connected";
    this.stream = new _Stream(this.shared, h);
    this.shared.notify();
  }

  async #connectDatagram(parsed: _Parsed): Promise<void> {
    const target = await _resolve(this.family, parsed, false);
    await this.#autobind();
    // Datagrams queued before connect stay queued, as on Linux; only later
    // ones from other senders are filtered out.
    this.dgram!.peer = target;
    this.remote = target;
    this.shared.notify();
  }

  async #autobind(): Promise<void> {
    if (this.binding !== null) await this.binding.catch(() => {});
    if (this.dgram!.handle !== null) return;
    this.checkOpen();
    const wildcard: Address = this.family === AF_INET6 ? ["::", 0] : ["0.0.0.0", 0];
    if (this.family === AF_UNIX) {
      this.binding = this.#doBind("").then(() => this.hideNames("auto"));
    } else {
      this.binding = this.#doBind(_checkAddress(this.family, wildcard, "bind"));
    }
    try {
      await this.binding;
    } finally {
      this.binding = null;
    }
  }

  /**
   * Shows this unix socket as unnamed, as Python would (see `_hiddenNames`).
   *
   * @param kind Autobound, or one of a `socketpair()`.
   */
  hideNames(kind: "auto" | "pair"): void {
    const local = this.localAddress();
    if (this.shared.closed || local === null || local.kind !== "unix") return;
    this.hidden = kind;
    if (local.path !== "") _hiddenNames.add(local.path);
    if (kind === "pair") this.remote = { kind: "unix", path: "" };
  }

  /** Before an explicit bind: closes the hidden autobound datagram socket, keeping its queue. */
  #dropAutobind(): void {
    if (this.local?.kind === "unix") _hiddenNames.delete(this.local.path);
    this.hidden = null;
    this.local = null;
    this.state = "fresh";
    this.dgram?.detach()?.close();
  }

  // ---- datagrams ---------------------------------------------------------------

  /**
   * Whether a datagram receive completes now, without waiting.
   *
   * @returns `true` when one is queued and no bind is pending.
   */
  datagramReady(): boolean {
    return this.dgram!.queued > 0 && this.binding === null;
  }

  /** Once the pending bind settled (a receive waits for it). */
  async bound(): Promise<void> {
    await this.binding?.catch(() => {});
  }

  /**
   * Sends one datagram, binding first if needed.
   *
   * @param d The datagram part.
   * @param bytes The datagram.
   * @param to The resolved destination.
   * @param flags The call's flags.
   * @returns `undefined` when it is done, else a promise of the send.
   */
  sendDatagram(
    d: _Datagram,
    bytes: Uint8Array,
    to: BackendAddress,
    flags: number,
  ): Promise<void> | undefined {
    d.checkSend(bytes, to);
    if (d.handle !== null && this.binding === null) return d.sendNow(bytes, to, flags);
    return this.#autobind().then(() => {
      this.checkOpen();
      return d.sendNow(bytes, to, flags);
    });
  }

  // ---- options, names, closing, readiness ------------------------------------------

  /**
   * `setsockopt`, after the facade checked its arguments: records the
   * option and applies it to the runtime's handle where it has one.
   *
   * @param level The level.
   * @param optname The option.
   * @param value The value.
   */
  setOption(level: number, optname: number, value: number | boolean | ArrayBufferView): void {
    const key = this.shared.options.set(level, optname, value);
    const on = key !== null && this.shared.options.flag(key as "nodelay") !== 0;
    const h = this.stream?.handle;
    if (key === "nodelay") h?.setNoDelay(on);
    if (key === "keepalive") h?.setKeepAlive(on);
    if (key === "broadcast") this.dgram?.handle?.setBroadcast(on);
  }

  /**
   * `getsockopt`, after the facade checked its arguments.
   *
   * @param level The level.
   * @param optname The option.
   * @returns The value.
   */
  getOption(level: number, optname: number): number {
    if (level === SOL_SOCKET && optname === SO_TYPE) return this.type;
    if (level === SOL_SOCKET && optname === SO_LINGER) return this.shared.options.linger[0];
    if (level === SOL_SOCKET && optname === SO_ERROR) return this.shared.takeError();
    return this.shared.options.get(level, optname);
  }

  /**
   * `getsockname`, after the facade checked the socket is open.
   *
   * @returns The Python address.
   */
  sockname(): Address {
    if (this.hidden !== null) return "";
    return _toPython(this.family, this.localAddress());
  }

  /**
   * `getpeername`, after the facade checked the socket is open.
   *
   * @returns The Python address.
   */
  peername(): Address {
    const remote = this.remoteAddress();
    const gone = this.stream === null || this.stream.reset;
    if (remote === null || (this.type === SOCK_STREAM && gone)) {
      throw new OSError(E.ENOTCONN);
    }
    return _toPython(this.family, remote);
  }

  /**
   * The local endpoint: bound, or the connection's (asked of the runtime once).
   *
   * @returns The address, or `null` when unbound.
   */
  localAddress(): BackendAddress | null {
    return this.local ??= this.stream?.handle.local ?? null;
  }

  /**
   * The peer: connected to, or the connection's (asked of the runtime once).
   *
   * @returns The address, or `null` without a peer.
   */
  remoteAddress(): BackendAddress | null {
    return this.remote ??= this.stream?.handle.remote ?? null;
  }

  /**
   * Moves this stream endpoint's whole state (descriptor, timeout, binding,
   * listener or connection) into `to`, as Python's `wrap_socket` takes over
   * the descriptor; this endpoint is left closed, its connection untouched.
   *
   * @param to The new socket's endpoint (fresh, same family and type).
   * @param owner The new socket (the descriptor table's entry).
   */
  transferTo(to: _Endpoint<S>, owner: S): void {
    _freeFd(to.fd);
    to.shared = this.shared;
    to.state = this.state;
    to.local = this.local;
    to.remote = this.remote;
    to.binding = this.binding;
    to.bindError = this.bindError;
    to.listener = this.listener;
    to.stream = this.stream;
    to.connecting = this.connecting;
    to.hidden = this.hidden;
    _freeFd(this.fd);
    to.fd = _allocFd(owner as Pollable);
    this.fd = -1;
    this.shared = new _SocketShared(this.family, this.type, null);
    this.shared.closed = true;
    this.stream = null;
    this.listener = null;
    this.connecting = null;
    to.shared.notify();
  }

  /** `close` once no file object holds the socket. */
  close(): void {
    const shared = this.shared;
    if (this.hidden !== null && this.local?.kind === "unix") {
      _hiddenNames.delete(this.local.path);
    }
    shared.closed = true;
    _freeFd(this.fd);
    this.fd = -1;
    this.connecting?.cancel();
    shared.waiting.close(_ebadf);
    this.listener?.close();
    this.dgram?.close();
    this.stream?.close();
    shared.notify();
  }

  /**
   * Readiness for select/poll.
   *
   * @returns The current readiness.
   */
  readiness(): Readiness {
    const shared = this.shared;
    if (shared.closed) {
      return { readable: false, writable: false, error: false, hangup: false, closed: true };
    }
    if (this.dgram !== null) return this.dgram.readiness();
    if (this.state === "listening") {
      if (this.listener !== null) return this.listener.readiness();
      const failed = this.bindError !== null;
      return { readable: failed, writable: false, error: failed, hangup: false, closed: false };
    }
    if (this.stream !== null) return this.stream.readiness();
    if (this.state === "fresh" && shared.soError !== 0) {
      return { readable: true, writable: true, error: true, hangup: true, closed: false };
    }
    return {
      readable: false,
      writable: false,
      error: false,
      hangup: this.state === "fresh",
      closed: false,
    };
  }

  // ---- checks ------------------------------------------------------------------------

  /** Throws EBADF once closed. */
  checkOpen(): void {
    if (this.shared.closed) throw new OSError(E.EBADF);
  }

  /**
   * The stream part when reads and writes may use it now: open and connected.
   *
   * @returns The part, or `null`.
   */
  liveStream(): _Stream | null {
    return this.shared.closed ? null : this.stream;
  }

  /**
   * The stream part of an open connected socket, or the error a recv raises.
   *
   * @returns The part.
   */
  connectedStream(): _Stream {
    const s = this.liveStream();
    if (s !== null) return s;
    this.checkOpen();
    const shared = this.shared;
    if (this.state === "fresh" && shared.soError !== 0) throw oserror(shared.takeError());
    if (this.state === "connecting") throw this.#stillConnecting();
    // Linux: recv on an unconnected unix stream socket is EINVAL.
    throw new OSError(this.family === AF_UNIX ? E.EINVAL : E.ENOTCONN);
  }

  /**
   * The stream part when a send may go out, or the error a send raises.
   *
   * @returns The part.
   */
  sendableStream(): _Stream {
    const s = this.liveStream();
    if (s !== null) {
      s.checkSendable();
      return s;
    }
    this.checkOpen();
    if (this.state === "connecting") throw this.#stillConnecting();
    // Linux: send on an unconnected unix stream socket is ENOTCONN, on TCP EPIPE.
    throw oserror(this.family === AF_UNIX ? E.ENOTCONN : E.EPIPE);
  }

  /**
   * A call while `connect()` is pending: EAGAIN as Linux reports it; on a
   * blocking socket that means the connect's promise was not awaited, so say so.
   */
  #stillConnecting(): OSError {
    if (this.shared.timeout === 0) return oserror(E.EAGAIN);
    return new BlockingIOError(
      E.EAGAIN,
      "Resource temporarily unavailable: connect() is still pending " +
        "(await the promise connect() returns before using the socket)",
    );
  }
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
