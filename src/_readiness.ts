// Readiness of sockets for select/poll/epoll/selectors, and the table of
// library descriptors. Event-driven: a socket calls `notify()` on every state
// change and watchers re-check; nothing polls on a timer.

/** What select/poll would report for one descriptor right now. */
export interface Readiness {
  /** recv/accept/recvfrom would not wait: data, EOF, a pending error, a queued connection or datagram. */
  readonly readable: boolean;
  /** send would not wait: connected (or datagram) and not held back by flow control. */
  readonly writable: boolean;
  /** A pending error (SO_ERROR set, or a failed connection). */
  readonly error: boolean;
  /** The peer closed (EOF seen) or the connection failed. */
  readonly hangup: boolean;
  /** The descriptor is closed (POLLNVAL). */
  readonly closed: boolean;
}

/** Key of the method that reports {@linkcode Readiness}. */
export const kReadiness: unique symbol = Symbol("unisock.readiness");
/** Key of the method that subscribes to readiness changes. */
export const kWatch: unique symbol = Symbol("unisock.watch");

/** Something select/poll can wait on: a unisock socket. */
export interface Pollable {
  /** The library descriptor, -1 once closed. */
  fileno(): number;
  /** Current readiness. */
  [kReadiness](): Readiness;
  /** Calls `onChange` after every readiness change until the returned function is called. */
  [kWatch](onChange: () => void): () => void;
}

/** A set of change listeners, notified together. */
export class _Watchers {
  #set = new Set<() => void>();

  /**
   * Adds a listener.
   *
   * @param fn Called on each change.
   * @returns A function that removes it.
   */
  add(fn: () => void): () => void {
    this.#set.add(fn);
    return () => this.#set.delete(fn);
  }

  /** Calls every listener (a throwing listener does not stop the others). */
  notify(): void {
    if (this.#set.size === 0) return;
    for (const fn of [...this.#set]) {
      try {
        fn();
      } catch {
        // a watcher must not break the socket that notified it
      }
    }
  }
}

const _table = new Map<number, Pollable>();

/**
 * Allocates the lowest free descriptor number (from 3, as a process whose
 * stdin/stdout/stderr are open) for `owner`.
 *
 * @param owner The socket.
 * @returns Its descriptor.
 */
export function _allocFd(owner: Pollable): number {
  let fd = 3;
  while (_table.has(fd)) fd++;
  _table.set(fd, owner);
  return fd;
}

/**
 * Frees a descriptor at close.
 *
 * @param fd The descriptor.
 */
export function _freeFd(fd: number): void {
  _table.delete(fd);
}

/**
 * The socket behind a descriptor number, if it is open.
 *
 * @param fd A library descriptor.
 * @returns The socket, or `undefined`.
 */
export function _lookupFd(fd: number): Pollable | undefined {
  return _table.get(fd);
}

/**
 * How many library descriptors are open (for leak checks in tests).
 *
 * @returns The count.
 */
export function _openFdCount(): number {
  return _table.size;
}
