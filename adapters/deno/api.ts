/**
 * Type-only declarations of the parts of the `Deno` global the adapter
 * uses, so that it type-checks under plain `tsc` too. The adapter reaches
 * the real object only inside `denoBackend()` (Node and Bun load it unused).
 *
 * @module
 */

/** An IP endpoint (`Deno.NetAddr`). */
export interface DenoNetAddr {
  /** `"tcp"` or `"udp"`. */
  readonly transport: "tcp" | "udp";
  /** Numeric address text. */
  readonly hostname: string;
  /** Port. */
  readonly port: number;
}

/** A unix endpoint (`Deno.UnixAddr`); `"unixpacket"` is SOCK_DGRAM on Linux. */
export interface DenoUnixAddr {
  /** `"unix"` or `"unixpacket"`. */
  readonly transport: "unix" | "unixpacket";
  /** The path; `null` for an unnamed socket. */
  readonly path: string | null;
}

/** Any endpoint Deno reports. */
export type DenoAddr = DenoNetAddr | DenoUnixAddr;

/** A connected stream (`Deno.Conn`); `close()` sends FIN, then closes. */
export interface DenoConn {
  /** Local endpoint. */
  readonly localAddr: DenoAddr;
  /** Remote endpoint. */
  readonly remoteAddr: DenoAddr;
  /** Reads into `p`: the count, or `null` at EOF. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`: the count written. */
  write(p: Uint8Array): Promise<number>;
  /** shutdown(SHUT_WR). */
  closeWrite(): Promise<void>;
  /** Closes the resource. */
  close(): void;
  /** TCP_NODELAY (TCP only). */
  setNoDelay?(noDelay?: boolean): void;
  /** SO_KEEPALIVE (TCP only). */
  setKeepAlive?(keepAlive?: boolean): void;
}

/** A listening stream socket (`Deno.Listener`). */
export interface DenoListener {
  /** The bound endpoint. */
  readonly addr: DenoAddr;
  /** The next connection. */
  accept(): Promise<DenoConn>;
  /** Closes it (a unix listener also unlinks its path). */
  close(): void;
}

/** A bound datagram socket (`Deno.DatagramConn`, `--unstable-net`). */
export interface DenoDatagramConn {
  /** The bound endpoint. */
  readonly addr: DenoAddr;
  /** One datagram, as a view of `p`. */
  receive(p?: Uint8Array): Promise<[Uint8Array, DenoAddr]>;
  /** Sends one datagram: the count sent. */
  send(p: Uint8Array, addr: DenoAddr): Promise<number>;
  /** Closes it; a pending receive rejects. */
  close(): void;
}

/** A permission descriptor the adapter queries (`Deno.PermissionDescriptor`). */
export type DenoPermissionDescriptor =
  | { readonly name: "net"; readonly host?: string }
  | { readonly name: "read" | "write"; readonly path?: string }
  | { readonly name: "env"; readonly variable: string };

/** `Deno.PermissionStatus` (Deno updates it in place when the state changes). */
export interface DenoPermissionStatus {
  /** The state. */
  readonly state: "granted" | "denied" | "prompt";
  /** Granted with exceptions (`--deny-net=…` beside `--allow-net`). */
  readonly partial?: boolean;
}

/** The part of the `Deno` global the adapter uses. */
export interface DenoApi {
  /** Binds and listens; `reusePort` without `--unstable-net` EXITS the process. */
  listen(
    o: {
      transport: "tcp";
      hostname: string;
      port: number;
      tcpBacklog?: number;
      reusePort?: boolean;
    } | {
      transport: "unix";
      path: string;
    },
  ): DenoListener;
  /** Connects; `signal` cancels a TCP attempt. */
  connect(
    o: { transport: "tcp"; hostname: string; port: number; signal?: AbortSignal } | {
      transport: "unix";
      path: string;
    },
  ): Promise<DenoConn>;
  /** Binds a datagram socket; absent without `--unstable-net`. */
  readonly listenDatagram?: (
    o: { transport: "udp"; hostname: string; port: number; reuseAddress?: boolean } | {
      transport: "unixpacket";
      path: string;
    },
  ) => DenoDatagramConn;
  /** The machine's host name. */
  hostname(): string;
  /** Permission queries (`requestSync` prompts where Deno may). */
  readonly permissions: {
    querySync(desc: DenoPermissionDescriptor | { name: string }): DenoPermissionStatus;
    requestSync(desc: DenoPermissionDescriptor): DenoPermissionStatus;
  };
  /** Environment variables. */
  readonly env: { get(name: string): string | undefined };
  /** The Deno binary. */
  execPath(): string;
  /** The main module's URL. */
  readonly mainModule: string;
  /** The program's arguments. */
  readonly args: readonly string[];
}
