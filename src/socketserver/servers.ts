/**
 * The socket servers: `TCPServer`, `UDPServer`, `UnixStreamServer` and
 * `UnixDatagramServer`, as in Python's `socketserver`. Each serves one
 * request at a time; see `ThreadingMixIn` for concurrency.
 *
 * @module
 */

import type { Address } from "../_address.ts";
import type { AddressArg, AddressOf } from "../socket/address_types.ts";
import {
  AF_INET,
  AF_UNIX,
  SHUT_WR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../constants.ts";
import { OSError } from "../errors.ts";
import { type Socket, socket } from "../socket/socket.ts";
import { BaseServer, type RequestHandlerClass } from "./base.ts";

/**
 * The client address a server of family `F` requires its handler class to
 * take: its own address type, except that a unix server takes any handler
 * (its clients' addresses are strings, usually empty, which few handlers
 * read), so one handler class can serve TCP and unix servers alike.
 */
type _HandlerAddress<F extends number> = {
  [family: number]: AddressOf<F>;
  1: never;
}[F];

/** A datagram server's request: the packet and the server's socket. */
export type DatagramRequest = [packet: Uint8Array, socket: Socket];

/**
 * A synchronous TCP server (Python's `socketserver.TCPServer`): binds at
 * construction, then serves one connection at a time with
 * {@linkcode BaseServer.serve_forever} or {@linkcode BaseServer.handle_request}.
 *
 * Tunables are class fields; override them in a subclass
 * (`allow_reuse_address = true`) or set them on the instance before `ready`
 * (binding starts after the constructor chain, so subclass fields apply).
 *
 * `server_address` and the handlers' `client_address` are typed by the
 * family `F`: `[host, port]` by default. A subclass that sets
 * `address_family = AF_INET6` works as in Python and reads `[host, port]`
 * from its addresses; to have them typed as the 4-tuples they are, extend
 * `TCPServer<typeof AF_INET6>` (and its handlers with that address type).
 *
 * @typeParam F The address family the addresses are typed by: AF_INET.
 * @typeParam Req The request type; a connected {@linkcode Socket} here.
 *
 * @example An upper-casing echo server
 * ```ts
 * import { create_connection, SHUT_WR } from "@unisock/socket";
 * import { StreamRequestHandler, TCPServer } from "@unisock/socket/socketserver";
 *
 * class Upper extends StreamRequestHandler {
 *   override async handle() {
 *     const line = await this.rfile.readline();
 *     await this.wfile.write(new TextDecoder().decode(line).toUpperCase());
 *   }
 * }
 * await using server = new TCPServer(["127.0.0.1", 0], Upper);
 * await server.ready;
 * const serving = server.serve_forever();
 * const client = await create_connection(server.server_address);
 * await client.sendall("hello\n");
 * await client.shutdown(SHUT_WR);
 * console.log(new TextDecoder().decode(await client.recv(100))); // "HELLO\n"
 * client.close();
 * await server.shutdown();
 * await serving;
 * ```
 */
export class TCPServer<F extends number = typeof AF_INET, Req = Socket>
  extends BaseServer<Req, AddressOf<F>> {
  /** The socket family; `AF_INET`. Subclasses use `AF_INET6` or `AF_UNIX`. */
  address_family: number = AF_INET;
  /** The socket type; `SOCK_STREAM`. */
  socket_type: number = SOCK_STREAM;
  /** The `listen()` backlog. */
  request_queue_size = 5;
  /** Set `SO_REUSEADDR` before binding. `false`, as in Python. */
  allow_reuse_address = false;
  /** Set `SO_REUSEPORT` before binding. `false`, as in Python. */
  allow_reuse_port = false;

  #socket: Socket | null = null;
  #socketClosed = false;

  /**
   * Creates the server's socket and starts binding and listening at once,
   * unless `bind_and_activate` is false (then call `server_bind()` and
   * `server_activate()` yourself). `ready` settles when that is done; on
   * failure the socket is closed and `ready` rejects. May be extended, do not
   * override.
   *
   * @param server_address Where to listen, e.g. `["127.0.0.1", 0]`.
   * @param RequestHandlerClass The handler class built for every request.
   * @param bind_and_activate Whether to bind and listen now.
   */
  constructor(
    server_address: AddressArg<F>,
    RequestHandlerClass: RequestHandlerClass<Req, _HandlerAddress<F>>,
    bind_and_activate: boolean = true,
  ) {
    // Until bound, the address given; then the real one (getsockname).
    super(server_address as AddressOf<F>, RequestHandlerClass);
    if (bind_and_activate) {
      this.ready = this.#bindAndActivate();
      this.ready.catch(() => {});
    }
  }

  async #bindAndActivate(): Promise<void> {
    // Yield once: subclass field initialisers run after this constructor.
    await null;
    try {
      await this.server_bind();
      await this.server_activate();
    } catch (error) {
      await this.server_close();
      throw error;
    }
  }

  /**
   * The server's socket, created on first use from `address_family` and
   * `socket_type`. May be replaced before binding.
   */
  get socket(): Socket {
    if (this.#socket === null) {
      this.#socket = socket(this.address_family, this.socket_type);
      // Closed before first use: the socket exists, but closed (EBADF).
      if (this.#socketClosed) this.#socket.close();
    }
    return this.#socket;
  }

  set socket(sock: Socket) {
    this.#socket = sock;
  }

  /**
   * Sets the reuse options, binds the socket and stores the real address in
   * `server_address`. May be overridden (call `super` to keep binding).
   *
   * @returns A promise resolved once bound.
   */
  override async server_bind(): Promise<void> {
    const sock = this.socket;
    if (this.allow_reuse_address) sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (this.allow_reuse_port) sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    await sock.bind(this.server_address as Address);
    this.server_address = sock.getsockname() as AddressOf<F>;
  }

  /**
   * Listens with `request_queue_size`. May be overridden.
   *
   * @returns Nothing.
   */
  override server_activate(): void | Promise<void> {
    this.socket.listen(this.request_queue_size);
  }

  /**
   * Closes the socket, then stops the loop (`super.server_close()`).
   * May be extended: call `super.server_close()`.
   *
   * @returns A promise resolved when closed.
   */
  override async server_close(): Promise<void> {
    this.#socketClosed = true;
    this.#socket?.close();
    await super.server_close();
  }

  /**
   * The socket's descriptor, for `select` and selectors. May be overridden.
   *
   * @returns `socket.fileno()`; `-1` once closed.
   */
  fileno(): number {
    return this.socket.fileno();
  }

  /**
   * Accepts a connection. May be overridden.
   *
   * @returns The connected socket and the client's address.
   */
  override async get_request(): Promise<[Req, AddressOf<F>]> {
    const [conn, address] = await this.socket.accept();
    return [conn as Req, address as AddressOf<F>];
  }

  /**
   * Half-closes the connection (`shutdown(SHUT_WR)`, ignoring OSError such
   * as ENOTCONN), then calls `close_request`. May be overridden.
   *
   * @param request The connection.
   * @returns A promise resolved when done.
   */
  override async shutdown_request(request: Req): Promise<void> {
    try {
      await (request as Socket).shutdown(SHUT_WR);
    } catch (error) {
      if (!(error instanceof OSError)) throw error;
    }
    await this.close_request(request);
  }

  /**
   * Closes the connection. May be overridden.
   *
   * @param request The connection.
   * @returns Nothing.
   */
  override close_request(request: Req): void | Promise<void> {
    (request as Socket).close();
  }

  /**
   * The socket's timeout, which `handle_request` also honours.
   *
   * @returns Seconds, or `null`.
   */
  protected override _socket_timeout(): number | null {
    return this.socket.gettimeout();
  }
}

/**
 * A synchronous UDP server (Python's `socketserver.UDPServer`): every
 * datagram is a request `[packet, socket]`, handled one at a time, typically
 * by a {@linkcode DatagramRequestHandler}.
 *
 * @typeParam F The address family the addresses are typed by: AF_INET.
 *
 * @example An upper-casing UDP echo server
 * ```ts
 * import { AF_INET, SOCK_DGRAM, socket } from "@unisock/socket";
 * import { DatagramRequestHandler, UDPServer } from "@unisock/socket/socketserver";
 *
 * class Upper extends DatagramRequestHandler {
 *   override async handle() {
 *     const text = new TextDecoder().decode(await this.rfile.read());
 *     await this.wfile.write(text.toUpperCase());
 *   }
 * }
 * await using server = new UDPServer(["127.0.0.1", 0], Upper);
 * await server.ready;
 * const client = socket(AF_INET, SOCK_DGRAM);
 * await client.sendto("hi", server.server_address);
 * await server.handle_request();
 * const [reply] = await client.recvfrom(100);
 * console.log(new TextDecoder().decode(reply)); // "HI"
 * client.close();
 * ```
 */
export class UDPServer<F extends number = typeof AF_INET> extends TCPServer<F, DatagramRequest> {
  /** `SOCK_DGRAM`. */
  override socket_type: number = SOCK_DGRAM;
  /** The largest datagram received whole; longer ones are cut. */
  max_packet_size = 8192;

  /**
   * Receives one datagram. May be overridden.
   *
   * @returns `[[packet, socket], client_address]`.
   */
  override async get_request(): Promise<[DatagramRequest, AddressOf<F>]> {
    const sock = this.socket;
    const [data, address] = await sock.recvfrom(this.max_packet_size);
    // A datagram socket always reports the sender ("" for an unnamed unix one).
    return [[data, sock], address as AddressOf<F>];
  }

  /**
   * Does nothing: datagram sockets do not listen.
   *
   * @returns Nothing.
   */
  override server_activate(): void {}

  /**
   * Calls `close_request`: there is no connection to shut down.
   *
   * @param request The datagram request.
   * @returns Nothing, possibly as a Promise.
   */
  override shutdown_request(request: DatagramRequest): Promise<void> {
    return Promise.resolve(this.close_request(request));
  }

  /**
   * Does nothing: the server's socket stays open.
   *
   * @param _request The datagram request.
   */
  override close_request(_request: DatagramRequest): void {}
}

/**
 * {@linkcode TCPServer} over a unix stream socket; the address is a path.
 * `server_close()` does not remove the path, as in Python. It takes any
 * handler class; a client's address is a string (usually empty): type the
 * handler `StreamRequestHandler<string>` to read it as one.
 *
 * @example Serve on a unix path
 * ```ts ignore
 * import { StreamRequestHandler, UnixStreamServer } from "@unisock/socket/socketserver";
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line);
 *   }
 * }
 * await using server = new UnixStreamServer("/tmp/echo.sock", Echo);
 * await server.ready;
 * await server.serve_forever();
 * ```
 */
export class UnixStreamServer extends TCPServer<typeof AF_UNIX> {
  /** `AF_UNIX`. */
  override address_family: number = AF_UNIX;
}

/**
 * {@linkcode UDPServer} over a unix datagram socket; the address is a path.
 * Some runtimes have no unix datagram sockets: `ready` then rejects with an
 * OSError naming the runtime.
 *
 * @example Serve datagrams on a unix path
 * ```ts ignore
 * import { DatagramRequestHandler, UnixDatagramServer } from "@unisock/socket/socketserver";
 * class Echo extends DatagramRequestHandler {
 *   override async handle() { await this.wfile.write(await this.rfile.read()); }
 * }
 * await using server = new UnixDatagramServer("/tmp/echo.dgram", Echo);
 * await server.ready;
 * await server.serve_forever();
 * ```
 */
export class UnixDatagramServer extends UDPServer<typeof AF_UNIX> {
  /** `AF_UNIX`. */
  override address_family: number = AF_UNIX;
}
