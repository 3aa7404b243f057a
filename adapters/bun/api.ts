/**
 * Minimal, type-only declarations of the Bun networking APIs the Bun adapter
 * uses (`Bun.listen`, `Bun.connect`, `Bun.udpSocket`), so that the adapter
 * type-checks under `deno check` and plain `tsc` without Bun's own types.
 *
 * Only what the adapter touches is declared; behaviour notes are what Bun
 * 1.4.5 was observed to do on Linux.
 *
 * @module
 */

/** One TCP or unix stream socket of Bun; `data` is the per-socket state. */
export interface BunSocket<D> {
  /** Per-socket state, initialised from the `data` option. */
  data: D;
  /** Writes what the kernel takes now; returns the count, or -1 once shut down or closed. */
  write(data: Uint8Array): number;
  /** Closes the socket (after this, Bun forgets it); returns -1 when already closed. */
  end(): number;
  /** With no argument sends FIN (shutdown(SHUT_WR)); reading goes on. */
  shutdown(halfClose?: boolean): void;
  /** Closes at once with RST (SO_LINGER 0). */
  terminate(): void;
  /** Stops polling the socket for reading. */
  pause(): void;
  /** Polls the socket for reading again. */
  resume(): void;
  /** TCP_NODELAY. */
  setNoDelay(on?: boolean): boolean;
  /** SO_KEEPALIVE. */
  setKeepAlive(on?: boolean, initialDelay?: number): boolean;
  /** Peer IP text; `undefined` for unix sockets or once closed. */
  readonly remoteAddress?: string;
  /** Peer port. */
  readonly remotePort?: number;
  /** `"IPv4"` or `"IPv6"`. */
  readonly remoteFamily?: string;
  /** Local IP text. */
  readonly localAddress?: string;
  /** Local port. */
  readonly localPort?: number;
  /** `"IPv4"` or `"IPv6"`. */
  readonly localFamily?: string;
}

/** The event handlers of stream sockets; one set serves many sockets. */
export interface BunSocketHandler<D> {
  /** Chunk type delivered to `data`; `"uint8array"` gives a fresh copy per call. */
  readonly binaryType?: "uint8array" | "buffer" | "arraybuffer";
  /** The socket is connected (or accepted). */
  open?(socket: BunSocket<D>): void;
  /** Bytes arrived. */
  data?(socket: BunSocket<D>, data: Uint8Array): void;
  /** The socket can take more writes. */
  drain?(socket: BunSocket<D>): void;
  /** The peer sent FIN. */
  end?(socket: BunSocket<D>): void;
  /** The socket closed; `error` is set when a read failed (e.g. ECONNRESET). */
  close?(socket: BunSocket<D>, error?: unknown): void;
  /** An error was thrown inside a handler, or Bun reports one. */
  error?(socket: BunSocket<D>, error: unknown): void;
}

/** Options shared by `Bun.listen` and `Bun.connect`. */
export interface BunSocketOptions<D> {
  /** The handlers. */
  readonly socket: BunSocketHandler<D>;
  /** Initial `socket.data`. */
  readonly data?: D;
  /** Keep the write side open after the peer's FIN. */
  readonly allowHalfOpen?: boolean;
  /** IP host (TCP). */
  readonly hostname?: string;
  /** Port (TCP). */
  readonly port?: number;
  /** Path (unix); a leading `"\0"` is the abstract namespace. */
  readonly unix?: string;
}

/** Options of `Bun.listen`. */
export interface BunListenOptions<D> extends BunSocketOptions<D> {
  /** SO_REUSEPORT. */
  readonly reusePort?: boolean;
  /** IPV6_V6ONLY. */
  readonly ipv6Only?: boolean;
}

/** Options of `Bun.connect`. */
export interface BunConnectOptions<D> extends BunSocketOptions<D> {
  /** Source address to bind before connecting. */
  readonly localAddress?: string;
  /** Source port to bind before connecting. */
  readonly localPort?: number;
}

/** What `Bun.listen` returns. */
export interface BunListener {
  /** The bound port (TCP). */
  readonly port?: number;
  /** Stops accepting; `true` also closes accepted sockets. */
  stop(closeActiveConnections?: boolean): void;
}

/** The handlers of a Bun UDP socket. */
export interface BunUdpHandler {
  /** One datagram arrived from `address`:`port`. */
  data?(socket: BunUdpSocket, data: Uint8Array, port: number, address: string): void;
  /** The socket can send again after a `send` returned `false`. */
  drain?(socket: BunUdpSocket): void;
  /** An error was thrown inside a handler. */
  error?(socket: BunUdpSocket, error: unknown): void;
}

/** Options of `Bun.udpSocket`. */
export interface BunUdpOptions {
  /** IP host to bind. */
  readonly hostname: string;
  /** Port to bind, 0 for any. */
  readonly port: number;
  /** Chunk type delivered to `data`. */
  readonly binaryType?: "uint8array" | "buffer" | "arraybuffer";
  /** uSockets flags: 4 SO_REUSEPORT, 8 IPV6_V6ONLY, 16 SO_REUSEADDR. */
  readonly flags?: number;
  /** The handlers. */
  readonly socket: BunUdpHandler;
}

/** A bound Bun UDP socket. */
export interface BunUdpSocket {
  /** The bound port. */
  readonly port: number;
  /** Sends one datagram; `false` means not sent now (wait for `drain`). Throws on errors. */
  send(data: Uint8Array, port: number, address: string): boolean;
  /** SO_BROADCAST. */
  setBroadcast(on: boolean): boolean;
  /** Closes the socket. */
  close(): void;
}

/** The part of the global `Bun` object the adapter uses. */
export interface BunApi {
  /** Binds and listens a stream socket; throws on failure. */
  listen<D>(options: BunListenOptions<D>): BunListener;
  /** Connects a stream socket; rejects on failure. */
  connect<D>(options: BunConnectOptions<D>): Promise<BunSocket<D>>;
  /** Binds a UDP socket; throws or rejects on failure. */
  udpSocket(options: BunUdpOptions): Promise<BunUdpSocket>;
}
