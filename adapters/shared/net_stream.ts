/**
 * A {@linkcode StreamHandle} over a `node:net` socket, and the outgoing
 * connection that produces one.
 *
 * @module
 */

import * as net from "node:net";
import type { Buffer } from "node:buffer";
import type {
  BackendAddress,
  ConnectCancel,
  ConnectOptions,
  StreamHandle,
  StreamSink,
} from "../../src/backend.ts";
import { type OSError, oserror } from "../../src/errors.ts";
import { EBADF, ECANCELED, ECONNRESET, ENOTCONN, EPIPE } from "../../src/errno.ts";
import { _StreamEvents } from "../../src/_events.ts";
import { _inet } from "./address.ts";
import { _translate } from "./errors.ts";

const _EMPTY = new Uint8Array(0);

/**
 * Writes up to this size go to Node without a write callback: Node then
 * schedules nothing when the OS takes them at once (the common case), and
 * a zero-length write with a callback marks the end of one that did not.
 */
const _NO_CALLBACK_MAX = 16 * 1024;

/**
 * The one buffer Node reads outgoing connections' data into (`onread`):
 * each read is copied out at once, so every socket can share it. This skips
 * the stream machinery (a `Buffer`, a `data` event and a tick per chunk).
 */
const _READ_BUFFER = new Uint8Array(64 * 1024);

/** The part of Node's TCP handle used to probe the connection's state. */
interface _PeerProbe {
  getpeername?(out: object): number;
}

/** What a TLS socket's handle does differently. */
export interface _TlsHooks {
  /** Translates the TLS socket's errors. */
  translate(err: unknown): OSError;
  /** Closes gracefully: close_notify, queued writes, FIN, then both streams are released. */
  close(): void;
}

/** A write the core is waiting for (the socket's queue was above its mark). */
interface _Waiter {
  resolve(): void;
  reject(err: OSError): void;
}

/**
 * A connected `net.Socket` (or any subclass, e.g. a `tls.TLSSocket`) seen as
 * a {@linkcode StreamHandle}; Node's adapter and Deno's (whose `node:net`
 * reads outside the per-turn budget of `Deno.Conn` reads, so every
 * connection is served) use it.
 *
 * The socket gets its `error` listener at construction and keeps it for
 * life, so no error is ever unhandled, even after `close()`. Events go to
 * the core's {@linkcode _StreamEvents} from the start; while they wait for
 * `start()` the socket stops reading. An outgoing connection's data is read
 * into the shared {@linkcode _READ_BUFFER} and copied out; any other
 * socket's comes as `data` events.
 *
 * @example Wrap an accepted socket
 * ```ts ignore
 * import { _NetStream } from "./net_stream.ts";
 * server.on("connection", (s) => events.connection(_NetStream.accepted(s, listenerAddress)));
 * ```
 */
export class _NetStream implements StreamHandle {
  #local: BackendAddress | (() => BackendAddress);
  #remote: BackendAddress | (() => BackendAddress);
  #tcp: boolean;
  #socket: net.Socket;
  #events: _StreamEvents;
  #held = false;
  #paused = false;
  #closed = false;
  #failed = false;
  #writer: _Waiter | null = null;
  #watchingWrites = false;
  #callbacksDue = 0;
  /** Settles a pending connect (set only while connecting). */
  #connecting: ((err: OSError | null) => void) | null = null;
  /** Writes, FIN and close wait for it (see {@linkcode _NetStream.accepted}). */
  #gate: Promise<void> | null = null;
  /** Opens `#gate` early: data arrived. */
  #openGate: (() => void) | null = null;
  /** A write now would need `#gate` first: accepted on Deno, no data received yet. */
  #unsettled = false;
  /** A TLS socket's hooks (`null`: a plain socket). */
  #tls: _TlsHooks | null;
  /**
   * Deno's `node:net`: an EOF whose connection the kernel already closed is a
   * reset, told without a probing write (see {@linkcode _NetStream.#onEnd}).
   */
  #eofIsFin = false;

  /**
   * Wraps a connected socket.
   *
   * @param socket The connected socket (created with `allowHalfOpen: true`).
   * @param local Its local endpoint, or how to read it when first asked
   * (Node asks the kernel: one system call).
   * @param remote Its remote endpoint, or how to read it when first asked.
   * @param userBuffer Whether Node reads it into {@linkcode _READ_BUFFER}
   * (`onread`), not through `data` events.
   * @param tls For a `tls.TLSSocket`: how its errors translate and how it
   * closes (close_notify, then the connection beneath); nothing probes or
   * resets that connection here.
   */
  constructor(
    socket: net.Socket,
    local: BackendAddress | (() => BackendAddress),
    remote: BackendAddress | (() => BackendAddress),
    userBuffer = false,
    tls: _TlsHooks | null = null,
  ) {
    this.#local = local;
    this.#remote = remote;
    this.#tls = tls;
    this.#tcp = tls === null && (typeof local === "function" || local.kind === "inet");
    this.#socket = socket;
    this.#events = new _StreamEvents(this);
    // The only listener until a write has to wait (see #watchWrites).
    socket.on("error", (err: unknown) => this.#onError(err));
    socket.on("end", () => {
      if (!this.#failed) this.#onEnd();
    });
    if (!userBuffer) {
      socket.on("data", (chunk: Buffer) => {
        // A socket that received data is past Deno's EPIPE case (see accepted).
        if (this.#unsettled) this.#unsettled = false;
        else if (this.#openGate !== null) this.#openGate();
        if (!this.#failed) {
          this.#events.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        }
      });
    }
  }

  /**
   * Connects a new socket to `address` (from `source` when given); the
   * core's cancel destroys the attempt. The socket's one `error` listener
   * serves the attempt, then the handle.
   *
   * @param address The peer.
   * @param cancel Tells when the core gives up.
   * @param source The local address to connect from, if bound.
   * @param deno Whether this is Deno's `node:net`.
   * @returns The connected handle; rejects with a translated OSError.
   */
  static connect(
    address: BackendAddress,
    cancel: ConnectCancel,
    source?: BackendAddress,
    deno = false,
  ): Promise<_NetStream> {
    return new Promise<_NetStream>((resolve, reject) => {
      if (cancel.cancelled) {
        reject(oserror(ECANCELED));
        return;
      }
      let stream: _NetStream | null = null;
      // Node reads only once connected, when `stream` is set.
      const onRead = (n: number, buffer: Uint8Array) => stream!.#onRead(n, buffer);
      let socket: net.Socket;
      try {
        socket = net.connect(_connectOptions(address, source, onRead));
      } catch (err) {
        reject(_translate(err));
        return;
      }
      stream = _NetStream.#outgoing(socket, address);
      stream.#eofIsFin = deno;
      stream.#awaitConnect(cancel, resolve, reject);
    });
  }

  /** The handle of an outgoing connection (reading into {@linkcode _READ_BUFFER}). */
  static #outgoing(socket: net.Socket, peer: BackendAddress): _NetStream {
    return peer.kind === "unix"
      ? new _NetStream(socket, { kind: "unix", path: "" }, peer, true)
      : new _NetStream(
        socket,
        () => _inet(socket.localAddress, socket.localPort, socket.localFamily ?? peer.version),
        peer,
        true,
      );
  }

  /** Settles a connect attempt: connected, failed (through `#onError`) or aborted. */
  #awaitConnect(
    cancel: ConnectCancel,
    resolve: (stream: _NetStream) => void,
    reject: (err: OSError) => void,
  ): void {
    const socket = this.#socket;
    // Bound to constants first: V8 allocates a function literal assigned
    // straight to a property in the old generation, where it keeps this
    // connection alive past young-generation GCs (CONTRIBUTING.md, Performance).
    const settle = (err: OSError | null) => {
      this.#connecting = null;
      if (err === null) resolve(this);
      else reject(err);
    };
    const onCancel = () => {
      if (this.#connecting === null) return;
      socket.destroy();
      this.#connecting(oserror(ECANCELED));
    };
    this.#connecting = settle;
    // Left set: a settled attempt ignores it.
    cancel.onCancel = onCancel;
    socket.once("connect", () => this.#connecting?.(null));
  }

  /**
   * Wraps a socket a listener accepted. Its peer's address is read now: a
   * connection the peer already reset has none any more.
   *
   * On Deno, a TCP socket's writes wait for the next event-loop turn:
   * Deno's `node:net` queues a write made before its reactor has seen the
   * new socket, and fails a queued write with EPIPE when the peer has sent
   * only a FIN (`bench/deno_node_net_epipe.ts`). A socket that has received
   * data is past that case, so the wait (a timer, at least 1 ms on Deno)
   * starts only at a write before any data, and ends early when data comes.
   *
   * @param socket The accepted socket.
   * @param listener The listener's bound address (the local end of unix streams).
   * @param deno Whether this is Deno's `node:net` (writes wait one event-loop turn).
   * @returns The handle, or `null` for a connection that is already dead
   * (its peer address is gone; accept(2) would have skipped it).
   */
  static accepted(socket: net.Socket, listener: BackendAddress, deno = false): _NetStream | null {
    if (listener.kind === "unix") {
      return new _NetStream(socket, listener, { kind: "unix", path: "" });
    }
    const host = socket.remoteAddress;
    if (host === undefined) return null;
    const remote = _inet(host, socket.remotePort, socket.remoteFamily ?? listener.version);
    const stream = new _NetStream(
      socket,
      () =>
        socket.localAddress === undefined // gone already: the listener's address and port
          ? listener
          : _inet(socket.localAddress, socket.localPort, socket.localFamily),
      remote,
    );
    stream.#unsettled = deno;
    stream.#eofIsFin = deno;
    return stream;
  }

  /** The wait before the first write of an unsettled socket (`null`: none). */
  #gated(): Promise<void> | null {
    if (!this.#unsettled) return this.#gate;
    this.#unsettled = false;
    const gate = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 0);
      // A constant first, as in #awaitConnect (V8 would allocate it old).
      const open = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#openGate = open;
    });
    return this.#gate = gate.then(() => {
      this.#gate = null;
      this.#openGate = null;
    });
  }

  /** Local endpoint (read from Node when first asked). */
  get local(): BackendAddress {
    const l = this.#local;
    return typeof l === "function" ? (this.#local = l()) : l;
  }

  /** Remote endpoint (read from Node when first asked). */
  get remote(): BackendAddress {
    const r = this.#remote;
    return typeof r === "function" ? (this.#remote = r()) : r;
  }

  /**
   * Begins delivering events to `sink` (those that waited from a microtask).
   *
   * @param sink Receives data, end and error.
   */
  start(sink: StreamSink): void {
    this.#events.start(sink);
  }

  /**
   * Stops reading: the kernel's buffer fills (an accepted socket's Node
   * buffer first), then the peer waits.
   */
  pause(): void {
    this.#paused = true;
    if (!this.#closed) this.#socket.pause();
  }

  /** Resumes reading after {@linkcode _NetStream.pause}. */
  resume(): void {
    this.#paused = false;
    if (!this.#held && !this.#closed) this.#socket.resume();
  }

  /** Stops reading while events wait for `start()` (see {@linkcode _StreamEvents}). */
  /**
   * Events wait for `start()` (`on`) or were delivered: reading pauses meanwhile.
   *
   * @param on Whether events wait.
   */
  holdEvents(on: boolean): void {
    this.#held = on;
    if (this.#closed) return;
    if (on) this.#socket.pause();
    else if (!this.#paused) this.#socket.resume();
  }

  /**
   * Writes bytes. Node writes to the OS at once when nothing is queued:
   * then nothing is returned (Node's buffer is empty again, so it keeps no
   * reference). Otherwise resolves when Node has flushed them to the OS (its
   * write callback), so the core may hand over the caller's own memory.
   *
   * @param data The bytes (Node keeps a reference until they are flushed).
   * @returns `undefined` when written at once, else settles when the bytes
   * are flushed or the socket failed.
   */
  write(data: Uint8Array): Promise<void> | undefined {
    const socket = this.#socket;
    if (this.#closed || socket.destroyed || socket.writableEnded) {
      return Promise.reject(oserror(EPIPE));
    }
    if (data.byteLength === 0) return undefined;
    const gate = this.#gated();
    if (gate !== null) return gate.then(() => this.#send(data));
    return this.#send(data);
  }

  /** Hands bytes to Node (see {@linkcode _NetStream.write}). */
  #send(data: Uint8Array): Promise<void> | undefined {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.reject(oserror(EPIPE));
    // A TLS socket takes no zero-length marker write (Deno's fails it).
    const small = this.#tls === null && data.byteLength <= _NO_CALLBACK_MAX;
    try {
      if (small) socket.write(data);
      else {
        socket.write(data, this.#onWritten);
        this.#callbacksDue++;
      }
      if (socket.writableLength === 0 && !socket.destroyed) return undefined;
      if (small) {
        // Not written at once: Node calls this one's callback after `data`'s.
        socket.write(_EMPTY, this.#onWritten);
        this.#callbacksDue++;
      }
    } catch (err) {
      return Promise.reject(_translate(err));
    }
    this.#watchWrites();
    return new Promise<void>((resolve, reject) => {
      this.#writer = { resolve, reject };
    });
  }

  /** Settles waiting writes on `drain` and `close` too (added once, when a write first waits). */
  #watchWrites(): void {
    if (this.#watchingWrites) return;
    this.#watchingWrites = true;
    const socket = this.#socket;
    socket.on("drain", () => this.#settleWrite(null));
    // Errors are built only when a write waits: an Error's stack costs microseconds.
    socket.on("close", () => this.#writer !== null && this.#settleWrite(oserror(EPIPE)));
  }

  /**
   * Node's write callback, called in order for every write, also for those
   * that completed at once (possibly after a later write began): the waiting
   * write is done when no callback is due any more.
   */
  #onWritten = (err?: Error | null): void => {
    this.#callbacksDue--;
    // Deno's node:net cancels a write when a reset closed the socket; the
    // reset itself follows as an `error` event (or `close`), which settles it.
    if (err && (err as { code?: unknown }).code === "ECANCELED" && !this.#closed) return;
    if (err) this.#settleWrite(_translate(err));
    else if (this.#callbacksDue === 0) this.#settleWrite(null);
  };

  /**
   * Sends FIN once queued writes are flushed.
   *
   * @returns Resolves when the FIN is handed to the kernel.
   */
  shutdownWrite(): Promise<void> {
    const socket = this.#socket;
    if (this.#closed || socket.destroyed) return Promise.reject(oserror(ENOTCONN));
    const gate = this.#gated();
    if (gate !== null) return gate.then(() => this.shutdownWrite());
    if (socket.writableFinished) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const settle = (err: OSError | null) => {
        socket.off("finish", onFinish);
        socket.off("close", onClose);
        socket.off("error", onError);
        if (err === null) resolve();
        else reject(err);
      };
      const onFinish = () => settle(null);
      const onClose = () => settle(oserror(ENOTCONN));
      const onError = (err: unknown) => settle(_translate(err));
      socket.on("finish", onFinish);
      socket.on("close", onClose);
      socket.on("error", onError);
      if (!socket.writableEnded) socket.end();
    });
  }

  /** Closes gracefully: queued writes are flushed, FIN is sent, then the socket is destroyed. */
  close(): void {
    if (!this.#markClosed()) return;
    if (this.#gate !== null) void this.#gate.then(() => this.#release());
    else this.#release();
  }

  /** The socket part of {@linkcode _NetStream.close}, after waiting writes. */
  #release(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.resume(); // keep draining so nothing is held for a reader that is gone
    // Everything written is in the kernel already: closing the descriptor
    // sends it and then FIN, as Python's close() does, without waiting a
    // turn for Node's end() and its finish event.
    if (this.#tls !== null) {
      this.#tls.close();
      return;
    }
    if (socket.writableFinished || socket.writableLength === 0) {
      socket.destroy();
      return;
    }
    // Called once the FIN is sent, or with the error that prevents it.
    socket.end(() => socket.destroy());
  }

  /** Closes at once, with RST for TCP. */
  abort(): void {
    if (!this.#markClosed()) return;
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (this.#tcp) {
      try {
        socket.resetAndDestroy();
        return;
      } catch {
        // Not a TCP handle after all: a plain destroy below.
      }
    }
    socket.destroy();
  }

  /**
   * Sets TCP_NODELAY (Node ignores it for unix streams).
   *
   * @param on Whether to disable Nagle's algorithm.
   */
  setNoDelay(on: boolean): void {
    if (!this.#closed && !this.#socket.destroyed) this.#socket.setNoDelay(on);
  }

  /**
   * Sets SO_KEEPALIVE (Node ignores it for unix streams).
   *
   * @param on Whether to send keep-alive probes.
   */
  setKeepAlive(on: boolean): void {
    if (!this.#closed && !this.#socket.destroyed) this.#socket.setKeepAlive(on);
  }

  #markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#events.close();
    if (this.#writer !== null) this.#settleWrite(oserror(EBADF));
    return true;
  }

  /** Node's `onread` callback: `n` bytes were read into the shared buffer. */
  #onRead(n: number, buffer: Uint8Array): boolean {
    if (this.#closed || this.#failed) return true; // drained and dropped
    this.#events.data(buffer.slice(0, n));
    return !this.#held;
  }

  /**
   * libuv reports EOF instead of ECONNRESET when the last data and a RST
   * arrive in one poll (it short-cuts POLLHUP after a partial read). A
   * zero-length write tells them apart without sending anything: it fails
   * with the pending ECONNRESET, and succeeds after a FIN.
   */
  #onEnd(): void {
    const socket = this.#socket;
    if (
      !this.#tcp || socket.writableEnded || socket.writableLength > 0 || this.#peerKnown()
    ) {
      this.#events.end();
      return;
    }
    if (this.#eofIsFin) {
      // Deno reports some resets as EOF (a peek of its own can take the
      // pending ECONNRESET first); the kernel closed the connection, so the
      // peer reset it.
      this.#onError(oserror(ECONNRESET));
      return;
    }
    try {
      socket.write(_EMPTY, (err?: Error | null) => {
        if (err) this.#onError(err);
        else if (!this.#failed) this.#events.end();
      });
    } catch (err) {
      this.#onError(err);
    }
  }

  /**
   * Whether the kernel still has a peer for this connection: getpeername(2)
   * fails only once it is closed (a RST came), so a success is a plain FIN,
   * for one system call and none of the stream machinery of a write.
   */
  #peerKnown(): boolean {
    const handle = (this.#socket as unknown as { _handle?: _PeerProbe | null })._handle;
    return typeof handle?.getpeername === "function" && handle.getpeername({}) === 0;
  }

  #onError(err: unknown): void {
    const connecting = this.#connecting;
    if (connecting !== null) {
      connecting(_translate(err));
      return;
    }
    const error = this.#tls !== null ? this.#tls.translate(err) : _translate(err);
    this.#settleWrite(error);
    if (this.#closed || this.#failed) return;
    this.#failed = true;
    this.#events.error(error);
  }

  #settleWrite(err: OSError | null): void {
    const writer = this.#writer;
    if (writer === null) return;
    this.#writer = null;
    if (err === null) writer.resolve();
    else writer.reject(err);
  }
}

/** Node's connect options for a backend address; Node reads into {@linkcode _READ_BUFFER}. */
function _connectOptions(
  address: BackendAddress,
  source: BackendAddress | undefined,
  onRead: (n: number, buffer: Uint8Array) => boolean,
): net.NetConnectOpts {
  const onread = { buffer: _READ_BUFFER, callback: onRead };
  if (address.kind === "unix") return { path: address.path, allowHalfOpen: true, onread };
  const options: net.TcpNetConnectOpts = {
    host: address.host,
    port: address.port,
    family: address.version,
    noDelay: false,
    allowHalfOpen: true,
    autoSelectFamily: false,
    onread,
  };
  if (source !== undefined && source.kind === "inet") {
    options.localAddress = source.host;
    options.localPort = source.port;
  }
  return options;
}

/**
 * Connects a stream socket; the core's cancel destroys the attempt.
 *
 * @param options The peer and the cancel hook.
 * @param deno Whether this is Deno's `node:net`.
 * @returns The connected handle; rejects with a translated OSError
 * (ECONNREFUSED, ENOENT …, ECANCELED on abort).
 *
 * @example Connect to a local port
 * ```ts ignore
 * import { _connect } from "./net_stream.ts";
 * const h = await _connect({
 *   address: { kind: "inet", host: "127.0.0.1", port: 8000, version: 4 },
 *   cancel: { cancelled: false, onCancel: null },
 * });
 * ```
 */
export function _connect(options: ConnectOptions, deno = false): Promise<StreamHandle> {
  return _NetStream.connect(options.address, options.cancel, options.source, deno);
}
