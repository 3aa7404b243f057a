// A datagram socket's part: the runtime's handle once bound, the receive
// queue with its flow control, the default peer, and the sends.

import { AF_INET, AF_INET6, MSG_PEEK } from "../constants.ts";
import * as E from "../errno.ts";
import { BlockingIOError, OSError, oserror, TimeoutError } from "../errors.ts";
import type { BackendAddress, DatagramHandle, DatagramSink } from "../backend.ts";
import { _toPython, type Address } from "../_address.ts";
import type { Readiness } from "../_readiness.ts";
import { _DatagramQueue, _TargetCache } from "./datagram_queue.ts";
import type { _SocketShared } from "./shared.ts";
import { _hiddenNames } from "./unix_names.ts";
import { _deadline, _ebadf, type _Waiter } from "./waiting.ts";

const _BROADCAST: ReadonlySet<string> = new Set(["255.255.255.255", "127.255.255.255"]);

function _sameAddress(a: BackendAddress, b: BackendAddress): boolean {
  if (a.kind === "unix" || b.kind === "unix") {
    return a.kind === "unix" && b.kind === "unix" && a.path === b.path;
  }
  const strip = (h: string) => h.startsWith("::ffff:") ? h.slice(7) : h;
  return a.port === b.port && strip(a.host) === strip(b.host);
}

/**
 * A plain `recv` or `recvfrom` waiting for a datagram: one object per wait,
 * no closures. It takes the datagram as it wakes, so a second waiter woken by
 * the same change sees the queue as this one left it.
 */
class _RecvWaiter implements _Waiter {
  readonly at: number;
  readonly #dgram: _Datagram;
  readonly #n: number;
  readonly #from: boolean;
  readonly #resolve: (value: Uint8Array | [Uint8Array, Address | null]) => void;
  readonly #reject: (err: unknown) => void;

  constructor(
    dgram: _Datagram,
    n: number,
    from: boolean,
    at: number,
    resolve: (value: Uint8Array | [Uint8Array, Address | null]) => void,
    reject: (err: unknown) => void,
  ) {
    this.#dgram = dgram;
    this.#n = n;
    this.#from = from;
    this.at = at;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  ready(): boolean {
    return this.#dgram.readable();
  }

  wake(): void {
    const d = this.#dgram;
    if (d.queued > 0) this.#resolve(this.#from ? d.takeFrom(this.#n, 0) : d.take(this.#n, 0));
    else this.#reject(oserror(d.takeError()));
  }

  fail(closed: OSError | null): void {
    this.#reject(closed ?? new TimeoutError());
  }
}

/**
 * The datagram part of a socket, from its creation: datagrams queue here
 * once it is bound (explicitly or by a first send).
 *
 * @example Receive one datagram
 * ```ts ignore
 * const dgram = new _Datagram(shared);
 * dgram.attach(handle);
 * const [data, from] = await dgram.recv(0, () => dgram.takeFrom(1024, 0));
 * ```
 */
export class _Datagram implements DatagramSink {
  readonly #shared: _SocketShared;
  #handle: DatagramHandle | null = null;
  readonly #queue = new _DatagramQueue();
  #paused = false;
  /** The default peer `connect` set: other senders are filtered out. */
  peer: BackendAddress | null = null;
  /** `shutdown` of the write side: later sends fail with EPIPE, as on Linux. */
  wrShut = false;
  #sendCache: _TargetCache | null = null;
  #fromHost = "";
  #fromText = "";

  /**
   * The datagram part of a new socket.
   *
   * @param shared The socket's shared state.
   */
  constructor(shared: _SocketShared) {
    this.#shared = shared;
  }

  /** The runtime's handle (`null` before a bind). */
  get handle(): DatagramHandle | null {
    return this.#handle;
  }

  /** Datagrams dropped because the queue was full. */
  get drops(): number {
    return this.#queue.drops;
  }

  /** The cache of the last numeric `sendto` address. */
  get sendCache(): _TargetCache {
    return this.#sendCache ??= new _TargetCache();
  }

  /** The cache of the last numeric `sendto` address, if any. */
  get cachedTargets(): _TargetCache | null {
    return this.#sendCache;
  }

  /**
   * Starts receiving from a newly bound handle.
   *
   * @param d The handle.
   */
  attach(d: DatagramHandle): void {
    this.#handle = d;
    if (this.#paused) d.pause?.();
    if (this.#shared.options.flag("broadcast")) d.setBroadcast(true);
    d.start(this);
  }

  /**
   * Lets go of the handle (an explicit bind replaces a hidden autobind); the queue stays.
   *
   * @returns The handle, for the caller to close.
   */
  detach(): DatagramHandle | null {
    const d = this.#handle;
    this.#handle = null;
    return d;
  }

  /**
   * Queues an arriving datagram. The queue takes at most twice SO_RCVBUF
   * bytes and drops (and counts) the excess, as a full kernel queue does.
   * Where the runtime can stop reading, reading stops once it holds SO_RCVBUF
   * and the kernel's queue fills instead; where it cannot, the whole bound is
   * the queue's.
   *
   * @param data The payload.
   * @param from The sender.
   */
  message(data: Uint8Array, from: BackendAddress): void {
    if (this.peer !== null && !_sameAddress(this.peer, from)) return;
    const q = this.#queue;
    const rcvbuf = this.#shared.options.rcvbuf;
    if (!q.push(data, from, rcvbuf * 2)) return;
    const d = this.#handle;
    if (!this.#paused && q.bytes > rcvbuf && d?.pause !== undefined) {
      this.#paused = true;
      d.pause();
    }
    this.#shared.notify();
  }

  /**
   * The socket failed: the error is pending (SO_ERROR, the next receive).
   *
   * @param err The error.
   */
  error(err: OSError): void {
    this.#shared.soError = err.errno ?? E.EIO;
    this.#shared.notify();
  }

  /** Datagrams queued. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Waits for a datagram (a pending error, queued or not, is raised once the
   * queue is empty), then takes it with `take`.
   *
   * @param flags The call's flags.
   * @param take Takes the datagram.
   * @returns What `take` returned.
   */
  async recv<T>(flags: number, take: () => T): Promise<T> {
    const shared = this.#shared;
    let at: number | undefined;
    // Loops when another receive, woken by the same datagram, took it first.
    while (this.#queue.length === 0) {
      if (shared.closed) throw _ebadf();
      const errno = shared.takeError();
      if (errno !== 0) throw oserror(errno);
      if (shared.nonblocking(flags)) throw new BlockingIOError(E.EAGAIN);
      at ??= _deadline(shared.timeout);
      await shared.waiting.until(() => this.#queue.length > 0 || shared.soError !== 0, at);
    }
    return take();
  }

  /**
   * Whether a receive can finish now: a datagram is queued or an error is pending.
   *
   * @returns The answer.
   */
  readable(): boolean {
    return this.#queue.length > 0 || this.#shared.soError !== 0;
  }

  /**
   * Takes the pending error (0: none).
   *
   * @returns Its errno.
   */
  takeError(): number {
    return this.#shared.takeError();
  }

  /**
   * A plain blocking receive (no flags) that must wait: the queue is empty, no
   * error is pending, the socket is open, bound and not non-blocking. It ends
   * as {@linkcode _Datagram.recv} would, without its closures.
   *
   * @param n The most bytes.
   * @param from Whether the sender comes too (`recvfrom`).
   * @returns The payload, or the payload and its sender.
   */
  recvLater(n: number, from: boolean): Promise<Uint8Array | [Uint8Array, Address | null]> {
    return new Promise((resolve, reject) => {
      const at = _deadline(this.#shared.timeout);
      this.#shared.waiting.add(new _RecvWaiter(this, n, from, at, resolve, reject));
    });
  }

  /**
   * Takes (or, with MSG_PEEK, copies) the first queued datagram, cut to `n`
   * bytes. Only when one is queued.
   *
   * @param n The most bytes.
   * @param flags `MSG_PEEK` or 0.
   * @returns The payload.
   */
  take(n: number, flags: number): Uint8Array {
    const q = this.#queue;
    if ((flags & MSG_PEEK) !== 0) return q.first().slice(0, n);
    const data = q.take();
    if (this.#paused && q.bytes <= this.#shared.options.rcvbuf / 2) {
      this.#paused = false;
      this.#handle?.resume?.();
    }
    this.#shared.notify();
    return data.length > n ? data.slice(0, n) : data;
  }

  /**
   * {@linkcode _Datagram.take} with the sender's address, as `recvfrom` returns them.
   *
   * @param n The most bytes.
   * @param flags `MSG_PEEK` or 0.
   * @returns The payload and its sender.
   */
  takeFrom(n: number, flags: number): [Uint8Array, Address | null] {
    const from = this.#fromAddress(this.#queue.from());
    return [this.take(n, flags), from];
  }

  /**
   * A sender's address as Python shows it (`null` for an unnamed unix
   * socket). The host text of the last sender is cached: most datagrams come
   * from the sender of the one before.
   */
  #fromAddress(from: BackendAddress): Address | null {
    const family = this.#shared.family;
    if (from.kind === "unix") {
      return from.path === "" || _hiddenNames.has(from.path) ? null : _toPython(family, from);
    }
    if (from.host !== this.#fromHost || this.#fromText === "") {
      this.#fromText = _toPython(family, from)[0] as string;
      this.#fromHost = from.host;
    }
    return family === AF_INET ? [this.#fromText, from.port] : [this.#fromText, from.port, 0, 0];
  }

  /**
   * Throws what makes a send of `bytes` to `to` fail before it is tried.
   *
   * @param bytes The payload.
   * @param to The target.
   */
  checkSend(bytes: Uint8Array, to: BackendAddress): void {
    // Linux's limits: 65535 minus the IP and UDP headers; for unix
    // datagrams the default send buffer (wmem_default 212992) minus 32.
    const family = this.#shared.family;
    const max = family === AF_INET ? 65507 : family === AF_INET6 ? 65527 : 212960;
    if (bytes.length > max) throw new OSError(E.EMSGSIZE);
    if (this.wrShut) throw oserror(E.EPIPE);
    // The limited broadcast and loopback's broadcast address need
    // SO_BROADCAST; checked here because some runtimes set it on every socket.
    if (to.kind === "inet" && !this.#shared.options.flag("broadcast") && _BROADCAST.has(to.host)) {
      throw oserror(E.EACCES);
    }
  }

  /**
   * Sends one datagram through the bound handle: `undefined` when it is
   * done (sent at once, or not awaited in non-blocking mode), else a promise.
   *
   * @param bytes The payload.
   * @param to The target.
   * @param flags `MSG_DONTWAIT` or 0.
   * @returns `undefined`, or the promise.
   */
  sendNow(bytes: Uint8Array, to: BackendAddress, flags: number): Promise<void> | undefined {
    const shared = this.#shared;
    const wait = !shared.nonblocking(flags);
    const p = this.#handle!.send(wait ? bytes : bytes.slice(), to);
    if (p === undefined) return undefined;
    if (!wait) {
      p.catch((err: OSError) => {
        shared.soError = err.errno ?? E.EIO;
      });
      return undefined;
    }
    // Watched with a timeout: then a pending send does not outlive close
    // either (node:dgram never calls back a send dropped at close).
    return shared.timeout === null ? p : shared.waiting.race(p, _deadline(shared.timeout));
  }

  /** At close: closes the handle and forgets the queued datagrams. */
  close(): void {
    this.#handle?.close();
    this.#queue.clear();
  }

  /**
   * Readiness for select/poll.
   *
   * @returns It.
   */
  readiness(): Readiness {
    const errorPending = this.#shared.soError !== 0;
    return {
      readable: this.#queue.length > 0 || errorPending,
      writable: true,
      error: errorPending,
      hangup: false,
      closed: false,
    };
  }
}
