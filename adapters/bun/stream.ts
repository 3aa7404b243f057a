/**
 * Stream sockets (TCP and unix) of the Bun adapter: the one handler set of
 * every Bun socket, the {@linkcode StreamHandle} over a Bun socket, the
 * {@linkcode ListenerHandle} over `Bun.listen`, and the state of a
 * `Bun.connect` attempt. Each Bun socket carries its state object in
 * `socket.data`; the handlers only forward events to it.
 *
 * Bun (1.4.5) behaviour this relies on: with `allowHalfOpen`, `shutdown()`
 * sends FIN and reading goes on, `end()` closes, `terminate()` resets; after
 * our own FIN the peer's FIN closes the socket without an `end` event, so a
 * clean `close` counts as end-of-stream; the address getters each cost a
 * system call and read `undefined` once the socket closed, so the endpoints
 * are taken at open.
 *
 * @module
 */

import type { BackendAddress, StreamHandle, StreamSink } from "../../src/backend.ts";
import { EBADF, ECANCELED, ENOTCONN, EPIPE } from "../../src/errno.ts";
import { type OSError, oserror } from "../../src/errors.ts";
import { _StreamEvents } from "../../src/_events.ts";
import { _ListenerBase } from "../shared/listener.ts";
import { _quietly, _quietlyCall } from "../shared/quietly.ts";
import type { BunListener, BunSocket, BunSocketHandler } from "./api.ts";
import { _translate } from "./errors.ts";

/** The state object in `socket.data`: `onX` receives the event of Bun's handler `x`. */
export interface _Slot {
  onOpen(socket: BunSocket<_Slot>): void;
  onData(chunk: Uint8Array): void;
  onDrain(): void;
  onEnd(): void;
  onClose(err: unknown): void;
  onError(err: unknown): void;
}

/** A slot that ignores everything but `onOpen`. */
abstract class _OpenOnly implements _Slot {
  abstract onOpen(socket: BunSocket<_Slot>): void;
  onData(): void {}
  onDrain(): void {}
  onEnd(): void {}
  onClose(): void {}
  onError(): void {}
}

/**
 * The one handler set of every Bun stream socket (no closure per socket or
 * event). What another handler throws, Bun passes to `error`.
 */
export const _HANDLERS: BunSocketHandler<_Slot> = {
  binaryType: "uint8array", // a fresh copy per chunk, which the core may keep
  open: (s) => s.data.onOpen(s),
  data: (s, chunk) => s.data.onData(chunk),
  drain: (s) => s.data.onDrain(),
  end: (s) => s.data.onEnd(),
  close: (s, err) => s.data.onClose(err),
  // onError does not throw; nothing may escape to Bun from here.
  error: (s, err) => _quietlyCall(s.data, s.data.onError, err),
};

/** An IP endpoint from Bun's address properties, `fallback` when Bun has none. */
function _inet(
  host: string | undefined,
  port: number | undefined,
  fallback: BackendAddress,
): BackendAddress {
  if (host === undefined || host === "" || port === undefined) return fallback;
  return { kind: "inet", host, port, version: host.includes(":") ? 6 : 4 };
}

/** Whether a (canonical) host is a wildcard: the kernel picks the real address. */
function _isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "::ffff:0.0.0.0";
}

/** A queued write, or (empty `data`) a FIN or close waiting for the writes before it. */
interface _Queued {
  data: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (err: OSError) => void;
}

const _EMPTY = new Uint8Array(0);

/** Resets a Bun socket, ignoring a socket already closed. */
function _terminate(sock: BunSocket<_Slot>): void {
  _quietlyCall(sock, sock.terminate);
}

/** A connected Bun stream socket as a {@linkcode StreamHandle}. */
export class _BunStream implements StreamHandle, _Slot {
  /** Local endpoint. */
  readonly local: BackendAddress;
  /** Remote endpoint. */
  readonly remote: BackendAddress;
  #sock: BunSocket<_Slot>;
  #events: _StreamEvents;
  #holding = false;
  #userPaused = false;
  #readPaused = false;
  #closed = false;
  #gone = false;
  #goneError: OSError | null = null;
  #endSeen = false;
  #failed = false;
  #wrShut = false;
  #queue: _Queued[] = [];

  /**
   * Wraps a Bun socket that just opened. Reading goes on until a chunk
   * arrives before `start()`, then pauses until it (an accepted socket may
   * wait long in the core's accept queue while its peer sends).
   *
   * @param sock The Bun socket (its `data` is set to this object).
   * @param local Local endpoint.
   * @param remote Remote endpoint.
   */
  constructor(sock: BunSocket<_Slot>, local: BackendAddress, remote: BackendAddress) {
    this.#sock = sock;
    this.local = local;
    this.remote = remote;
    this.#events = new _StreamEvents(this);
    sock.data = this;
  }

  /** Events wait for `start()` (`on`) or were delivered: reading pauses meanwhile. */
  holdEvents(on: boolean): void {
    this.#holding = on;
    this.#applyReading();
  }

  /**
   * Wraps an accepted socket. Its local endpoint is the listener's (only the
   * host of a wildcard listener comes from the kernel); the peer's is read
   * now, as accept() returns it.
   *
   * @param sock The accepted Bun socket.
   * @param listening The listener's bound address.
   * @returns The stream, or `null` for a connection reset before it was
   * accepted (the kernel no longer knows its peer; accept(2) skips it).
   */
  static accepted(sock: BunSocket<_Slot>, listening: BackendAddress): _BunStream | null {
    if (listening.kind === "unix") {
      return new _BunStream(sock, listening, { kind: "unix", path: "" });
    }
    const local = _isWildcard(listening.host)
      ? _inet(sock.localAddress, listening.port, listening)
      : listening;
    const host = sock.remoteAddress, port = sock.remotePort;
    if (host === undefined || host === "" || port === undefined || port === 0) return null;
    return new _BunStream(sock, local, _inet(host, port, local));
  }

  /**
   * Wraps a socket that connected to `peer`, its remote endpoint (the
   * kernel's only for a wildcard peer, which Linux turns into loopback). The
   * local endpoint is read now: getsockname() must answer after a reset too.
   *
   * @param sock The connected Bun socket.
   * @param peer The address connected to.
   * @returns The stream.
   */
  static connected(sock: BunSocket<_Slot>, peer: BackendAddress): _BunStream {
    if (peer.kind === "unix") return new _BunStream(sock, { kind: "unix", path: "" }, peer);
    const host = sock.localAddress, port = sock.localPort;
    const local = host === undefined || host === "" || port === undefined
      ? { ...peer, host: peer.version === 6 ? "::" : "0.0.0.0", port: 0 } // Bun knows none
      : _inet(host, port, peer);
    const remote = _isWildcard(peer.host) ? _inet(sock.remoteAddress, sock.remotePort, peer) : peer;
    return new _BunStream(sock, local, remote);
  }

  /** Begins delivering events to `sink` (those that waited, from a microtask). */
  start(sink: StreamSink): void {
    this.#events.start(sink);
  }

  /** Stops reading until `resume()`. */
  pause(): void {
    this.#userPaused = true;
    this.#applyReading();
  }

  /** Resumes reading. */
  resume(): void {
    this.#userPaused = false;
    this.#applyReading();
  }

  /** Writes what the kernel takes now (Bun buffers nothing); the rest is queued for `drain`. */
  write(data: Uint8Array): Promise<void> | undefined {
    const blocked = this.#closed
      ? oserror(EBADF)
      : this.#goneError ?? (this.#gone || this.#wrShut ? oserror(EPIPE) : null);
    if (blocked !== null) return Promise.reject(blocked);
    if (data.byteLength === 0) return undefined;
    let rest = data;
    if (this.#queue.length === 0) {
      const n = this.#rawWrite(data);
      if (n === data.byteLength) return undefined;
      if (n < 0) return Promise.reject(this.#goneError ?? oserror(EPIPE));
      rest = data.subarray(n); // Bun's drain follows a short write
    }
    return new Promise<void>((resolve, reject) =>
      this.#queue.push({ data: rest, resolve, reject })
    );
  }

  /** Sends FIN once queued writes are out; rejects with ENOTCONN on a dead socket. */
  shutdownWrite(): Promise<void> {
    if (this.#closed) return Promise.reject(oserror(EBADF));
    if (this.#wrShut) return Promise.resolve();
    if (this.#gone) return Promise.reject(this.#goneError ?? oserror(ENOTCONN));
    return new Promise<void>((resolve, reject) => {
      this.#afterWrites(() => resolve(this.#sendFin()), reject);
    });
  }

  /** Closes gracefully: queued writes go out, then the socket closes. */
  close(): void {
    if (this.#closed) return;
    this.#detachSink();
    if (this.#queue.length === 0) this.#endSocket();
    else this.#afterWrites(() => this.#endSocket(), () => {});
  }

  /** Closes at once with RST; queued writes reject with EBADF. */
  abort(): void {
    this.#detachSink();
    if (this.#queue.length > 0) this.#failWrites(oserror(EBADF));
    if (this.#gone) return;
    this.#gone = true;
    _quietlyCall(this.#sock, this.#sock.terminate);
  }

  /** Sets TCP_NODELAY (no-op for unix streams). */
  setNoDelay(on: boolean): void {
    if (this.local.kind === "inet" && !this.#gone) _quietly(() => this.#sock.setNoDelay(on));
  }

  /** Sets SO_KEEPALIVE (no-op for unix streams). */
  setKeepAlive(on: boolean): void {
    if (this.local.kind === "inet" && !this.#gone) _quietly(() => this.#sock.setKeepAlive(on));
  }

  /** Ignored: a stream is created from its open socket. */
  onOpen(): void {}

  /** Bun delivered bytes (a fresh copy, the core's from now on). */
  onData(chunk: Uint8Array): void {
    if (chunk.byteLength > 0 && !this.#failed) this.#events.data(chunk);
  }

  /** Bun can take more writes. */
  onDrain(): void {
    this.#flush();
  }

  /** The peer sent FIN. */
  onEnd(): void {
    if (this.#endSeen || this.#failed) return;
    this.#endSeen = true;
    this.#events.end();
  }

  /** Bun closed the socket, with the read error (e.g. ECONNRESET) or `undefined`. */
  onClose(err: unknown): void {
    this.#gone = true;
    const failure = err === undefined || err === null ? null : _translate(err);
    this.#goneError = failure;
    if (this.#queue.length > 0) this.#failWrites(failure ?? oserror(EPIPE));
    if (failure !== null) this.#fail(failure);
    else this.onEnd();
  }

  /** An error reached Bun's `error` handler: the stream fails and is reset. */
  onError(err: unknown): void {
    const failure = _translate(err);
    this.#fail(failure);
    this.#failWrites(failure);
    if (this.#gone) return;
    this.#gone = true;
    this.#goneError = failure;
    _quietlyCall(this.#sock, this.#sock.terminate);
  }

  #detachSink(): void {
    this.#closed = true;
    this.#events.close();
  }

  #applyReading(): void {
    const paused = this.#holding || this.#userPaused;
    if (paused === this.#readPaused || this.#gone) return;
    this.#readPaused = paused;
    _quietlyCall(this.#sock, paused ? this.#sock.pause : this.#sock.resume);
  }

  #fail(err: OSError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#events.error(err);
  }

  #rawWrite(data: Uint8Array): number {
    try {
      return this.#sock.write(data);
    } catch {
      return -1;
    }
  }

  /** Writes queued data until the kernel is full; runs FIN and close once their turn comes. */
  #flush(): void {
    // this.#queue is read anew each turn: a FIN or close run here may fail the rest.
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (head.data.byteLength > 0) {
        const n = this.#rawWrite(head.data);
        if (n < 0) return this.#failWrites(this.#goneError ?? oserror(EPIPE));
        if (n < head.data.byteLength) {
          head.data = head.data.subarray(n);
          return;
        }
      }
      this.#queue.shift();
      head.resolve();
    }
  }

  /** Runs `run` now when no write waits, else once the writes before it are out. */
  #afterWrites(run: () => void, fail: (err: OSError) => void): void {
    if (this.#queue.length === 0) run();
    else this.#queue.push({ data: _EMPTY, resolve: run, reject: fail });
  }

  #failWrites(err: OSError): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const q of queue) q.reject(err);
  }

  #sendFin(): void {
    if (this.#wrShut || this.#gone) return;
    this.#wrShut = true;
    _quietlyCall(this.#sock, this.#sock.shutdown);
  }

  #endSocket(): void {
    if (this.#gone) return;
    this.#gone = true;
    _quietlyCall(this.#sock, this.#sock.end);
  }
}

/** A `Bun.listen` listener as a {@linkcode ListenerHandle}; Bun reports it no errors. */
export class _BunListener extends _ListenerBase implements _Slot {
  /** The bound address (its real port once `attach`ed). */
  local: BackendAddress;
  #listener: BunListener | null = null;

  /** Creates the state of a listener about to bind `local`: Bun's `data` of accepted sockets. */
  constructor(local: BackendAddress) {
    super();
    this.local = local;
  }

  /** Records what `Bun.listen` returned. */
  attach(listener: BunListener): void {
    this.#listener = listener;
    if (this.local.kind === "inet") {
      this.local = { ...this.local, port: listener.port ?? this.local.port };
    }
  }

  /** Bun accepted `sock` (its `data` was this listener). */
  onOpen(sock: BunSocket<_Slot>): void {
    this.accepted(_BunStream.accepted(sock, this.local), sock, _terminate);
  }

  onData(): void {}
  onDrain(): void {}
  onEnd(): void {}
  onClose(): void {}
  onError(): void {}

  protected stop(): void {
    _quietly(() => this.#listener?.stop(false));
  }
}

/**
 * The `socket.data` of a socket being connected by `Bun.connect`: it wraps
 * the socket into a stream when it opens, or resets it if the core gave up.
 */
export class _Connector extends _OpenOnly {
  /** The stream, once open. */
  stream: _BunStream | null = null;
  /** Whether the core gave up on this attempt. */
  cancelled = false;
  #peer: BackendAddress;

  /** Creates the state of one attempt to connect to `peer`. */
  constructor(peer: BackendAddress) {
    super();
    this.#peer = peer;
  }

  /** The connection opened: `sock.data` becomes its stream. */
  onOpen(sock: BunSocket<_Slot>): void {
    this.stream = _BunStream.connected(sock, this.#peer);
    if (this.cancelled) this.stream.abort();
  }

  /** The core gave up: resets the socket if it opened; returns the error to reject with. */
  cancel(): OSError {
    this.cancelled = true;
    this.stream?.abort();
    return oserror(ECANCELED);
  }
}
