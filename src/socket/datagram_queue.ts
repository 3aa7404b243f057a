// Datagram helpers of the socket core: the receive queue, bounded in bytes
// like the kernel's (each datagram charged its length plus a fixed overhead)
// and counting the datagrams it refuses as the kernel's drop counter does;
// and the cache of the last numeric `sendto` address.

import type { BackendAddress } from "../backend.ts";
import { _literalVersion } from "../_address.ts";

/** What a queued datagram costs beyond its bytes, roughly the kernel's per-packet charge. */
export const _DGRAM_OVERHEAD = 256;

/** Placeholders for empty slots, so the queue does not keep taken memory alive. */
const _NONE = new Uint8Array(0);
const _NOWHERE: BackendAddress = { kind: "unix", path: "" };

/**
 * A FIFO of received datagrams and their senders, with a byte count and a
 * drop count: two ring buffers that grow by doubling, so that queueing and
 * taking allocate nothing.
 *
 * @example Queue, then take
 * ```ts ignore
 * const q = new _DatagramQueue();
 * q.push(data, from, 212992);
 * const sender = q.from();
 * const bytes = q.take();
 * ```
 */
export class _DatagramQueue {
  #data: Uint8Array[] = []; // allocated by the first push
  #from: BackendAddress[] = [];
  #mask = -1;
  #head = 0;
  #length = 0;
  #bytes = 0;
  #drops = 0;

  /** Datagrams queued. */
  get length(): number {
    return this.#length;
  }

  /** Bytes charged for the queued datagrams (their lengths plus the overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Datagrams refused because the queue was full. */
  get drops(): number {
    return this.#drops;
  }

  /**
   * Queues a datagram unless that would charge more than `limit` bytes.
   *
   * @param data The payload.
   * @param from The sender.
   * @param limit The most bytes the queue may be charged.
   * @returns Whether it was queued (else it was dropped and counted).
   */
  push(data: Uint8Array, from: BackendAddress, limit: number): boolean {
    const cost = data.length + _DGRAM_OVERHEAD;
    if (this.#bytes + cost > limit) {
      this.#drops++;
      return false;
    }
    if (this.#length > this.#mask) this.#grow();
    const at = (this.#head + this.#length) & this.#mask;
    this.#data[at] = data;
    this.#from[at] = from;
    this.#length++;
    this.#bytes += cost;
    return true;
  }

  /**
   * The first datagram, left in the queue. Only when `length > 0`.
   *
   * @returns The payload.
   */
  first(): Uint8Array {
    return this.#data[this.#head];
  }

  /**
   * The sender of the first datagram. Only when `length > 0`.
   *
   * @returns The sender.
   */
  from(): BackendAddress {
    return this.#from[this.#head];
  }

  /**
   * Removes the first datagram. Only when `length > 0`.
   *
   * @returns The payload.
   */
  take(): Uint8Array {
    const h = this.#head;
    const data = this.#data[h];
    this.#data[h] = _NONE; // the queue must not keep taken memory alive
    this.#from[h] = _NOWHERE;
    this.#head = (h + 1) & this.#mask;
    this.#length--;
    this.#bytes -= data.length + _DGRAM_OVERHEAD;
    return data;
  }

  /** Forgets every queued datagram (the drop count stays). */
  clear(): void {
    this.#data.fill(_NONE);
    this.#from.fill(_NOWHERE);
    this.#head = 0;
    this.#length = 0;
    this.#bytes = 0;
  }

  #grow(): void {
    const size = this.#mask + 1;
    const next = size === 0 ? 16 : size * 2;
    const data: Uint8Array[] = new Array(next).fill(_NONE);
    const from: BackendAddress[] = new Array(next).fill(_NOWHERE);
    for (let i = 0; i < size; i++) {
      data[i] = this.#data[(this.#head + i) & this.#mask];
      from[i] = this.#from[(this.#head + i) & this.#mask];
    }
    this.#data = data;
    this.#from = from;
    this.#mask = next - 1;
    this.#head = 0;
  }
}

/**
 * The last `sendto` address whose host needed no look-up (a numeric address,
 * `""` or `"<broadcast>"`) and what it resolved to, so that sending to the
 * same address again costs no parsing and no resolution. Only values equal
 * (`===`) to ones that passed the checks hit, so a hit is valid as they were.
 *
 * @example Remember, then hit
 * ```ts ignore
 * const cache = new _TargetCache();
 * cache.set(["127.0.0.1", 9], target);
 * cache.get(["127.0.0.1", 9]); // target
 * ```
 */
export class _TargetCache {
  #address: readonly unknown[] = [];
  #target: BackendAddress | null = null;

  /**
   * The remembered target if `address` equals the remembered address.
   *
   * @param address What the caller passed.
   * @returns The target, or `null` on a miss.
   */
  get(address: unknown): BackendAddress | null {
    const a = this.#address;
    if (!Array.isArray(address) || address.length !== a.length) return null;
    for (let i = 0; i < a.length; i++) if (address[i] !== a[i]) return null;
    return this.#target;
  }

  /**
   * Remembers a checked address and its resolution, when resolving it again
   * would give the same result without a look-up.
   *
   * @param address The address as passed (copied; only its items are kept).
   * @param host Its host text.
   * @param target What it resolved to.
   */
  set(address: readonly unknown[], host: string, target: BackendAddress): void {
    if (host !== "" && host !== "<broadcast>" && _literalVersion(host) === 0) return;
    this.#address = [...address];
    this.#target = target;
  }
}
