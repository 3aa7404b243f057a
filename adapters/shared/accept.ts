/**
 * Which accept(2) errors leave a listener alive. Linux's accept(2) page:
 * errors of the pending connection (ECONNABORTED, EPROTO, ENETDOWN …)
 * belong to that connection, and running out of descriptors or memory
 * (EMFILE, ENFILE, ENOBUFS, ENOMEM) passes once some are freed. CPython,
 * Node and Bun accept again afterwards; only "this listener is closed"
 * (EBADF, EINVAL) ends one.
 *
 * @module
 */

import * as E from "../../src/errno.ts";

/** accept(2) errors that concern one connection or pass with time. */
const _TRANSIENT: ReadonlySet<number> = new Set([
  E.ECONNABORTED,
  E.ECONNRESET,
  E.ENOTCONN,
  E.EINTR,
  E.EAGAIN,
  E.EPROTO,
  E.EPERM,
  E.ENETDOWN,
  E.ENONET,
  E.EHOSTDOWN,
  E.EHOSTUNREACH,
  E.ENETUNREACH,
  E.ENOPROTOOPT,
  E.EOPNOTSUPP,
  E.ETIMEDOUT,
  E.EMFILE,
  E.ENFILE,
  E.ENOBUFS,
  E.ENOMEM,
]);

/** accept(2) errors that pass once descriptors or memory are freed. */
const _EXHAUSTED: ReadonlySet<number> = new Set([E.EMFILE, E.ENFILE, E.ENOBUFS, E.ENOMEM]);

/**
 * How long a listener waits before accepting again after running out of
 * descriptors or memory: long enough not to spin, short enough that a
 * client barely notices once descriptors are back.
 */
const _ACCEPT_BACKOFF_MS = 50;

/**
 * Whether an accept(2) error leaves the listener alive.
 *
 * @param errno The error's errno.
 * @returns `true` for a transient or per-connection error.
 *
 * @example Out of descriptors
 * ```ts ignore
 * console.log(_isTransientAccept(24)); // true
 * ```
 */
export function _isTransientAccept(errno: number | null): boolean {
  return errno !== null && _TRANSIENT.has(errno);
}

/**
 * Accepts again after a transient accept(2) error, for an adapter that runs
 * its own accept loop: at once, or after a short pause when the process ran
 * out of descriptors or memory (accepting at once would only fail again).
 *
 * @param errno The error's errno.
 * @param again Issues the next accept.
 * @returns `false` when the error ends the listener (nothing was scheduled).
 *
 * @example In an accept loop
 * ```ts ignore
 * if (!_acceptAgain(error.errno, accept)) sink.error(error);
 * ```
 */
export function _acceptAgain(errno: number | null, again: () => void): boolean {
  if (!_isTransientAccept(errno)) return false;
  if (_EXHAUSTED.has(errno!)) setTimeout(again, _ACCEPT_BACKOFF_MS);
  else again();
  return true;
}
