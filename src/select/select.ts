/**
 * Python's `select.select()`.
 *
 * @module
 */

import type { Pollable } from "../_readiness.ts";
import {
  _fdOf,
  _ioTurn,
  _openFd,
  _pollMask,
  _selectTimeout,
  _waitFor,
  type FileDescriptorLike,
} from "./common.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDNORM,
  POLLWRNORM,
} from "./constants.ts";

// What Linux's select reports for a poll mask (fs/select.c POLLIN_SET etc.).
const _R_SET = POLLIN | POLLRDNORM | POLLHUP | POLLERR;
const _W_SET = POLLOUT | POLLWRNORM | POLLERR;
const _X_SET = POLLPRI;

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
  if (now.some((l) => l.length > 0)) return now;
  if (ms === 0) {
    await _ioTurn();
    return collect();
  }
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
