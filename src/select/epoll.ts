/**
 * Python's `select.epoll()` objects.
 *
 * @module
 */

import { _intArg, _pyType } from "../_args.ts";
import {
  _allocFd,
  _freeFd,
  _Watchers,
  kReadiness,
  kWatch,
  type Pollable,
  type Readiness,
} from "../_readiness.ts";
import { _setTimer, type _Timer } from "../socket/timer.ts";
import { EEXIST, EINVAL, ENOENT } from "../errno.ts";
import { oserror } from "../errors.ts";
import {
  _fdOf,
  _ioTurn,
  _openFd,
  _pollMask,
  _pollTimeout,
  type FileDescriptorLike,
} from "./common.ts";
import {
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLPRI,
  POLLNVAL,
} from "./constants.ts";

/** One registration of an epoll object. */
interface _EpEntry {
  readonly fd: number;
  readonly p: Pollable;
  events: number;
  /** EPOLLET: the socket changed since the last report. */
  edge: boolean;
  /** EPOLLONESHOT: reported; silent until `modify`. */
  disarmed: boolean;
  unwatch: () => void;
}

/**
 * Checks an epoll event mask (a C unsigned int).
 *
 * @param mask The mask.
 * @returns The mask as an unsigned 32-bit number.
 */
function _epollEvents(mask: unknown): number {
  if (typeof mask !== "number" || !Number.isInteger(mask)) {
    throw new TypeError(`'${_pyType(mask)}' object cannot be interpreted as an integer`);
  }
  const m = mask >>> 0;
  if ((m & EPOLLEXCLUSIVE) !== 0 && (m & EPOLLONESHOT) !== 0) throw oserror(EINVAL);
  return m;
}

/**
 * An `epoll` object, as Python's `select.epoll`: a persistent interest list
 * whose sockets are watched from `register` to `unregister`, so `poll()`
 * costs only as much as the number of ready sockets. Level-triggered by
 * default; `EPOLLET` and `EPOLLONESHOT` are honoured. A socket that is closed
 * leaves the interest list by itself, as on Linux.
 *
 * @example An epoll loop step
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { epoll, EPOLLIN } from "@unisock/socket/select";
 * const [a, b] = await socketpair();
 * using ep = epoll();
 * ep.register(a, EPOLLIN);
 * await b.sendall("x");
 * for (const [fd, ev] of await ep.poll(1)) console.log(fd, ev);
 * a.close();
 * b.close();
 * ```
 */
export class Epoll {
  #entries = new Map<number, _EpEntry>();
  // Registrations that may be ready, in the order they will be reported.
  #candidates = new Set<_EpEntry>();
  #waiters = new Set<() => void>();
  #closed = false;
  // Like Linux's, an epoll object has a descriptor of its own, readable while
  // it has events to report (so it can itself be watched by select or epoll).
  #watchers = new _Watchers();
  #fd: number = _allocFd({
    fileno: () => this.#fd,
    [kReadiness]: () => this.#readiness(),
    [kWatch]: (onChange) => this.#watchers.add(onChange),
  });

  /**
   * Creates an epoll object.
   *
   * @param sizehint Ignored, as on Linux (must be -1 or positive).
   * @param flags Ignored (`EPOLL_CLOEXEC` is implied).
   */
  constructor(sizehint: number = -1, flags: number = 0) {
    _intArg(sizehint);
    _intArg(flags);
    if (sizehint === 0 || sizehint < -1) throw new RangeError("negative sizehint");
    void flags;
  }

  /**
   * Whether `close()` was called.
   *
   * @example Check before use
   * ```ts
   * import { epoll } from "@unisock/socket/select";
   * using ep = epoll();
   * console.log(ep.closed); // false
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The epoll object's own descriptor, as Python's `epoll.fileno()`: readable
   * for `select`, `poll` and other epoll objects while it has events to report.
   *
   * @returns The descriptor.
   * @throws {RangeError} `I/O operation on closed epoll object` once closed.
   *
   * @example Wait on an epoll object with select
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * import { epoll, EPOLLIN, select } from "@unisock/socket/select";
   * const [a, b] = await socketpair();
   * using ep = epoll();
   * ep.register(a, EPOLLIN);
   * await b.sendall("x");
   * const [r] = await select([ep.fileno()], [], [], 1);
   * console.log(r.length); // 1
   * a.close();
   * b.close();
   * ```
   */
  fileno(): number {
    this.#checkOpen();
    return this.#fd;
  }

  /**
   * Closes the epoll object; a running `poll()` resolves with `[]`.
   *
   * @example Close it
   * ```ts
   * import { epoll } from "@unisock/socket/select";
   * const ep = epoll();
   * ep.close();
   * console.log(ep.closed); // true
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries.values()) e.unwatch();
    this.#entries.clear();
    this.#candidates.clear();
    _freeFd(this.#fd);
    this.#fd = -1;
    this.#wake();
  }

  /** Closes it, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Adds a socket to the interest list.
   *
   * @param fd A socket, an object with `fileno()`, or a descriptor number.
   * @param eventmask `EPOLLIN`, `EPOLLOUT`, … combined; `EPOLLIN | EPOLLPRI | EPOLLOUT` by default.
   * @throws {OSError} EBADF when the descriptor is not open; EEXIST when already registered.
   *
   * @example Register for reading, edge-triggered
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { epoll, EPOLLET, EPOLLIN } from "@unisock/socket/select";
   * using s = socket();
   * using ep = epoll();
   * ep.register(s, EPOLLIN | EPOLLET);
   * ```
   */
  register(fd: FileDescriptorLike, eventmask: number = EPOLLIN | EPOLLPRI | EPOLLOUT): void {
    this.#checkOpen();
    const n = _fdOf(fd);
    const events = _epollEvents(eventmask);
    const p = _openFd(n);
    if (this.#live(n) !== undefined) throw oserror(EEXIST);
    const entry: _EpEntry = { fd: n, p, events, edge: true, disarmed: false, unwatch: () => {} };
    entry.unwatch = p[kWatch](() => this.#changed(entry));
    this.#entries.set(n, entry);
    this.#changed(entry);
  }

  /**
   * Changes the events of a registered socket (and re-arms `EPOLLONESHOT`).
   *
   * @param fd A registered socket or descriptor.
   * @param eventmask The new mask.
   * @throws {FileNotFoundError} ENOENT when not registered.
   *
   * @example Switch to writing
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { epoll, EPOLLIN, EPOLLOUT } from "@unisock/socket/select";
   * using s = socket();
   * using ep = epoll();
   * ep.register(s, EPOLLIN);
   * ep.modify(s, EPOLLOUT);
   * ```
   */
  modify(fd: FileDescriptorLike, eventmask: number): void {
    this.#checkOpen();
    const n = _fdOf(fd);
    const events = _epollEvents(eventmask);
    _openFd(n);
    const entry = this.#live(n);
    if (entry === undefined) throw oserror(ENOENT);
    if ((events & EPOLLEXCLUSIVE) !== 0) throw oserror(EINVAL);
    entry.events = events;
    entry.disarmed = false;
    this.#changed(entry);
  }

  /**
   * Removes a socket from the interest list.
   *
   * @param fd A registered socket or descriptor.
   * @throws {OSError} EBADF when the descriptor is not open.
   * @throws {FileNotFoundError} ENOENT when not registered.
   *
   * @example Unregister
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { epoll } from "@unisock/socket/select";
   * using s = socket();
   * using ep = epoll();
   * ep.register(s);
   * ep.unregister(s);
   * ```
   */
  unregister(fd: FileDescriptorLike): void {
    this.#checkOpen();
    const n = _fdOf(fd);
    _openFd(n);
    const entry = this.#live(n);
    if (entry === undefined) throw oserror(ENOENT);
    this.#drop(entry);
  }

  /**
   * Waits for events, as Python's `epoll.poll`.
   *
   * @param timeout Seconds; omitted, `null` or negative waits as long as it takes.
   * @param maxevents At most this many results; `-1` for no limit beyond 1023.
   * @returns `[fd, events]` pairs; empty at the timeout or when closed meanwhile.
   * @throws {RangeError} `maxevents` below 1 (other than -1), or the object is closed.
   *
   * @example Poll without waiting
   * ```ts
   * import { epoll } from "@unisock/socket/select";
   * using ep = epoll();
   * console.log(await ep.poll(0)); // []
   * ```
   */
  async poll(timeout?: number | null, maxevents: number = -1): Promise<[number, number][]> {
    this.#checkOpen();
    const ms = typeof timeout === "number" ? _pollTimeout(timeout * 1000) : _pollTimeout(timeout);
    if (typeof maxevents !== "number" || !Number.isInteger(maxevents)) {
      throw new TypeError(`'${_pyType(maxevents)}' object cannot be interpreted as an integer`);
    }
    if (maxevents === -1) maxevents = 1023;
    else if (maxevents < 1) {
      throw new RangeError(`maxevents must be greater than 0, got ${maxevents}`);
    }
    const now = this.#collect(maxevents);
    if (now.length > 0) return now;
    if (ms === 0) {
      await _ioTurn();
      return this.#closed ? [] : this.#collect(maxevents);
    }
    return await new Promise((resolve) => {
      let timer: _Timer | null = null;
      let scheduled = false;
      const finish = (out: [number, number][]) => {
        this.#waiters.delete(wake);
        timer?.cancel();
        resolve(out);
      };
      const check = () => {
        scheduled = false;
        if (this.#closed) return finish([]);
        const out = this.#collect(maxevents);
        if (out.length > 0) finish(out);
      };
      const wake = () => {
        if (!scheduled) queueMicrotask(check);
        scheduled = true;
      };
      this.#waiters.add(wake);
      if (ms !== null) {
        timer = _setTimer(ms, () => finish(this.#closed ? [] : this.#collect(maxevents)));
      }
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new RangeError("I/O operation on closed epoll object");
  }

  /** The registration of `fd` if its socket is still the same open one. */
  #live(fd: number): _EpEntry | undefined {
    const e = this.#entries.get(fd);
    if (e === undefined) return undefined;
    if (e.p.fileno() === fd && !e.p[kReadiness]().closed) return e;
    this.#drop(e);
    return undefined;
  }

  #drop(e: _EpEntry): void {
    e.unwatch();
    if (this.#entries.get(e.fd) === e) this.#entries.delete(e.fd);
    this.#candidates.delete(e);
  }

  #changed(e: _EpEntry): void {
    if (this.#entries.get(e.fd) !== e) return;
    if (e.p.fileno() !== e.fd) {
      // Closed: Linux removes a closed file from every epoll set.
      this.#drop(e);
      return;
    }
    e.edge = true;
    this.#candidates.add(e);
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
    this.#watchers.notify();
  }

  /** Readable while some registration has an event to report. */
  #readiness(): Readiness {
    let readable = false;
    for (const e of [...this.#candidates]) {
      if (this.#events(e) !== 0) {
        readable = true;
        break;
      }
    }
    return { readable, writable: false, error: false, hangup: false, closed: this.#closed };
  }

  /** The events to report now; level-triggered ones move to the back (fairness). */
  #collect(max: number): [number, number][] {
    const out: [number, number][] = [];
    for (const e of [...this.#candidates]) {
      if (out.length >= max) break;
      const ev = this.#events(e);
      this.#candidates.delete(e);
      if (ev === 0) continue;
      out.push([e.fd, ev]);
      if ((e.events & EPOLLET) !== 0) e.edge = false;
      if ((e.events & EPOLLONESHOT) !== 0) e.disarmed = true;
      else if ((e.events & EPOLLET) === 0) this.#candidates.add(e);
    }
    return out;
  }

  /** What `e` reports now (0 for nothing). */
  #events(e: _EpEntry): number {
    if (e.disarmed || ((e.events & EPOLLET) !== 0 && !e.edge)) return 0;
    const m = _pollMask(e.p, e.fd);
    if ((m & POLLNVAL) !== 0) {
      this.#drop(e);
      return 0;
    }
    return (m & ((e.events & 0xffff) | EPOLLERR | EPOLLHUP)) >>> 0;
  }
}

/**
 * Creates an epoll object, as Python's `select.epoll()`.
 *
 * @param sizehint Ignored (-1 or positive).
 * @param flags Ignored.
 * @returns A new {@linkcode Epoll}.
 *
 * @example Wait for a readable socket
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { epoll, EPOLLIN } from "@unisock/socket/select";
 * const [a, b] = await socketpair();
 * using ep = epoll();
 * ep.register(a.fileno(), EPOLLIN);
 * await b.sendall("x");
 * console.log(await ep.poll(1)); // [[a.fileno(), EPOLLIN]]
 * a.close();
 * b.close();
 * ```
 */
export function epoll(sizehint: number = -1, flags: number = 0): Epoll {
  return new Epoll(sizehint, flags);
}
