/**
 * The file objects request handlers read from and write to when the socket's
 * own `makefile` does not fit: an unbuffered socket writer (Python's
 * `_SocketWriter`) and in-memory byte files for datagrams (Python's `BytesIO`).
 *
 * @module
 */

import type { Socket } from "../socket/socket.ts";

/** What a writer accepts: bytes, any other view, or a string sent as UTF-8. */
export type WritableData = ArrayBufferView | string;

const _encoder = new TextEncoder();

function _bytes(data: WritableData): Uint8Array {
  if (typeof data === "string") return _encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError(`a bytes-like object is required, not '${typeof data}'`);
}

function _closedError(): RangeError {
  return new RangeError("I/O operation on closed file.");
}

/**
 * An unbuffered binary writer over a stream socket, as Python's
 * `socketserver._SocketWriter`: every `write` is a `sendall`, started at
 * once and in order. `flush` resolves once every write issued so far has been
 * handed to the OS, and rejects with the first error among them, so a
 * handler may write without awaiting each call (as Python code is ported)
 * and `finish()` still loses nothing. No write error goes unhandled.
 * {@linkcode StreamRequestHandler} uses it as `wfile` when `wbufsize` is 0
 * (the default).
 *
 * @internal Not exported: handlers reach it as `this.wfile`.
 *
 * @example Write without awaiting, then flush
 * ```ts ignore
 * this.wfile.write("hello\n");
 * this.wfile.write("world\n");
 * await this.wfile.flush(); // both lines are with the OS
 * ```
 */
export class _SocketWriter {
  #sock: Socket;
  #closed = false;
  // The last write not yet settled (it never rejects), or null when idle.
  #tail: Promise<void> | null = null;
  // The first failure since the last flush, which flush reports.
  #error: { reason: unknown } | null = null;

  /**
   * Wraps a connected stream socket.
   *
   * @param sock The socket every write is sent on.
   */
  constructor(sock: Socket) {
    this.#sock = sock;
  }

  /** Whether {@linkcode _SocketWriter.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends all of `data` on the socket, after the writes issued before it.
   *
   * @param data Bytes, any `ArrayBufferView`, or a string (sent as UTF-8).
   * @returns The number of bytes written, always all of them.
   * @throws {RangeError} When the writer is closed.
   */
  write(data: WritableData): Promise<number> {
    if (this.#closed) return Promise.reject(_closedError());
    let sent: Promise<void>;
    let size = 0;
    try {
      const bytes = _bytes(data);
      size = bytes.byteLength;
      const send = () => this.#sock.sendall(bytes);
      sent = this.#tail === null ? send() : this.#tail.then(send);
    } catch (err) {
      sent = Promise.reject(err);
    }
    const tail = sent.then(undefined, (reason) => {
      this.#error ??= { reason };
    }).then(() => {
      if (this.#tail === tail) this.#tail = null;
    });
    this.#tail = tail;
    const written = sent.then(() => size);
    // A caller that does not await learns the error from flush().
    written.catch(() => {});
    return written;
  }

  /**
   * Waits until every write issued so far has been handed to the OS.
   *
   * @returns A promise that resolves then, or rejects with the first error
   *   of those writes (reported once).
   * @throws {RangeError} When the writer is closed.
   */
  async flush(): Promise<void> {
    if (this.#closed) throw _closedError();
    for (let tail = this.#tail; tail !== null; tail = this.#tail) await tail;
    const error = this.#error;
    this.#error = null;
    if (error !== null) throw error.reason;
  }

  /** Always `true`. @returns `true`. */
  writable(): boolean {
    return true;
  }

  /**
   * The socket's descriptor.
   *
   * @returns The socket's `fileno()`.
   */
  fileno(): number {
    return this.#sock.fileno();
  }

  /** Marks the writer closed; the socket stays open. */
  close(): void {
    this.#closed = true;
  }
}

/**
 * An in-memory binary file to read from, as Python's `io.BytesIO` holding a
 * datagram: {@linkcode DatagramRequestHandler}'s `rfile`. Its methods are
 * async like a socket file's, so handler code reads both the same way.
 *
 * @internal Not exported: handlers reach it as `this.rfile`.
 *
 * @example Read a packet line by line
 * ```ts ignore
 * for await (const line of this.rfile) console.log(new TextDecoder().decode(line));
 * ```
 */
export class _BytesReader {
  #data: Uint8Array;
  #pos = 0;
  #closed = false;

  /**
   * Wraps the bytes to read.
   *
   * @param data The contents; the reader never modifies them.
   */
  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** Whether {@linkcode _BytesReader.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #check(): void {
    if (this.#closed) throw _closedError();
  }

  #take(end: number): Uint8Array {
    const out = this.#data.slice(this.#pos, end);
    this.#pos = end;
    return out;
  }

  /**
   * Reads up to `n` bytes, or everything left when `n` is omitted or negative.
   *
   * @param n The most bytes to return.
   * @returns The bytes; empty at the end.
   */
  read(n: number = -1): Promise<Uint8Array> {
    try {
      this.#check();
      const left = this.#data.byteLength - this.#pos;
      return Promise.resolve(this.#take(this.#pos + (n < 0 ? left : Math.min(n, left))));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Reads one line, up to and including `\n`, and at most `limit` bytes.
   *
   * @param limit The most bytes to return; omitted or negative for no limit.
   * @returns The line; empty at the end.
   */
  readline(limit: number = -1): Promise<Uint8Array> {
    try {
      this.#check();
      const nl = this.#data.indexOf(0x0a, this.#pos);
      let end = nl === -1 ? this.#data.byteLength : nl + 1;
      if (limit >= 0) end = Math.min(end, this.#pos + limit);
      return Promise.resolve(this.#take(end));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Reads every remaining line.
   *
   * @returns The lines, each ending with `\n` except perhaps the last.
   */
  async readlines(): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    for await (const line of this) lines.push(line);
    return lines;
  }

  /**
   * Iterates over the remaining lines.
   *
   * @returns An async iterator of lines.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    while (true) {
      const line = await this.readline();
      if (line.byteLength === 0) return;
      yield line;
    }
  }

  /** Releases the reader; later reads throw. */
  close(): void {
    this.#closed = true;
  }
}

/**
 * An in-memory binary file that collects writes, as Python's `io.BytesIO`:
 * {@linkcode DatagramRequestHandler}'s `wfile`, whose contents `finish()`
 * sends back to the client as one datagram.
 *
 * @internal Not exported: handlers reach it as `this.wfile`.
 *
 * @example Collect a reply
 * ```ts ignore
 * await this.wfile.write("hello ");
 * await this.wfile.write(new Uint8Array([0x21]));
 * console.log(new TextDecoder().decode(this.wfile.getvalue())); // "hello !"
 * ```
 */
export class _BytesWriter {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #closed = false;

  /** Whether {@linkcode _BytesWriter.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends a copy of `data`.
   *
   * @param data Bytes, any `ArrayBufferView`, or a string (UTF-8).
   * @returns The number of bytes written.
   */
  write(data: WritableData): Promise<number> {
    if (this.#closed) return Promise.reject(_closedError());
    try {
      const bytes = _bytes(data).slice();
      this.#chunks.push(bytes);
      this.#size += bytes.byteLength;
      return Promise.resolve(bytes.byteLength);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Does nothing: the bytes are already in memory.
   *
   * @returns A settled promise.
   */
  flush(): Promise<void> {
    return this.#closed ? Promise.reject(_closedError()) : Promise.resolve();
  }

  /**
   * Everything written so far, as one new array.
   *
   * @returns The bytes.
   */
  getvalue(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  /** Marks the writer closed; `getvalue` still works. */
  close(): void {
    this.#closed = true;
  }
}
