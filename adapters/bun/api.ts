/**
 * Type-only declarations of the Bun APIs the Bun adapter uses, so that it
 * type-checks under `deno check` and `tsc` without Bun's own types. Only what
 * the adapter touches; notes are what Bun 1.4.5 does on Linux.
 *
 * @module
 */

/** One TCP or unix stream socket of Bun; `data` is the per-socket state. */
export interface BunSocket<D> {
  /** Per-socket state, initialised from the `data` option. */
  data: D;
  /** Writes what the kernel takes now (no buffer of Bun's); the count, or -1 once shut down or closed. */
  write(data: Uint8Array): number;
  /** Closes the socket. */
  end(): number;
  /** Sends FIN (shutdown(SHUT_WR)); reading goes on. */
  shutdown(): void;
  /** Closes at once with RST (SO_LINGER 0). */
  terminate(): void;
  /** Stops polling the socket for reading. */
  pause(): void;
  /** Polls the socket for reading again. */
  resume(): void;
  /** TCP_NODELAY. */
  setNoDelay(on?: boolean): boolean;
  /** SO_KEEPALIVE. */
  setKeepAlive(on?: boolean): boolean;
  /** Peer IP text (a getpeername(2) when read); `undefined` for unix sockets or once closed. */
  readonly remoteAddress?: string;
  /** Peer port (a getpeername(2) on every read). */
  readonly remotePort?: number;
  /** Local IP text (a getsockname(2) when first read). */
  readonly localAddress?: string;
  /** Local port. */
  readonly localPort?: number;
}

/** The event handlers of stream sockets; one set serves many sockets. */
export interface BunSocketHandler<D> {
  /** Chunk type delivered to `data`; `"uint8array"` gives a fresh copy per call. */
  readonly binaryType?: "uint8array";
  /** The socket is connected (or accepted). */
  open?(socket: BunSocket<D>): void;
  /** Bytes arrived. */
  data?(socket: BunSocket<D>, data: Uint8Array): void;
  /** The socket can take more writes (after a short write). */
  drain?(socket: BunSocket<D>): void;
  /** The peer sent FIN. */
  end?(socket: BunSocket<D>): void;
  /** The socket closed; `error` is set when a read failed (e.g. ECONNRESET). */
  close?(socket: BunSocket<D>, error?: unknown): void;
  /** Bun reports an error, or another handler threw one. */
  error?(socket: BunSocket<D>, error: unknown): void;
}

/** Options of `Bun.listen` and `Bun.connect`. */
export interface BunSocketOptions<D> {
  /** The handlers. */
  readonly socket: BunSocketHandler<D>;
  /** Initial `socket.data` (of every accepted socket, for `listen`). */
  readonly data?: D;
  /** Keep the write side open after the peer's FIN. */
  readonly allowHalfOpen?: boolean;
  /** IP host and port (TCP). */
  readonly hostname?: string;
  readonly port?: number;
  /** Path (unix); a leading `"\0"` is the abstract namespace. */
  readonly unix?: string;
  /** `listen`: SO_REUSEPORT and IPV6_V6ONLY. */
  readonly reusePort?: boolean;
  readonly ipv6Only?: boolean;
  /** `connect`: the source address to bind first. */
  readonly localAddress?: string;
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
  /** An error, with the socket as `this`: an ICMP report (`errqueue: true`) or a handler's throw. */
  error?(error: unknown): void;
}

/** Options of `Bun.udpSocket`. */
export interface BunUdpOptions {
  /** IP host and port to bind. */
  readonly hostname: string;
  readonly port: number;
  /** Chunk type delivered to `data`. */
  readonly binaryType?: "uint8array";
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
  listen<D>(options: BunSocketOptions<D>): BunListener;
  /** Connects a stream socket; rejects on failure. */
  connect<D>(options: BunSocketOptions<D>): Promise<BunSocket<D>>;
  /** Binds a UDP socket; throws or rejects on failure. */
  udpSocket(options: BunUdpOptions): Promise<BunUdpSocket>;
}
