/**
 * `SelectorKey`: what a selector's `register` returns and `select` reports.
 *
 * @module
 */

import type { FileDescriptorLike } from "../select/mod.ts";

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
export function _repr(obj: unknown): string {
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
