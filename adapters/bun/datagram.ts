/**
 * UDP sockets of the Bun adapter over `Bun.udpSocket`.
 *
 * Bun 1.4.5 UDP sockets cannot stop reading, so the handle has no
 * `pause`/`resume`: the core bounds its own queue and drops what does not
 * fit. Bun's `send()` is synchronous: `true` means the kernel took the
 * datagram (the handle's `send` then returns `undefined`), `false` means "not
 * sent now": a copy is retried from the `drain` handler. SO_REUSEADDR, SO_REUSEPORT and IPV6_V6ONLY go
 * through uSockets' `flags` (as Bun's own `node:dgram` does).
 *
 * @module
 */

import type {
  BackendAddress,
  DatagramHandle,
  DatagramOptions,
  DatagramSink,
} from "../../src/backend.ts";
import { EAFNOSUPPORT, EBADF } from "../../src/errno.ts";
import { type OSError, oserror } from "../../src/errors.ts";
import { _DatagramEvents } from "../../src/_events.ts";
import type { BunApi, BunUdpHandler, BunUdpSocket } from "./api.ts";
import { _translate } from "./errors.ts";

/** uSockets socket flags understood by `Bun.udpSocket`. */
const _REUSE_PORT = 4;
const _IPV6_ONLY = 8;
const _REUSE_ADDR = 16;

/** One datagram waiting for `drain`. */
interface _Send {
  readonly data: Uint8Array;
  readonly port: number;
  readonly host: string;
  readonly resolve: () => void;
  readonly reject: (err: OSError) => void;
}

/** The uSockets flags for the options. */
function _flags(options: DatagramOptions): number {
  return (options.reusePort ? _REUSE_PORT : 0) | (options.reuseAddress ? _REUSE_ADDR : 0) |
    (options.ipv6Only ? _IPV6_ONLY : 0);
}

/** A Bun UDP socket as a {@linkcode DatagramHandle}. */
export class _BunDatagram implements DatagramHandle {
  #local: BackendAddress;
  #sock: BunUdpSocket | null = null;
  #events = new _DatagramEvents();
  #closed = false;
  #failed = false;
  #sends: _Send[] = [];

  /**
   * Creates the state of a socket about to be bound.
   *
   * @param local The address being bound (port 0 is fixed by `attach`).
   */
  constructor(local: BackendAddress) {
    this.#local = local;
  }

  /** The bound address. */
  get local(): BackendAddress {
    return this.#local;
  }

  /**
   * The Bun handlers feeding this object.
   *
   * @returns Handlers that never throw.
   */
  handlers(): BunUdpHandler {
    return {
      data: (_s, data, port, host) => {
        try {
          this.onMessage(data, port, host);
        } catch (err) {
          this.#guard(() => this.onError(err));
        }
      },
      drain: () => this.#guard(() => this.#flushSends()),
      error: (_s, err) => this.#guard(() => this.onError(err)),
    };
  }

  /**
   * Records the Bun socket once bound.
   *
   * @param sock What `Bun.udpSocket` resolved with.
   */
  attach(sock: BunUdpSocket): void {
    this.#sock = sock;
    this.#local = { ...this.#local, port: sock.port } as BackendAddress;
    if (this.#closed) this.#closeSocket();
  }

  /**
   * A datagram arrived.
   *
   * @param data A fresh copy of the payload.
   * @param port Sender port.
   * @param host Sender IP text.
   */
  onMessage(data: Uint8Array, port: number, host: string): void {
    if (this.#closed || this.#failed) return;
    this.#events.message(data, this.#events.inet(host, port));
  }

  /**
   * An error reached Bun's `error` handler (or a handler threw): the socket
   * fails and closes.
   *
   * @param err The error.
   */
  onError(err: unknown): void {
    if (this.#closed || this.#failed) return;
    // An ICMP report read from the error queue (Bun sets IP_RECVERR), e.g.
    // ECONNREFUSED after a datagram to a dead port: it concerns one earlier
    // datagram, not the socket, and Linux reports nothing on an unconnected
    // UDP socket. Failing the socket here would break every later send.
    if ((err as { errqueue?: unknown } | null)?.errqueue === true) return;
    this.#failed = true;
    const failure = _translate(err);
    this.#failSends(failure);
    this.#closeSocket();
    this.#events.error(failure);
  }

  /**
   * Begins delivering datagrams to `sink`.
   *
   * @param sink Receives datagrams and errors.
   */
  start(sink: DatagramSink): void {
    this.#events.start(sink);
  }

  /**
   * Sends one datagram, at once when the kernel takes it.
   *
   * @param data The payload.
   * @param to An IP endpoint.
   * @returns `undefined` when the kernel took it now; else a promise that
   * settles once it did (from `drain`); rejects e.g. with EMSGSIZE.
   */
  send(data: Uint8Array, to: BackendAddress): Promise<void> | undefined {
    if (this.#closed || this.#failed || this.#sock === null) return Promise.reject(oserror(EBADF));
    if (to.kind !== "inet") return Promise.reject(oserror(EAFNOSUPPORT));
    if (this.#sends.length === 0) {
      try {
        if (this.#sendOne(this.#sock, data, to.port, to.host)) return undefined;
      } catch (err) {
        return Promise.reject(_translate(err));
      }
    }
    // Not sent now: the caller may reuse `data` once this settles, so a copy waits.
    return new Promise<void>((resolve, reject) => {
      this.#sends.push({ data: data.slice(), port: to.port, host: to.host, resolve, reject });
    });
  }

  /**
   * Sets SO_BROADCAST.
   *
   * @param on Whether broadcast sends are allowed.
   */
  setBroadcast(on: boolean): void {
    try {
      this.#sock?.setBroadcast(on);
    } catch {
      // Closed: the next send reports EBADF.
    }
  }

  /** Closes the socket; queued sends reject with EBADF. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
    this.#failSends(oserror(EBADF));
    this.#closeSocket();
  }

  #guard(body: () => void): void {
    try {
      body();
    } catch (err) {
      try {
        this.onError(err);
      } catch {
        // onError never throws.
      }
    }
  }

  #flushSends(): void {
    while (this.#sends.length > 0 && this.#sock !== null) {
      const head = this.#sends[0];
      let sent: boolean;
      try {
        sent = this.#sendOne(this.#sock, head.data, head.port, head.host);
      } catch (err) {
        this.#sends.shift();
        head.reject(_translate(err));
        continue;
      }
      if (!sent) return;
      this.#sends.shift();
      head.resolve();
    }
  }

  /**
   * Sends one datagram. ECONNREFUSED from `send` is the ICMP error of an
   * earlier datagram (Bun sets IP_RECVERR), not this one's: it is dropped and
   * the send retried once, as Linux reports nothing on an unconnected socket.
   */
  #sendOne(sock: BunUdpSocket, data: Uint8Array, port: number, host: string): boolean {
    try {
      return sock.send(data, port, host);
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code !== "ECONNREFUSED") throw err;
      return sock.send(data, port, host);
    }
  }

  #failSends(err: OSError): void {
    const sends = this.#sends;
    this.#sends = [];
    for (const s of sends) s.reject(err);
  }

  #closeSocket(): void {
    try {
      this.#sock?.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * Binds a Bun UDP socket.
 *
 * @param bun The `Bun` global.
 * @param options Address and socket options.
 * @returns The handle; rejects with EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT (unix) etc.
 *
 * @example Bind an ephemeral port
 * ```ts ignore
 * const h = await _bindDatagram(Bun, {
 *   address: { kind: "inet", host: "127.0.0.1", port: 0, version: 4 },
 *   reuseAddress: false, reusePort: false, ipv6Only: false,
 * });
 * h.close();
 * ```
 */
export async function _bindDatagram(
  bun: BunApi,
  options: DatagramOptions,
): Promise<DatagramHandle> {
  const { address } = options;
  if (address.kind !== "inet") throw oserror(EAFNOSUPPORT);
  const handle = new _BunDatagram(address);
  try {
    handle.attach(
      await bun.udpSocket({
        hostname: address.host,
        port: address.port,
        binaryType: "uint8array",
        flags: _flags(options),
        socket: handle.handlers(),
      }),
    );
  } catch (err) {
    throw _translate(err);
  }
  return handle;
}
