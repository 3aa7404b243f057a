// The one way a socket's blocking calls wait: every pending call (recv,
// readline, accept, a write or send in flight, connect, a datagram receive)
// is a waiter in its socket's `_Waiting`, woken when its condition holds after
// a change, ended with TimeoutError at its deadline and with EBADF at close.

import { _remade, OSError, TimeoutError } from "../errors.ts";
import { _setTimer, type _Timer } from "./timer.ts";

/** One pending blocking call. */
export interface _Waiter {
  /** When it times out, in `performance.now()` time (`Infinity`: never). */
  readonly at: number;
  /** Whether it can finish now (checked after every change of its socket). */
  ready(): boolean;
  /** Finishes it (it has left the list already). */
  wake(): void;
  /** Ends it: with the close error, or `null` at its deadline (a TimeoutError). */
  fail(closed: OSError | null): void;
}

/**
 * The waiters of one socket, and their deadlines on one timer that is armed
 * for the earliest of them and not re-armed per call: calls that finish in
 * microseconds cost no `setTimeout`/`clearTimeout` pair. With one timeout for
 * every call, deadlines only grow, so the timer fires about once per timeout
 * period while calls come and go, and re-arms itself for the earliest
 * deadline still pending.
 *
 * @example Wait until a condition holds
 * ```ts ignore
 * const waiting = new _Waiting();
 * await waiting.until(() => buffer.length > 0, performance.now() + 1000);
 * // elsewhere, after each change: waiting.notify();
 * ```
 */
export class _Waiting {
  #list: _Waiter[] = [];
  #timer: _Timer | null = null;
  #timerAt = Infinity;

  /** Whether a call waits. */
  get idle(): boolean {
    return this.#list.length === 0;
  }

  /**
   * Adds a waiter; it stays until woken, failed or removed.
   *
   * @param w The waiter.
   */
  add(w: _Waiter): void {
    this.#list.push(w);
    if (w.at < this.#timerAt) this.#arm(w.at);
  }

  /**
   * Removes a waiter that finished by itself (the timer stays armed for later calls).
   *
   * @param w The waiter.
   */
  remove(w: _Waiter): void {
    const list = this.#list;
    const i = list.indexOf(w);
    if (i >= 0) list.splice(i, 1);
  }

  /** Wakes the waiters whose condition holds now, in the order they came; keeps the others. */
  notify(): void {
    const list = this.#list;
    if (list.length === 0) return;
    if (list.length === 1) {
      const w = list[0];
      if (!w.ready()) return;
      list.pop();
      w.wake();
      return;
    }
    if (!list.some((w) => w.ready())) return;
    // Waking one may change what the next sees (it took the data): re-check each.
    this.#list = [];
    for (const w of list) {
      if (w.ready()) w.wake();
      else this.#list.push(w);
    }
  }

  /**
   * Waits until `ready()` holds: `undefined` when it holds already, else a
   * promise that resolves once it does, rejects with TimeoutError at `at` and
   * with EBADF at close.
   *
   * @param ready The condition.
   * @param at The deadline (`Infinity`: none).
   * @returns `undefined`, or the promise.
   */
  until(ready: () => boolean, at: number): Promise<void> | undefined {
    if (ready()) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.add({
        at,
        ready,
        wake: resolve,
        fail: (closed) => reject(closed ?? new TimeoutError()),
      });
    });
  }

  /**
   * `p`, but rejected with TimeoutError at `at` and with EBADF when the socket
   * closes first (a pending call does not outlive close; `p` goes on).
   *
   * @param p What the call waits for.
   * @param at The deadline (`Infinity`: none).
   * @returns The watched promise.
   */
  race<T>(p: Promise<T>, at: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: _Waiter = {
        at,
        ready: _never,
        wake: _nothing,
        fail: (closed) => reject(closed ?? new TimeoutError()),
      };
      this.add(w);
      p.then((v) => {
        this.remove(w);
        resolve(v);
      }, (err: unknown) => {
        this.remove(w);
        reject(err);
      });
    });
  }

  /**
   * The socket closed: stops the timer and ends every waiter with the error
   * `err` builds (only built when one waits: an error's stack costs
   * microseconds, and most sockets close with nothing pending).
   *
   * @param err Builds the error (EBADF).
   */
  close(err: () => OSError): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#timerAt = Infinity;
    if (this.#list.length === 0) return;
    const list = this.#list;
    this.#list = [];
    const e = err();
    for (const w of list) w.fail(e);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = _setTimer(at - performance.now(), () => this.#expire());
  }

  #expire(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const w of [...this.#list]) {
      if (w.at <= now) {
        this.remove(w);
        w.fail(null);
      } else if (w.at < next) {
        next = w.at;
      }
    }
    if (next !== Infinity && next < this.#timerAt) this.#arm(next);
  }
}

function _never(): boolean {
  return false;
}

function _nothing(): void {}

/**
 * The deadline, in `performance.now()` time, of a timeout in seconds.
 *
 * @param seconds The timeout; `null` for none.
 * @returns The deadline; `Infinity` for none.
 */
export function _deadline(seconds: number | null): number {
  return seconds === null ? Infinity : performance.now() + seconds * 1000;
}

/**
 * Awaits `p` in an async frame of its own, so that an OSError it rejects
 * with is made again (see `_remade`) with the awaiting caller's frames in
 * its stack. For calls that return a promise without an async frame.
 *
 * @param p The call's promise.
 * @returns The same outcome.
 */
export async function _traced<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * EBADF, for the calls a close ends.
 *
 * @returns The error.
 */
export function _ebadf(): OSError {
  return new OSError(9);
}
