/**
 * Request handlers: `BaseRequestHandler`, `StreamRequestHandler` and
 * `DatagramRequestHandler`, as in Python's `socketserver`. The server builds
 * one per request and awaits its `setup()`, `handle()` and `finish()`.
 *
 * @module
 */

import type { Address } from "../_address.ts";
import { IPPROTO_TCP, TCP_NODELAY } from "../constants.ts";
import { OSError } from "../errors.ts";
import type { SocketFile } from "../socket/makefile.ts";
import type { Socket } from "../socket/socket.ts";
import type { BaseServer } from "./base.ts";
import { _BytesReader, _BytesWriter, _SocketWriter } from "./io.ts";
import type { DatagramRequest } from "./servers.ts";

/**
 * The base of request handlers (Python's `socketserver.BaseRequestHandler`).
 * Subclass it and override {@linkcode BaseRequestHandler.handle}; the server
 * builds it as `new Handler(request, client_address, server)`, then awaits
 * `setup()`, `handle()` and `finish()` — `finish()` runs even when `handle()`
 * throws. A new instance serves every request, so `handle()` may keep state
 * in instance fields.
 *
 * @typeParam R The request type: a connected socket for stream servers.
 * @typeParam A The client address type: `[host, port]` by default, as an
 * AF_INET server gives; `string` for a unix server,
 * `[string, number, number, number]` for AF_INET6.
 *
 * @example Echo once over TCP with the raw request socket
 * ```ts ignore
 * import { BaseRequestHandler, TCPServer } from "@unisock/socket/socketserver";
 * class Echo extends BaseRequestHandler {
 *   override async handle() {
 *     await this.request.sendall(await this.request.recv(1024));
 *   }
 * }
 * await using server = new TCPServer(["127.0.0.1", 9999], Echo);
 * await server.serve_forever();
 * ```
 */
export class BaseRequestHandler<R = Socket, A = [string, number]> {
  /** The request: a connected socket (stream) or `[packet, socket]` (datagram). */
  request: R;
  /** The client's address. */
  client_address: A;
  /** The server handling the request. */
  server: BaseServer<R, A>;

  /**
   * Stores the request, the client's address and the server. Does not call
   * the hooks: the server awaits them (a constructor cannot await).
   *
   * @param request The request.
   * @param client_address The client's address.
   * @param server The server.
   */
  constructor(request: R, client_address: A, server: BaseServer<R, A>) {
    this.request = request;
    this.client_address = client_address;
    this.server = server;
  }

  /**
   * Prepares for `handle()`. May be overridden; does nothing by default.
   *
   * @returns Nothing, possibly as a Promise.
   */
  setup(): void | Promise<void> {}

  /**
   * Serves the request. Override it; does nothing by default.
   *
   * @returns Nothing, possibly as a Promise.
   */
  handle(): void | Promise<void> {}

  /**
   * Cleans up after `handle()`, even when it threw. May be overridden;
   * does nothing by default.
   *
   * @returns Nothing, possibly as a Promise.
   */
  finish(): void | Promise<void> {}
}

/**
 * A handler for stream servers (Python's `StreamRequestHandler`): `setup()`
 * provides `connection`, `rfile` (a binary file object reading the
 * connection) and `wfile` (writing to it); `finish()` flushes and closes
 * them. Extend `setup`/`finish` with `super` when overriding them.
 *
 * @typeParam A The client address type (see {@linkcode BaseRequestHandler}).
 *
 * @example A line echo handler
 * ```ts ignore
 * import { StreamRequestHandler, ThreadingTCPServer } from "@unisock/socket/socketserver";
 * class LineEcho extends StreamRequestHandler {
 *   override timeout = 30; // drop clients silent for 30 s
 *   override async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line);
 *   }
 * }
 * await using server = new ThreadingTCPServer(["127.0.0.1", 9999], LineEcho);
 * await server.serve_forever();
 * ```
 */
export class StreamRequestHandler<A = [string, number]> extends BaseRequestHandler<Socket, A> {
  /** Read buffer size hint for `rfile`; kept for Python's interface. */
  rbufsize: number = -1;
  /** 0 (default): `wfile` sends every write at once; otherwise a `makefile("wb")`. */
  wbufsize = 0;
  /**
   * Idle timeout in seconds set on the connection (`settimeout`), or `null`.
   * A client silent that long makes the read throw TimeoutError, which ends
   * the handler (through `handle_error`) and closes the connection.
   */
  timeout: number | null = null;
  /** Set `TCP_NODELAY` on the connection. */
  disable_nagle_algorithm = false;
  /** The connected socket (the request). */
  connection!: Socket;
  /** Reads the connection: `read`, `readline`, `readlines`, `for await`. */
  rfile!: SocketFile<Uint8Array>;
  /** Writes to the connection: `write`, `flush`. */
  wfile!: _SocketWriter | SocketFile<Uint8Array>;

  /**
   * Applies `timeout` and `disable_nagle_algorithm`, then creates `rfile`
   * and `wfile`. May be extended: call `super.setup()`.
   *
   * @returns Nothing.
   */
  override setup(): void | Promise<void> {
    this.connection = this.request;
    if (this.timeout !== null) this.connection.settimeout(this.timeout);
    if (this.disable_nagle_algorithm) this.connection.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    this.rfile = this.connection.makefile("rb", { buffering: this.rbufsize });
    this.wfile = this.wbufsize === 0
      ? new _SocketWriter(this.connection)
      : this.connection.makefile("wb", { buffering: this.wbufsize });
  }

  /**
   * Flushes `wfile` (ignoring a final OSError) and closes both files; the
   * server then closes the connection. May be extended: call `super.finish()`.
   *
   * @returns A promise resolved when done.
   */
  override async finish(): Promise<void> {
    if (!this.wfile.closed) {
      try {
        await this.wfile.flush();
      } catch (error) {
        if (!(error instanceof OSError)) throw error;
      }
    }
    this.wfile.close();
    this.rfile.close();
  }
}

/**
 * A handler for datagram servers (Python's `DatagramRequestHandler`):
 * `setup()` provides `packet`, `socket` (the server's socket), `rfile`
 * reading the packet and `wfile` collecting the reply, which `finish()` sends
 * back to the client in one datagram (an empty one when nothing was written,
 * as in Python). Extend `setup`/`finish` with `super` when overriding them.
 *
 * @typeParam A The client address type (see {@linkcode BaseRequestHandler}).
 *
 * @example Reply with the packet upper-cased
 * ```ts ignore
 * import { DatagramRequestHandler, UDPServer } from "@unisock/socket/socketserver";
 * class Upper extends DatagramRequestHandler {
 *   override async handle() {
 *     const text = new TextDecoder().decode(await this.rfile.read());
 *     await this.wfile.write(text.toUpperCase());
 *   }
 * }
 * await using server = new UDPServer(["127.0.0.1", 9999], Upper);
 * await server.serve_forever();
 * ```
 */
export class DatagramRequestHandler<A = [string, number]>
  extends BaseRequestHandler<DatagramRequest, A> {
  /** The datagram received. */
  packet!: Uint8Array;
  /** The server's socket, to reply with `sendto`. */
  socket!: Socket;
  /** Reads `packet`. */
  rfile!: _BytesReader;
  /** Collects the reply. */
  wfile!: _BytesWriter;

  /**
   * Unpacks the request and creates `rfile` and `wfile`. May be extended:
   * call `super.setup()`.
   *
   * @returns Nothing.
   */
  override setup(): void | Promise<void> {
    [this.packet, this.socket] = this.request;
    this.rfile = new _BytesReader(this.packet);
    this.wfile = new _BytesWriter();
  }

  /**
   * Sends what was written to `wfile` to the client. May be extended: call
   * `super.finish()`.
   *
   * @returns A promise resolved once sent.
   */
  override async finish(): Promise<void> {
    await this.socket.sendto(this.wfile.getvalue(), this.client_address as Address);
  }
}
