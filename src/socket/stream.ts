// A connected stream socket's part: the runtime's stream handle, the receive
// buffer with its flow control, the write in flight, half-close and errors.

import { MSG_PEEK, MSG_WAITALL, SHUT_RD, SHUT_WR } from "../constants.ts";
import * as E from "../errno.ts";
import { BlockingIOError, type OSError, oserror, TimeoutError } from "../errors.ts";
import type { StreamHandle, StreamSink } from "../backend.ts";
import type { Readiness } from "../_readiness.ts";
import { _StreamEvents } from "../_events.ts";
import { _RecvBuffer } from "./recv_buffer.ts";
import type { _SocketShared } from "./shared.ts";
import { _deadline, type _Waiter } from "./waiting.ts";

/** The most bytes one write hands to the runtime. */
export const _SEND_CHUNK = 256 * 1024;

const _EMPTY = new Uint8Array(0);

/**
 * A blocking recv or readline with nothing to return yet: one waiter,
 * settled from the notification that brings data, EOF or an error. A stream
 * has at most one at a time, so it keeps one and reuses it for each call.
 */
class _ReadWaiter implements _Waiter {
  at = Infinity;
  readonly #stream: _Stream;
  /** The most bytes. */
  #n = 0;
  /** A readline: settles at a newline, `n` bytes, EOF or an error. */
  #line = false;
  #resolve: ((data: Uint8Array) => void) | null = null;
  #reject: ((err: unknown) => void) | null = null;
  /** What `ready` found to take (0: EOF or an error). */
  #take = 0;
  /** Takes a new promise's settle functions (made once, not per call). */
  readonly #executor: (resolve: (data: Uint8Array) => void, reject: (err: unknown) => void) => void;

  constructor(stream: _Stream) {
    this.#stream = stream;
    const executor = (resolve: (data: Uint8Array) => void, reject: (err: unknown) => void) => {
      this.#resolve = resolve;
      this.#reject = reject;
    };
    this.#executor = executor;
  }

  /**
   * Starts a call (the previous one ended).
   *
   * @param n The most bytes.
   * @param line Whether it is a readline.
   * @param at The deadline.
   * @returns The call's promise.
   */
  begin(n: number, line: boolean, at: number): Promise<Uint8Array> {
    this.#n = n;
    this.#line = line;
    this.at = at;
    this.#take = 0;
    return new Promise<Uint8Array>(this.#executor);
  }

  ready(): boolean {
    const s = this.#stream;
    if (!s.readable()) return false;
    if (s.buffered === 0) return true;
    this.#take = this.#line ? s.lineEnd(this.#n) : this.#n;
    return this.#take > 0;
  }

  wake(): void {
    const s = this.#stream;
    const resolve = this.#resolve!, reject = this.#reject!, take = this.#take;
    this.#end();
    if (take > 0) resolve(s.take(take, 0));
    else {
      try {
        s.throwReadError();
        resolve(_EMPTY);
      } catch (err) {
        reject(err);
      }
    }
  }

  fail(closed: OSError | null): void {
    const reject = this.#reject!;
    this.#end();
    reject(closed ?? new TimeoutError());
  }

  /** Ends the call before it settles (another may begin meanwhile). */
  #end(): void {
    this.#resolve = null;
    this.#reject = null;
    this.#stream.readWaitEnded(this);
  }
}

/**
 * The part of a socket that is connected: reads from and writes to its
 * runtime stream handle. `adopt` takes a new handle in place of the old one
 * (a TLS layer wraps the connection this way).
 *
 * @example Built for an accepted connection
 * ```ts ignore
 * const stream = new _Stream(shared, handle);
 * const bytes = await stream.recvNow(1024);
 * ```
 */
export class _Stream implements StreamSink {
  readonly #shared: _SocketShared;
  #handle!: StreamHandle;
  readonly #rbuf = new _RecvBuffer();
  #eof = false;
  #readError: OSError | null = null;
  #writeError: OSError | null = null;
  #rdShut = false;
  #wrShut = false;
  #reset = false;
  #paused = false;
  /** Bytes a waiting call needs buffered before reading may pause (0: none). */
  #want = 0;
  #writing = 0;
  /** Settles (never rejects) once the write in flight settled; `null` when none is. */
  #inflight: Promise<void> | null = null;
  /** Settles once the FIN of `shutdown` went out (or failed); `null` before. */
  #fin: Promise<void> | null = null;
  /** The blocking recv or readline waiting now, if any. */
  #readWait: _ReadWaiter | null = null;
  /** The waiter those reuse (made at the first). */
  #reader: _ReadWaiter | null = null;
  /** Where the runtime's events go once `detach` handed the connection over (TLS). */
  #forward: _StreamEvents | null = null;

  /**
   * The part of a socket connected over `handle` (started at once).
   *
   * @param shared The socket's shared state.
   * @param handle The runtime's connection.
   */
  constructor(shared: _SocketShared, handle: StreamHandle) {
    this.#shared = shared;
    this.adopt(handle);
  }

  /**
   * Reads from and writes to `handle` from now on, with the socket's options.
   *
   * @param handle The runtime's connection (or a layer over it).
   */
  adopt(handle: StreamHandle): void {
    this.#handle = handle;
    const opts = this.#shared.options;
    if (opts.flag("nodelay")) handle.setNoDelay(true);
    if (opts.flag("keepalive")) handle.setKeepAlive(true);
    handle.start(this);
  }

  /** The runtime's connection. */
  get handle(): StreamHandle {
    return this.#handle;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.#rbuf.length;
  }

  /** Whether the peer reset the connection. */
  get reset(): boolean {
    return this.#reset;
  }

  // ---- the runtime's events ------------------------------------------------

  /**
   * Bytes arrived.
   *
   * @param chunk The bytes (now the core's).
   */
  data(chunk: Uint8Array): void {
    if (this.#forward !== null) return this.#forward.data(chunk);
    if (this.#rdShut) return;
    this.#rbuf.push(chunk);
    this.#shared.notify(); // a waiting recv takes its part first
    // Reading stops at 8x SO_RCVBUF buffered and goes on below 2x: the gap
    // keeps a reader slower than the runtime's big reads from pausing and
    // resuming on every chunk (two system calls each).
    const mark = Math.max(this.#shared.options.rcvbuf * 8, this.#want);
    if (!this.#paused && this.#rbuf.length >= mark) {
      this.#paused = true;
      this.#handle.pause();
    }
  }

  /** The peer sent EOF. */
  end(): void {
    if (this.#forward !== null) return this.#forward.end();
    this.#eof = true;
    this.#shared.notify();
  }

  /**
   * The connection failed.
   *
   * @param err The error.
   */
  error(err: OSError): void {
    if (this.#forward !== null) return this.#forward.error(err);
    this.#readError = err;
    this.#writeError = err;
    this.#reset ||= err.errno === E.ECONNRESET;
    this.#eof = true;
    this.#shared.notify();
  }

  /**
   * Hook for the `ssl` layer (STARTTLS): hands the connection over as a new
   * handle whose events begin with the bytes buffered here, then EOF or the
   * error if they came, then whatever the runtime reports later. This part
   * is unusable afterwards.
   *
   * @returns The handle, not started yet.
   */
  detach(): StreamHandle {
    const h = this.#handle;
    const events = new _StreamEvents();
    if (this.#rbuf.length > 0) events.data(this.#rbuf.take(this.#rbuf.length));
    if (this.#readError !== null) events.error(this.#readError);
    else if (this.#eof) events.end();
    this.#forward = events;
    if (this.#paused) h.resume();
    this.#paused = false;
    return {
      get local() {
        return h.local;
      },
      get remote() {
        return h.remote;
      },
      start: (sink) => events.start(sink),
      pause: () => h.pause(),
      resume: () => h.resume(),
      write: (data) => h.write(data),
      shutdownWrite: () => h.shutdownWrite(),
      close: () => {
        events.close();
        h.close();
      },
      abort: () => {
        events.close();
        h.abort();
      },
      setNoDelay: (on) => h.setNoDelay(on),
      setKeepAlive: (on) => h.setKeepAlive(on),
    };
  }

  // ---- receiving -------------------------------------------------------------

  /**
   * A plain recv (no flags, a positive size), past the socket's checks: the
   * bytes when buffered, else one waiter for them (or the general path).
   *
   * @param n The most bytes.
   * @returns The bytes.
   */
  recvNow(n: number): Promise<Uint8Array> {
    if (this.#rbuf.length > 0) return Promise.resolve(this.take(n, 0));
    if (this.#shared.timeout !== 0 && this.#readWait === null && !this.readable()) {
      return this.#waitRead(n, false);
    }
    const r = this.recv(n, 0);
    return r instanceof Uint8Array ? Promise.resolve(r) : r;
  }

  /**
   * A recv with any flags, past the socket's checks.
   *
   * @param n The most bytes.
   * @param flags `MSG_PEEK`, `MSG_WAITALL`, `MSG_DONTWAIT`.
   * @returns The bytes at once when buffered, else a promise of them.
   */
  recv(n: number, flags: number): Uint8Array | Promise<Uint8Array> {
    if (n === 0) return new Uint8Array(0);
    if (this.#rbuf.length > 0 && (flags & MSG_WAITALL) === 0) return this.take(n, flags);
    return this.#recvLater(n, flags);
  }

  async #recvLater(n: number, flags: number): Promise<Uint8Array> {
    await this.#waitFor(n, flags);
    if (this.#rbuf.length === 0) {
      this.throwReadError();
      return new Uint8Array(0);
    }
    return this.take(n, flags);
  }

  /**
   * `recv_into` past the socket's checks.
   *
   * @param dst Where to copy.
   * @param flags As for `recv`.
   * @returns The count copied.
   */
  async recvInto(dst: Uint8Array, flags: number): Promise<number> {
    if (dst.length === 0) return 0;
    if (flags === 0 && this.#handle.readInto !== undefined && this.#pullable()) {
      const pulled = this.#handle.readInto(dst);
      if (pulled !== undefined) {
        // Ended by the read, or by close (EBADF): never by a deadline, as the
        // runtime may write into `dst` until its read settles.
        const got = await this.#shared.waiting.race(pulled, Infinity);
        if (got === 0) this.throwReadError();
        return got;
      }
    }
    await this.#waitFor(dst.length, flags);
    if (this.#rbuf.length === 0) {
      this.throwReadError();
      return 0;
    }
    const got = this.#rbuf.copyInto(dst, (flags & MSG_PEEK) === 0);
    this.#drained();
    return got;
  }

  /**
   * Whether a blocking read may go straight into the caller's memory: it
   * waits without a deadline, nothing is buffered or pending, and no other
   * call waits on this socket (which then might have been owed the bytes).
   */
  #pullable(): boolean {
    return this.#shared.timeout === null && !this.readable() && this.#shared.waiting.idle;
  }

  /** Waits until a recv of `n` bytes would return (again if a concurrent recv took the data). */
  async #waitFor(n: number, flags: number): Promise<void> {
    do {
      const wait = this.#waitStream(n, flags);
      if (wait !== undefined) await wait;
    } while (this.#takenByOther());
  }

  /**
   * A readline, past the socket's checks: the line when buffered, else a
   * waiter for it.
   *
   * @param cap The most bytes (> 0).
   * @returns The line; empty at EOF.
   */
  readline(cap: number): Promise<Uint8Array> {
    if (this.#readWait === null) {
      const take = this.#rbuf.length > 0 ? this.lineEnd(cap) : 0;
      if (take > 0) return Promise.resolve(this.take(take, 0));
      if (this.#shared.timeout !== 0 && (take === 0 && this.#rbuf.length > 0 || !this.readable())) {
        return this.#waitRead(cap, true);
      }
      this.#want = 0;
    }
    return this.#readlineLater(cap);
  }

  async #readlineLater(cap: number): Promise<Uint8Array> {
    let take = 0;
    // A line (or the limit) is in, or EOF or an error with nothing buffered.
    const ready = () =>
      (take = this.lineEnd(cap)) > 0 || (this.#rbuf.length === 0 && this.readable());
    try {
      const wait = this.#shared.until(ready, 0);
      if (wait !== undefined) await wait;
    } finally {
      this.#want = 0;
    }
    if (this.#rbuf.length === 0) {
      this.throwReadError();
      return new Uint8Array(0);
    }
    return this.take(take, 0);
  }

  #waitRead(n: number, line: boolean): Promise<Uint8Array> {
    const w = this.#reader ??= new _ReadWaiter(this);
    const p = w.begin(n, line, _deadline(this.#shared.timeout));
    this.#readWait = w;
    this.#shared.waiting.add(w);
    return p;
  }

  /**
   * The waiting fast-path read finished or failed.
   *
   * @param w It.
   */
  readWaitEnded(w: _ReadWaiter): void {
    if (this.#readWait === w) {
      this.#readWait = null;
      this.#want = 0;
    }
  }

  /**
   * How many buffered bytes the next line takes (through `\n`, at most
   * `cap`; all of them at EOF or an error), or 0 when more must come first
   * (then reading goes on even above the pause mark).
   *
   * @param cap The most bytes.
   * @returns The count, or 0.
   */
  lineEnd(cap: number): number {
    const end = this.#rbuf.lineEnd(cap);
    if (end >= 0) return end;
    const n = Math.min(cap, this.#rbuf.length);
    if (n >= cap || this.#eof || this.#rdShut || this.#readError !== null) return n;
    this.#wantMore(this.#rbuf.length + 1);
    return 0;
  }

  /** Woken for data that a concurrent recv took first (not EOF): wait again. */
  #takenByOther(): boolean {
    return this.#rbuf.length === 0 && !this.#eof && !this.#rdShut && this.#readError === null;
  }

  /**
   * Takes (or with MSG_PEEK copies) up to `n` buffered bytes.
   *
   * @param n The most bytes.
   * @param flags `MSG_PEEK` or 0.
   * @returns The bytes.
   */
  take(n: number, flags: number): Uint8Array {
    const out = (flags & MSG_PEEK) !== 0 ? this.#rbuf.peek(n) : this.#rbuf.take(n);
    this.#drained();
    return out;
  }

  #waitStream(n: number, flags: number): Promise<void> | undefined {
    const shared = this.#shared;
    if ((flags & MSG_WAITALL) === 0 || n <= 1) return shared.until(() => this.readable(), flags);
    this.#wantMore(n);
    let wait: Promise<void> | undefined;
    try {
      wait = shared.until(
        () => this.#rbuf.length >= n || this.#eof || this.#rdShut || this.#readError !== null,
        flags,
      );
    } finally {
      if (wait === undefined) this.#want = 0;
    }
    return wait?.finally(() => this.#want = 0);
  }

  /**
   * Whether a recv would return now (data, EOF, shutdown or an error).
   *
   * @returns The answer.
   */
  readable(): boolean {
    return this.#rbuf.length > 0 || this.#eof || this.#rdShut || this.#readError !== null;
  }

  #wantMore(need: number): void {
    this.#want = need;
    if (this.#paused && this.#rbuf.length < need) {
      this.#paused = false;
      this.#handle.resume();
    }
  }

  #drained(): void {
    if (this.#paused && this.#rbuf.length < this.#shared.options.rcvbuf * 2) {
      this.#paused = false;
      this.#handle.resume();
    }
    this.#shared.notify();
  }

  /** Throws the pending read error, once (later sends get EPIPE, as Linux's sk_err). */
  throwReadError(): void {
    const err = this.#readError;
    if (err !== null) {
      this.#readError = null;
      if (this.#writeError === err) this.#writeError = oserror(E.EPIPE);
      throw err;
    }
  }

  // ---- sending -----------------------------------------------------------------

  /**
   * Whether a write may start now without waiting (blocking sendall's fast path).
   *
   * @returns The answer.
   */
  writableNow(): boolean {
    return this.#writing === 0 && this.#writeError === null && !this.#wrShut;
  }

  /** Throws what makes a send fail now: a pending error, or a shut write side. */
  checkSendable(): void {
    const err = this.#writeError;
    if (err !== null) {
      if (this.#readError === err) {
        this.#readError = null;
        this.#writeError = oserror(E.EPIPE);
      }
      throw err;
    }
    if (this.#wrShut) throw oserror(E.EPIPE);
  }

  /**
   * Starts one write (at most `_SEND_CHUNK` bytes). Returns `undefined` when
   * it needs no waiting: the runtime wrote every byte at once, or
   * (non-blocking) the bytes were handed over; else a promise that settles
   * with the write, rejects with EBADF at once if the socket is closed
   * meanwhile and with TimeoutError at the deadline.
   *
   * @param part The bytes.
   * @param flags `MSG_DONTWAIT` or 0.
   * @param at The deadline (`Infinity`: none).
   * @returns `undefined`, or the promise.
   */
  write(part: Uint8Array, flags: number, at: number): Promise<void> | undefined {
    const shared = this.#shared;
    const nonblocking = shared.nonblocking(flags);
    if (this.#writing > 0) {
      if (nonblocking) throw new BlockingIOError(E.EAGAIN);
      return this.#writeLater(part, flags, at);
    }
    // Blocking without a timeout, the runtime may use the caller's memory
    // until the write settles; otherwise the call may return first: copy.
    const own = nonblocking || shared.timeout !== null ? part.slice() : part;
    const p = this.#handle.write(own);
    if (p === undefined) return undefined;
    this.#writing++;
    shared.notify();
    // Registered first: the bookkeeping is done before the caller resumes.
    this.#inflight = p.then(() => this.#wrote(null), (err: OSError) => this.#wrote(err));
    return nonblocking ? undefined : shared.waiting.race(p, at);
  }

  /** A blocking write behind one in flight: waits for it, then writes. */
  async #writeLater(part: Uint8Array, flags: number, at: number): Promise<void> {
    await this.#shared.until(() => this.#writing === 0 || this.#writeError !== null, flags, at);
    this.checkSendable();
    const p = this.write(part, flags, at);
    if (p !== undefined) await p;
  }

  /** The write in flight settled. */
  #wrote(err: OSError | null): void {
    this.#writing--;
    this.#inflight = null;
    if (err !== null) this.#writeError ??= err;
    this.#shared.notify();
  }

  // ---- half-close, close, readiness ---------------------------------------------

  /**
   * Shuts down one or both halves (`how` was checked).
   *
   * @param how `SHUT_RD`, `SHUT_WR` or `SHUT_RDWR`.
   * @returns Resolves when the FIN was handed to the OS.
   */
  async shutdown(how: number): Promise<void> {
    if (how !== SHUT_WR) {
      this.#rdShut = true;
      this.#shared.notify();
    }
    if (how !== SHUT_RD && !this.#wrShut) {
      this.#wrShut = true;
      this.#shared.notify();
      const h = this.#handle;
      const fin = this.#inflight === null
        ? h.shutdownWrite()
        : this.#inflight.then(() => h.shutdownWrite());
      this.#fin = fin.catch(() => {});
      await fin.catch((err: OSError) => {
        if (err.errno !== E.ENOTCONN && err.errno !== E.EPIPE) throw err;
      });
    }
  }

  /**
   * Closes the connection: unread data or SO_LINGER 0 make it a reset, as
   * on Linux; else it closes after the write in flight and the FIN.
   */
  close(): void {
    const h = this.#handle;
    const linger = this.#shared.options.linger;
    if (this.#rbuf.length > 0 || (linger[0] !== 0 && linger[1] === 0)) {
      this.#rbuf.clear();
      h.abort();
    } else {
      const pending = this.#fin ?? this.#inflight;
      if (pending === null) h.close();
      else pending.then(() => h.close());
    }
  }

  /**
   * Readiness for select/poll.
   *
   * @returns It.
   */
  readiness(): Readiness {
    const failed = this.#readError !== null || this.#writeError !== null;
    return {
      readable: this.readable(),
      writable: this.#writing === 0 || failed,
      error: failed,
      hangup: (this.#eof && this.#wrShut) || failed,
      closed: false,
    };
  }
}
