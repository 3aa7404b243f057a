/**
 * Minimal, type-only declarations of the Deno networking APIs that
 * the Deno adapter uses, so that the adapter type-checks both under
 * `deno check` and under plain `tsc` (which knows nothing of `Deno`).
 *
 * Nothing here exists at run time; the adapter reaches the real object as
 * `(globalThis as unknown as { Deno: DenoApi }).Deno`, and only from inside
 * `denoBackend()`, never at module load (Node and Bun load this file too).
 *
 * @module
 */

/** An IP endpoint as Deno reports it (`Deno.NetAddr`). */
export interface DenoNetAddr {
  /** `"tcp"` or `"udp"`. */
  readonly transport: "tcp" | "udp";
  /** Numeric address text. */
  readonly hostname: string;
  /** Port. */
  readonly port: number;
}

/** A unix endpoint as Deno reports it (`Deno.UnixAddr`). */
export interface DenoUnixAddr {
  /** `"unix"` (stream) or `"unixpacket"` (datagram, SOCK_DGRAM on Linux). */
  readonly transport: "unix" | "unixpacket";
  /** The path; `null` for an unnamed socket. */
  readonly path: string | null;
}

/** Any endpoint Deno reports. */
export type DenoAddr = DenoNetAddr | DenoUnixAddr;

/** A connected stream (`Deno.Conn`, `Deno.TcpConn`, `Deno.UnixConn`). */
export interface DenoConn {
  /** Local endpoint. */
  readonly localAddr: DenoAddr;
  /** Remote endpoint. */
  readonly remoteAddr: DenoAddr;
  /** Reads into `p`; resolves with the count, or `null` at EOF. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`; resolves with the count written. */
  write(p: Uint8Array): Promise<number>;
  /** Sends FIN (shutdown(SHUT_WR)). */
  closeWrite(): Promise<void>;
  /** Closes the resource (Deno does shutdown(SHUT_WR) and then close). */
  close(): void;
  /** TCP_NODELAY; TCP connections only. */
  setNoDelay?(noDelay?: boolean): void;
  /** SO_KEEPALIVE; TCP connections only. */
  setKeepAlive?(keepAlive?: boolean): void;
}

/** A listening stream socket (`Deno.Listener`). */
export interface DenoListener {
  /** The bound endpoint. */
  readonly addr: DenoAddr;
  /** Waits for the next connection. */
  accept(): Promise<DenoConn>;
  /** Closes the listener (a unix listener also unlinks its path). */
  close(): void;
}

/** A bound datagram socket (`Deno.DatagramConn`, needs `--unstable-net`). */
export interface DenoDatagramConn {
  /** The bound endpoint. */
  readonly addr: DenoAddr;
  /** Receives one datagram into `p`; the data returned is a view of `p`. */
  receive(p?: Uint8Array): Promise<[Uint8Array, DenoAddr]>;
  /** Sends one datagram; resolves with the count sent. */
  send(p: Uint8Array, addr: DenoAddr): Promise<number>;
  /** Closes the socket; a pending receive rejects. */
  close(): void;
}

/** Options of `Deno.listen` for TCP. */
export interface DenoTcpListenOptions {
  /** Always `"tcp"`. */
  readonly transport: "tcp";
  /** Numeric address to bind. */
  readonly hostname: string;
  /** Port, 0 for any. */
  readonly port: number;
  /** listen(2) backlog (default 511; older Deno versions ignore it). */
  readonly tcpBacklog?: number;
  /** SO_REUSEPORT; unstable: without `--unstable-net` Deno EXITS the process. */
  readonly reusePort?: boolean;
}

/** Options of `Deno.listen` for a unix stream socket. */
export interface DenoUnixListenOptions {
  /** Always `"unix"`. */
  readonly transport: "unix";
  /** The socket path (a leading NUL selects the abstract namespace). */
  readonly path: string;
}

/** Options of `Deno.connect` for TCP. */
export interface DenoTcpConnectOptions {
  /** Always `"tcp"`. */
  readonly transport: "tcp";
  /** Numeric address. */
  readonly hostname: string;
  /** Port. */
  readonly port: number;
  /** Cancels a pending connect (rejects with a DOMException AbortError). */
  readonly signal?: AbortSignal;
}

/** Options of `Deno.connect` for a unix stream socket. */
export interface DenoUnixConnectOptions {
  /** Always `"unix"`. */
  readonly transport: "unix";
  /** The socket path. */
  readonly path: string;
}

/** Options of `Deno.listenDatagram` for UDP. */
export interface DenoUdpListenOptions {
  /** Always `"udp"`. */
  readonly transport: "udp";
  /** Numeric address to bind. */
  readonly hostname: string;
  /** Port, 0 for any. */
  readonly port: number;
  /** SO_REUSEADDR (Deno sets no SO_REUSEPORT). */
  readonly reuseAddress?: boolean;
}

/** Options of `Deno.listenDatagram` for a unix datagram socket. */
export interface DenoUnixDatagramOptions {
  /** Always `"unixpacket"` (which is SOCK_DGRAM on Linux). */
  readonly transport: "unixpacket";
  /** The path; `""` autobinds to an abstract name. */
  readonly path: string;
}

/** A `net` permission descriptor (`Deno.NetPermissionDescriptor`). */
export interface DenoNetPermission {
  /** Always `"net"`. */
  readonly name: "net";
  /** `host:port`, an IPv6 host in brackets. */
  readonly host: string;
}

/** A file permission descriptor (`Deno.ReadPermissionDescriptor` and write). */
export interface DenoPathPermission {
  /** `"read"` or `"write"`. */
  readonly name: "read" | "write";
  /** The path. */
  readonly path: string;
}

/** An environment permission descriptor (`Deno.EnvPermissionDescriptor`). */
export interface DenoEnvPermission {
  /** Always `"env"`. */
  readonly name: "env";
  /** The variable. */
  readonly variable: string;
}

/** A whole permission, without host or path (`--allow-net`, `--allow-read` …). */
export interface DenoWholePermission {
  /** The permission. */
  readonly name: "net" | "read" | "write";
}

/** The permissions the adapter checks before a `node:` module call. */
export type DenoPermissionDescriptor = DenoNetPermission | DenoPathPermission;

/** `Deno.PermissionStatus`: Deno updates one in place when a query or revoke changes it. */
export interface DenoPermissionStatus {
  /** The state. */
  readonly state: "granted" | "denied" | "prompt";
  /** Granted with exceptions (`--deny-net=…` beside `--allow-net`). */
  readonly partial?: boolean;
}

/** The permission API (`Deno.permissions`). */
export interface DenoPermissions {
  /** The current state of a permission. */
  querySync(
    desc: DenoPermissionDescriptor | DenoEnvPermission | DenoWholePermission,
  ): DenoPermissionStatus;
  /** Asks for a permission (prompts when Deno may). */
  requestSync(desc: DenoPermissionDescriptor): { readonly state: "granted" | "denied" | "prompt" };
}

/** The part of the `Deno` global the adapter uses. */
export interface DenoApi {
  /** Binds and listens a stream socket. */
  listen(options: DenoTcpListenOptions | DenoUnixListenOptions): DenoListener;
  /** Connects a stream socket. */
  connect(options: DenoTcpConnectOptions | DenoUnixConnectOptions): Promise<DenoConn>;
  /** Binds a datagram socket; absent without `--unstable-net`. */
  readonly listenDatagram?: (
    options: DenoUdpListenOptions | DenoUnixDatagramOptions,
  ) => DenoDatagramConn;
  /** The machine's host name (needs `--allow-sys`). */
  hostname(): string;
  /** Permission queries. */
  readonly permissions: DenoPermissions;
  /** Environment variables (reading one needs `--allow-env`). */
  readonly env: { get(name: string): string | undefined };
}
