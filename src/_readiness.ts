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
  // Created on the first add: most sockets are never watched.
  #set: Set<() => void> | null = null;

  /**
   * Adds a listener.
   *
   * @param fn Called on each change.
   * @returns A function that removes it.
   */
  add(fn: () => void): () => void {
    const set = this.#set ??= new Set();
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Calls every listener (a throwing listener does not stop the others). */
  notify(): void {
    const set = this.#set;
    if (set === null || set.size === 0) return;
    for (const fn of [...set]) {
      try {
        fn();
      } catch {
        // a watcher must not break the socket that notified it
      }
    }
  }
}

/**
 * The open sockets, indexed by descriptor (numbers are small and reused, so
 * the array stays dense; 0–2 are never handed out). Not a Map: with an entry
 * added and deleted per connection, both V8's and JavaScriptCore's Maps kept
 * deleted sockets reachable through young-generation collections, so every
 * closed socket was promoted (CONTRIBUTING.md, Performance).
 */
const _table: (Pollable | undefined)[] = [undefined, undefined, undefined];
/** Freed descriptor numbers below `_next`, as a binary min-heap. */
const _free: number[] = [];
/** The lowest number never handed out. */
let _next = 3;

/**
 * Allocates the lowest free descriptor number (from 3, as a process whose
 * stdin/stdout/stderr are open) for `owner`, in O(log n).
 *
 * @param owner The socket.
 * @returns Its descriptor.
 */
export function _allocFd(owner: Pollable): number {
  const fd = _free.length > 0 ? _heapPop() : _next++;
  if (fd === _table.length) _table.push(owner);
  else _table[fd] = owner;
  return fd;
}

/**
 * Frees a descriptor at close.
 *
 * @param fd The descriptor.
 */
export function _freeFd(fd: number): void {
  if (_lookupFd(fd) === undefined) return;
  _table[fd] = undefined;
  _free.push(fd);
  let i = _free.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (_free[parent] <= fd) break;
    _free[i] = _free[parent];
    i = parent;
  }
  _free[i] = fd;
}

function _heapPop(): number {
  const top = _free[0];
  const last = _free.pop()!;
  const n = _free.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const c = l + 1 < n && _free[l + 1] < _free[l] ? l + 1 : l;
    if (_free[c] >= last) break;
    _free[i] = _free[c];
    i = c;
  }
  _free[i] = last;
  return top;
}

/**
 * The socket behind a descriptor number, if it is open.
 *
 * @param fd A library descriptor.
 * @returns The socket, or `undefined`.
 */
export function _lookupFd(fd: number): Pollable | undefined {
  return fd >= 3 && fd < _table.length ? _table[fd] : undefined;
}
