// Timers that honour delays over 2^31-1 ms (setTimeout fires such delays at
// once), deadlines in the monotonic clock, and a socket's pending blocking
// calls on one lazily re-armed timer.

import type { OSError } from "./errors.ts";

const _MAX_DELAY = 2 ** 31 - 1;

/** A cancellable timer. */
export interface _Timer {
  /** Stops the timer; calling it again does nothing. */
  cancel(): void;
}

/**
 * Calls `fn` once `ms` milliseconds have passed, however large `ms` is.
 *
 * @param ms The delay in milliseconds (finite, >= 0).
 * @param fn What to call.
 * @returns A handle to cancel it.
 */
export function _setTimer(ms: number, fn: () => void): _Timer {
  const end = performance.now() + ms;
  let id: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = end - performance.now();
    if (left <= 0) {
      id = undefined;
      fn();
      return;
    }
    id = setTimeout(arm, Math.min(Math.ceil(left), _MAX_DELAY));
  };
  id = setTimeout(arm, Math.min(Math.ceil(Math.max(ms, 0)), _MAX_DELAY));
  return {
    cancel() {
      if (id !== undefined) clearTimeout(id);
      id = undefined;
    },
  };
}

/**
 * The deadline, in `performance.now()` time, of a timeout in seconds.
 *
 * @param seconds `null` for none.
 * @returns The deadline, or `null`.
 */
export function _deadline(seconds: number | null): number | null {
  return seconds === null ? null : performance.now() + seconds * 1000;
}

/** One pending blocking call in a {@linkcode _Deadlines}. */
export interface _Deadline {
  /** When it times out, in `performance.now()` time (`Infinity`: never). */
  readonly at: number;
  /** Called once at `at`, or with the close error when the socket closes first. */
  readonly end: (closed: OSError | null) => void;
}

/**
 * The deadlines of a socket's pending blocking calls (sends, datagram
 * receives), on one timer that is armed for the earliest of them and not
 * re-armed per call: calls that finish in microseconds cost no
 * `setTimeout`/`clearTimeout` pair (several microseconds each on Deno). With
 * one timeout for every call, deadlines only grow, so the timer fires about
 * once per timeout period while calls come and go, and re-arms itself for the
 * earliest deadline still pending.
 *
 * @example Time out a call
 * ```ts ignore
 * const deadlines = new _Deadlines();
 * const d = deadlines.add(performance.now() + 1000, (closed) => reject(closed ?? new TimeoutError()));
 * // ... when the call finished first:
 * deadlines.remove(d);
 * ```
 */
export class _Deadlines {
  #pending = new Set<_Deadline>();
  #timer: _Timer | null = null;
  #timerAt = Infinity;

  /**
   * Watches a call.
   *
   * @param at Its deadline (`Infinity` for none: only a close ends it).
   * @param end Called once when it expires or the socket closes.
   * @returns The entry, for {@linkcode _Deadlines.remove}.
   */
  add(at: number, end: (closed: OSError | null) => void): _Deadline {
    const d: _Deadline = { at, end };
    this.#pending.add(d);
    if (at < this.#timerAt) this.#arm(at);
    return d;
  }

  /**
   * Stops watching a call that finished (the timer stays armed for later calls).
   *
   * @param d The entry.
   */
  remove(d: _Deadline): void {
    this.#pending.delete(d);
  }

  /**
   * The socket closed: stops the timer and ends every pending call with the
   * error `err` builds (only built when a call is pending: an error's stack
   * costs microseconds, and most sockets close with nothing pending).
   *
   * @param err Builds the error for the pending calls (EBADF).
   */
  close(err: () => OSError): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#timerAt = Infinity;
    if (this.#pending.size === 0) return;
    const pending = [...this.#pending];
    this.#pending.clear();
    const e = err();
    for (const d of pending) d.end(e);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = _setTimer(at - performance.now(), () => this.#fire());
  }

  #fire(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const d of [...this.#pending]) {
      if (d.at <= now) {
        this.#pending.delete(d);
        d.end(null);
      } else if (d.at < next) {
        next = d.at;
      }
    }
    if (next !== Infinity && next < this.#timerAt) this.#arm(next);
  }
}
