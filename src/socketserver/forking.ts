/**
 * `ForkingMixIn` and the four forking servers, as in Python's
 * `socketserver`: requests are served in other processes, so a server uses
 * every core.
 *
 * JavaScript cannot fork. Instead the server starts a pool of
 * `max_children` worker processes up front, each running the program's main
 * module again (same runtime, flags, permissions and arguments) with an
 * environment marker. In a worker, the same constructor call binds the same
 * address with SO_REUSEPORT, so the kernel spreads connections (and, for UDP,
 * flows) over the workers, and serves; the worker's program never goes past
 * `await server.ready`. On Node the workers are `node:cluster` workers whose
 * TCP listeners join the first process's shared listener, which hands the
 * connections out in turn (more evenly than SO_REUSEPORT's hash). The first
 * process supervises.
 *
 * @module
 */

import type { Address } from "../_address.ts";
import { type BackendProcesses, getBackend } from "../backend.ts";
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_STREAM } from "../constants.ts";
import * as E from "../errno.ts";
import { OSError, oserror, RuntimeError } from "../errors.ts";
import { type Socket, socket } from "../socket/socket.ts";
import { TCPServer, UDPServer, UnixDatagramServer, UnixStreamServer } from "./servers.ts";
import type { ServerClass } from "./base.ts";
import { ThreadingMixIn, type ThreadingMixInMembers } from "./threading.ts";
import { _messages, _Pool, _send, _WORKER_ENV, type _WorkerOrder } from "./_forking_pool.ts";

/** What {@linkcode ForkingMixIn} adds to a server. */
export interface ForkingMixInMembers {
  /**
   * The number of worker processes; default: the number of CPUs this
   * process may use. Read when the server starts its pool.
   */
  max_children: number;
  /**
   * When true (default), `server_close()` waits until every worker has
   * finished its running handlers and exited. When false, it returns at
   * once and the workers exit without finishing their running handlers
   * (set it before `await server.ready`, so that the workers run with it).
   */
  block_on_close: boolean;
  /** The process ids of the running workers; `null` before the pool starts. */
  readonly active_children: Set<number> | null;
  /**
   * Python's reaping of exited children. Exited workers are reaped as they
   * exit (and replaced while the server runs), so this does nothing more,
   * except that with `blocking` it waits until every worker being stopped
   * has exited.
   *
   * @param options `blocking`: wait for stopping workers to exit.
   * @returns A promise resolved when done.
   */
  collect_children(options?: { blocking?: boolean }): Promise<void>;
}

/** The class {@linkcode ForkingMixIn} returns for a base of type `TBase`. */
export type ForkingMixInClass<TBase extends ServerClass> =
  & TBase
  // deno-lint-ignore no-explicit-any -- TypeScript requires `any[]` for mixin constructors.
  & (new (...args: any[]) => ForkingMixInMembers);

/** Forking servers constructed so far in this process (a worker serves its own). */
let _constructed = 0;
/** The worker order read from the environment (`null`: not a worker). */
let _order: _WorkerOrder | null | undefined;

function _workerOrder(processes: BackendProcesses | undefined): _WorkerOrder | null {
  if (_order !== undefined) return _order;
  const text = processes?.getenv(_WORKER_ENV);
  _order = null;
  if (text !== undefined && text !== "") {
    try {
      _order = JSON.parse(text) as _WorkerOrder;
    } catch {
      _order = null;
    }
  }
  return _order;
}

/** The processes of the installed backend, or an OSError naming the runtime. */
function _processes(label: string): BackendProcesses {
  const backend = getBackend();
  if (backend.processes === undefined) {
    throw oserror(
      E.EOPNOTSUPP,
      `${label} is not available on ${backend.name}: its adapter cannot start worker processes`,
    );
  }
  return backend.processes;
}

/** A promise that never settles: a worker's program stops where it awaits it. */
const _never = (): Promise<never> => new Promise<never>(() => {});

type _Threaded = TCPServer<number, unknown> & ThreadingMixInMembers;

/**
 * Python's `ForkingMixIn`: returns a subclass of `Base` whose requests are
 * served by a pool of worker processes, so that CPU-bound handlers use every
 * core. `Base` is a socket server class (`TCPServer`, `UDPServer` or a
 * subclass); unix servers raise, see below.
 *
 * How it differs from Python's fork per request:
 * - The pool of `max_children` workers (default: the number of CPUs) starts
 *   with the server; `ready` resolves once every worker listens. A worker
 *   runs the program's main module again up to the same constructor call,
 *   which binds the address the first process bound (SO_REUSEPORT; on Node,
 *   through `node:cluster`, whose primary hands out the connections in turn)
 *   and serves; code before that call runs in every worker too, and the worker's
 *   program never continues past `await server.ready`. A program may run
 *   several forking servers; each worker serves the one it was started for.
 * - Each worker serves its connections concurrently, as a threading server
 *   does; a worker keeps serving request after request (no state is reset
 *   between requests), and handlers share nothing with the first process.
 * - The first process only supervises: its `serve_forever()` lets the
 *   workers serve until `shutdown()`; it restarts a worker that dies (with a
 *   back-off when they keep dying) and prints why to stderr;
 *   `server_close()` tells every worker to finish its running handlers and
 *   exit, and with `block_on_close` waits for that. With `block_on_close`
 *   false, `server_close()` returns at once and each worker exits as soon as
 *   it stops accepting, ending the handlers it still runs; a worker also
 *   exits as soon as the first process is gone. A child forked by Python
 *   finishes its request even after its parent exited. SIGINT and SIGTERM stop
 *   the pool the same way before the process exits; a worker exits as soon
 *   as the first process is gone, even when it was killed with SIGKILL.
 * - `handle_request()` in the first process rejects with a RuntimeError.
 *   CPython's accepts one connection in the parent, forks a child that
 *   serves it and returns without waiting for the child. Here the first
 *   process holds no listening socket (each worker listens and the kernel
 *   picks the worker for a connection), so it has no request to hand over,
 *   and telling the workers to serve one request each could serve several.
 *   `fileno()` is -1 there once the workers listen.
 * - `process_request` (in the workers) starts the request as a concurrent
 *   task; `active_children` holds the workers' pids; `collect_children()`
 *   reaps nothing by hand (see {@linkcode ForkingMixInMembers}).
 * - Unix stream servers work on Node (the cluster primary shares the path;
 *   it is removed when the pool closes) and raise an OSError naming the
 *   runtime elsewhere: SO_REUSEPORT does not apply to unix sockets. Unix
 *   datagram servers raise everywhere. So do UDP servers where the
 *   runtime has no SO_REUSEPORT for datagram sockets (Deno), and TCP servers
 *   where it has none for listeners (Deno without `--unstable-net`).
 *
 * @typeParam TBase The server class to extend.
 * @param Base The server class to extend, e.g. `TCPServer`.
 * @returns The forking subclass.
 *
 * @example A forking IPv6 TCP server class
 * ```ts ignore
 * import { AF_INET6 } from "@unisock/socket";
 * import { ForkingMixIn, TCPServer } from "@unisock/socket/socketserver";
 * class ForkingTCP6Server extends ForkingMixIn(TCPServer) {
 *   override address_family = AF_INET6;
 *   override max_children = 4;
 * }
 * ```
 */
export function ForkingMixIn<TBase extends ServerClass<TCPServer<number, unknown>>>(
  Base: TBase,
): ForkingMixInClass<TBase> {
  // deno-lint-ignore no-explicit-any -- TypeScript requires `any[]` for mixin constructors.
  const Threaded = ThreadingMixIn(Base) as unknown as abstract new (...args: any[]) => _Threaded;
  abstract class Forking extends Threaded implements ForkingMixInMembers {
    max_children: number = getBackend().processes?.cpuCount() ?? 1;
    #role: "supervisor" | "worker" | "inert";
    #order: _WorkerOrder | null;
    #pool: _Pool | null = null;
    #pausing: Promise<void> | null = null;
    #ordinal: number;

    // deno-lint-ignore no-explicit-any -- TypeScript requires `any[]` for mixin constructors.
    constructor(...args: any[]) {
      super(...args);
      const processes = getBackend().processes;
      const order = _workerOrder(processes);
      const ordinal = _constructed++;
      this.#ordinal = ordinal;
      this.#order = order;
      this.#role = order === null ? "supervisor" : order.ordinal === ordinal ? "worker" : "inert";
      // The binding started by the base constructor fails the same way.
      if (this.#role === "supervisor") this.#check();
      if (this.#role === "worker") this.ready = _never();
    }

    get active_children(): Set<number> | null {
      return this.#pool?.pids ?? null;
    }

    async collect_children(options: { blocking?: boolean } = {}): Promise<void> {
      if (options.blocking && this.#pool !== null && this.#closing) {
        await this.#pool.close(true);
      }
    }

    #closing = false;

    override async server_bind(): Promise<void> {
      if (this.#role === "inert") return;
      this.allow_reuse_port = true;
      if (this.#role === "supervisor") {
        this.#check();
        // A unix path is bound by the runtime's shared listener, once: the
        // first worker's bind reports its errors (a probe here would leave
        // the path taken).
        if (this.address_family === AF_UNIX) return;
        return await super.server_bind();
      }
      this.server_address = this.#order!.address;
      try {
        await super.server_bind();
      } catch (error) {
        await this.#fail(error);
      }
    }

    override async server_activate(): Promise<void> {
      if (this.#role === "inert") return;
      if (this.#role === "worker") {
        try {
          await super.server_activate();
        } catch (error) {
          await this.#fail(error);
        }
        return await this.#join();
      }
      const size = this.max_children;
      if (!Number.isInteger(size) || size < 1) {
        throw new RangeError(`max_children must be a positive integer, not ${size}`);
      }
      if (this.address_family !== AF_UNIX) await super.server_activate();
      // Bound (so the port is known and free) but closed before the workers
      // bind: a listener here would take a share of the clients and reset them.
      this.socket.close();
      const pool = new _Pool({
        processes: _processes(this.#label()),
        label: this.#label(),
        size,
        ordinal: this.#ordinal,
        address: this.server_address,
      });
      this.#pool = pool;
      await pool.start();
    }

    override async serve_forever(poll_interval: number = 0.5): Promise<void> {
      if (this.#role !== "supervisor") return await _never();
      await this.ready;
      const pool = this.#pool;
      pool?.serve();
      try {
        await super.serve_forever(poll_interval);
      } finally {
        if (pool !== null) this.#pausing = pool.shutdown();
      }
    }

    override async shutdown(): Promise<void> {
      await super.shutdown();
      await this.#pausing;
      this.#pausing = null;
    }

    override handle_request(): Promise<void> {
      if (this.#role !== "supervisor") return _never();
      return Promise.reject(
        new RuntimeError(
          `${this.#label()}.handle_request(): the worker processes accept the requests, ` +
            "so the first process cannot serve exactly one; use serve_forever()",
        ),
      );
    }

    override get_request(): Promise<[unknown, Address]> {
      // The supervisor takes no requests: its loop only runs service_actions().
      return this.#role === "supervisor" ? _never() : super.get_request();
    }

    override async service_actions(): Promise<void> {
      await super.service_actions();
      if (this.#role === "supervisor") await this.collect_children();
    }

    override async server_close(): Promise<void> {
      this.#closing = true;
      await super.server_close();
      if (this.#pool !== null) await this.#pool.close(this.block_on_close);
    }

    /** The class name for messages (`ForkingTCPServer`, or a subclass's). */
    #label(): string {
      const name = this.constructor.name;
      return name === "Forking" || name === "" ? `Forking${Base.name}` : name;
    }

    /** Raises when this runtime cannot share this server's address between processes. */
    #check(): void {
      const backend = getBackend();
      const label = this.#label();
      const processes = _processes(label);
      let gap: string | null;
      if (this.address_family === AF_UNIX && this.socket_type === SOCK_STREAM) {
        gap = processes.shareUnixStream;
      } else if (this.address_family === AF_UNIX) {
        gap = "worker processes share an address with SO_REUSEPORT, which does not apply to " +
          "unix sockets, and a bound unix datagram socket cannot be handed to another process here";
      } else if (this.socket_type === SOCK_DGRAM) {
        gap = processes.shareDatagram;
      } else {
        gap = backend.capabilities.reusePort;
      }
      if (gap !== null) {
        throw oserror(E.EOPNOTSUPP, `${label} is not available on ${backend.name}: ${gap}`);
      }
    }

    /** Opens the worker's control connection; exits when the supervisor is gone. */
    async #connect(): Promise<Socket> {
      const conn = socket(AF_INET, SOCK_STREAM);
      try {
        await conn.connect(this.#order!.control);
      } catch {
        conn.close();
        getBackend().processes!.exit(1);
      }
      return conn;
    }

    /** A worker could not bind or listen: tell the supervisor why, and exit. */
    async #fail(error: unknown): Promise<never> {
      const order = this.#order!;
      const conn = await this.#connect();
      const os = error instanceof OSError && error.errno !== null;
      await _send(conn, {
        token: order.token,
        id: order.id,
        kind: "error",
        errno: os ? error.errno! : E.ECHILD,
        text: os ? (error.strerror ?? undefined) : `worker failed to start: ${String(error)}`,
      });
      conn.close();
      return getBackend().processes!.exit(1);
    }

    /** A worker listens: report ready and follow the supervisor's orders. */
    async #join(): Promise<void> {
      const processes = getBackend().processes!;
      // A terminal's Ctrl-C reaches every process: the supervisor stops the workers.
      processes.onSignal("SIGINT", () => {});
      const order = this.#order!;
      const conn = await this.#connect();
      await _send(conn, { token: order.token, id: order.id, kind: "ready", pid: processes.pid() });
      void this.#obey(conn, processes);
    }

    async #obey(conn: Socket, processes: BackendProcesses): Promise<void> {
      let serving: Promise<void> | null = null;
      const stop = async () => {
        if (serving === null) return;
        await super.shutdown();
        await serving;
        serving = null;
      };
      for await (const message of _messages(conn)) {
        if (message.kind === "serve" && serving === null) {
          serving = this.#serveHere();
        } else if (message.kind === "shutdown") {
          await stop();
          await _send(conn, { kind: "stopped" });
        } else if (message.kind === "close") {
          await stop();
          await this.server_close();
          break;
        }
      }
      // Closed, or the supervisor is gone: no worker outlives it.
      conn.close();
      processes.exit(0);
    }

    /** Runs the base serving loop in a worker, whose `ready` never settles. */
    #serveHere(): Promise<void> {
      const never = this.ready;
      this.ready = Promise.resolve();
      try {
        // serve_forever reads `ready` before its first await.
        return super.serve_forever().catch((error) => {
          console.error(`${this.#label()}: worker loop failed: ${String(error)}`);
        });
      } finally {
        this.ready = never;
      }
    }
  }
  return Forking as unknown as ForkingMixInClass<TBase>;
}

/**
 * A TCP server whose connections are served by a pool of worker processes
 * (`ForkingMixIn(TCPServer)`); see {@linkcode ForkingMixIn} for how the pool
 * works. The program runs again in every worker, so construct the server
 * early and keep client code in another program.
 *
 * @example A CPU-bound server on every core
 * ```ts ignore
 * import { ForkingTCPServer, StreamRequestHandler } from "@unisock/socket/socketserver";
 * class Hash extends StreamRequestHandler {
 *   override async handle() {
 *     const data = await this.rfile.read();
 *     const digest = await crypto.subtle.digest("SHA-256", data);
 *     await this.wfile.write(new Uint8Array(digest));
 *   }
 * }
 * await using server = new ForkingTCPServer(["127.0.0.1", 9999], Hash);
 * await server.ready; // every worker listens; workers never get past this line
 * await server.serve_forever();
 * ```
 */
export const ForkingTCPServer: ForkingMixInClass<typeof TCPServer> = ForkingMixIn(TCPServer);
/** An instance of {@linkcode ForkingTCPServer}. */
export type ForkingTCPServer = InstanceType<typeof ForkingTCPServer>;

/**
 * A UDP server whose datagrams are served by a pool of worker processes
 * (`ForkingMixIn(UDPServer)`); SO_REUSEPORT keeps each client's datagrams on
 * one worker. Raises an OSError on runtimes without SO_REUSEPORT for
 * datagram sockets (Deno).
 *
 * @example Declare and run
 * ```ts ignore
 * import { DatagramRequestHandler, ForkingUDPServer } from "@unisock/socket/socketserver";
 * class Echo extends DatagramRequestHandler {
 *   override async handle() { await this.wfile.write(await this.rfile.read()); }
 * }
 * await using server = new ForkingUDPServer(["127.0.0.1", 9999], Echo);
 * await server.serve_forever();
 * ```
 */
export const ForkingUDPServer: ForkingMixInClass<typeof UDPServer> = ForkingMixIn(
  UDPServer as unknown as ServerClass<TCPServer<number, unknown>>,
) as unknown as ForkingMixInClass<typeof UDPServer>;
/** An instance of {@linkcode ForkingUDPServer}. */
export type ForkingUDPServer = InstanceType<typeof ForkingUDPServer>;

/**
 * `ForkingMixIn(UnixStreamServer)`. On Node the workers share the path
 * through `node:cluster` (the path is removed when the pool closes). On Deno
 * and Bun its constructor raises an OSError naming the runtime: worker
 * processes share an address with SO_REUSEPORT, which Linux does not apply
 * to unix sockets.
 *
 * @example The error on Deno and Bun
 * ```ts ignore
 * import { BaseRequestHandler, ForkingUnixStreamServer } from "@unisock/socket/socketserver";
 * try {
 *   new ForkingUnixStreamServer("/tmp/s.sock", BaseRequestHandler);
 * } catch (e) {
 *   console.log(String(e)); // OSError: [Errno 95] ForkingUnixStreamServer is not available on deno: …
 * }
 * ```
 */
export const ForkingUnixStreamServer: ForkingMixInClass<typeof UnixStreamServer> = ForkingMixIn(
  UnixStreamServer,
);
/** An instance of {@linkcode ForkingUnixStreamServer}. */
export type ForkingUnixStreamServer = InstanceType<typeof ForkingUnixStreamServer>;

/**
 * `ForkingMixIn(UnixDatagramServer)`. Its constructor raises an OSError
 * naming the runtime, as {@linkcode ForkingUnixStreamServer}'s does.
 *
 * @example The error
 * ```ts ignore
 * import { BaseRequestHandler, ForkingUnixDatagramServer } from "@unisock/socket/socketserver";
 * try {
 *   new ForkingUnixDatagramServer("/tmp/s.dgram", BaseRequestHandler);
 * } catch (e) {
 *   console.log(String(e)); // OSError: [Errno 95] ForkingUnixDatagramServer is not available on node: …
 * }
 * ```
 */
export const ForkingUnixDatagramServer: ForkingMixInClass<typeof UnixDatagramServer> = ForkingMixIn(
  UnixDatagramServer as unknown as ServerClass<TCPServer<number, unknown>>,
) as unknown as ForkingMixInClass<typeof UnixDatagramServer>;
/** An instance of {@linkcode ForkingUnixDatagramServer}. */
export type ForkingUnixDatagramServer = InstanceType<typeof ForkingUnixDatagramServer>;
