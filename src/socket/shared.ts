// What every part of one socket shares: its family and type, timeout mode,
// closed flag, pending error (SO_ERROR), options, waiters and select watchers.

import { MSG_DONTWAIT } from "../constants.ts";
import { BlockingIOError } from "../errors.ts";
import { EAGAIN } from "../errno.ts";
import { _Watchers } from "../_readiness.ts";
import { _SocketOptions } from "./options.ts";
import { _deadline, _Waiting } from "./waiting.ts";

/**
 * The state a socket's facade and its parts (listener, stream, datagram) share.
 *
 * @example Wake the waiters after a change
 * ```ts ignore
 * const shared = new _SocketShared(AF_INET, SOCK_STREAM, null);
 * shared.notify();
 * ```
 */
export class _SocketShared {
  /** The address family. */
  readonly family: number;
  /** The socket type. */
  readonly type: number;
  /** Seconds, `0` (non-blocking) or `null` (blocking). */
  timeout: number | null;
  /** Whether the socket was closed. */
  closed = false;
  /** The pending error SO_ERROR reports (0: none). */
  soError = 0;
  /** The socket's options. */
  readonly options: _SocketOptions;
  /** The socket's blocking calls in progress. */
  readonly waiting: _Waiting = new _Waiting();
  /** select/poll/selectors watching the socket (made when first watched: most sockets never are). */
  #watchers: _Watchers | null = null;

  /**
   * Shared state of a new socket.
   *
   * @param family The address family.
   * @param type The socket type.
   * @param timeout The initial timeout.
   */
  constructor(family: number, type: number, timeout: number | null) {
    this.family = family;
    this.type = type;
    this.timeout = timeout;
    this.options = new _SocketOptions(family, type);
  }

  /** select/poll/selectors watching the socket. */
  get watchers(): _Watchers {
    return this.#watchers ??= new _Watchers();
  }

  /** After every change: wakes the waiters it lets finish, then tells select/poll. */
  notify(): void {
    this.waiting.notify();
    this.#watchers?.notify();
  }

  /**
   * Whether a call with these flags must not wait.
   *
   * @param flags The call's flags.
   * @returns `true` in non-blocking mode or with MSG_DONTWAIT.
   */
  nonblocking(flags: number): boolean {
    return this.timeout === 0 || (flags & MSG_DONTWAIT) !== 0;
  }

  /**
   * Waits until `ready()` holds, honouring the timeout mode: `undefined` when
   * it holds already, else a promise (EBADF on close, TimeoutError at the
   * deadline). Throws BlockingIOError EAGAIN when the call must not wait.
   *
   * @param ready The condition.
   * @param flags The call's flags.
   * @param at The deadline (by default the timeout's, from now).
   * @returns `undefined`, or the promise.
   */
  until(
    ready: () => boolean,
    flags: number,
    at: number = _deadline(this.timeout),
  ): Promise<void> | undefined {
    if (ready()) return undefined;
    if (this.nonblocking(flags)) throw new BlockingIOError(EAGAIN);
    return this.waiting.until(ready, at);
  }

  /**
   * Takes the pending error (SO_ERROR is read once).
   *
   * @returns The errno, or 0.
   */
  takeError(): number {
    const e = this.soError;
    this.soError = 0;
    return e;
  }
}
