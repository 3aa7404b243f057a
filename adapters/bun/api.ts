/**
 * Type-only declarations of the Bun APIs the Bun adapter uses, so that it
 * type-checks under `deno check` and `tsc` without Bun's own types. Only what
 * the adapter touches; notes are what Bun 1.4.5 does on Linux.
 *
 * @module
 */

/** One TCP or unix stream socket of Bun; `data` is the per-socket state. */
export interface BunSocket<D> {
  data: D; // initialised from the `data` option
  /** Writes what the kernel takes now (Bun buffers nothing): the count; -1 once shut or closed. */
  write(data: Uint8Array): number;
  end(): number; // Closes the socket.
  shutdown(): void; // Sends FIN (shutdown(SHUT_WR)); reading goes on.
  terminate(): void; // Closes at once with RST (SO_LINGER 0).
  pause(): void; // Stops polling the socket for reading.
  resume(): void; // Polls the socket for reading again.
  setNoDelay(on?: boolean): boolean; // TCP_NODELAY.
  setKeepAlive(on?: boolean): boolean; // SO_KEEPALIVE.
  /** Peer IP text (a getpeername(2) when read); `undefined` for unix sockets or once closed. */
  readonly remoteAddress?: string;
  readonly remotePort?: number; // Peer port (a getpeername(2) on every read).
  readonly localAddress?: string; // Local IP text (a getsockname(2) when first read).
  readonly localPort?: number;
}

/** The event handlers of stream sockets; one set serves many sockets. */
export interface BunSocketHandler<D> {
  /** Chunk type delivered to `data`; `"uint8array"` gives a fresh copy per call. */
  readonly binaryType?: "uint8array";
  open?(socket: BunSocket<D>): void; // The socket is connected (or accepted).
  data?(socket: BunSocket<D>, data: Uint8Array): void; // Bytes arrived.
  drain?(socket: BunSocket<D>): void; // The socket can take more writes (after a short write).
  end?(socket: BunSocket<D>): void; // The peer sent FIN.
  /** The socket closed; `error` is set when a read failed (e.g. ECONNRESET). */
  close?(socket: BunSocket<D>, error?: unknown): void;
  /** Bun reports an error, or another handler threw one. */
  error?(socket: BunSocket<D>, error: unknown): void;
}

/** Options of `Bun.listen` and `Bun.connect`. */
export interface BunSocketOptions<D> {
  readonly socket: BunSocketHandler<D>;
  readonly data?: D; // Initial `socket.data` (of every accepted socket, for `listen`).
  readonly allowHalfOpen?: boolean; // Keep the write side open after the peer's FIN.
  readonly hostname?: string; // IP host and port (TCP).
  readonly port?: number;
  readonly unix?: string; // Path (unix); a leading `"\0"` is the abstract namespace.
  readonly reusePort?: boolean; // `listen`: SO_REUSEPORT and IPV6_V6ONLY.
  readonly ipv6Only?: boolean;
  readonly localAddress?: string; // `connect`: the source address to bind first.
  readonly localPort?: number;
}

/** What `Bun.listen` returns. */
export interface BunListener {
  readonly port?: number; // The bound port (TCP).
  /** Stops accepting; `true` also closes accepted sockets. */
  stop(closeActiveConnections?: boolean): void;
}

/** The handlers of a Bun UDP socket. */
export interface BunUdpHandler {
  /** One datagram arrived from `address`:`port`. */
  data?(socket: BunUdpSocket, data: Uint8Array, port: number, address: string): void;
  drain?(socket: BunUdpSocket): void; // The socket can send again after a `send` returned `false`.
  /** An ICMP report (`errqueue: true`) or a handler's throw; the socket is `this`. */
  error?(error: unknown): void;
}

/** Options of `Bun.udpSocket`. */
export interface BunUdpOptions {
  readonly hostname: string; // IP host and port to bind.
  readonly port: number;
  readonly binaryType?: "uint8array"; // Chunk type delivered to `data`.
  readonly flags?: number; // uSockets flags: 4 SO_REUSEPORT, 8 IPV6_V6ONLY, 16 SO_REUSEADDR.
  readonly socket: BunUdpHandler;
}

/** A bound Bun UDP socket. */
export interface BunUdpSocket {
  readonly port: number; // The bound port.
  /** Sends one datagram; `false` means not sent now (wait for `drain`). Throws on errors. */
  send(data: Uint8Array, port: number, address: string): boolean;
  setBroadcast(on: boolean): boolean; // SO_BROADCAST.
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
