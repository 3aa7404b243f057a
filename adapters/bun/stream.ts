/**
 * Stream sockets (TCP and unix) of the Bun adapter: the one handler set that
 * serves every Bun socket, the {@linkcode StreamHandle} over a Bun socket, the
 * {@linkcode ListenerHandle} over `Bun.listen`, and the connecting state used
 * by `Bun.connect`.
 *
 * Every Bun socket carries its state object in `socket.data`; the handlers
 * only forward events to it. Observed Bun 1.4.5 behaviour this relies on:
 * - `data` chunks with `binaryType: "uint8array"` are fresh copies, never reused;
 * - `write()` returns the bytes the kernel took (no internal buffering), -1
 *   once shut down or closed; `drain` follows a short write;
 * - `pause()`/`resume()` stop and restart polling for reading;
 * - with `allowHalfOpen`, `shutdown()` (no argument) sends FIN and reading
 *   goes on; `end()` closes the socket; `terminate()` sends RST;
 * - after our own FIN, the peer's FIN closes the socket without an `end`
 *   event, so a clean `close` counts as end-of-stream;
 * - `close` and `end()`/`terminate()` may call handlers synchronously;
 * - `localAddress`, `localPort`, `remoteAddress` and `remotePort` each cost a
 *   getsockname/getpeername when first read (`remotePort` on every read), and
 *   read `undefined` once the socket closed (in the `close` handler already)
 *   unless read before: endpoints the adapter cannot derive are read at open.
 *
 * @module
 */

import type {
  BackendAddress,
  ListenerHandle,
  ListenerSink,
  StreamHandle,
  StreamSink,
} from "../../src/backend.ts";
import { EBADF, ECANCELED, ENOTCONN, EPIPE } from "../../src/errno.ts";
import { type OSError, oserror } from "../../src/errors.ts";
import { _ListenerEvents, _StreamEvents } from "../../src/_events.ts";
import type { BunListener, BunSocket, BunSocketHandler } from "./api.ts";
import { _translate } from "./errors.ts";

/** The state object in `socket.data`: it receives the socket's events. */
export interface _Slot {
  /** The socket connected or was accepted. */
  onOpen(socket: BunSocket<_Slot>): void;
  /** Bytes arrived (a fresh chunk). */
  onData(chunk: Uint8Array): void;
  /** The socket can take more writes. */
  onDrain(): void;
  /** The peer sent FIN. */
  onEnd(): void;
  /** Bun closed the socket, with the read error if any. */
  onClose(err: unknown): void;
  /** An error reached Bun's `error` handler. */
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

/** A handler threw: the socket fails instead of the error escaping to Bun. */
function _thrown(socket: BunSocket<_Slot>, err: unknown): void {
  try {
    socket.data.onError(err);
  } catch {
    // onError never throws; this only makes sure nothing escapes to Bun.
  }
}

/**
 * The one handler set of every Bun stream socket; per-socket state lives in
 * `socket.data`. Each handler calls its slot directly (no closure per event).
 */
export const _HANDLERS: BunSocketHandler<_Slot> = {
  binaryType: "uint8array",
  open(s) {
    try {
      s.data.onOpen(s);
    } catch (err) {
      _thrown(s, err);
    }
  },
  data(s, chunk) {
    try {
      s.data.onData(chunk);
    } catch (err) {
      _thrown(s, err);
    }
  },
  drain(s) {
    try {
      s.data.onDrain();
    } catch (err) {
      _thrown(s, err);
    }
  },
  end(s) {
    try {
      s.data.onEnd();
    } catch (err) {
      _thrown(s, err);
    }
  },
  close(s, err) {
    try {
      s.data.onClose(err);
    } catch (thrown) {
      _thrown(s, thrown);
    }
  },
  error(s, err) {
    try {
      s.data.onError(err);
    } catch (thrown) {
      _thrown(s, thrown);
    }
  },
};

/** An IP endpoint from Bun's address properties, `fallback` when Bun has none. */
function _inet(
  host: string | undefined,
  port: number | undefined,
  fallback: BackendAddress,
): BackendAddress {
  if (host === undefined || host === "" || port === undefined) return fallback;
  return { kind: "inet", host, port, version: _version(host) };
}

function _version(host: string): 4 | 6 {
  return host.includes(":") ? 6 : 4;
}

/** Whether a (canonical) host is a wildcard: the kernel picks the real address. */
function _isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "::ffff:0.0.0.0";
}

/** One queued write. */
interface _Write {
  data: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (err: OSError) => void;
}

/** An action (shutdown, close) waiting until every queued write is out. */
interface _AfterFlush {
  readonly run: () => void;
  readonly fail: (err: OSError) => void;
}

/** A connected Bun stream socket as a {@linkcode StreamHandle}. */
export class _BunStream implements StreamHandle, _Slot {
  #local: BackendAddress;
  #remote: BackendAddress;
  #sock: BunSocket<_Slot>;
  #unix: boolean;
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
  #outbox: _Write[] = [];
  #afterFlush: _AfterFlush[] = [];

  /**
   * Wraps a Bun socket that just opened. Reading goes on until a chunk
   * arrives before `start()`; then it pauses until `start()` (an accepted
   * socket may wait long in the core's accept queue while its peer sends).
   *
   * @param sock The Bun socket (its `data` is set to this object).
   * @param local Local endpoint.
   * @param remote Remote endpoint.
   */
  constructor(sock: BunSocket<_Slot>, local: BackendAddress, remote: BackendAddress) {
    this.#sock = sock;
    this.#local = local;
    this.#remote = remote;
    this.#unix = local.kind === "unix";
    this.#events = new _StreamEvents((on) => {
      this.#holding = on;
      this.#applyReading();
    });
    sock.data = this;
  }

  /**
   * Wraps an accepted socket. Its local endpoint is the listener's (only the
   * host of a wildcard listener comes from the kernel); the peer's is read
   * now, as accept() returns it and Bun forgets it once the socket closed.
   *
   * @param sock The accepted Bun socket.
   * @param listening The listener's bound address.
   * @returns The stream, or `null` for a connection already dead (its peer
   * address is gone; accept(2) would have skipped it).
   */
  static accepted(sock: BunSocket<_Slot>, listening: BackendAddress): _BunStream | null {
    if (listening.kind === "unix") {
      return new _BunStream(sock, listening, { kind: "unix", path: "" });
    }
    const local = _isWildcard(listening.host)
      ? _inet(sock.localAddress, listening.port, listening)
      : listening;
    const host = sock.remoteAddress, port = sock.remotePort;
    // Reset before it was accepted: the kernel no longer knows the peer.
    if (host === undefined || host === "" || port === undefined || port === 0) return null;
    return new _BunStream(sock, local, { kind: "inet", host, port, version: _version(host) });
  }

  /**
   * Wraps a socket that connected to `peer`, which is its remote endpoint
   * (the kernel's only for a wildcard peer, which Linux turns into loopback).
   * The local endpoint is read now: Bun forgets it once the socket closed,
   * e.g. on the peer's reset, and getsockname() must still answer then.
   *
   * @param sock The connected Bun socket.
   * @param peer The address connected to.
   * @returns The stream.
   */
  static connected(sock: BunSocket<_Slot>, peer: BackendAddress): _BunStream {
    if (peer.kind === "unix") return new _BunStream(sock, { kind: "unix", path: "" }, peer);
    const any: BackendAddress = { ...peer, host: peer.version === 6 ? "::" : "0.0.0.0", port: 0 };
    const local = _inet(sock.localAddress, sock.localPort, any);
    const remote = _isWildcard(peer.host) ? _inet(sock.remoteAddress, sock.remotePort, peer) : peer;
    return new _BunStream(sock, local, remote);
  }

  /** Local endpoint. */
  get local(): BackendAddress {
    return this.#local;
  }

  /** Remote endpoint. */
  get remote(): BackendAddress {
    return this.#remote;
  }

  /**
   * Begins delivering events to `sink` (those that waited from a microtask).
   *
   * @param sink Receives data, end and error.
   */
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

  /**
   * Writes all of `data`. Bun writes to the kernel at once: when the kernel
   * took every byte and nothing was queued, nothing is returned; else the
   * rest is queued and the promise resolves once the kernel took the last byte.
   *
   * @param data The bytes.
   * @returns `undefined` when written at once, else settles when written;
   * rejects with EPIPE, ECONNRESET or EBADF.
   */
  write(data: Uint8Array): Promise<void> | undefined {
    const blocked = this.#writeBlocked();
    if (blocked !== null) return Promise.reject(blocked);
    if (data.byteLength === 0) return undefined;
    let rest = data;
    if (!this.#writesPending()) {
      const n = this.#rawWrite(data);
      if (n === data.byteLength) return undefined;
      if (n < 0) return Promise.reject(this.#goneError ?? oserror(EPIPE));
      rest = data.subarray(n); // Bun's drain follows a short write
    }
    return new Promise<void>((resolve, reject) => {
      this.#outbox.push({ data: rest, resolve, reject });
      if (this.#outbox.length === 1 && rest === data) this.#flush();
    });
  }

  /**
   * Sends FIN once queued writes are out; reading goes on.
   *
   * @returns Settles once FIN is queued; rejects with ENOTCONN on a dead socket.
   */
  shutdownWrite(): Promise<void> {
    if (this.#closed) return Promise.reject(oserror(EBADF));
    if (this.#wrShut) return Promise.resolve();
    if (this.#gone) return Promise.reject(this.#goneError ?? oserror(ENOTCONN));
    return new Promise<void>((resolve, reject) => {
      this.#whenFlushed({ run: () => resolve(this.#sendFin()), fail: reject });
    });
  }

  /** Closes gracefully: queued writes go out, then the socket closes. */
  close(): void {
    if (this.#closed) return;
    this.#detachSink();
    if (!this.#writesPending()) this.#endSocket();
    else this.#whenFlushed({ run: () => this.#endSocket(), fail: () => {} });
  }

  /** Closes at once with RST; queued writes reject with EBADF. */
  abort(): void {
    this.#detachSink();
    if (this.#writesPending()) this.#failWrites(oserror(EBADF));
    if (this.#gone) return;
    this.#gone = true;
    try {
      this.#sock.terminate();
    } catch {
      // Already closed by Bun.
    }
  }

  /**
   * Sets TCP_NODELAY.
   *
   * @param on Whether to disable Nagle's algorithm.
   */
  setNoDelay(on: boolean): void {
    if (this.#unix || this.#gone) return;
    try {
      this.#sock.setNoDelay(on);
    } catch {
      // The socket closed meanwhile.
    }
  }

  /**
   * Sets SO_KEEPALIVE.
   *
   * @param on Whether to send keep-alive probes.
   */
  setKeepAlive(on: boolean): void {
    if (this.#unix || this.#gone) return;
    try {
      this.#sock.setKeepAlive(on);
    } catch {
      // The socket closed meanwhile.
    }
  }

  /** Ignored: a stream is created from its open socket. */
  onOpen(): void {}

  /**
   * Bun delivered bytes.
   *
   * @param chunk A fresh copy owned from now on by the core.
   */
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

  /**
   * Bun closed the socket.
   *
   * @param err The read error (e.g. ECONNRESET), or `undefined` after a clean close.
   */
  onClose(err: unknown): void {
    this.#gone = true;
    const failure = err === undefined || err === null ? null : _translate(err);
    this.#goneError = failure;
    if (this.#writesPending()) this.#failWrites(failure ?? oserror(EPIPE));
    if (failure !== null) this.#fail(failure);
    else this.onEnd();
  }

  /**
   * An error reached Bun's `error` handler (or a handler threw): the stream
   * fails and the socket is reset.
   *
   * @param err The error.
   */
  onError(err: unknown): void {
    const failure = _translate(err);
    this.#fail(failure);
    this.#failWrites(failure);
    if (this.#gone) return;
    this.#gone = true;
    this.#goneError = failure;
    try {
      this.#sock.terminate();
    } catch {
      // Already closed by Bun.
    }
  }

  #detachSink(): void {
    this.#closed = true;
    this.#events.close();
  }

  #applyReading(): void {
    const paused = this.#holding || this.#userPaused;
    if (paused === this.#readPaused || this.#gone) return;
    this.#readPaused = paused;
    try {
      if (paused) this.#sock.pause();
      else this.#sock.resume();
    } catch {
      // The socket closed meanwhile; its close event follows.
    }
  }

  #fail(err: OSError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#events.error(err);
  }

  #writeBlocked(): OSError | null {
    if (this.#closed) return oserror(EBADF);
    if (this.#goneError !== null) return this.#goneError;
    if (this.#gone || this.#wrShut) return oserror(EPIPE);
    return null;
  }

  #rawWrite(data: Uint8Array): number {
    try {
      return this.#sock.write(data);
    } catch {
      return -1;
    }
  }

  #flush(): void {
    while (this.#outbox.length > 0) {
      const head = this.#outbox[0];
      const n = this.#rawWrite(head.data);
      if (n < 0) return this.#failWrites(this.#goneError ?? oserror(EPIPE));
      if (n < head.data.byteLength) {
        head.data = head.data.subarray(n);
        return;
      }
      this.#outbox.shift();
      head.resolve();
    }
    this.#runAfterFlush();
  }

  #whenFlushed(action: _AfterFlush): void {
    if (this.#outbox.length === 0 && this.#afterFlush.length === 0) action.run();
    else this.#afterFlush.push(action);
  }

  #runAfterFlush(): void {
    const actions = this.#afterFlush;
    this.#afterFlush = [];
    for (const action of actions) action.run();
  }

  /** Whether a write or an action waits (errors are built only then: a stack costs microseconds). */
  #writesPending(): boolean {
    return this.#outbox.length > 0 || this.#afterFlush.length > 0;
  }

  #failWrites(err: OSError): void {
    const writes = this.#outbox;
    const actions = this.#afterFlush;
    this.#outbox = [];
    this.#afterFlush = [];
    for (const w of writes) w.reject(err);
    for (const action of actions) action.fail(err);
  }

  #sendFin(): void {
    if (this.#wrShut || this.#gone) return;
    this.#wrShut = true;
    try {
      this.#sock.shutdown();
    } catch {
      // The socket closed meanwhile; its close event follows.
    }
  }

  #endSocket(): void {
    if (this.#gone) return;
    this.#gone = true;
    try {
      this.#sock.end();
    } catch {
      // Already closed by Bun.
    }
  }
}

/** A `Bun.listen` listener as a {@linkcode ListenerHandle}. */
export class _BunListener extends _OpenOnly implements ListenerHandle {
  #local: BackendAddress;
  #listener: BunListener | null = null;
  #events = new _ListenerEvents();
  #closed = false;

  /**
   * Creates the state of a listener about to be bound; it is Bun's `data`
   * option, so accepted sockets start with it in `socket.data`.
   *
   * @param local The address being bound (port 0 is fixed by `attach`).
   */
  constructor(local: BackendAddress) {
    super();
    this.#local = local;
  }

  /** The bound address, real port included. */
  get local(): BackendAddress {
    return this.#local;
  }

  /**
   * Records the Bun listener once bound.
   *
   * @param listener What `Bun.listen` returned.
   * @param local The real bound address.
   */
  attach(listener: BunListener, local: BackendAddress): void {
    this.#listener = listener;
    this.#local = local;
  }

  /**
   * A connection was accepted (Bun's `open`).
   *
   * @param sock The accepted socket; its `data` was this listener.
   */
  onOpen(sock: BunSocket<_Slot>): void {
    const stream = _BunStream.accepted(sock, this.local);
    if (stream !== null) this.#events.connection(stream);
    else {
      try {
        sock.terminate();
      } catch {
        // Already closed by Bun.
      }
    }
  }

  /**
   * Begins handing accepted connections to `sink`.
   *
   * @param sink Receives the connections.
   */
  start(sink: ListenerSink): void {
    this.#events.start(sink);
  }

  /** Stops listening; connections not yet handed over are reset. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
    try {
      this.#listener?.stop(false);
    } catch {
      // Already stopped.
    }
  }
}

/**
 * The `socket.data` of a socket being connected by `Bun.connect`: it wraps
 * the socket into a stream when it opens, or resets it if the core gave up.
 */
export class _Connector extends _OpenOnly {
  /** The stream, once open. */
  stream: _BunStream | null = null;
  #peer: BackendAddress;
  #cancelled = false;

  /**
   * Creates the state of one connection attempt.
   *
   * @param peer The address being connected to.
   */
  constructor(peer: BackendAddress) {
    super();
    this.#peer = peer;
  }

  /** Whether the core gave up on this attempt. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /**
   * The connection opened.
   *
   * @param sock The connected socket; its `data` becomes the stream.
   */
  onOpen(sock: BunSocket<_Slot>): void {
    this.stream = _BunStream.connected(sock, this.#peer);
    if (this.#cancelled) this.stream.abort();
  }

  /**
   * The core gave up (it cancelled the attempt): reset the socket if it opened.
   *
   * @returns The error the connect promise rejects with.
   */
  cancel(): OSError {
    this.#cancelled = true;
    this.stream?.abort();
    return oserror(ECANCELED);
  }
}
