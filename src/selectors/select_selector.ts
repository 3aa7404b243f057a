/**
 * `SelectSelector`: a selector over `select()`.
 *
 * @module
 */

import type { FileDescriptorLike } from "../select/mod.ts";
import { _select } from "../select/select.ts";
import { _BaseSelectorImpl } from "./base.ts";
import { EVENT_READ, EVENT_WRITE } from "./key.ts";

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
