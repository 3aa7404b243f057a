/**
 * What `select`, `poll` and `epoll` share: descriptors of their arguments,
 * the Linux poll mask of a socket, timeout checks and the event-driven wait.
 *
 * @module
 */

import { getBackend } from "../backend.ts";
import { _lookupFd, kReadiness, kWatch, type Pollable } from "../_readiness.ts";
import { _setTimer, type _Timer } from "../socket/timer.ts";
import { EBADF } from "../errno.ts";
import { oserror } from "../errors.ts";
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLRDHUP,
  POLLRDNORM,
  POLLWRNORM,
} from "./constants.ts";

/** Something select and poll accept: a descriptor number or an object with `fileno()`. */
export type FileDescriptorLike = number | HasFileno;

/** An object with a `fileno()` method, such as a unisock `Socket`. */
export interface HasFileno {
  /** The library descriptor. */
  fileno(): number;
}

/** Reported by poll and epoll even when not asked for. */
export const _ALWAYS = POLLERR | POLLHUP | POLLNVAL;
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
export function _openFd(fd: number): Pollable {
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
 * Resolves once the runtime has polled its sockets, so that a zero-timeout
 * check that found nothing ready can look again and see what the kernel
 * already held (bytes a local peer has just sent), as a `select` system call
 * would. The backend's `ioTurn` when it has one; else two chained timer
 * turns: a busy loop iteration can make the first timer run before that
 * iteration's I/O phase, but every event loop polls its sockets between two
 * timer phases.
 *
 * @returns A promise resolved after that turn.
 */
export function _ioTurn(): Promise<void> {
  return getBackend().ioTurn?.() ??
    new Promise((resolve) => setTimeout(() => setTimeout(resolve, 0), 0));
}

/**
 * select()'s timeout in milliseconds, validated as CPython does.
 *
 * @param timeout Seconds, or `null`/`undefined` for none.
 * @returns Milliseconds, or `null`.
 */
export function _selectTimeout(timeout: unknown): number | null {
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
export function _pollTimeout(ms: unknown): number | null {
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
