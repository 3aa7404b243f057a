// A stream socket's listening part: the runtime's listener handle, the
// connections it queued for `accept`, and the error that ended it.

import type { OSError } from "../errors.ts";
import type { ListenerHandle, ListenerSink, StreamHandle } from "../backend.ts";
import type { Readiness } from "../_readiness.ts";
import type { _SocketShared } from "./shared.ts";
import { _deadline, type _Waiter } from "./waiting.ts";

/** A blocking accept without a timeout: one waiter, settled by the next connection. */
class _AcceptWaiter<T> implements _Waiter {
  readonly at = Infinity;
  readonly #listener: _Listener<T>;
  readonly #resolve: (conn: T) => void;
  readonly #reject: (err: unknown) => void;

  constructor(listener: _Listener<T>, resolve: (conn: T) => void, reject: (err: unknown) => void) {
    this.#listener = listener;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  ready(): boolean {
    return this.#listener.acceptable();
  }

  wake(): void {
    this.#listener.acceptWaitEnded(this);
    try {
      this.#resolve(this.#listener.takeNow());
    } catch (err) {
      this.#reject(err);
    }
  }

  fail(closed: OSError | null): void {
    this.#listener.acceptWaitEnded(this);
    this.#reject(closed);
  }
}

/**
 * The listening part of a stream socket, from `bind` on. `T` is what an
 * accepted connection becomes (the socket and its peer's address), built by
 * the function given at construction.
 *
 * @example Accept through it
 * ```ts ignore
 * const listener = new _Listener(shared, handle, (h) => [wrap(h), h.remote]);
 * const [conn, addr] = await listener.accept();
 * ```
 */
export class _Listener<T> implements ListenerSink {
  readonly #shared: _SocketShared;
  readonly #handle: ListenerHandle;
  readonly #accepted: (h: StreamHandle) => T;
  #queue: StreamHandle[] = [];
  #error: OSError | null = null;
  #acceptWait: _AcceptWaiter<T> | null = null;

  /**
   * Starts taking connections from `handle`.
   *
   * @param shared The socket's shared state.
   * @param handle The runtime's listener.
   * @param accepted Makes what `accept` returns of a connection.
   */
  constructor(shared: _SocketShared, handle: ListenerHandle, accepted: (h: StreamHandle) => T) {
    this.#shared = shared;
    this.#handle = handle;
    this.#accepted = accepted;
    handle.start(this);
  }

  /** The runtime's listener. */
  get handle(): ListenerHandle {
    return this.#handle;
  }

  /**
   * A connection arrived.
   *
   * @param h It.
   */
  connection(h: StreamHandle): void {
    this.#queue.push(h);
    this.#shared.notify();
  }

  /**
   * The listener failed.
   *
   * @param err The error.
   */
  error(err: OSError): void {
    this.#error = err;
    this.#shared.notify();
  }

  /** Connections waiting for `accept`. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Whether an accept returns (or fails) now.
   *
   * @returns The answer.
   */
  acceptable(): boolean {
    return this.#queue.length > 0 || this.#error !== null;
  }

  /**
   * The next queued connection, or the listener's error. Only when `acceptable()`.
   *
   * @returns The connection.
   */
  takeNow(): T {
    const h = this.#queue.shift();
    if (h === undefined) throw this.#error;
    return this.#accepted(h);
  }

  /**
   * Accepts, past the socket's checks: at once when a connection waits,
   * else one waiter (a blocking accept without a timeout) or a general wait.
   *
   * @returns The connection.
   */
  accept(): Promise<T> {
    if (this.#queue.length > 0) return Promise.resolve(this.#accepted(this.#queue.shift()!));
    if (this.#error === null && this.#shared.timeout === null && this.#acceptWait === null) {
      return new Promise((resolve, reject) => {
        const w = new _AcceptWaiter(this, resolve, reject);
        this.#acceptWait = w;
        this.#shared.waiting.add(w);
      });
    }
    return this.#acceptLater();
  }

  async #acceptLater(): Promise<T> {
    const shared = this.#shared;
    const at = _deadline(shared.timeout);
    // Loops when a concurrent accept took the connection this one was woken for.
    while (this.#queue.length === 0) {
      if (this.#error !== null) throw this.#error;
      await shared.until(() => this.acceptable(), 0, at);
    }
    return this.#accepted(this.#queue.shift()!);
  }

  /**
   * The waiting fast-path accept finished or failed.
   *
   * @param w It.
   */
  acceptWaitEnded(w: _AcceptWaiter<T>): void {
    if (this.#acceptWait === w) this.#acceptWait = null;
  }

  /** Stops listening and resets the connections nobody accepted. */
  close(): void {
    this.#handle.close();
    if (this.#queue.length > 0) {
      for (const h of this.#queue) h.abort();
      this.#queue = [];
    }
  }

  /**
   * Readiness for select/poll.
   *
   * @returns It.
   */
  readiness(): Readiness {
    return {
      readable: this.acceptable(),
      writable: false,
      error: this.#error !== null,
      hangup: false,
      closed: false,
    };
  }
}
