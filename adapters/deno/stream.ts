/**
 * Streams of the `UNISOCK_DENO_NET=conn` path (see `mod.ts`): `Deno.connect`
 * and one `conn.read()` loop per connection. `conn.close()` sends FIN, so
 * {@linkcode _DenoStream.abort} cannot reset; reading `localAddr` and
 * `remoteAddr` costs no system call (the accept or connect op filled them).
 *
 * @module
 */

import type {
  BackendAddress,
  ConnectOptions,
  StreamHandle,
  StreamSink,
} from "../../src/backend.ts";
import process from "node:process";
import * as E from "../../src/errno.ts";
import { oserror } from "../../src/errors.ts";
import { _inet } from "../shared/address.ts";
import { _closeQuietly } from "../shared/quietly.ts";
import type { DenoAddr, DenoApi, DenoConn } from "./api.ts";
import { _translate } from "./errors.ts";

/**
 * Largest read buffer. Reads fill a connection's buffer one after another
 * and every chunk handed to the core is a view of it (no copy, no new
 * ArrayBuffer per chunk, which is costly on Deno). Once more than half of a
 * buffer is used the next read gets a new one, so a chunk's memory is never
 * written again and a chunk the caller keeps holds on to one buffer at most.
 */
const _READ_SIZE = 64 * 1024;

/**
 * Size of a connection's first read buffer; it grows 4x each time a read
 * fills it, so an idle or short-lived connection holds and zeroes 4 KiB,
 * while bulk reads reach full size after two reads.
 */
const _READ_MIN = 4 * 1024;

/**
 * How many chunks of a connection are followed by a read issued from
 * `process.nextTick` (after the promise jobs the chunk started) rather than
 * at once: a short exchange that ends in `close()` then leaves no read
 * pending, which Deno would cancel by building and rejecting an
 * `Interrupted` error, far dearer than the deferral.
 */
const _DEFERRED_READS = 16;

/** Reads deferred to the next `process.nextTick` run, in order. */
const _later: (() => void)[] = [];

/** Runs the deferred reads (new ones deferred meanwhile included). */
function _runLater(): void {
  try {
    for (let i = 0; i < _later.length; i++) _later[i]();
  } finally {
    _later.length = 0;
  }
}

/** Runs `read` from `process.nextTick`, one tick shared by every read deferred in a turn. */
function _defer(read: () => void): void {
  if (_later.push(read) === 1) process.nextTick(_runLater);
}

/** Does nothing; swallows settled values and errors. */
export function _noop(): void {}

/**
 * Converts a Deno endpoint into the core's form.
 *
 * @param addr The endpoint as Deno reports it.
 * @returns The {@linkcode BackendAddress} (`""` for an unnamed unix socket).
 *
 * @example Convert a TCP address
 * ```ts ignore
 * _address({ transport: "tcp", hostname: "::1", port: 80 }); // { kind: "inet", host: "::1", … }
 * ```
 */
export function _address(addr: DenoAddr): BackendAddress {
  return "path" in addr
    ? { kind: "unix", path: addr.path ?? "" }
    : _inet(addr.hostname, addr.port, null);
}

/** One connected Deno stream as a {@linkcode StreamHandle}. */
export class _DenoStream implements StreamHandle {
  #local: BackendAddress | null = null;
  #remote: BackendAddress | null = null;
  #conn: DenoConn;
  #sink: StreamSink | null = null;
  #closed = false; // close() or abort() called: no sink call from now on
  #aborted = false;
  #released = false; // conn.close() done
  #paused = false;
  #reading = false; // a conn.read() is in flight
  #ended = false; // EOF or a read error was delivered: no more reads
  #deferred = 0; // reads issued from process.nextTick so far
  #buf: Uint8Array | null = null; // the read buffer; chunks are views of it
  #off = 0; // where in #buf the next read goes
  #size = _READ_MIN; // size of the next read buffer
  #ops = 0; // writes and shutdowns issued and not settled yet
  #last: Promise<void> | null = null; // the latest of them, while #ops > 0
  #closeWhenIdle = false;

  /**
   * Wraps a connection.
   *
   * @param conn The Deno connection, now owned by this handle.
   */
  constructor(conn: DenoConn) {
    this.#conn = conn;
  }

  /** Local endpoint (converted when first asked; Deno keeps it after close). */
  get local(): BackendAddress {
    return this.#local ??= _address(this.#conn.localAddr);
  }

  /** Remote endpoint (converted when first asked; Deno keeps it after close). */
  get remote(): BackendAddress {
    return this.#remote ??= _address(this.#conn.remoteAddr);
  }

  /**
   * Starts reading, from the next `process.nextTick` run: a connection
   * closed by the promise jobs its connect or accept started (a port probe,
   * a refused client) then leaves no read for Deno to cancel.
   *
   * @param sink Receives data, EOF and errors.
   */
  start(sink: StreamSink): void {
    this.#sink = sink;
    _defer(this.#read);
  }

  /** Holds the next read until {@linkcode _DenoStream.resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Lets reading go on. */
  resume(): void {
    this.#paused = false;
    this.#read();
  }

  /**
   * Reads once straight into `dst` (pull mode, see the contract): no buffer
   * of this handle's and no copy. The next read into this handle's buffer
   * is deferred to `process.nextTick`, so that a caller looping on
   * `recv_into` issues its next read first.
   *
   * @param dst Where the bytes go.
   * @returns The count read (0 at EOF or an error, reported to the sink), or
   * `undefined` when a read is in flight or reading must not go on.
   */
  readInto(dst: Uint8Array): Promise<number> | undefined {
    if (!this.#mayRead()) return undefined;
    this.#reading = true;
    // Closures per pull, not per connection: most connections never pull.
    return this.#conn.read(dst).then((n) => {
      this.#reading = false;
      if (n !== null) {
        _defer(this.#read);
        return n;
      }
      this.#ended = true;
      if (!this.#closed) this.#sink!.end();
      return 0;
    }, (err) => {
      this.#onReadError(err);
      return 0;
    });
  }

  /**
   * Writes all of `data` (looping over partial writes).
   *
   * @param data The bytes; not modified.
   * @returns Settles when the OS took every byte.
   */
  write(data: Uint8Array): Promise<void> {
    if (this.#ops > 0) return this.#enqueue(() => this.#writeNow(data));
    this.#ops = 1;
    const done = this.#writeNow(data);
    if (this.#ops > 0) this.#last = done;
    return done;
  }

  /**
   * Sends FIN after the queued writes.
   *
   * @returns Settles once FIN was sent.
   */
  shutdownWrite(): Promise<void> {
    return this.#enqueue(() => this.#shutdownNow());
  }

  /** Stops reading now; closes the connection once queued writes are done. */
  close(): void {
    this.#closed = true;
    if (this.#ops === 0) this.#release();
    else this.#closeWhenIdle = true;
  }

  /** Closes at once (with FIN: Deno has no SO_LINGER); pending writes fail with EBADF. */
  abort(): void {
    this.#closed = true;
    this.#aborted = true;
    this.#release();
  }

  /**
   * Sets TCP_NODELAY (TCP only).
   *
   * @param on The new value.
   */
  setNoDelay(on: boolean): void {
    this.#option(this.#conn.setNoDelay, on);
  }

  /**
   * Sets SO_KEEPALIVE (TCP only).
   *
   * @param on The new value.
   */
  setKeepAlive(on: boolean): void {
    this.#option(this.#conn.setKeepAlive, on);
  }

  #option(set: ((on: boolean) => void) | undefined, on: boolean): void {
    if (this.remote.kind !== "inet" || this.#released) return;
    try {
      set?.call(this.#conn, on);
    } catch {
      // Closed meanwhile: nothing to set.
    }
  }

  /** Whether a read may be issued now (no read in flight, reading may go on). */
  #mayRead(): boolean {
    return !this.#reading && !this.#closed && !this.#paused && !this.#ended && this.#sink !== null;
  }

  /**
   * Issues the next read unless one is in flight or reading must not go on.
   * After one of the first {@linkcode _DEFERRED_READS} chunks it runs from
   * `process.nextTick`, i.e. once the promise jobs the chunk started (the
   * caller's `recv` and what follows it) have run: a `close()` among them
   * then finds no read pending, and Deno need not cancel one.
   */
  #read = (): void => {
    if (!this.#mayRead()) return;
    this.#reading = true;
    let buf = this.#buf;
    if (buf === null) {
      buf = this.#buf = new Uint8Array(this.#size);
      this.#off = 0;
    }
    const off = this.#off;
    this.#conn.read(off === 0 ? buf : buf.subarray(off)).then(this.#onRead, this.#onReadError);
  };

  #onRead = (n: number | null): void => {
    if (n === null) this.#ended = true;
    if (this.#closed || n === null) {
      this.#reading = false;
      if (!this.#closed) this.#sink!.end();
      return;
    }
    const buf = this.#buf!, off = this.#off, end = off + n;
    const chunk = end === buf.length && off === 0 ? buf : buf.subarray(off, end);
    if (end > buf.length / 2) {
      // More than half used: the next read gets a new buffer, 4x as big
      // when this read filled a whole one.
      if (off === 0 && n === buf.length && n < _READ_SIZE) this.#size = n * 4;
      this.#buf = null;
    } else this.#off = end;
    // #buf and #off are up to date: the sink may resume(), which reads at once.
    this.#reading = false;
    this.#sink!.data(chunk);
    if (this.#deferred < _DEFERRED_READS) {
      this.#deferred++;
      _defer(this.#read);
    } else this.#read();
  };

  #onReadError = (err: unknown): void => {
    this.#reading = false;
    this.#ended = true;
    if (!this.#closed) this.#sink!.error(_translate(err));
  };

  #enqueue(op: () => Promise<void>): Promise<void> {
    const last = this.#last;
    this.#ops++;
    const done = last === null ? op() : last.then(op, op);
    if (this.#ops > 0) this.#last = done;
    return done;
  }

  /** One write, settled from Deno's own promise; loops only on a partial write. */
  #writeNow(data: Uint8Array): Promise<void> {
    if (this.#released || this.#aborted) return this.#fail(oserror(E.EBADF));
    if (data.length === 0) {
      this.#settled();
      return Promise.resolve();
    }
    let written: Promise<number>;
    try {
      written = this.#conn.write(data);
    } catch (err) {
      return this.#fail(this.#failure(err));
    }
    return written.then((n) => {
      if (n >= data.length) return this.#settled();
      return this.#writeRest(data, n);
    }, (err: unknown) => {
      this.#settled();
      throw this.#failure(err);
    });
  }

  async #writeRest(data: Uint8Array, offset: number): Promise<void> {
    try {
      while (offset < data.length) offset += await this.#conn.write(data.subarray(offset));
    } catch (err) {
      throw this.#failure(err);
    } finally {
      this.#settled();
    }
  }

  async #shutdownNow(): Promise<void> {
    try {
      if (this.#released || this.#aborted) throw oserror(E.EBADF);
      await this.#conn.closeWrite();
    } catch (err) {
      throw this.#failure(err);
    } finally {
      this.#settled();
    }
  }

  #fail(err: Error): Promise<never> {
    this.#settled();
    return Promise.reject(err);
  }

  /** One write or shutdown settled; the last one releases a closed connection. */
  #settled(): void {
    if (--this.#ops > 0) return;
    this.#last = null;
    if (this.#closeWhenIdle) this.#release();
  }

  #failure(err: unknown): Error {
    return this.#aborted || this.#released ? oserror(E.EBADF) : _translate(err);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    _closeQuietly(this.#conn);
  }
}

/**
 * Connects with `Deno.connect`, honouring the core's cancel: it rejects at
 * once with ECANCELED, aborts Deno's attempt, and a connection that still
 * arrives is closed.
 *
 * @param deno The Deno global.
 * @param options Peer and cancel hook.
 * @returns The connected stream.
 *
 * @example Connect over TCP
 * ```ts ignore
 * const s = await _connect(Deno, {
 *   address: { kind: "inet", host: "127.0.0.1", port: 8080, version: 4 },
 *   cancel: { cancelled: false, onCancel: null },
 * });
 * ```
 */
export function _connect(deno: DenoApi, options: ConnectOptions): Promise<StreamHandle> {
  const { address: a, cancel } = options;
  if (cancel.cancelled) return Promise.reject(oserror(E.ECANCELED));
  return new Promise((resolve, reject) => {
    // Deno.connect takes an AbortSignal for a TCP attempt; a unix one is quick.
    const ctl = a.kind === "unix" ? null : new AbortController();
    // A constant first (V8 allocates a function literal assigned straight to
    // a property in the old generation; CONTRIBUTING.md, Performance).
    const onCancel = () => {
      ctl?.abort();
      reject(oserror(E.ECANCELED));
    };
    // Left set after settling: a cancel then only rejects a settled promise.
    cancel.onCancel = onCancel;
    const connected = (conn: DenoConn): void => {
      if (cancel.cancelled) _closeQuietly(conn);
      else resolve(new _DenoStream(conn));
    };
    const failed = (err: unknown): void => {
      if (!cancel.cancelled) reject(_translate(err));
    };
    try {
      const connecting = a.kind === "unix"
        ? deno.connect({ transport: "unix", path: a.path })
        : deno.connect({ transport: "tcp", hostname: a.host, port: a.port, signal: ctl!.signal });
      connecting.then(connected, failed);
    } catch (err) {
      failed(err);
    }
  });
}
