/**
 * A {@linkcode DatagramHandle} over a `node:dgram` socket.
 *
 * @module
 */

import * as dgram from "node:dgram";
import * as dns from "node:dns";
import { isIP } from "node:net";
import type { Buffer } from "node:buffer";
import type {
  BackendAddress,
  DatagramHandle,
  DatagramOptions,
  DatagramSink,
} from "../src/backend.ts";
import { type OSError, oserror } from "../src/errors.ts";
import { EAFNOSUPPORT, EBADF } from "../src/errno.ts";
import { _bound, _inet } from "./_node_address.ts";
import { _PendingSends } from "./_dgram_sends.ts";
import { _translate } from "./_node_errors.ts";

/** Why unix datagram sockets are missing (also the capability text). */
export const _NO_UNIX_DGRAM = "Node's dgram module has no AF_UNIX datagram sockets";

/**
 * A bound `dgram.Socket` seen as a {@linkcode DatagramHandle}.
 *
 * `node:dgram` cannot stop reading, so the handle has no `pause`/`resume`:
 * the core bounds its own queue and drops what does not fit. Datagrams that
 * arrive before `start()` are delivered from the microtask it schedules.
 *
 * @example Echo datagrams
 * ```ts ignore
 * import { _bindDatagram } from "./_node_dgram.ts";
 * const d = await _bindDatagram({ address, reuseAddress: false, reusePort: false, ipv6Only: false });
 * d.start({ message: (data, from) => d.send(data, from), error: console.error });
 * ```
 */
export class _NodeDatagram implements DatagramHandle {
  /** The bound address. */
  readonly local: BackendAddress;
  #socket: dgram.Socket;
  #sink: DatagramSink | null = null;
  #early: [Uint8Array, BackendAddress][] = [];
  #closed = false;
  #pendingError: OSError | null = null;
  #sends = new _PendingSends();
  #from: BackendAddress = { kind: "inet", host: "", port: 0, version: 4 };
  #fromHost = "";
  #fromPort = -1;

  /**
   * Wraps a socket that is already bound.
   *
   * @param socket The bound socket.
   * @param local Its bound address.
   */
  constructor(socket: dgram.Socket, local: BackendAddress) {
    this.local = local;
    this.#socket = socket;
    socket.on("error", (err: unknown) => this.#onError(_translate(err)));
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => this.#onMessage(msg, rinfo));
  }

  /**
   * Begins delivering datagrams to `sink`, from a later microtask.
   *
   * @param sink Receives datagrams and errors.
   */
  start(sink: DatagramSink): void {
    queueMicrotask(() => {
      if (this.#closed || this.#sink !== null) return;
      this.#sink = sink;
      const early = this.#early;
      this.#early = [];
      for (const [data, from] of early) {
        if (this.#sink === null) return;
        sink.message(data, from);
      }
      if (this.#pendingError !== null) this.#onError(this.#pendingError);
    });
  }

  /**
   * Sends one datagram.
   *
   * @param data The payload (Node keeps it until the callback).
   * @param to An inet destination.
   * @returns Resolves once the OS took the datagram; rejects with a
   * translated OSError, or with EBADF when the socket closes first (Node
   * never calls back a send that `close()` dropped).
   */
  send(data: Uint8Array, to: BackendAddress): Promise<void> {
    if (this.#closed) return Promise.reject(oserror(EBADF));
    if (to.kind !== "inet") return Promise.reject(oserror(EAFNOSUPPORT));
    return this.#sends.send(this.#socket, data, to.port, to.host, _translate);
  }

  /**
   * Sets SO_BROADCAST.
   *
   * @param on Whether sending to broadcast addresses is allowed.
   * @throws {OSError} When Node refuses (translated).
   */
  setBroadcast(on: boolean): void {
    if (this.#closed) return;
    try {
      this.#socket.setBroadcast(on);
    } catch (err) {
      throw _translate(err);
    }
  }

  /** Closes the socket; sends still pending reject with EBADF. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink = null;
    this.#early = [];
    try {
      this.#socket.close();
    } catch {
      // Already closed by Node after an error.
    }
    this.#sends.close(() => oserror(EBADF));
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#closed) return;
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    // Most datagrams come from the sender of the one before: reuse its address.
    let from = this.#from;
    if (rinfo.port !== this.#fromPort || rinfo.address !== this.#fromHost) {
      from = this.#from = _inet(rinfo.address, rinfo.port, rinfo.family);
      this.#fromHost = rinfo.address;
      this.#fromPort = rinfo.port;
    }
    if (this.#sink !== null) this.#sink.message(data, from);
    else this.#early.push([data, from]);
  }

  #onError(error: OSError): void {
    if (this.#closed) return;
    if (this.#sink === null) {
      this.#pendingError ??= error;
      return;
    }
    const sink = this.#sink;
    this.close();
    sink.error(error);
  }
}

/**
 * The address look-up `node:dgram` runs before every send and bind. The core
 * passes numeric hosts only; `dns.lookup` answers those from a later tick,
 * this answers at once (one tick and a closure less per datagram sent).
 */
function _lookup(
  host: string,
  options: dns.LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(host);
  if (family !== 0) callback(null, host, family);
  else dns.lookup(host, options as dns.LookupOneOptions, callback);
}

/** Node's createSocket options for backend datagram options. */
function _socketOptions(options: DatagramOptions, version: 4 | 6): dgram.SocketOptions {
  const socket: dgram.SocketOptions = {
    type: version === 6 ? "udp6" : "udp4",
    reuseAddr: options.reuseAddress,
    lookup: _lookup,
  };
  if (version === 6) socket.ipv6Only = options.ipv6Only;
  // Node before 22.12/23.1 ignores the option (the capability says so).
  if (options.reusePort) socket.reusePort = true;
  return socket;
}

/**
 * Binds a datagram socket.
 *
 * @param options Where to bind, SO_REUSEADDR, SO_REUSEPORT and IPV6_V6ONLY.
 * @returns The bound handle; rejects with a translated OSError (EADDRINUSE,
 * EADDRNOTAVAIL …; EAFNOSUPPORT for a unix address).
 *
 * @example Bind an ephemeral UDP port
 * ```ts ignore
 * import { _bindDatagram } from "./_node_dgram.ts";
 * const d = await _bindDatagram({
 *   address: { kind: "inet", host: "127.0.0.1", port: 0, version: 4 },
 *   reuseAddress: false, reusePort: false, ipv6Only: false,
 * });
 * ```
 */
export function _bindDatagram(options: DatagramOptions): Promise<DatagramHandle> {
  const address = options.address;
  if (address.kind === "unix") return Promise.reject(oserror(EAFNOSUPPORT, _NO_UNIX_DGRAM));
  return new Promise<DatagramHandle>((resolve, reject) => {
    let socket: dgram.Socket;
    try {
      socket = dgram.createSocket(_socketOptions(options, address.version));
    } catch (err) {
      reject(_translate(err));
      return;
    }
    let settled = false;
    // Stays attached on failure, so a late error of the dead socket is handled.
    const onError = (err: unknown) => {
      if (settled) return;
      settled = true;
      _closeQuietly(socket);
      reject(_translate(err));
    };
    socket.on("error", onError);
    socket.once("listening", () => {
      if (settled) return;
      settled = true;
      socket.off("error", onError);
      resolve(new _NodeDatagram(socket, _bound(socket.address(), address)));
    });
    try {
      socket.bind({ address: address.host, port: address.port, exclusive: true });
    } catch (err) {
      onError(err);
    }
  });
}

function _closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Never bound or already closed.
  }
}
