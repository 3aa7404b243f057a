/**
 * Python's `selectors` module: high-level I/O multiplexing over unisock
 * sockets. As in CPython, {@linkcode _BaseSelectorImpl} keeps the
 * registrations and the concrete selectors differ only in the primitive they
 * wait with: {@linkcode SelectSelector} (`select()`), {@linkcode PollSelector}
 * (`poll()`) and {@linkcode EpollSelector} (`epoll()`, the
 * {@linkcode DefaultSelector} on Linux).
 *
 * @module
 */

import { KeyError } from "./errors.ts";
import {
  _select,
  Epoll,
  EPOLLIN,
  EPOLLOUT,
  type FileDescriptorLike,
  type HasFileno,
  Poll,
  POLLIN,
  POLLOUT,
} from "./select.ts";

export type { FileDescriptorLike } from "./select.ts";

/** The file object is ready for reading. */
export const EVENT_READ = 1;
/** The file object is ready for writing. */
export const EVENT_WRITE = 2;

/**
 * What `register` returns and `select` reports: the file object, its
 * descriptor, the events it is watched for and the caller's data.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Read a key's fields
 * ```ts
 * import { socket } from "@unisock/socket";
 * import { DefaultSelector, EVENT_READ } from "@unisock/socket/selectors";
 * using s = socket();
 * using sel = new DefaultSelector();
 * const key = sel.register(s, EVENT_READ, "listener");
 * console.log(key.fd === s.fileno(), key.events, key.data); // true 1 "listener"
 * ```
 */
export class SelectorKey<F extends FileDescriptorLike = FileDescriptorLike, D = unknown> {
  /** The registered file object. */
  readonly fileobj: F;
  /** Its descriptor at registration. */
  readonly fd: number;
  /** `EVENT_READ`, `EVENT_WRITE` or both. */
  readonly events: number;
  /** The data given to `register`/`modify` (`null` when none). */
  readonly data: D | null;

  /**
   * Builds a key (selectors do this; there is no need to call it).
   *
   * @param fileobj The file object.
   * @param fd Its descriptor.
   * @param events The events.
   * @param data Attached data.
   */
  constructor(fileobj: F, fd: number, events: number, data: D | null) {
    this.fileobj = fileobj;
    this.fd = fd;
    this.events = events;
    this.data = data;
    Object.freeze(this);
  }

  /**
   * Python's representation.
   *
   * @returns `SelectorKey(fileobj=…, fd=…, events=…, data=…)`.
   */
  toString(): string {
    return `SelectorKey(fileobj=${
      _repr(this.fileobj)
    }, fd=${this.fd}, events=${this.events}, data=${_repr(this.data)})`;
  }
}

/**
 * Python-like text for a file object in error messages.
 *
 * @param obj Anything.
 * @returns Its representation.
 */
function _repr(obj: unknown): string {
  if (obj === null || obj === undefined) return "None";
  if (typeof obj === "string") return `'${obj}'`;
  if (typeof obj === "object" && obj.toString === Object.prototype.toString) {
    const fd = typeof (obj as { fileno?: unknown }).fileno === "function"
      ? ` fd=${(obj as { fileno(): number }).fileno()}`
      : "";
    return `<${obj.constructor?.name ?? "object"}${fd}>`;
  }
  return String(obj);
}

/**
 * The live, read-only view of a selector's registrations that `get_map()`
 * returns: keyed by descriptor, and `get`/`has` also take the file object.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example List the registered descriptors
 * ```ts
 * import { socket } from "@unisock/socket";
 * import { DefaultSelector, EVENT_READ } from "@unisock/socket/selectors";
 * using s = socket();
 * using sel = new DefaultSelector();
 * sel.register(s, EVENT_READ);
 * const map = sel.get_map()!;
 * console.log(map.size, [...map.keys()], map.get(s)?.events); // 1 [s.fileno()] 1
 * ```
 */
export class SelectorMapping<F extends FileDescriptorLike = FileDescriptorLike, D = unknown>
  implements ReadonlyMap<number, SelectorKey<F, D>> {
  #keys: ReadonlyMap<number, SelectorKey<F, D>>;
  #lookup: (fileobj: FileDescriptorLike) => number;

  /**
   * Builds the view (selectors do this).
   *
   * @param keys The selector's registrations by descriptor.
   * @param lookup Finds the descriptor of a file object.
   */
  constructor(
    keys: ReadonlyMap<number, SelectorKey<F, D>>,
    lookup: (fileobj: FileDescriptorLike) => number,
  ) {
    this.#keys = keys;
    this.#lookup = lookup;
  }

  /** How many file objects are registered. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * The key of a file object or descriptor.
   *
   * @param fileobj A registered file object or descriptor.
   * @returns Its key, or `undefined`.
   */
  get(fileobj: FileDescriptorLike): SelectorKey<F, D> | undefined {
    let fd: number;
    try {
      fd = this.#lookup(fileobj);
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) return undefined;
      throw e;
    }
    return this.#keys.get(fd);
  }

  /**
   * Whether a file object or descriptor is registered.
   *
   * @param fileobj A file object or descriptor.
   * @returns `true` when registered.
   */
  has(fileobj: FileDescriptorLike): boolean {
    return this.get(fileobj) !== undefined;
  }

  /**
   * The registered descriptors.
   *
   * @returns An iterator of descriptors.
   */
  keys(): MapIterator<number> {
    return this.#keys.keys();
  }

  /**
   * The keys.
   *
   * @returns An iterator of {@linkcode SelectorKey}s.
   */
  values(): MapIterator<SelectorKey<F, D>> {
    return this.#keys.values();
  }

  /**
   * `[fd, key]` pairs.
   *
   * @returns An iterator of pairs.
   */
  entries(): MapIterator<[number, SelectorKey<F, D>]> {
    return this.#keys.entries();
  }

  /**
   * Calls `fn` for each registration.
   *
   * @param fn Called with `(key, fd, map)`.
   * @param thisArg `this` for `fn`.
   */
  forEach(
    fn: (key: SelectorKey<F, D>, fd: number, map: ReadonlyMap<number, SelectorKey<F, D>>) => void,
    thisArg?: unknown,
  ): void {
    for (const [fd, key] of this.#keys) fn.call(thisArg, key, fd, this);
  }

  /**
   * `[fd, key]` pairs, as `entries()`.
   *
   * @returns An iterator of pairs.
   */
  [Symbol.iterator](): MapIterator<[number, SelectorKey<F, D>]> {
    return this.#keys.entries();
  }
}

/**
 * The interface every selector has, as Python's `selectors.BaseSelector`.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Accept any selector
 * ```ts
 * import type { BaseSelector } from "@unisock/socket/selectors";
 * function count(sel: BaseSelector): number {
 *   return sel.get_map()?.size ?? 0;
 * }
 * ```
 */
export abstract class BaseSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown> {
  /**
   * Watches a file object for events.
   *
   * @param fileobj A socket, an object with `fileno()`, or a descriptor.
   * @param events `EVENT_READ`, `EVENT_WRITE` or both.
   * @param data Anything to attach to the key.
   * @returns The new key.
   */
  abstract register(fileobj: F, events: number, data?: D | null): SelectorKey<F, D>;

  /**
   * Stops watching a file object.
   *
   * @param fileobj A registered file object (it may be closed already).
   * @returns Its key.
   */
  abstract unregister(fileobj: F): SelectorKey<F, D>;

  /**
   * Changes the events or data of a registered file object.
   *
   * @param fileobj A registered file object.
   * @param events The new events.
   * @param data The new data (`null` when omitted, as in Python).
   * @returns The new key.
   */
  abstract modify(fileobj: F, events: number, data?: D | null): SelectorKey<F, D>;

  /**
   * Waits until some registered file objects are ready.
   *
   * @param timeout Seconds; `<= 0` polls; omitted or `null` waits as long as it takes.
   * @returns `[key, events]` pairs for the ready file objects.
   */
  abstract select(timeout?: number | null): Promise<[SelectorKey<F, D>, number][]>;

  /** Frees the selector; the sockets stay open. */
  abstract close(): void;

  /**
   * The registrations.
   *
   * @returns A live view, or `null` once closed.
   */
  abstract get_map(): SelectorMapping<F, D> | null;

  /**
   * The key of a registered file object.
   *
   * @param fileobj A registered file object or descriptor.
   * @returns Its key.
   * @throws {KeyError} When it is not registered.
   * @throws {Error} `Selector is closed` once closed.
   */
  get_key(fileobj: F): SelectorKey<F, D> {
    const map = this.get_map();
    if (map === null) throw new Error("Selector is closed");
    const key = map.get(fileobj);
    if (key === undefined) throw new KeyError(`${_repr(fileobj)} is not registered`);
    return key;
  }

  /** Closes the selector, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Closes the selector, for `await using`.
   *
   * @returns A promise that resolves once closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * Checks a selector event mask.
 *
 * @param events The mask.
 * @returns The mask.
 */
function _checkEvents(events: unknown): number {
  if (typeof events !== "number" || !Number.isInteger(events)) {
    throw new TypeError(`Invalid events: ${_repr(events)}`);
  }
  if (events === 0 || (events & ~(EVENT_READ | EVENT_WRITE)) !== 0) {
    throw new RangeError(`Invalid events: ${events}`);
  }
  return events;
}

/**
 * Python's `_fileobj_to_fd`: the descriptor of a file object.
 *
 * @param fileobj A number or an object with `fileno()`.
 * @returns The descriptor.
 */
function _fileobjToFd(fileobj: unknown): number {
  let fd: unknown = fileobj;
  if (typeof fileobj !== "number") {
    const fileno = (fileobj as Partial<HasFileno> | null | undefined)?.fileno;
    if (typeof fileno !== "function") {
      throw new RangeError(`Invalid file object: ${_repr(fileobj)}`);
    }
    fd = fileno.call(fileobj);
  }
  if (typeof fd !== "number" || !Number.isInteger(fd)) {
    throw new RangeError(`Invalid file object: ${_repr(fileobj)}`);
  }
  if (fd < 0) throw new RangeError(`Invalid file descriptor: ${fd}`);
  return fd;
}

/**
 * The shared bookkeeping of every selector (Python's `_BaseSelectorImpl`):
 * the map from descriptors to keys, argument checks and `select`'s result
 * building. Subclasses supply only the waiting primitive: `_add`, `_remove`,
 * `_change` and `_wait`.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example A selector over a custom primitive
 * ```ts ignore
 * class MySelector extends _BaseSelectorImpl {
 *   protected _add(fd: number, events: number) {}
 *   protected _remove(fd: number) {}
 *   protected _change(fd: number, events: number) {}
 *   protected _wait(timeout: number | null, max: number) { return Promise.resolve([]); }
 * }
 * ```
 */
export abstract class _BaseSelectorImpl<
  F extends FileDescriptorLike = FileDescriptorLike,
  D = unknown,
> extends BaseSelector<F, D> {
  #fdToKey = new Map<number, SelectorKey<F, D>>();
  #map: SelectorMapping<F, D> | null = new SelectorMapping(
    this.#fdToKey,
    (fileobj) => this.#lookup(fileobj),
  );

  /** Starts watching `fd` for `events` (EVENT_* bits); may throw to refuse. */
  protected abstract _add(fd: number, events: number): void;
  /** Stops watching `fd`; OSErrors are ignored. */
  protected abstract _remove(fd: number): void;
  /** Changes the events of `fd`. */
  protected abstract _change(fd: number, events: number): void;
  /**
   * Waits; resolves with `[fd, EVENT_* bits]` pairs.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @param max How many registrations there are.
   */
  protected abstract _wait(timeout: number | null, max: number): Promise<[number, number][]>;
  /** Releases the primitive (`close()` calls it once). */
  protected _closePrimitive(): void {}

  /** What the primitive is called in "closed" errors. */
  protected get _what(): string {
    return "selector";
  }

  /**
   * Python's `_fileobj_lookup`: the descriptor, or for a closed socket the
   * descriptor it was registered with.
   */
  #lookup(fileobj: FileDescriptorLike): number {
    try {
      return _fileobjToFd(fileobj);
    } catch (e) {
      for (const key of this.#fdToKey.values()) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  #checkOpen(): void {
    if (this.#map === null) throw new RangeError(`I/O operation on closed ${this._what}`);
  }

  /**
   * Watches a file object for events.
   *
   * @param fileobj A socket, an object with `fileno()`, or a descriptor.
   * @param events `EVENT_READ`, `EVENT_WRITE` or both.
   * @param data Anything to attach to the key (default `null`).
   * @returns The new key.
   * @throws {RangeError} `Invalid events: N`, or an invalid file object.
   * @throws {KeyError} When the descriptor is already registered.
   *
   * @example Register a listening socket
   * ```ts
   * import { create_server } from "@unisock/socket";
   * import { DefaultSelector, EVENT_READ } from "@unisock/socket/selectors";
   * using srv = await create_server(["127.0.0.1", 0]);
   * using sel = new DefaultSelector();
   * sel.register(srv, EVENT_READ, "accept");
   * ```
   */
  register(fileobj: F, events: number, data: D | null = null): SelectorKey<F, D> {
    this.#checkOpen();
    _checkEvents(events);
    const key = new SelectorKey(fileobj, this.#lookup(fileobj), events, data);
    if (this.#fdToKey.has(key.fd)) {
      throw new KeyError(`${_repr(fileobj)} (FD ${key.fd}) is already registered`);
    }
    this._add(key.fd, events);
    this.#fdToKey.set(key.fd, key);
    return key;
  }

  /**
   * Stops watching a file object.
   *
   * @param fileobj A registered file object (it may be closed already).
   * @returns Its key.
   * @throws {KeyError} When it is not registered.
   *
   * @example Unregister before closing
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { DefaultSelector, EVENT_READ } from "@unisock/socket/selectors";
   * using sel = new DefaultSelector();
   * const s = socket();
   * sel.register(s, EVENT_READ);
   * sel.unregister(s);
   * s.close();
   * ```
   */
  unregister(fileobj: F): SelectorKey<F, D> {
    const key = this.#keyOf(fileobj);
    this.#fdToKey.delete(key.fd);
    this._remove(key.fd);
    return key;
  }

  /**
   * Changes the events or data of a registered file object.
   *
   * @param fileobj A registered file object.
   * @param events The new events.
   * @param data The new data (`null` when omitted, as in Python).
   * @returns The new key.
   * @throws {KeyError} When it is not registered.
   * @throws {RangeError} `Invalid events: N`.
   *
   * @example Watch for writing once there is something to send
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "@unisock/socket/selectors";
   * using s = socket();
   * using sel = new DefaultSelector();
   * sel.register(s, EVENT_READ);
   * sel.modify(s, EVENT_READ | EVENT_WRITE, "pending reply");
   * ```
   */
  modify(fileobj: F, events: number, data: D | null = null): SelectorKey<F, D> {
    this.#checkOpen();
    const key = this.#keyOf(fileobj);
    _checkEvents(events);
    if (events !== key.events) {
      try {
        this._change(key.fd, events);
      } catch (e) {
        this.#fdToKey.delete(key.fd);
        this._remove(key.fd);
        throw e;
      }
    }
    if (events === key.events && data === key.data) return key;
    const next = new SelectorKey(key.fileobj, key.fd, events, data);
    this.#fdToKey.set(key.fd, next);
    return next;
  }

  /**
   * Waits until some registered file objects are ready.
   *
   * @param timeout Seconds; `<= 0` polls; omitted or `null` waits as long as it takes.
   * @returns `[key, events]` pairs, `events` being the ready subset of `key.events`.
   *
   * @example One round of an event loop
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * import { DefaultSelector, EVENT_READ } from "@unisock/socket/selectors";
   * const [a, b] = await socketpair();
   * using sel = new DefaultSelector();
   * sel.register(a, EVENT_READ);
   * await b.sendall("hi");
   * for (const [key, mask] of await sel.select(1)) console.log(key.fd, mask); // a.fileno() 1
   * a.close();
   * b.close();
   * ```
   */
  async select(timeout?: number | null): Promise<[SelectorKey<F, D>, number][]> {
    this.#checkOpen();
    if (timeout !== undefined && timeout !== null && typeof timeout !== "number") {
      throw new TypeError("timeout must be a number or null");
    }
    const events = await this._wait(timeout ?? null, this.#fdToKey.size);
    const ready: [SelectorKey<F, D>, number][] = [];
    for (const [fd, ev] of events) {
      const key = this.#fdToKey.get(fd);
      if (key !== undefined) ready.push([key, ev & key.events]);
    }
    return ready;
  }

  /**
   * Frees the selector; the sockets stay open. A running `select` resolves
   * with `[]`.
   *
   * @example Close explicitly
   * ```ts
   * import { DefaultSelector } from "@unisock/socket/selectors";
   * const sel = new DefaultSelector();
   * sel.close();
   * console.log(sel.get_map()); // null
   * ```
   */
  close(): void {
    if (this.#map === null) return;
    this._closePrimitive();
    this.#fdToKey.clear();
    this.#map = null;
  }

  /**
   * The registrations.
   *
   * @returns A live view, or `null` once closed.
   *
   * @example Count the registrations
   * ```ts
   * import { DefaultSelector } from "@unisock/socket/selectors";
   * using sel = new DefaultSelector();
   * console.log(sel.get_map()?.size); // 0
   * ```
   */
  get_map(): SelectorMapping<F, D> | null {
    return this.#map;
  }

  #keyOf(fileobj: F): SelectorKey<F, D> {
    let key: SelectorKey<F, D> | undefined;
    try {
      key = this.#fdToKey.get(this.#lookup(fileobj));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
    if (key === undefined) throw new KeyError(`${_repr(fileobj)} is not registered`);
    return key;
  }
}

/**
 * A selector over `select()`, as Python's `selectors.SelectSelector`.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Wait for a connection
 * ```ts
 * import { create_server } from "@unisock/socket";
 * import { EVENT_READ, SelectSelector } from "@unisock/socket/selectors";
 * using srv = await create_server(["127.0.0.1", 0]);
 * using sel = new SelectSelector();
 * sel.register(srv, EVENT_READ);
 * console.log(await sel.select(0)); // []
 * ```
 */
export class SelectSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown>
  extends _BaseSelectorImpl<F, D> {
  #readers = new Set<number>();
  #writers = new Set<number>();
  #abort = new AbortController();

  /**
   * Starts watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _add(fd: number, events: number): void {
    if (events & EVENT_READ) this.#readers.add(fd);
    if (events & EVENT_WRITE) this.#writers.add(fd);
  }

  /**
   * Stops watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   */
  protected override _remove(fd: number): void {
    this.#readers.delete(fd);
    this.#writers.delete(fd);
  }

  /**
   * Changes the events of `fd` in the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _change(fd: number, events: number): void {
    this._remove(fd);
    this._add(fd, events);
  }

  /**
   * Waits with the primitive.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @returns `[fd, EVENT_* bits]` pairs.
   */
  protected override async _wait(timeout: number | null): Promise<[number, number][]> {
    const t = timeout === null ? null : Math.max(timeout, 0);
    const [r, w] = await _select(this.#readers, this.#writers, [], t, this.#abort.signal);
    const out = new Map<number, number>();
    for (const fd of r) out.set(fd, EVENT_READ);
    for (const fd of w) out.set(fd, (out.get(fd) ?? 0) | EVENT_WRITE);
    return [...out];
  }

  /** Releases the primitive; a running `select` resolves with `[]`. */
  protected override _closePrimitive(): void {
    this.#readers.clear();
    this.#writers.clear();
    this.#abort.abort();
  }
}

/**
 * Maps poll/epoll events to selector events, as CPython does: anything but
 * IN counts as writable, anything but OUT as readable (so errors and hang-ups
 * wake both).
 *
 * @param ev The poll mask.
 * @param inBit POLLIN/EPOLLIN.
 * @param outBit POLLOUT/EPOLLOUT.
 * @returns EVENT_* bits.
 */
function _toEvents(ev: number, inBit: number, outBit: number): number {
  return ((ev & ~inBit) !== 0 ? EVENT_WRITE : 0) | ((ev & ~outBit) !== 0 ? EVENT_READ : 0);
}

/**
 * The poll mask for selector events.
 *
 * @param events EVENT_* bits.
 * @param inBit POLLIN/EPOLLIN.
 * @param outBit POLLOUT/EPOLLOUT.
 * @returns The mask.
 */
function _fromEvents(events: number, inBit: number, outBit: number): number {
  return (events & EVENT_READ ? inBit : 0) | (events & EVENT_WRITE ? outBit : 0);
}

/**
 * A selector over `poll()`, as Python's `selectors.PollSelector`.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Wait until writable
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { EVENT_WRITE, PollSelector } from "@unisock/socket/selectors";
 * const [a, b] = await socketpair();
 * using sel = new PollSelector();
 * sel.register(a, EVENT_WRITE);
 * console.log((await sel.select(1)).length); // 1
 * a.close();
 * b.close();
 * ```
 */
export class PollSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown>
  extends _BaseSelectorImpl<F, D> {
  #poll = new Poll();

  /**
   * Starts watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _add(fd: number, events: number): void {
    this.#poll.register(fd, _fromEvents(events, POLLIN, POLLOUT));
  }

  /**
   * Stops watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   */
  protected override _remove(fd: number): void {
    try {
      this.#poll.unregister(fd);
    } catch {
      // already gone
    }
  }

  /**
   * Changes the events of `fd` in the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _change(fd: number, events: number): void {
    this.#poll.modify(fd, _fromEvents(events, POLLIN, POLLOUT));
  }

  /**
   * Waits with the primitive.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @returns `[fd, EVENT_* bits]` pairs.
   */
  protected override async _wait(timeout: number | null): Promise<[number, number][]> {
    // poll() has a resolution of 1 millisecond; round away from zero.
    const ms = timeout === null ? null : timeout <= 0 ? 0 : Math.ceil(timeout * 1e3);
    const got = await this.#poll.poll(ms);
    return got.map(([fd, ev]) => [fd, _toEvents(ev, POLLIN, POLLOUT)]);
  }

  /** Releases the primitive; a running `select` resolves with `[]`. */
  protected override _closePrimitive(): void {
    this.#poll._abort();
  }
}

/**
 * A selector over `epoll()`, as Python's `selectors.EpollSelector`; the
 * {@linkcode DefaultSelector}. Its sockets are watched from `register` to
 * `unregister`, so each `select` costs as much as the ready sockets.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Wait until readable
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { EpollSelector, EVENT_READ } from "@unisock/socket/selectors";
 * const [a, b] = await socketpair();
 * using sel = new EpollSelector();
 * sel.register(a, EVENT_READ);
 * await b.sendall("x");
 * console.log((await sel.select(1))[0][1]); // 1
 * a.close();
 * b.close();
 * ```
 */
export class EpollSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown>
  extends _BaseSelectorImpl<F, D> {
  #epoll = new Epoll();

  /**
   * Names the primitive in "closed" errors.
   *
   * @returns `epoll object`, as in CPython's message.
   */
  protected override get _what(): string {
    return "epoll object";
  }

  /**
   * Starts watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _add(fd: number, events: number): void {
    this.#epoll.register(fd, _fromEvents(events, EPOLLIN, EPOLLOUT));
  }

  /**
   * Stops watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   */
  protected override _remove(fd: number): void {
    try {
      this.#epoll.unregister(fd);
    } catch {
      // closed meanwhile: epoll forgot it already
    }
  }

  /**
   * Changes the events of `fd` in the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _change(fd: number, events: number): void {
    this.#epoll.modify(fd, _fromEvents(events, EPOLLIN, EPOLLOUT));
  }

  /**
   * Waits with the primitive.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @param max How many registrations there are (epoll's maxevents).
   * @returns `[fd, EVENT_* bits]` pairs.
   */
  protected override async _wait(timeout: number | null, max: number): Promise<[number, number][]> {
    const t = timeout === null ? -1 : timeout <= 0 ? 0 : Math.ceil(timeout * 1e3) * 1e-3;
    const got = await this.#epoll.poll(t, Math.max(max, 1));
    return got.map(([fd, ev]) => [fd, _toEvents(ev, EPOLLIN, EPOLLOUT)]);
  }

  /** Releases the primitive; a running `select` resolves with `[]`. */
  protected override _closePrimitive(): void {
    this.#epoll.close();
  }
}

/** The best selector of the platform: {@linkcode EpollSelector}, as on Linux. */
export const DefaultSelector: typeof EpollSelector = EpollSelector;
/** The best selector of the platform: {@linkcode EpollSelector}, as on Linux. */
export type DefaultSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown> =
  EpollSelector<F, D>;
