/**
 * A {@linkcode DatagramHandle} over a `node:dgram` socket.
 *
 * @module
 */

import * as dgram from "node:dgram";
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
import { _translate } from "./_node_errors.ts";

/** Why unix datagram sockets are missing (also the capability text). */
export const _NO_UNIX_DGRAM = "Node's dgram module has no AF_UNIX datagram sockets";

/** Linux's default SO_RCVBUF as getsockopt reports it, if Node cannot tell. */
const _DEFAULT_RCVBUF = 212992;
/** What a queued datagram costs beyond its bytes, roughly the kernel's per-packet charge. */
const _DATAGRAM_OVERHEAD = 256;

/** One datagram held while the core is paused or not started. */
interface _Held {
  readonly data: Uint8Array;
  readonly from: BackendAddress;
}

/**
 * A bound `dgram.Socket` seen as a {@linkcode DatagramHandle}.
 *
 * `node:dgram` cannot stop reading (it has no pause), so `pause()` holds
 * datagrams in a queue bounded like the kernel's receive buffer (SO_RCVBUF
 * bytes, plus a per-datagram charge) and drops what does not fit, as a full
 * kernel queue would; `resume()` delivers the held datagrams first. The same
 * queue holds datagrams that arrive before `start()`.
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
  #held: _Held[] = [];
  #heldBytes = 0;
  #limit: number;
  #started = false;
  #paused = false;
  #closed = false;
  #pendingError: OSError | null = null;
  #drops = 0;

  /**
   * Wraps a socket that is already bound.
   *
   * @param socket The bound socket.
   * @param local Its bound address.
   */
  constructor(socket: dgram.Socket, local: BackendAddress) {
    this.local = local;
    this.#socket = socket;
    this.#limit = _recvBufferSize(socket);
    socket.on("error", (err: unknown) => this.#onError(_translate(err)));
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => this.#onMessage(msg, rinfo));
  }

  /** Datagrams dropped because the hold queue was full. */
  get drops(): number {
    return this.#drops;
  }

  /**
   * Begins delivering datagrams to `sink`, from a later microtask.
   *
   * @param sink Receives datagrams and errors.
   */
  start(sink: DatagramSink): void {
    this.#sink = sink;
    queueMicrotask(() => {
      if (this.#closed || this.#started) return;
      this.#started = true;
      this.#drain();
      if (this.#pendingError !== null) this.#onError(this.#pendingError);
    });
  }

  /** Holds incoming datagrams in the bounded queue (dgram cannot stop reading). */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers held datagrams, from a later microtask, then resumes delivery. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    queueMicrotask(() => this.#drain());
  }

  /**
   * Sends one datagram.
   *
   * @param data The payload (Node keeps it until the callback).
   * @param to An inet destination.
   * @returns Resolves once the OS took the datagram; rejects with a
   * translated OSError.
   */
  send(data: Uint8Array, to: BackendAddress): Promise<void> {
    if (this.#closed) return Promise.reject(oserror(EBADF));
    if (to.kind !== "inet") return Promise.reject(oserror(EAFNOSUPPORT));
    return new Promise<void>((resolve, reject) => {
      try {
        this.#socket.send(data, to.port, to.host, (err: Error | null) => {
          if (err) reject(_translate(err));
          else resolve();
        });
      } catch (err) {
        reject(_translate(err));
      }
    });
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

  /** Closes the socket; held datagrams are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink = null;
    this.#held = [];
    this.#heldBytes = 0;
    try {
      this.#socket.close();
    } catch {
      // Already closed by Node after an error.
    }
  }

  #flowing(): boolean {
    return this.#started && !this.#paused && !this.#closed && this.#sink !== null;
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#closed) return;
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    const from = _inet(rinfo.address, rinfo.port, rinfo.family);
    if (this.#flowing() && this.#held.length === 0) {
      this.#sink!.message(data, from);
      return;
    }
    const cost = data.byteLength + _DATAGRAM_OVERHEAD;
    if (this.#heldBytes + cost > this.#limit) {
      this.#drops++; // the "kernel queue" is full
      return;
    }
    this.#held.push({ data, from });
    this.#heldBytes += cost;
  }

  #drain(): void {
    while (this.#flowing() && this.#held.length > 0) {
      const { data, from } = this.#held.shift()!;
      this.#heldBytes -= data.byteLength + _DATAGRAM_OVERHEAD;
      this.#sink!.message(data, from);
    }
  }

  #onError(error: OSError): void {
    if (this.#closed) return;
    if (!this.#started) {
      this.#pendingError ??= error;
      return;
    }
    const sink = this.#sink;
    this.close();
    sink?.error(error);
  }
}

/** The socket's SO_RCVBUF, or Linux's default when Node cannot tell. */
function _recvBufferSize(socket: dgram.Socket): number {
  try {
    return socket.getRecvBufferSize();
  } catch {
    return _DEFAULT_RCVBUF;
  }
}

/** Node's createSocket options for backend datagram options. */
function _socketOptions(options: DatagramOptions, version: 4 | 6): dgram.SocketOptions {
  const socket: dgram.SocketOptions = {
    type: version === 6 ? "udp6" : "udp4",
    reuseAddr: options.reuseAddress,
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
