/**
 * `SelectorMapping`: the read-only view of a selector's registrations.
 *
 * @module
 */

import type { FileDescriptorLike } from "../select/mod.ts";
import type { SelectorKey } from "./key.ts";

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
