/**
 * What every listener handle shares, whatever the runtime.
 *
 * @module
 */

import type {
  BackendAddress,
  ListenerHandle,
  ListenerSink,
  StreamHandle,
} from "../../src/backend.ts";
import type { OSError } from "../../src/errors.ts";
import { _ListenerEvents } from "../../src/_events.ts";
import { _isTransientAccept } from "./accept.ts";

/**
 * The runtime-neutral part of a {@linkcode ListenerHandle}: accepted
 * connections go to the core's {@linkcode _ListenerEvents} (which holds them
 * until `start()` and resets those still waiting at `close()`, as the kernel
 * resets a closed listener's backlog); `close()` stops the runtime's
 * listener once; accept(2) errors that are transient or concern one
 * connection never end it (see {@linkcode _isTransientAccept}).
 *
 * @example A listener over a runtime server
 * ```ts ignore
 * class _MyListener extends _ListenerBase {
 *   constructor(readonly local: BackendAddress, server: Server) {
 *     super();
 *     server.onConnection = (s) => this.accepted(wrap(s), s, (s) => s.destroy());
 *     server.onError = (err) => this.failed(translate(err));
 *   }
 *   protected stop(): void { server.close(); }
 * }
 * ```
 */
export abstract class _ListenerBase implements ListenerHandle {
  /** The bound address, with the real port. */
  abstract readonly local: BackendAddress;
  #events = new _ListenerEvents();
  #closed = false;

  /**
   * Begins handing connections to `sink`.
   *
   * @param sink Receives accepted connections and errors.
   */
  start(sink: ListenerSink): void {
    this.#events.start(sink);
  }

  /** Stops listening; waiting connections are reset, accepted ones stay open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
    this.stop();
  }

  /** Stops the runtime's listener (called once, by `close()`). */
  protected abstract stop(): void;

  /**
   * Hands over an accepted connection.
   *
   * @param stream Its handle, or `null` for a connection reset before it
   * was accepted (accept(2) skips it).
   * @param socket The runtime's socket.
   * @param reset Resets `socket` when `stream` is `null` (a shared
   * function: no closure per connection).
   */
  protected accepted<R>(stream: StreamHandle | null, socket: R, reset: (socket: R) => void): void {
    if (stream !== null) this.#events.connection(stream);
    else reset(socket);
  }

  /**
   * A runtime error of the listener: ignored when transient for accept(2),
   * else the listener fails and closes.
   *
   * @param error The translated error.
   */
  protected failed(error: OSError): void {
    if (this.#closed || _isTransientAccept(error.errno)) return;
    this.#events.error(error);
    this.close();
  }
}
