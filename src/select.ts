/**
 * Python's `select` module: `select()`, `poll()` and `epoll()` over unisock
 * sockets, with Linux's constants and readiness rules.
 *
 * Waiting is event-driven: every call subscribes to the sockets' readiness
 * changes and settles on the first relevant change or at the timeout, so an
 * idle wait costs no CPU however many sockets it watches.
 *
 * @module
 */

import { _intArg, _pyType } from "./_args.ts";
import { _lookupFd, kReadiness, kWatch, type Pollable } from "./_readiness.ts";
import { _setTimer, type _Timer } from "./socket/timer.ts";
import { EBADF, EEXIST, EINVAL, ENOENT } from "./errno.ts";
import { KeyError, oserror } from "./errors.ts";

/** There is data to read (or EOF, a connection to accept, a datagram). */
export const POLLIN = 0x001;
/** There is urgent (out-of-band) data to read; never reported here. */
export const POLLPRI = 0x002;
/** Writing will not block. */
export const POLLOUT = 0x004;
/** An error is pending (reported even when not asked for). */
export const POLLERR = 0x008;
/** Hung up: both directions closed or the connection failed (reported even when not asked for). */
export const POLLHUP = 0x010;
/** The descriptor is not open (reported even when not asked for). */
export const POLLNVAL = 0x020;
/** Normal data readable (as POLLIN). */
export const POLLRDNORM = 0x040;
/** Priority data readable; never reported here. */
export const POLLRDBAND = 0x080;
/** Normal data writable (as POLLOUT). */
export const POLLWRNORM = 0x100;
/** Priority data writable; never reported here. */
export const POLLWRBAND = 0x200;
/** Linux `POLLMSG`; never reported. */
export const POLLMSG = 0x400;
/** The peer closed its writing side (stream sockets). */
export const POLLRDHUP = 0x2000;

/** epoll: readable. */
export const EPOLLIN = 0x001;
/** epoll: urgent data; never reported here. */
export const EPOLLPRI = 0x002;
/** epoll: writable. */
export const EPOLLOUT = 0x004;
/** epoll: error pending (always reported). */
export const EPOLLERR = 0x008;
/** epoll: hung up (always reported). */
export const EPOLLHUP = 0x010;
/** epoll: normal data readable. */
export const EPOLLRDNORM = 0x040;
/** epoll: priority data readable; never reported here. */
export const EPOLLRDBAND = 0x080;
/** epoll: normal data writable. */
export const EPOLLWRNORM = 0x100;
/** epoll: priority data writable; never reported here. */
export const EPOLLWRBAND = 0x200;
/** epoll: `EPOLLMSG`; never reported. */
export const EPOLLMSG = 0x400;
/** epoll: the peer closed its writing side. */
export const EPOLLRDHUP = 0x2000;
/** epoll flag: wake one waiter only (accepted; one process has one waiter anyway). */
export const EPOLLEXCLUSIVE = 0x10000000;
/** epoll flag: report once, then disable until `modify()`. */
export const EPOLLONESHOT = 0x40000000;
/** epoll flag: edge-triggered, report only after a change. */
export const EPOLLET = 0x80000000;
/** `select.PIPE_BUF` as on Linux. */
export const PIPE_BUF = 4096;

/** Something select and poll accept: a descriptor number or an object with `fileno()`. */
export type FileDescriptorLike = number | HasFileno;

/** An object with a `fileno()` method, such as a unisock `Socket`. */
export interface HasFileno {
  /** The library descriptor. */
  fileno(): number;
}

// What Linux's select reports for a poll mask (fs/select.c POLLIN_SET etc.).
const _R_SET = POLLIN | POLLRDNORM | POLLHUP | POLLERR;
const _W_SET = POLLOUT | POLLWRNORM | POLLERR;
const _X_SET = POLLPRI;
const _ALWAYS = POLLERR | POLLHUP | POLLNVAL;
const _INT_MAX = 2 ** 31 - 1;
// select() accepts anything up to time_t's range.
const _TIME_T_MAX = 2 ** 63;

/**
 * The Linux poll mask of descriptor `fd` whose socket is `p`.
 *
 * @param p The socket the descriptor belonged to when looked up.
 * @param fd The descriptor.
 * @returns The mask; `POLLNVAL` once the socket is closed.
 */
export function _pollMask(p: Pollable, fd: number): number {
  if (p.fileno() !== fd) return POLLNVAL;
  const r = p[kReadiness]();
  if (r.closed) return POLLNVAL;
  let m = 0;
  if (r.readable) m |= POLLIN | POLLRDNORM;
  if (r.writable || r.error || r.hangup) m |= POLLOUT | POLLWRNORM;
  if (r.error) m |= POLLERR;
  if (r.hangup) m |= POLLHUP;
  if (r.hangup && r.readable) m |= POLLRDHUP;
  return m;
}

/**
 * The descriptor of a select/poll argument, checked as CPython does.
 *
 * @param obj A number or an object with `fileno()`.
 * @returns The descriptor (>= 0).
 */
export function _fdOf(obj: unknown): number {
  let fd: unknown;
  if (typeof obj === "number" && Number.isInteger(obj)) {
    fd = obj;
  } else if (
    obj !== null && (typeof obj === "object" || typeof obj === "function") &&
    typeof (obj as Partial<HasFileno>).fileno === "function"
  ) {
    fd = (obj as HasFileno).fileno();
    if (typeof fd !== "number" || !Number.isInteger(fd)) {
      throw new TypeError("fileno() returned a non-integer");
    }
  } else {
    throw new TypeError("argument must be an int, or have a fileno() method.");
  }
  if ((fd as number) < 0) {
    throw new RangeError(`file descriptor cannot be a negative integer (${fd})`);
  }
  return fd as number;
}

/**
 * The open socket behind a descriptor, or OSError EBADF.
 *
 * @param fd A descriptor.
 * @returns The socket.
 */
function _openFd(fd: number): Pollable {
  const p = _lookupFd(fd);
  if (p === undefined) throw oserror(EBADF);
  return p;
}

/**
 * Resolves once `hit` holds for a watched socket after one of its changes,
 * at the timeout, or when `signal` aborts. Nothing runs while nothing changes.
 *
 * @param watched The sockets to watch.
 * @param hit Whether a socket that changed is now ready.
 * @param ms The timeout in milliseconds, or `null` for none.
 * @param signal Ends the wait early.
 * @returns A promise that resolves when the wait is over.
 */
export function _waitFor(
  watched: Iterable<Pollable>,
  hit: (p: Pollable) => boolean,
  ms: number | null,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    const unwatch: (() => void)[] = [];
    let timer: _Timer | null = null;
    let dirty = new Set<Pollable>();
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      for (const u of unwatch) u();
      timer?.cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const check = () => {
      const changed = dirty;
      dirty = new Set();
      for (const p of changed) if (hit(p)) return done();
    };
    for (const p of watched) {
      unwatch.push(p[kWatch](() => {
        if (finished) return;
        // Re-check after the socket has finished its own state change.
        if (dirty.size === 0) queueMicrotask(check);
        dirty.add(p);
      }));
    }
    if (ms !== null) timer = _setTimer(ms, done);
    if (signal?.aborted) done();
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * select()'s timeout in milliseconds, validated as CPython does.
 *
 * @param timeout Seconds, or `null`/`undefined` for none.
 * @returns Milliseconds, or `null`.
 */
function _selectTimeout(timeout: unknown): number | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== "number") throw new TypeError("timeout must be a float or None");
  if (Number.isNaN(timeout)) throw new RangeError("Invalid value NaN (not a number)");
  if (Math.abs(timeout) >= _TIME_T_MAX) {
    throw new RangeError("timestamp out of range for platform time_t");
  }
  if (timeout < 0) throw new RangeError("timeout must be non-negative");
  return timeout * 1000;
}

/**
 * A poll()/epoll() timeout in milliseconds, validated as CPython does.
 *
 * @param ms Milliseconds; `null`, `undefined` or negative for none.
 * @returns Whole milliseconds (rounded up), or `null`.
 */
function _pollTimeout(ms: unknown): number | null {
  if (ms === undefined || ms === null) return null;
  if (typeof ms !== "number") throw new TypeError("timeout must be an integer or None");
  if (Number.isNaN(ms)) throw new RangeError("Invalid value NaN (not a number)");
  // CPython first makes it int64 nanoseconds, then whole milliseconds in a C int.
  if (Math.abs(ms) >= 9223372036854.775) {
    throw new RangeError("timestamp too large to convert to C _PyTime_t");
  }
  const whole = Math.ceil(ms);
  if (whole > _INT_MAX || whole < -_INT_MAX - 1) throw new RangeError("timeout is too large");
  return whole < 0 ? null : whole;
}

/** One item of a select list, resolved. */
interface _Item<T> {
  readonly obj: T;
  readonly fd: number;
  readonly p: Pollable;
}

/**
 * Resolves the items of one select list.
 *
 * @param list The list as given.
 * @returns The items with their descriptors and sockets.
 */
function _items<T>(list: Iterable<T>): _Item<T>[] {
  if (list === null || typeof (list as Partial<Iterable<T>>)[Symbol.iterator] !== "function") {
    throw new TypeError("arguments 1-3 must be sequences");
  }
  return Array.from(list, (obj) => {
    const fd = _fdOf(obj);
    return { obj, fd, p: _openFd(fd) };
  });
}

/**
 * Waits until some descriptors are ready, as Python's `select.select`.
 *
 * Readable: bytes buffered, EOF, a pending error, a connection to accept or
 * a queued datagram. Writable: connected and not held back by flow control,
 * or failed (a failed non-blocking connect is reported writable, as on
 * Linux; read `getsockopt(SOL_SOCKET, SO_ERROR)` to learn the error).
 * Exceptional conditions (out-of-band data) never occur. The returned lists
 * keep the order (and any duplicates) of the given ones.
 *
 * @typeParam R The type of the items of `rlist`.
 * @typeParam W The type of the items of `wlist`.
 * @typeParam X The type of the items of `xlist`.
 * @param rlist Wait until ready for reading.
 * @param wlist Wait until ready for writing.
 * @param xlist Wait for an "exceptional condition".
 * @param timeout Seconds; `0` polls; omitted or `null` waits as long as it takes.
 * @returns `[readable, writable, exceptional]`, subsets of the given lists.
 * @throws {TypeError} An item is neither a number nor has `fileno()`.
 * @throws {RangeError} A closed socket (descriptor -1), or a negative timeout.
 * @throws {OSError} EBADF for a descriptor number that is not open.
 *
 * @example Wait for a reply with a timeout
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { select } from "@unisock/socket/select";
 *
 * const [a, b] = await socketpair();
 * await b.sendall("ping");
 * const [r] = await select([a], [], [], 1.0);
 * console.log(r.length === 1 ? await a.recv(10) : "timed out");
 * a.close();
 * b.close();
 * ```
 */
export function select<
  R extends FileDescriptorLike,
  W extends FileDescriptorLike,
  X extends FileDescriptorLike,
>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout?: number | null,
): Promise<[R[], W[], X[]]> {
  return _select(rlist, wlist, xlist, timeout, undefined);
}

/**
 * {@linkcode select} that `signal` can end early (used by `SelectSelector.close()`).
 *
 * @param rlist Wait until ready for reading.
 * @param wlist Wait until ready for writing.
 * @param xlist Wait for an "exceptional condition".
 * @param timeout Seconds, or `null`/`undefined` for none.
 * @param signal Ends the wait; the lists ready then are returned.
 * @returns `[readable, writable, exceptional]`.
 */
export async function _select<R, W, X>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout: unknown,
  signal: AbortSignal | undefined,
): Promise<[R[], W[], X[]]> {
  const ms = _selectTimeout(timeout);
  const r = _items(rlist);
  const w = _items(wlist);
  const x = _items(xlist);
  const interest = new Map<Pollable, { fd: number; mask: number }>();
  const want = (items: _Item<unknown>[], mask: number) => {
    for (const { fd, p } of items) {
      const entry = interest.get(p) ?? { fd, mask: 0 };
      entry.mask |= mask;
      interest.set(p, entry);
    }
  };
  want(r, _R_SET);
  want(w, _W_SET);
  want(x, _X_SET);
  const ready = (it: _Item<unknown>, set: number) => (_pollMask(it.p, it.fd) & set) !== 0;
  const collect = (): [R[], W[], X[]] => [
    r.filter((it) => ready(it, _R_SET)).map((it) => it.obj),
    w.filter((it) => ready(it, _W_SET)).map((it) => it.obj),
    x.filter((it) => ready(it, _X_SET)).map((it) => it.obj),
  ];
  const now = collect();
  if (ms === 0 || now.some((l) => l.length > 0)) return now;
  await _waitFor(
    interest.keys(),
    (p) => {
      const e = interest.get(p)!;
      // A descriptor closed meanwhile is not reported, as on Linux.
      const m = _pollMask(p, e.fd);
      return (m & POLLNVAL) === 0 && (m & e.mask) !== 0;
    },
    ms,
    signal,
  );
  return collect();
}

/**
 * Checks an event mask of `poll.register`/`modify` (a C unsigned short).
 *
 * @param mask The mask.
 * @returns The mask.
 */
function _pollEvents(mask: unknown): number {
  if (typeof mask !== "number" || !Number.isInteger(mask)) {
    throw new TypeError("an integer is required");
  }
  if (mask < 0) throw new RangeError("value must be positive");
  if (mask > 0xffff) throw new RangeError("Python int too large for C unsigned short");
  return mask;
}

/**
 * A `poll` object, as returned by Python's `select.poll()`: a set of
 * descriptors with the events to watch, checked by `poll(timeout_ms)`.
 * A descriptor that is not open (or was closed) reports `POLLNVAL`.
 *
 * @example Wait for a connection on a listening socket
 * ```ts
 * import { create_connection, create_server } from "@unisock/socket";
 * import { poll, POLLIN } from "@unisock/socket/select";
 *
 * const srv = await create_server(["127.0.0.1", 0]);
 * const p = poll();
 * p.register(srv, POLLIN);
 * const cli = await create_connection(srv.getsockname() as [string, number]);
 * console.log(await p.poll(1000)); // [[srv.fileno(), POLLIN]]
 * cli.close();
 * srv.close();
 * ```
 */
export class Poll {
  #fds = new Map<number, number>();
  #running = false;
  #aborts = new Set<AbortController>();

  /**
   * Starts watching a descriptor (or changes its events if already watched).
   *
   * @param fd A socket, an object with `fileno()`, or a descriptor number.
   * @param eventmask `POLLIN`, `POLLPRI` and `POLLOUT` combined; all three by default.
   *
   * @example Watch a socket for reading
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll, POLLIN } from "@unisock/socket/select";
   * using s = socket();
   * poll().register(s, POLLIN);
   * ```
   */
  register(fd: FileDescriptorLike, eventmask: number = POLLIN | POLLPRI | POLLOUT): void {
    const n = _fdOf(fd);
    this.#fds.set(n, _pollEvents(eventmask));
  }

  /**
   * Changes the events of a registered descriptor.
   *
   * @param fd A registered socket or descriptor.
   * @param eventmask The new mask.
   * @throws {FileNotFoundError} ENOENT when `fd` is not registered.
   *
   * @example Switch to writing
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll, POLLIN, POLLOUT } from "@unisock/socket/select";
   * using s = socket();
   * const p = poll();
   * p.register(s, POLLIN);
   * p.modify(s, POLLOUT);
   * ```
   */
  modify(fd: FileDescriptorLike, eventmask: number): void {
    const n = _fdOf(fd);
    const mask = _pollEvents(eventmask);
    if (!this.#fds.has(n)) throw oserror(ENOENT);
    this.#fds.set(n, mask);
  }

  /**
   * Stops watching a descriptor.
   *
   * @param fd A registered socket or descriptor.
   * @throws {KeyError} When `fd` is not registered.
   *
   * @example Unregister
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll } from "@unisock/socket/select";
   * using s = socket();
   * const p = poll();
   * p.register(s);
   * p.unregister(s);
   * ```
   */
  unregister(fd: FileDescriptorLike): void {
    const n = _fdOf(fd);
    if (!this.#fds.delete(n)) throw new KeyError(String(n));
  }

  /**
   * Waits until a registered descriptor has an event.
   *
   * @param timeout Milliseconds; omitted, `null` or negative waits as long as it takes.
   * @returns `[fd, revents]` pairs, in registration order; empty at the timeout.
   * @throws {Error} `concurrent poll() invocation` while another `poll` of this object runs.
   *
   * @example Poll without waiting
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll } from "@unisock/socket/select";
   * using s = socket();
   * const p = poll();
   * p.register(s);
   * console.log(await p.poll(0));
   * ```
   */
  async poll(timeout?: number | null): Promise<[number, number][]> {
    const ms = _pollTimeout(timeout);
    if (this.#running) throw new Error("concurrent poll() invocation");
    this.#running = true;
    const abort = new AbortController();
    this.#aborts.add(abort);
    try {
      return await this.#poll(ms, abort.signal);
    } finally {
      this.#aborts.delete(abort);
      this.#running = false;
    }
  }

  async #poll(ms: number | null, signal: AbortSignal): Promise<[number, number][]> {
    const regs = [...this.#fds].map(([fd, events]) => ({ fd, events, p: _lookupFd(fd) }));
    const collect = () => {
      const out: [number, number][] = [];
      for (const { fd, events, p } of regs) {
        const m = (p === undefined ? POLLNVAL : _pollMask(p, fd)) & (events | _ALWAYS);
        if (m !== 0) out.push([fd, m]);
      }
      return out;
    };
    const now = collect();
    if (ms === 0 || now.length > 0) return now;
    const byP = new Map(regs.map((r) => [r.p as Pollable, r]));
    await _waitFor(
      byP.keys(),
      (p) => {
        const r = byP.get(p)!;
        return (_pollMask(p, r.fd) & (r.events | _ALWAYS)) !== 0;
      },
      ms,
      signal,
    );
    return collect();
  }

  /**
   * Ends a running `poll()` at once (it resolves with what is ready then);
   * used by `PollSelector.close()`.
   */
  _abort(): void {
    for (const a of this.#aborts) a.abort();
  }
}

/**
 * Creates a `poll` object, as Python's `select.poll()`.
 *
 * @returns A new, empty {@linkcode Poll}.
 *
 * @example Poll a socket pair
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { poll, POLLIN } from "@unisock/socket/select";
 * const [a, b] = await socketpair();
 * const p = poll();
 * p.register(a, POLLIN);
 * await b.sendall("x");
 * console.log(await p.poll(1000)); // [[a.fileno(), POLLIN]]
 * a.close();
 * b.close();
 * ```
 */
export function poll(): Poll {
  return new Poll();
}

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

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
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
    if (ms === 0 || now.length > 0) return now;
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
