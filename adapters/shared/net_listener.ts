/**
 * A {@linkcode ListenerHandle} over a `node:net` server.
 *
 * @module
 */

import * as net from "node:net";
import * as fs from "node:fs";
import { dirname } from "node:path";
import type { BackendAddress, ListenerHandle, ListenOptions } from "../../src/backend.ts";
import type { OSError } from "../../src/errors.ts";
import { EACCES } from "../../src/errno.ts";
import { _bound } from "./address.ts";
import { _ListenerBase } from "./listener.ts";
import { _translate } from "./errors.ts";
import { _NetStream } from "./net_stream.ts";

/**
 * How often a TCP listener of Deno's `node:net` is asked to accept again.
 * Deno 2.9's accept loop stops for good, without an error event, at the
 * first accept(2) error (EMFILE …); asking again re-polls it (one accept(2)
 * that fails with EAGAIN when nothing waits). Often enough that a client
 * barely notices once descriptors are back, rarely enough to cost nothing.
 */
const _DENO_REARM_MS = 100;

/** The part of Deno's native TCP handle behind a `net.Server` used here. */
interface _DenoTcpHandle {
  /** uv_listen: on a listening handle it only polls the accept loop again. */
  listen(backlog: number): number;
}

/**
 * A listening `net.Server` seen as a {@linkcode ListenerHandle}.
 *
 * Accepted connections go to the core's {@linkcode _ListenerEvents} (which
 * holds them until `start()` and resets those still waiting at `close()`,
 * as the kernel resets a closed listener's backlog). accept(2) errors never
 * end the listener: they are transient (libuv goes on accepting) or concern
 * one connection, see {@linkcode _isTransientAccept}.
 *
 * @example Accept connections
 * ```ts ignore
 * import { _listen } from "./net_listener.ts";
 * const l = await _listen({ address, backlog: 5, reusePort: false, ipv6Only: false });
 * l.start({ connection: (s) => s.close(), error: console.error });
 * ```
 */
export class _NetListener extends _ListenerBase {
  /** The bound address, with the real port. */
  readonly local: BackendAddress;
  #server: net.Server;
  #rearm: ReturnType<typeof setInterval> | null = null;

  /**
   * Wraps a server that is already listening.
   *
   * @param server The listening server.
   * @param local Its bound address.
   * @param deno Whether this is Deno's `node:net`: accepted sockets' writes
   * wait one event-loop turn (see {@linkcode _NetStream.accepted}) and a TCP
   * listener's accept loop is re-armed (see {@linkcode _DENO_REARM_MS}).
   */
  constructor(server: net.Server, local: BackendAddress, deno = false) {
    super();
    this.local = local;
    this.#server = server;
    if (deno && local.kind === "inet") {
      this.#rearm = setInterval(() => this.#rearmDeno(), _DENO_REARM_MS);
      (this.#rearm as { unref?: () => void }).unref?.();
    }
    server.on("error", (err: unknown) => this.failed(_translate(err)));
    server.on("connection", (socket: net.Socket) => {
      this.accepted(_NetStream.accepted(socket, this.local, deno), socket, _destroy);
    });
  }

  /** Stops the server (called once, by `close()`). */
  protected stop(): void {
    if (this.#rearm !== null) clearInterval(this.#rearm);
    _closeServer(this.#server, this.local);
  }

  /** Polls Deno's accept loop again (a no-op for one that still runs). */
  #rearmDeno(): void {
    const handle = (this.#server as unknown as { _handle?: Partial<_DenoTcpHandle> | null })
      ._handle;
    // The backlog is ignored: the socket already listens.
    if (typeof handle?.listen === "function") handle.listen(0);
  }
}

/** Resets an accepted socket that is not handed over. */
function _destroy(socket: net.Socket): void {
  socket.destroy();
}

/**
 * Closes a server. libuv unlinks a unix listener's path when it closes it,
 * which Linux does not do; a hard link taken just before and renamed back
 * just after keeps the file (or whatever socket took the path since) where
 * it was, as Python leaves it.
 */
function _closeServer(server: net.Server, local: BackendAddress): void {
  const path = local.kind === "unix" && local.path !== "" && !local.path.startsWith("\0")
    ? local.path
    : null;
  const keep = path === null ? null : _linkAside(path);
  server.close(() => {});
  if (path !== null && keep !== null) {
    try {
      fs.renameSync(keep, path);
    } catch {
      _unlinkQuietly(keep);
    }
  }
}

/** Hard-links `path` to a fresh name next to it; null when that fails. */
function _linkAside(path: string): string | null {
  const aside = `${path}.unisock-${Date.now().toString(36)}-${
    Math.random().toString(36).slice(2, 10)
  }`;
  try {
    fs.linkSync(path, aside);
    return aside;
  } catch {
    return null;
  }
}

function _unlinkQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Nothing left to clean up.
  }
}

/**
 * Translates a listen failure. libuv reports bind(2)'s ENOENT on a unix path
 * as EACCES; the real cause is found by checking the parent directory.
 */
function _listenError(err: unknown, address: BackendAddress): OSError {
  const error = _translate(err);
  if (error.errno !== EACCES || address.kind !== "unix" || address.path.startsWith("\0")) {
    return error;
  }
  try {
    fs.accessSync(dirname(address.path));
  } catch (cause) {
    return _translate(cause);
  }
  return error;
}

/** Node's listen options for backend listen options. */
function _listenOptions(options: ListenOptions, clusterWorker: boolean): net.ListenOptions {
  const { address, backlog } = options;
  // A forking server's worker is a cluster worker: its SO_REUSEPORT listener
  // joins the primary's shared one instead (round-robin, see node/process.ts).
  const shared = options.reusePort && clusterWorker;
  if (address.kind === "unix") return { path: address.path, backlog, exclusive: !shared };
  const listen: net.ListenOptions = {
    host: address.host,
    port: address.port,
    backlog,
    exclusive: !shared,
    ipv6Only: address.version === 6 && options.ipv6Only,
  };
  // Node before 22.12/23.1 ignores the option (the capability says so).
  if (options.reusePort && !shared) listen.reusePort = true;
  return listen;
}

/**
 * Binds and listens a stream socket.
 *
 * @param options Where to listen, backlog, SO_REUSEPORT and IPV6_V6ONLY.
 * @param deno Whether this is Deno's `node:net` (see {@linkcode _NetListener}).
 * @param clusterWorker Whether this process is a `node:cluster` worker, whose
 * SO_REUSEPORT listeners join the primary's shared one.
 * @returns The listener, its `local` carrying the real port; rejects with a
 * translated OSError (EADDRINUSE, EADDRNOTAVAIL, EACCES, ENOENT …).
 *
 * @example Listen on an ephemeral port
 * ```ts ignore
 * import { _listen } from "./net_listener.ts";
 * const l = await _listen({
 *   address: { kind: "inet", host: "127.0.0.1", port: 0, version: 4 },
 *   backlog: 128, reusePort: false, ipv6Only: false,
 * });
 * console.log(l.local);
 * ```
 */
export function _listen(
  options: ListenOptions,
  deno = false,
  clusterWorker = false,
): Promise<ListenerHandle> {
  return new Promise<ListenerHandle>((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    let settled = false;
    // Stays attached on failure, so a late error of the dead server is handled.
    const onError = (err: unknown) => {
      if (settled) return;
      settled = true;
      server.close(() => {});
      reject(_listenError(err, options.address));
    };
    server.on("error", onError);
    try {
      server.listen(_listenOptions(options, clusterWorker), () => {
        if (settled) return;
        settled = true;
        server.off("error", onError);
        resolve(new _NetListener(server, _bound(server.address(), options.address), deno));
      });
    } catch (err) {
      onError(err);
    }
  });
}
