/**
 * `BaseServer`: the request loop and hooks shared by every server, as in
 * Python's `socketserver.BaseServer`, with every blocking step awaited.
 *
 * @module
 */

import type { Address } from "../_address.ts";
import { OSError, TimeoutError } from "../errors.ts";
import { _setTimer, type _Timer } from "../socket/timer.ts";
import type { BaseRequestHandler } from "./handlers.ts";

/**
 * A request handler class: built as `new Handler(request, client_address,
 * server)` for every request (see {@linkcode BaseRequestHandler}). Socket
 * servers accept only handlers whose `request` and `client_address` types
 * match theirs; without type arguments any handler class fits.
 *
 * @typeParam Req The request type the server passes.
 * @typeParam A The client address type the server passes.
 */
export type RequestHandlerClass<Req = never, A = never> = new (
  request: Req,
  client_address: A,
  server: never,
) => BaseRequestHandler<unknown, unknown>;

/** A server class a concurrency mixin (`ThreadingMixIn`, …) can extend. */
// deno-lint-ignore no-explicit-any -- TypeScript requires `any[]` for mixin constructors.
export type ServerClass<T = BaseServer<unknown>> = abstract new (...args: any[]) => T;

/** The outcome of one `get_request()`. */
type _Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise with its resolver. */
interface _Latch {
  promise: Promise<void>;
  resolve(): void;
}

function _latch(): _Latch {
  let resolve = () => {};
  const promise = new Promise<void>((r) => resolve = r);
  return { promise, resolve };
}

/**
 * Formats an address as Python's `repr` does: `('127.0.0.1', 8000)` or
 * `'/tmp/sock'`.
 *
 * @param address A socket address.
 * @returns Python's text for it.
 */
export function _reprAddress(address: unknown): string {
  const one = (v: unknown) => typeof v === "string" ? `'${v.replace(/'/g, "\\'")}'` : String(v);
  if (Array.isArray(address)) {
    return `(${address.map(one).join(", ")}${address.length === 1 ? "," : ""})`;
  }
  return one(address);
}

/**
 * Describes an error as a traceback-like text: `Name: message` and the stack.
 *
 * @param error Anything thrown.
 * @returns The text.
 */
export function _describeError(error: unknown): string {
  // Python's traceback.print_exc() with no exception being handled.
  if (error === undefined) return "NoneType: None";
  if (!(error instanceof Error)) return `Uncaught exception: ${String(error)}`;
  const head = String(error);
  const stack = error.stack ?? "";
  if (stack === "") return head;
  return stack.startsWith(head) ? stack : `${head}\n${stack}`;
}

/**
 * The base of every server: the `serve_forever` / `handle_request` loop, the
 * shutdown handshake and the request hooks, as Python's
 * `socketserver.BaseServer`. It knows nothing about sockets: subclasses
 * supply {@linkcode BaseServer.get_request}.
 *
 * Override rules, as in Python: hooks marked "may be overridden" can be
 * replaced freely; hooks marked "may be extended" must call `super`.
 * Hooks may return a value or a Promise of it; the server awaits both.
 *
 * Every request goes `get_request` → `verify_request` → `process_request`
 * (→ `finish_request` → handler) → `shutdown_request` → `close_request`;
 * an error thrown on the way goes to `handle_error`, and serving continues.
 *
 * @typeParam Req The request type `get_request` produces.
 * @typeParam A The address type of `server_address` and of the clients.
 *
 * @example Serve requests produced by your own get_request
 * ```ts ignore
 * import { BaseRequestHandler, BaseServer } from "@unisock/socket/socketserver";
 * class Queue extends BaseServer<string> {
 *   items = ["a", "b"];
 *   override get_request(): Promise<[string, string]> {
 *     return Promise.resolve([this.items.shift()!, "queue"]);
 *   }
 * }
 * class Print extends BaseRequestHandler<string> {
 *   override handle() { console.log(this.request); }
 * }
 * const server = new Queue("queue", Print);
 * await server.handle_request(); // prints "a"
 * ```
 */
export class BaseServer<Req = unknown, A = Address> {
  /**
   * Seconds `handle_request()` waits for a request before calling
   * `handle_timeout()`; `null` waits for ever. `serve_forever` ignores it.
   */
  timeout: number | null = null;
  /** The address given to the constructor; the real one once bound. */
  server_address: A;
  /** The handler class instantiated for every request. */
  RequestHandlerClass: RequestHandlerClass;
  /**
   * Settles when the server is ready to serve: for socket servers, once bound
   * and listening (rejecting with the bind error). Never an unhandled
   * rejection when nobody awaits it. Resolved at once for a `BaseServer`.
   */
  ready: Promise<void> = Promise.resolve();

  #shutdownRequest = false;
  #isShutDown: _Latch | null = null;
  #closed = false;
  #inflight = false;
  #result: _Settled<[Req, A]> | null = null;
  #wakers = new Set<() => void>();

  /**
   * Stores the address and handler class. May be extended, do not override.
   *
   * @param server_address Where to serve.
   * @param RequestHandlerClass The handler class built for every request.
   */
  constructor(server_address: A, RequestHandlerClass: RequestHandlerClass) {
    this.server_address = server_address;
    this.RequestHandlerClass = RequestHandlerClass;
  }

  /**
   * Called to bind the server. May be overridden. `BaseServer` does nothing.
   *
   * @returns Nothing, possibly as a Promise.
   */
  server_bind(): void | Promise<void> {}

  /**
   * Called after binding to start accepting (`listen`). May be overridden.
   * `BaseServer` does nothing.
   *
   * @returns Nothing, possibly as a Promise.
   */
  server_activate(): void | Promise<void> {}

  /**
   * Handles one request at a time until {@linkcode BaseServer.shutdown}.
   * Waits for requests without polling: a request, a shutdown or
   * `server_close()` wakes it at once. Calls `service_actions()` after every
   * request and at least every `poll_interval` seconds. Ignores `timeout`.
   * Awaits `ready` first, so it rejects with the bind error.
   *
   * @param poll_interval Seconds between `service_actions()` calls when idle.
   * @returns A promise resolved once the loop has stopped.
   * @throws {Error} When this server's loop is already running.
   */
  async serve_forever(poll_interval: number = 0.5): Promise<void> {
    if (this.#isShutDown !== null) throw new Error("serve_forever() is already running");
    const done = _latch();
    this.#isShutDown = done;
    try {
      await this.ready;
      while (!this.#shutdownRequest && !this.#closed) {
        const deadline = performance.now() + poll_interval * 1000;
        this.#begin();
        if (this.#result === null) await this.#wait(poll_interval);
        if (this.#shutdownRequest || this.#closed) break;
        const got = this.#take();
        if (got !== null && !(await this.#dispatch(got)) && !this.#shutdownRequest) {
          // get_request failed: wait out the interval instead of spinning.
          await this.#wait((deadline - performance.now()) / 1000);
        }
        await this.service_actions();
      }
    } finally {
      this.#shutdownRequest = false;
      this.#isShutDown = null;
      done.resolve();
    }
  }

  /**
   * Stops the `serve_forever` loop and resolves once it has stopped (after
   * the request being handled, if any). Resolves at once when the loop is
   * not running. As in Python, a handler of a one-at-a-time server must not
   * await it: the loop waits for that handler, which would wait for the loop
   * (call it without `await` there, or use a threading server).
   *
   * @returns A promise resolved when the loop is over.
   */
  async shutdown(): Promise<void> {
    const done = this.#isShutDown;
    if (done === null) return;
    this.#shutdownRequest = true;
    this.#notify();
    await done.promise;
  }

  /**
   * Called by the `serve_forever` loop after every request and every idle
   * `poll_interval`. May be overridden (a mixin may extend it).
   *
   * @returns Nothing, possibly as a Promise.
   */
  service_actions(): void | Promise<void> {}

  /**
   * Handles one request, waiting at most `timeout` seconds (the smaller of
   * the server's `timeout` and its socket's timeout); calls
   * `handle_timeout()` when none came. Awaits `ready` first.
   *
   * @returns A promise resolved when the request was handled or timed out.
   */
  async handle_request(): Promise<void> {
    await this.ready;
    const timeout = this.#requestTimeout();
    const deadline = timeout === null ? null : performance.now() + timeout * 1000;
    while (!this.#closed) {
      this.#begin();
      if (this.#result === null) {
        await this.#wait(deadline === null ? null : (deadline - performance.now()) / 1000);
      }
      const got = this.#take();
      if (got !== null) {
        if (!got.ok && got.error instanceof TimeoutError) return await this.handle_timeout();
        await this.#dispatch(got);
        return;
      }
      if (deadline !== null && performance.now() >= deadline) return await this.handle_timeout();
    }
  }

  /**
   * Called when `handle_request()` waited `timeout` seconds for nothing.
   * May be overridden; does nothing by default.
   *
   * @returns Nothing, possibly as a Promise.
   */
  handle_timeout(): void | Promise<void> {}

  /**
   * Waits for the next request. Must be overridden by servers that are not
   * socket servers; socket servers accept (stream) or receive (datagram).
   *
   * @returns The request and the client's address.
   */
  get_request(): Promise<[Req, A]> {
    return Promise.reject(new TypeError("BaseServer.get_request() must be overridden"));
  }

  /**
   * Decides whether to handle a request; `false` closes it unhandled.
   * May be overridden; accepts everything by default.
   *
   * @param _request The request.
   * @param _client_address The client's address.
   * @returns Whether to handle it, possibly as a Promise.
   */
  verify_request(_request: Req, _client_address: A): boolean | Promise<boolean> {
    return true;
  }

  /**
   * Handles a verified request: calls `finish_request` then
   * `shutdown_request`. Overridden by the concurrency policy
   * ({@linkcode ThreadingMixIn}); may be overridden.
   *
   * @param request The request.
   * @param client_address The client's address.
   * @returns A promise resolved when this server may take the next request.
   */
  process_request(request: Req, client_address: A): void | Promise<void> {
    return this.finish_request(request, client_address).then(() => this.shutdown_request(request));
  }

  /**
   * Builds the handler as `new RequestHandlerClass(request, client_address,
   * this)` and awaits its `setup()`, `handle()` and `finish()`; `finish()`
   * runs even when `handle()` throws. For derived classes; do not override.
   *
   * @param request The request.
   * @param client_address The client's address.
   * @returns A promise resolved when the handler is done.
   */
  async finish_request(request: Req, client_address: A): Promise<void> {
    const handler = new this.RequestHandlerClass(
      request as never,
      client_address as never,
      this as never,
    );
    await handler.setup();
    try {
      await handler.handle();
    } finally {
      await handler.finish();
    }
  }

  /**
   * Ends a request after handling (stream servers half-close it first), then
   * calls `close_request`. May be overridden.
   *
   * @param request The request.
   * @returns Nothing, possibly as a Promise.
   */
  shutdown_request(request: Req): void | Promise<void> {
    return this.close_request(request);
  }

  /**
   * Releases a request (stream servers close the connection). May be
   * overridden; does nothing in `BaseServer`.
   *
   * @param _request The request.
   * @returns Nothing, possibly as a Promise.
   */
  close_request(_request: Req): void | Promise<void> {}

  /**
   * Handles an error thrown while processing a request. May be overridden.
   * By default, as Python, prints to stderr a dashed line, `Exception
   * occurred during processing of request from <address>`, the error's stack
   * and a dashed line, then serving continues.
   *
   * @param _request The request being processed.
   * @param client_address The client's address.
   * @param error What was thrown (Python reads it from `sys.exc_info()`).
   * @returns Nothing, possibly as a Promise.
   */
  handle_error(_request: Req, client_address: A, error?: unknown): void | Promise<void> {
    const line = "-".repeat(40);
    console.error(
      `${line}\nException occurred during processing of request from ${
        _reprAddress(client_address)
      }\n${_describeError(error)}\n${line}`,
    );
  }

  /**
   * Cleans up the server. May be extended: call `super.server_close()`, which
   * stops a running loop and drops a request not yet handled. Socket servers
   * close their socket; threading servers then wait for running handlers.
   *
   * @returns A promise resolved when the server is closed.
   */
  async server_close(): Promise<void> {
    this.#closed = true;
    const pending = this.#result;
    this.#result = null;
    this.#notify();
    if (pending?.ok) await this.#drop(pending.value[0]);
  }

  /**
   * Stops the loop if it is serving, then calls `server_close()`, for
   * `await using server = new TCPServer(...)`.
   *
   * @returns A promise resolved when the server is closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
    await this.server_close();
  }

  /**
   * The socket's timeout, combined with `timeout` by `handle_request`.
   * Socket servers override it; `BaseServer` has no socket.
   *
   * @returns Seconds, or `null`.
   */
  protected _socket_timeout(): number | null {
    return null;
  }

  #requestTimeout(): number | null {
    const own = this._socket_timeout();
    if (own === null) return this.timeout;
    return this.timeout === null ? own : Math.min(own, this.timeout);
  }

  /** Starts a `get_request()` unless one is running or its result waits. */
  #begin(): void {
    if (this.#inflight || this.#result !== null || this.#closed) return;
    this.#inflight = true;
    let got: Promise<[Req, A]>;
    try {
      got = Promise.resolve(this.get_request());
    } catch (error) {
      got = Promise.reject(error);
    }
    got.then(
      (value) => this.#settle({ ok: true, value }),
      (error) => this.#settle({ ok: false, error }),
    );
  }

  #settle(result: _Settled<[Req, A]>): void {
    this.#inflight = false;
    if (this.#closed) {
      if (result.ok) void this.#drop(result.value[0]);
    } else {
      this.#result = result;
    }
    this.#notify();
  }

  #take(): _Settled<[Req, A]> | null {
    const got = this.#result;
    this.#result = null;
    return got;
  }

  async #drop(request: Req): Promise<void> {
    try {
      await this.shutdown_request(request);
    } catch {
      // The request is abandoned; there is nobody to tell.
    }
  }

  /** Waits for a request result, a shutdown, a close, or `seconds`. */
  #wait(seconds: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: _Timer | null = null;
      const done = () => {
        timer?.cancel();
        this.#wakers.delete(done);
        resolve();
      };
      this.#wakers.add(done);
      if (seconds !== null) timer = _setTimer(Math.max(0, seconds * 1000), done);
    });
  }

  #notify(): void {
    for (const wake of [...this.#wakers]) wake();
  }

  /**
   * Python's `_handle_request_noblock` once a request (or its failure) is in.
   *
   * @returns `false` when `get_request` failed with an OSError.
   */
  async #dispatch(got: _Settled<[Req, A]>): Promise<boolean> {
    if (!got.ok) {
      if (got.error instanceof OSError) return false;
      throw got.error;
    }
    const [request, client_address] = got.value;
    if (await this.verify_request(request, client_address)) {
      try {
        await this.process_request(request, client_address);
      } catch (error) {
        await this.handle_error(request, client_address, error);
        await this.shutdown_request(request);
      }
    } else {
      await this.shutdown_request(request);
    }
    return true;
  }
}
