/**
 * Listeners of the `UNISOCK_DENO_NET=conn` path (see `mod.ts`): `Deno.listen`.
 * `reusePort` without `--unstable-net` would make Deno exit the process, so
 * it is refused here instead.
 *
 * @module
 */

import type {
  BackendAddress,
  ListenerHandle,
  ListenerSink,
  ListenOptions,
} from "../../src/backend.ts";
import * as E from "../../src/errno.ts";
import { oserror } from "../../src/errors.ts";
import { _acceptAgain } from "../shared/accept.ts";
import { _ListenerBase } from "../shared/listener.ts";
import type { DenoApi, DenoConn, DenoListener } from "./api.ts";
import { _translate } from "./errors.ts";
import { _address, _DenoStream, _noop } from "./stream.ts";
import { _closeQuietly } from "../shared/quietly.ts";

/**
 * Closed listeners whose descriptor is not released yet: Deno closes a
 * listener's fd only when its pending `accept()` has settled, one event-loop
 * turn after `close()`. Until then the port is still taken (a new bind fails
 * with EADDRINUSE) and connections to it are queued, then reset.
 */
const _releasing = new Set<Promise<void>>();

/**
 * Waits until every closed listener has released its port, so a `bind` or
 * `connect` right after `close()` sees the port free, as on Linux.
 *
 * @returns Resolves when no closed listener still holds its descriptor.
 *
 * @example Rebind a port just closed
 * ```ts ignore
 * listener.close();
 * await _listenersReleased();
 * ```
 */
export async function _listenersReleased(): Promise<void> {
  for (let i = 0; i < 100 && _releasing.size > 0; i++) await Promise.all([..._releasing]);
}

/**
 * A Deno listener as a {@linkcode ListenerHandle}. The accept loop starts
 * with `start()` (the kernel's backlog holds connections until then).
 */
export class _DenoListener extends _ListenerBase {
  /** The bound endpoint. */
  readonly local: BackendAddress;
  #listener: DenoListener;
  #stopped = false;
  #accepting: Promise<unknown> | null = null; // null until start()

  /**
   * Wraps a listener.
   *
   * @param listener The Deno listener, now owned by this handle.
   */
  constructor(listener: DenoListener) {
    super();
    this.#listener = listener;
    this.local = _address(listener.addr);
  }

  /**
   * Starts the accept loop.
   *
   * @param sink Receives the accepted connections.
   */
  override start(sink: ListenerSink): void {
    super.start(sink);
    if (this.#accepting === null) this.#accept();
  }

  /** Closes Deno's listener; a pending accept ends silently. */
  protected stop(): void {
    this.#stopped = true;
    _closeQuietly(this.#listener);
    const accepting = this.#accepting;
    if (accepting !== null) {
      // Settles when the cancelled accept did (bounded, should Deno ever not settle it).
      const released = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 250);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        accepting.then(done, done);
      });
      _releasing.add(released);
      released.then(() => _releasing.delete(released));
    }
  }

  /** Issues the next accept (one in flight at a time), settled by callbacks. */
  #accept = (): void => {
    if (this.#stopped) return;
    const accepting = this.#listener.accept();
    this.#accepting = accepting;
    accepting.then(this.#onAccept, this.#onAcceptError);
  };

  #onAccept = (conn: DenoConn): void => {
    if (this.#stopped) return _closeQuietly(conn);
    this.accepted(new _DenoStream(conn), conn, _noop);
    this.#accept();
  };

  /** Transient errors accept again (with a back-off when out of descriptors); others end it. */
  #onAcceptError = (err: unknown): void => {
    if (this.#stopped) return;
    const error = _translate(err);
    if (!_acceptAgain(error.errno, this.#accept)) this.failed(error);
  };
}

/**
 * Binds and listens with `Deno.listen`.
 *
 * @param deno The Deno global.
 * @param unstable Whether `--unstable-net` is on (needed for `reusePort`).
 * @param options What the core asked for.
 * @returns The listener.
 * @throws {OSError} EADDRINUSE …, or ENOPROTOOPT for `reusePort` without `--unstable-net`.
 *
 * @example Listen on a free port
 * ```ts ignore
 * const l = _listen(Deno, false, {
 *   address: { kind: "inet", host: "127.0.0.1", port: 0, version: 4 },
 *   backlog: 128, reusePort: false, ipv6Only: false,
 * });
 * ```
 */
export function _listen(deno: DenoApi, unstable: boolean, options: ListenOptions): ListenerHandle {
  const a = options.address;
  if (a.kind === "unix") return new _DenoListener(deno.listen({ transport: "unix", path: a.path }));
  if (options.reusePort && !unstable) {
    throw oserror(E.ENOPROTOOPT, "SO_REUSEPORT needs Deno's --unstable-net flag");
  }
  const tcpBacklog = Math.trunc(Math.min(Math.max(options.backlog, 0), 65535)) || 0;
  return new _DenoListener(deno.listen({
    transport: "tcp",
    hostname: a.host,
    port: a.port,
    tcpBacklog,
    ...(options.reusePort ? { reusePort: true } : {}),
  }));
}
