/**
 * UDP sockets of the Bun adapter over `Bun.udpSocket`. They cannot stop
 * reading: the handle has no `pause`/`resume`, so the core bounds its own
 * queue. `send()` is synchronous: `true` means the kernel took the datagram,
 * `false` "not sent now", and a copy is retried from `drain`. SO_REUSEADDR,
 * SO_REUSEPORT and IPV6_V6ONLY go through uSockets' `flags`, as in Bun's own
 * `node:dgram`.
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
import { _quietly, _quietlyCall } from "../shared/quietly.ts";

/** uSockets socket flags understood by `Bun.udpSocket`. */
const _REUSE_PORT = 4, _IPV6_ONLY = 8, _REUSE_ADDR = 16;

/** One datagram waiting for `drain`. */
interface _Send {
  readonly data: Uint8Array;
  readonly port: number;
  readonly host: string;
  readonly resolve: () => void;
  readonly reject: (err: OSError) => void;
}

/** A Bun UDP socket as a {@linkcode DatagramHandle}. */
export class _BunDatagram implements DatagramHandle {
  /** The bound address (its real port once `attach`ed). */
  local: BackendAddress;
  #sock: BunUdpSocket | null = null;
  #events = new _DatagramEvents();
  #closed = false;
  #failed = false;
  #sends: _Send[] = [];

  /** Creates the state of a socket about to bind `local`. */
  constructor(local: BackendAddress) {
    this.local = local;
  }

  /** The Bun handlers feeding this object (Bun passes what `data` or `drain` throw to `error`). */
  handlers(): BunUdpHandler {
    return {
      data: (_s, data, port, host) => {
        if (!this.#closed && !this.#failed) {
          this.#events.message(data, this.#events.inet(host, port));
        }
      },
      drain: () => this.#flushSends(),
      // #onError does not throw; nothing may escape to Bun from here.
      error: (err) => _quietlyCall(this, this.#onError, err),
    };
  }

  /** Records what `Bun.udpSocket` resolved with. */
  attach(sock: BunUdpSocket): void {
    this.#sock = sock;
    this.local = { ...this.local, port: sock.port } as BackendAddress;
  }

  /** Begins delivering datagrams to `sink`. */
  start(sink: DatagramSink): void {
    this.#events.start(sink);
  }

  /** Sends one datagram: `undefined` when the kernel took it now, else settles from `drain`. */
  send(data: Uint8Array, to: BackendAddress): Promise<void> | undefined {
    if (this.#closed || this.#failed || this.#sock === null) return Promise.reject(oserror(EBADF));
    if (to.kind !== "inet") return Promise.reject(oserror(EAFNOSUPPORT));
    if (this.#sends.length === 0) {
      try {
        if (_sendOne(this.#sock, data, to.port, to.host)) return undefined;
      } catch (err) {
        return Promise.reject(_translate(err));
      }
    }
    // Not sent now: the caller may reuse `data` once this settles, so a copy waits.
    return new Promise<void>((resolve, reject) => {
      this.#sends.push({ data: data.slice(), port: to.port, host: to.host, resolve, reject });
    });
  }

  /** Sets SO_BROADCAST (on a closed socket the next send reports EBADF). */
  setBroadcast(on: boolean): void {
    _quietly(() => this.#sock?.setBroadcast(on));
  }

  /** Closes the socket; queued sends reject with EBADF. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
    this.#failSends(oserror(EBADF));
    _quietly(() => this.#sock?.close());
  }

  /** An error reached Bun's `error` handler: the socket fails and closes. */
  #onError(err: unknown): void {
    if (this.#closed || this.#failed) return;
    // An ICMP report read from the error queue (Bun sets IP_RECVERR), e.g.
    // ECONNREFUSED after a datagram to a dead port: it concerns one earlier
    // datagram, not the socket, and Linux reports nothing on an unconnected
    // UDP socket. Failing the socket here would break every later send.
    if ((err as { errqueue?: unknown } | null)?.errqueue === true) return;
    this.#failed = true;
    const failure = _translate(err);
    this.#failSends(failure);
    _quietly(() => this.#sock?.close());
    this.#events.error(failure);
  }

  #flushSends(): void {
    const sock = this.#sock;
    while (this.#sends.length > 0 && sock !== null) {
      const head = this.#sends[0];
      try {
        if (!_sendOne(sock, head.data, head.port, head.host)) return;
        this.#sends.shift();
        head.resolve();
      } catch (err) {
        this.#sends.shift();
        head.reject(_translate(err));
      }
    }
  }

  #failSends(err: OSError): void {
    const sends = this.#sends;
    this.#sends = [];
    for (const s of sends) s.reject(err);
  }
}

/**
 * Sends one datagram. ECONNREFUSED from `send` is the ICMP error of an
 * earlier datagram (Bun sets IP_RECVERR), not this one's: it is dropped and
 * the send retried once, as Linux reports nothing on an unconnected socket.
 */
function _sendOne(sock: BunUdpSocket, data: Uint8Array, port: number, host: string): boolean {
  try {
    return sock.send(data, port, host);
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== "ECONNREFUSED") throw err;
    return sock.send(data, port, host);
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
        flags: (options.reusePort ? _REUSE_PORT : 0) | (options.reuseAddress ? _REUSE_ADDR : 0) |
          (options.ipv6Only ? _IPV6_ONLY : 0),
        socket: handle.handlers(),
      }),
    );
  } catch (err) {
    throw _translate(err);
  }
  return handle;
}
