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
} from "../../src/backend.ts";
import { type OSError, oserror } from "../../src/errors.ts";
import { EAFNOSUPPORT, EBADF } from "../../src/errno.ts";
import { _DatagramEvents } from "../../src/_events.ts";
import { _bound } from "./address.ts";
import { _translate } from "./errors.ts";
import { _closeQuietly } from "./quietly.ts";

/**
 * A bound `dgram.Socket` seen as a {@linkcode DatagramHandle}: Node's, and
 * Deno's without `--unstable-net` (or for an IPv6-only bind).
 *
 * `node:dgram` cannot stop reading, so the handle has no `pause`/`resume`:
 * the core bounds its own queue and drops what does not fit. Events go to
 * the core's {@linkcode _DatagramEvents} from the start.
 *
 * @example Echo datagrams
 * ```ts ignore
 * import { _bindDatagram } from "./dgram.ts";
 * const d = await _bindDatagram({ address, reuseAddress: false, reusePort: false, ipv6Only: false });
 * d.start({ message: (data, from) => d.send(data, from), error: console.error });
 * ```
 */
export class _DgramSocket implements DatagramHandle {
  /** The bound address. */
  readonly local: BackendAddress;
  #socket: dgram.Socket;
  #events = new _DatagramEvents();
  #closed = false;
  /** The rejects of sends `node:dgram` has not called back yet. */
  #sends: ((err: OSError) => void)[] = [];

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
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (this.#closed) return;
      // A view of Node's fresh buffer: nothing else writes to it.
      const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      this.#events.message(data, this.#events.inet(rinfo.address, rinfo.port));
    });
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
    return new Promise<void>((resolve, reject) => {
      const sends = this.#sends;
      sends.push(reject);
      const done = (err: unknown) => {
        // Sends finish in order: the first is the usual one, and `shift`
        // allocates nothing where `splice` makes an array per call.
        if (sends[0] === reject) sends.shift();
        else {
          const i = sends.indexOf(reject);
          if (i >= 0) sends.splice(i, 1);
        }
        if (err) reject(_translate(err));
        else resolve();
      };
      try {
        this.#socket.send(data, to.port, to.host, done);
      } catch (err) {
        done(err);
      }
    });
  }

  /**
   * Sets SO_BROADCAST.
   *
   * @param on Whether sending to broadcast addresses is allowed.
   * @throws {OSError} When the runtime refuses (translated).
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
    this.#events.close();
    _closeQuietly(this.#socket);
    if (this.#sends.length === 0) return;
    const sends = this.#sends.splice(0);
    const e = oserror(EBADF);
    for (const reject of sends) reject(e);
  }

  #onError(error: OSError): void {
    if (this.#closed) return;
    this.#events.error(error);
    this.close();
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
function _socketOptions(
  options: DatagramOptions,
  version: 4 | 6,
  reusePort: boolean,
): dgram.SocketOptions {
  const socket: dgram.SocketOptions = {
    type: version === 6 ? "udp6" : "udp4",
    // Without SO_REUSEPORT, SO_REUSEADDR lets UDP sockets share a port on Linux too.
    reuseAddr: options.reuseAddress || (options.reusePort && !reusePort),
    lookup: _lookup,
  };
  if (version === 6) socket.ipv6Only = options.ipv6Only;
  // Node before 22.12/23.1 ignores the option (the capability says so).
  if (options.reusePort && reusePort) socket.reusePort = true;
  return socket;
}

/**
 * Binds a datagram socket.
 *
 * @param options Where to bind, SO_REUSEADDR, SO_REUSEPORT and IPV6_V6ONLY.
 * @param noUnix Why this runtime has no unix datagram sockets (the error's text).
 * @param reusePort Whether the runtime's `node:dgram` sets SO_REUSEPORT
 * (else SO_REUSEADDR stands in for it, as for UDP on Linux both share a port).
 * @returns The bound handle; rejects with a translated OSError (EADDRINUSE,
 * EADDRNOTAVAIL …; EAFNOSUPPORT for a unix address).
 *
 * @example Bind an ephemeral UDP port
 * ```ts ignore
 * import { _bindDatagram } from "./dgram.ts";
 * const d = await _bindDatagram({
 *   address: { kind: "inet", host: "127.0.0.1", port: 0, version: 4 },
 *   reuseAddress: false, reusePort: false, ipv6Only: false,
 * }, "no unix datagrams here");
 * ```
 */
export function _bindDatagram(
  options: DatagramOptions,
  noUnix: string,
  reusePort = true,
): Promise<DatagramHandle> {
  const address = options.address;
  if (address.kind === "unix") return Promise.reject(oserror(EAFNOSUPPORT, noUnix));
  return new Promise<DatagramHandle>((resolve, reject) => {
    let socket: dgram.Socket;
    try {
      socket = dgram.createSocket(_socketOptions(options, address.version, reusePort));
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
      resolve(new _DgramSocket(socket, _bound(socket.address(), address)));
    });
    try {
      socket.bind({ address: address.host, port: address.port, exclusive: true });
    } catch (err) {
      onError(err);
    }
  });
}
