/**
 * Python's `select.poll()` objects.
 *
 * @module
 */

import { _lookupFd, type Pollable } from "../_readiness.ts";
import { ENOENT } from "../errno.ts";
import { KeyError, oserror, RuntimeError } from "../errors.ts";
import {
  _ALWAYS,
  _fdOf,
  _ioTurn,
  _pollMask,
  _pollTimeout,
  _waitFor,
  type FileDescriptorLike,
} from "./common.ts";
import { POLLIN, POLLNVAL, POLLOUT, POLLPRI } from "./constants.ts";

/**
 * Checks an event mask of `poll.register`/`modify` (a C unsigned short).
 *
 * @param mask The mask.
 * @returns The mask.
 */
function _pollEvents(mask: unknown): number {
  if (typeof mask !== "number" || !Number.isInteger(mask)) {
    throw new TypeError("an integer is required");
  }
  if (mask < 0) throw new RangeError("value must be positive");
  if (mask > 0xffff) throw new RangeError("Python int too large for C unsigned short");
  return mask;
}

/**
 * A `poll` object, as returned by Python's `select.poll()`: a set of
 * descriptors with the events to watch, checked by `poll(timeout_ms)`.
 * A descriptor that is not open (or was closed) reports `POLLNVAL`.
 *
 * @example Wait for a connection on a listening socket
 * ```ts
 * import { create_connection, create_server } from "@unisock/socket";
 * import { poll, POLLIN } from "@unisock/socket/select";
 *
 * const srv = await create_server(["127.0.0.1", 0]);
 * const p = poll();
 * p.register(srv, POLLIN);
 * const cli = await create_connection(srv.getsockname());
 * console.log(await p.poll(1000)); // [[srv.fileno(), POLLIN]]
 * cli.close();
 * srv.close();
 * ```
 */
export class Poll {
  #fds = new Map<number, number>();
  #running = false;
  #aborts = new Set<AbortController>();

  /**
   * Starts watching a descriptor (or changes its events if already watched).
   *
   * @param fd A socket, an object with `fileno()`, or a descriptor number.
   * @param eventmask `POLLIN`, `POLLPRI` and `POLLOUT` combined; all three by default.
   *
   * @example Watch a socket for reading
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll, POLLIN } from "@unisock/socket/select";
   * using s = socket();
   * poll().register(s, POLLIN);
   * ```
   */
  register(fd: FileDescriptorLike, eventmask: number = POLLIN | POLLPRI | POLLOUT): void {
    const n = _fdOf(fd);
    this.#fds.set(n, _pollEvents(eventmask));
  }

  /**
   * Changes the events of a registered descriptor.
   *
   * @param fd A registered socket or descriptor.
   * @param eventmask The new mask.
   * @throws {FileNotFoundError} ENOENT when `fd` is not registered.
   *
   * @example Switch to writing
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll, POLLIN, POLLOUT } from "@unisock/socket/select";
   * using s = socket();
   * const p = poll();
   * p.register(s, POLLIN);
   * p.modify(s, POLLOUT);
   * ```
   */
  modify(fd: FileDescriptorLike, eventmask: number): void {
    const n = _fdOf(fd);
    const mask = _pollEvents(eventmask);
    if (!this.#fds.has(n)) throw oserror(ENOENT);
    this.#fds.set(n, mask);
  }

  /**
   * Stops watching a descriptor.
   *
   * @param fd A registered socket or descriptor.
   * @throws {KeyError} When `fd` is not registered.
   *
   * @example Unregister
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll } from "@unisock/socket/select";
   * using s = socket();
   * const p = poll();
   * p.register(s);
   * p.unregister(s);
   * ```
   */
  unregister(fd: FileDescriptorLike): void {
    const n = _fdOf(fd);
    if (!this.#fds.delete(n)) throw new KeyError(String(n));
  }

  /**
   * Waits until a registered descriptor has an event.
   *
   * @param timeout Milliseconds; omitted, `null` or negative waits as long as it takes.
   * @returns `[fd, revents]` pairs, in registration order; empty at the timeout.
   * @throws {RuntimeError} `concurrent poll() invocation` while another `poll` of this object runs.
   *
   * @example Poll without waiting
   * ```ts
   * import { socket } from "@unisock/socket";
   * import { poll } from "@unisock/socket/select";
   * using s = socket();
   * const p = poll();
   * p.register(s);
   * console.log(await p.poll(0));
   * ```
   */
  async poll(timeout?: number | null): Promise<[number, number][]> {
    const ms = _pollTimeout(timeout);
    if (this.#running) throw new RuntimeError("concurrent poll() invocation");
    this.#running = true;
    const abort = new AbortController();
    this.#aborts.add(abort);
    try {
      return await this.#poll(ms, abort.signal);
    } finally {
      this.#aborts.delete(abort);
      this.#running = false;
    }
  }

  async #poll(ms: number | null, signal: AbortSignal): Promise<[number, number][]> {
    const regs = [...this.#fds].map(([fd, events]) => ({ fd, events, p: _lookupFd(fd) }));
    const collect = () => {
      const out: [number, number][] = [];
      for (const { fd, events, p } of regs) {
        const m = (p === undefined ? POLLNVAL : _pollMask(p, fd)) & (events | _ALWAYS);
        if (m !== 0) out.push([fd, m]);
      }
      return out;
    };
    const now = collect();
    if (now.length > 0) return now;
    if (ms === 0) {
      await _ioTurn();
      return collect();
    }
    const byP = new Map(regs.map((r) => [r.p as Pollable, r]));
    await _waitFor(
      byP.keys(),
      (p) => {
        const r = byP.get(p)!;
        return (_pollMask(p, r.fd) & (r.events | _ALWAYS)) !== 0;
      },
      ms,
      signal,
    );
    return collect();
  }

  /**
   * Ends a running `poll()` at once (it resolves with what is ready then);
   * used by `PollSelector.close()`.
   * @ignore
   */
  _abort(): void {
    for (const a of this.#aborts) a.abort();
  }
}

/**
 * Creates a `poll` object, as Python's `select.poll()`.
 *
 * @returns A new, empty {@linkcode Poll}.
 *
 * @example Poll a socket pair
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { poll, POLLIN } from "@unisock/socket/select";
 * const [a, b] = await socketpair();
 * const p = poll();
 * p.register(a, POLLIN);
 * await b.sendall("x");
 * console.log(await p.poll(1000)); // [[a.fileno(), POLLIN]]
 * a.close();
 * b.close();
 * ```
 */
export function poll(): Poll {
  return new Poll();
}
