/**
 * `BaseSelector`, the interface of every selector, and the bookkeeping they
 * share (Python's `_BaseSelectorImpl`): the map from descriptors to keys,
 * argument checks and the building of `select`'s result.
 *
 * @module
 */

import { KeyError, RuntimeError } from "../errors.ts";
import type { FileDescriptorLike, HasFileno } from "../select/mod.ts";
import { _repr, EVENT_READ, EVENT_WRITE, SelectorKey } from "./key.ts";
import { SelectorMapping } from "./mapping.ts";

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
   * @throws {RuntimeError} `Selector is closed` once closed.
   */
  get_key(fileobj: F): SelectorKey<F, D> {
    const map = this.get_map();
    if (map === null) throw new RuntimeError("Selector is closed");
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
 * @internal Not exported: the concrete selectors are the public classes.
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
