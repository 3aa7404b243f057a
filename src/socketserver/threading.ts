/**
 * Concurrency as a swappable policy: `ThreadingMixIn` and the four threading
 * servers, as in Python's `socketserver`. JavaScript has no threads to give
 * each request, so a "thread" here is a concurrent async task: the server
 * goes back to accepting while the handler awaits its I/O.
 *
 * @module
 */

import type { Address } from "../_address.ts";
import { _describeError, type ServerClass } from "./base.ts";
import { TCPServer, UDPServer, UnixDatagramServer, UnixStreamServer } from "./servers.ts";

/** What {@linkcode ThreadingMixIn} adds to a server. */
export interface ThreadingMixInMembers {
  /**
   * When true, `server_close()` does not wait for this server's running
   * handlers (Python: daemon threads do not keep the process alive).
   */
  daemon_threads: boolean;
  /** When true (default), `server_close()` waits for running handlers. */
  block_on_close: boolean;
  /**
   * The most connections handled at once, or `null` (default) for no limit.
   * A request over the limit is shut down (closed) at once, unhandled.
   */
  max_connections: number | null;
  /** The number of handlers running now. */
  readonly active_count: number;
  /**
   * Runs one request as `BaseServer` does — `finish_request`, `handle_error`
   * on failure, then always `shutdown_request` — as its own task.
   *
   * @param request The request.
   * @param client_address The client's address.
   * @returns A promise resolved when the request is done.
   */
  process_request_thread(request: unknown, client_address: Address): Promise<void>;
}

/** The class {@linkcode ThreadingMixIn} returns for a base of type `TBase`. */
export type ThreadingMixInClass<TBase extends ServerClass> =
  & TBase
  // deno-lint-ignore no-explicit-any -- TypeScript requires `any[]` for mixin constructors.
  & (new (...args: any[]) => ThreadingMixInMembers);

/**
 * Python's `ThreadingMixIn`: returns a subclass of `Base` whose
 * `process_request` starts every request as a concurrent task instead of
 * awaiting it, so one slow client no longer holds up the others. It
 * overrides `process_request` and extends `server_close` (which also waits
 * for running handlers unless `block_on_close` is false or `daemon_threads`
 * is true). Tunables: `daemon_threads`, `block_on_close`, `max_connections`.
 *
 * A handler error never escapes the task: it goes to `handle_error`, and if
 * that throws too, the error is printed to stderr.
 *
 * @typeParam TBase The server class to extend.
 * @param Base The server class to extend, e.g. `TCPServer`.
 * @returns The concurrent subclass.
 *
 * @example A concurrent IPv6 TCP server class
 * ```ts ignore
 * import { AF_INET6 } from "@unisock/socket";
 * import { TCPServer, ThreadingMixIn } from "@unisock/socket/socketserver";
 * class ThreadingTCP6Server extends ThreadingMixIn(TCPServer) {
 *   override address_family = AF_INET6;
 *   override daemon_threads = true;
 * }
 * ```
 */
export function ThreadingMixIn<TBase extends ServerClass>(Base: TBase): ThreadingMixInClass<TBase> {
  abstract class Threading extends Base implements ThreadingMixInMembers {
    daemon_threads = false;
    block_on_close = true;
    max_connections: number | null = null;
    #tasks = new Set<Promise<void>>();
    #active = 0;

    get active_count(): number {
      return this.#active;
    }

    async process_request_thread(request: unknown, client_address: Address): Promise<void> {
      try {
        await this.finish_request(request, client_address);
      } catch (error) {
        await this.handle_error(request, client_address, error);
      } finally {
        await this.shutdown_request(request);
      }
    }

    override process_request(request: unknown, client_address: Address): void {
      if (this.max_connections !== null && this.#active >= this.max_connections) {
        void this.#guard(Promise.resolve(this.shutdown_request(request)));
        return;
      }
      this.#active++;
      const task: Promise<void> = this.#guard(this.process_request_thread(request, client_address))
        .finally(() => {
          this.#active--;
          this.#tasks.delete(task);
        });
      if (!this.daemon_threads) this.#tasks.add(task);
    }

    override async server_close(): Promise<void> {
      await super.server_close();
      if (!this.block_on_close) return;
      while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
    }

    /** Keeps a task from ever rejecting: the last resort is stderr. */
    async #guard(task: Promise<void>): Promise<void> {
      try {
        await task;
      } catch (error) {
        console.error(`Exception in request task:\n${_describeError(error)}`);
      }
    }
  }
  return Threading as unknown as ThreadingMixInClass<TBase>;
}

/**
 * A TCP server handling every connection concurrently
 * (`ThreadingMixIn(TCPServer)`).
 *
 * @example Serve many clients at once
 * ```ts
 * import { create_connection, SHUT_WR } from "@unisock/socket";
 * import { StreamRequestHandler, ThreadingTCPServer } from "@unisock/socket/socketserver";
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line);
 *   }
 * }
 * await using server = new ThreadingTCPServer(["127.0.0.1", 0], Echo);
 * await server.ready;
 * const serving = server.serve_forever();
 * const a = await create_connection(server.server_address);
 * const b = await create_connection(server.server_address); // served while a is open
 * await b.sendall("hi\n");
 * await b.shutdown(SHUT_WR);
 * console.log(new TextDecoder().decode(await b.recv(10))); // "hi\n"
 * a.close();
 * b.close();
 * await server.shutdown();
 * await serving;
 * ```
 */
export const ThreadingTCPServer: ThreadingMixInClass<typeof TCPServer> = ThreadingMixIn(TCPServer);
/** An instance of {@linkcode ThreadingTCPServer}. */
export type ThreadingTCPServer = InstanceType<typeof ThreadingTCPServer>;

/**
 * A UDP server handling every datagram concurrently
 * (`ThreadingMixIn(UDPServer)`).
 *
 * @example Declare and run
 * ```ts ignore
 * import { DatagramRequestHandler, ThreadingUDPServer } from "@unisock/socket/socketserver";
 * class Echo extends DatagramRequestHandler {
 *   override async handle() { await this.wfile.write(await this.rfile.read()); }
 * }
 * await using server = new ThreadingUDPServer(["127.0.0.1", 9999], Echo);
 * await server.serve_forever();
 * ```
 */
export const ThreadingUDPServer: ThreadingMixInClass<typeof UDPServer> = ThreadingMixIn(UDPServer);
/** An instance of {@linkcode ThreadingUDPServer}. */
export type ThreadingUDPServer = InstanceType<typeof ThreadingUDPServer>;

/**
 * A unix stream server handling every connection concurrently
 * (`ThreadingMixIn(UnixStreamServer)`).
 *
 * @example Declare and run
 * ```ts ignore
 * import { StreamRequestHandler, ThreadingUnixStreamServer } from "@unisock/socket/socketserver";
 * class Echo extends StreamRequestHandler {
 *   override async handle() { await this.wfile.write(await this.rfile.readline()); }
 * }
 * await using server = new ThreadingUnixStreamServer("/tmp/echo.sock", Echo);
 * await server.serve_forever();
 * ```
 */
export const ThreadingUnixStreamServer: ThreadingMixInClass<typeof UnixStreamServer> =
  ThreadingMixIn(UnixStreamServer);
/** An instance of {@linkcode ThreadingUnixStreamServer}. */
export type ThreadingUnixStreamServer = InstanceType<typeof ThreadingUnixStreamServer>;

/**
 * A unix datagram server handling every datagram concurrently
 * (`ThreadingMixIn(UnixDatagramServer)`).
 *
 * @example Declare and run
 * ```ts ignore
 * import { DatagramRequestHandler, ThreadingUnixDatagramServer } from "@unisock/socket/socketserver";
 * class Echo extends DatagramRequestHandler {
 *   override async handle() { await this.wfile.write(await this.rfile.read()); }
 * }
 * await using server = new ThreadingUnixDatagramServer("/tmp/echo.dgram", Echo);
 * await server.serve_forever();
 * ```
 */
export const ThreadingUnixDatagramServer: ThreadingMixInClass<typeof UnixDatagramServer> =
  ThreadingMixIn(UnixDatagramServer);
/** An instance of {@linkcode ThreadingUnixDatagramServer}. */
export type ThreadingUnixDatagramServer = InstanceType<typeof ThreadingUnixDatagramServer>;
