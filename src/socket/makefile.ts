/**
 * File objects over sockets, as returned by `Socket.makefile()`.
 *
 * @module
 */

import { MSG_WAITALL } from "../constants.ts";
import { _intArg } from "../_args.ts";
import { _isRemade, _remade, OSError } from "../errors.ts";
import type { Data } from "./socket.ts";

/** The part of a socket a file object uses. */
export interface _FileSocket {
  fileno(): number;
  recv(bufsize: number, flags?: number): Promise<Uint8Array>;
  sendall(data: Data): Promise<void>;
  _decref_socketios(): void;
  _readline(limit: number): Promise<Uint8Array>;
}

/** Options of `makefile`. */
export interface SocketFileOptions {
  /** Text encoding for text modes; only `utf-8` is supported. */
  encoding?: string;
  /** Text modes: `null`/`undefined` translates `\r\n` and `\r` to `\n` on read. */
  newline?: string | null;
  /** Ignored (kept for Python's signature). */
  buffering?: number;
}

const _NL = 0x0a;

/** An iterator result for a line: done at EOF (an empty line). */
function _lineResult<T extends Uint8Array | string>(line: T): IteratorResult<T, undefined> {
  return line.length === 0 ? { done: true, value: undefined } : { done: false, value: line };
}
const _READ_CHUNK = 65536;

/**
 * An error made again at this call (see `_remade`), also when a deeper call
 * made it again already: that call's awaiting chain may not reach the user
 * (a write nobody awaited). The runtime's original stays its `cause`.
 */
function _remadeHere(err: unknown): unknown {
  return _remade(_isRemade(err) ? (err as OSError).cause : err);
}

function _concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * A file object over a socket: binary modes return `Uint8Array`, text modes
 * `string`. Reads go through the socket's own receive buffer, so `recv` and
 * the file can be mixed without losing bytes.
 *
 * @example Line-oriented protocol
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * const [a, b] = await socketpair();
 * const w = a.makefile("w"), r = b.makefile("r");
 * await w.write("hello\nworld\n"); await w.flush();
 * console.log(await r.readline()); // "hello\n"
 * w.close(); r.close(); a.close(); b.close();
 * ```
 */
export class SocketFile<T extends Uint8Array | string = Uint8Array | string> {
  /** The mode given to `makefile`. */
  readonly mode: string;
  #sock: _FileSocket;
  #binary: boolean;
  #readable: boolean;
  #writable: boolean;
  #closed = false;
  #newline: string | null;
  #decoder = new TextDecoder("utf-8");
  #pendingCR = false;
  /** The writes not yet handed to the OS, chained in order (never rejects); `null`: none. */
  #writing: Promise<void> | null = null;
  /** The first write error nobody awaited, reported by the next `flush`. */
  #writeError: unknown = null;

  /**
   * Builds a file object; use `Socket.makefile()` instead.
   *
   * @param sock The socket.
   * @param mode `r`, `w`, `rw`, `rb`, `wb`, `rwb`.
   * @param options Text options.
   */
  constructor(sock: _FileSocket, mode: string, options: SocketFileOptions = {}) {
    if (!/^[rwb]+$/.test(mode) || new Set(mode).size !== mode.length) {
      throw new RangeError(`invalid mode '${mode}' (only r, w, b allowed)`);
    }
    const enc = (options.encoding ?? "utf-8").toLowerCase().replace("_", "-");
    if (enc !== "utf-8" && enc !== "utf8") {
      throw new RangeError(`unsupported encoding: ${options.encoding}`);
    }
    this.mode = mode;
    this.#sock = sock;
    this.#binary = mode.includes("b");
    this.#readable = mode.includes("r");
    this.#writable = mode.includes("w");
    this.#newline = options.newline ?? null;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The socket's descriptor, as Python's `name` of a socket file; -1 once closed. */
  get name(): number {
    return this.#closed ? -1 : this.#sock.fileno();
  }

  /**
   * The socket's descriptor, so that `select` and selectors take the file.
   *
   * @returns The descriptor.
   * @throws {RangeError} Once the file is closed (Python's ValueError).
   */
  fileno(): number {
    if (this.#closed) throw new RangeError("I/O operation on closed file.");
    return this.#sock.fileno();
  }

  /**
   * Reads up to `size` bytes (binary) or characters (text); all until EOF when omitted or negative.
   *
   * @param size The count, or -1.
   * @returns The data; empty at EOF.
   */
  async read(size: number = -1): Promise<T> {
    this.#check(this.#readable, "read");
    const n = _intArg(size);
    let bytes: Uint8Array;
    if (n < 0) bytes = await this.#readAll();
    else if (this.#binary) {
      bytes = n === 0 ? new Uint8Array(0) : await this.#sock.recv(n, MSG_WAITALL);
    } else return await this.#readChars(n) as T;
    return this.#out(bytes, true);
  }

  /**
   * Reads one line, including its `\n`; at most `limit` bytes when given.
   *
   * @param limit The most bytes, or -1.
   * @returns The line; empty at EOF.
   */
  readline(limit: number = -1): Promise<T> {
    let line: Promise<Uint8Array>;
    try {
      this.#check(this.#readable, "readline");
      const max = _intArg(limit);
      line = this.#readLineBytes(max < 0 ? Infinity : max);
    } catch (err) {
      return Promise.reject(err);
    }
    // Binary lines are handed over as they come (no async frame per line).
    if (this.#binary) return line as Promise<T>;
    return this.#decodedLine(line);
  }

  /**
   * Reads every line until EOF.
   *
   * @returns The lines.
   */
  async readlines(): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < 1e9; i++) {
      const line = await this.readline();
      if (line.length === 0) break;
      out.push(line);
    }
    return out;
  }

  /**
   * Writes data (bytes in binary modes, strings in text modes; both accepted).
   *
   * @param data The data.
   * @returns The count written (bytes, or characters for text).
   */
  write(data: Data): Promise<number> {
    try {
      this.#check(this.#writable, "write");
    } catch (err) {
      return Promise.reject(err);
    }
    const n = typeof data === "string" ? data.length : data.byteLength;
    // In order behind the writes not yet done (a write need not be awaited,
    // as in Python); its error is also kept for `flush`, so none goes unhandled.
    const before = this.#writing;
    const sent = before === null
      ? this.#sock.sendall(data)
      : before.then(() => this.#sock.sendall(data));
    const done: Promise<void> = sent.then(() => {
      if (this.#writing === done) this.#writing = null;
    }, (err: unknown) => {
      this.#writeError ??= err;
      if (this.#writing === done) this.#writing = null;
    });
    this.#writing = done;
    const self: { out?: Promise<number> } = {};
    const out = this.#written(sent, n, self);
    self.out = out;
    return out;
  }

  /**
   * Writes every item.
   *
   * @param lines The items.
   * @returns Resolves when written.
   */
  async writelines(lines: Iterable<Data>): Promise<void> {
    for (const line of lines) await this.write(line);
  }

  /**
   * Waits until every byte written so far was handed to the OS.
   *
   * @returns Resolves then; rejects with the error of a write nobody awaited.
   */
  async flush(): Promise<void> {
    this.#check(true, "flush"); // a closed file rejects, like every other method
    for (let i = 0; i < 1e9 && this.#writing !== null; i++) await this.#writing;
    const err = this.#writeError;
    if (err !== null) {
      this.#writeError = null;
      throw _remadeHere(err);
    }
  }

  /**
   * Closes the file; the socket stays open (unless it was closed already).
   * Writes still in progress finish first, as Python's close flushes.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const writing = this.#writing;
    if (writing === null) this.#sock._decref_socketios();
    else writing.then(() => this.#sock._decref_socketios());
  }

  /** Closes the file (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Lines until EOF.
   *
   * @returns An async iterator of lines.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    // A plain iterator: an async generator costs a promise and a resumption per line more.
    const it: AsyncIterableIterator<T> = {
      next: () => this.readline().then(_lineResult),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  #check(allowed: boolean, what: string): void {
    // Python's texts: binary files are buffered streams, text files TextIOWrappers.
    if (this.#closed) {
      if (!this.#binary) throw new RangeError("I/O operation on closed file.");
      throw new RangeError(what === "write" ? "write to closed file" : `${what} of closed file`);
    }
    if (allowed) return;
    if (this.#binary) throw new OSError(null, what === "write" ? "write" : "read");
    throw new OSError(null, what === "write" ? "not writable" : "not readable");
  }

  async #readAll(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = await this.#sock.recv(_READ_CHUNK);
      if (chunk.length === 0) break;
      parts.push(chunk);
      total += chunk.length;
    }
    return _concat(parts, total);
  }

  /** A text line: awaited in an async frame, so that an error keeps the caller's frames. */
  async #decodedLine(line: Promise<Uint8Array>): Promise<T> {
    return this.#out(await line, false);
  }

  /**
   * A write's count once sent; its error made again in the caller's chain.
   * The rejection is marked handled (flush reports a write nobody awaited)
   * only once the error is made: V8 follows the awaiting callers of a
   * promise that has just one reaction.
   */
  async #written(sent: Promise<void>, n: number, self: { out?: Promise<number> }): Promise<number> {
    try {
      await sent;
      return n;
    } catch (err) {
      const e = _remadeHere(err);
      self.out?.catch(() => {});
      throw e;
    }
  }

  #readLineBytes(limit: number): Promise<Uint8Array> {
    return this.#sock._readline(limit);
  }

  async #readChars(n: number): Promise<string> {
    let text = "";
    while (text.length < n) {
      const chunk = await this.#sock.recv(n - text.length, MSG_WAITALL);
      if (chunk.length === 0) break;
      text += this.#decode(chunk, false);
    }
    return text;
  }

  #out(bytes: Uint8Array, final: boolean): T {
    if (this.#binary) return bytes as T;
    return this.#decode(bytes, final || bytes.length === 0) as T;
  }

  #decode(bytes: Uint8Array, flush: boolean): string {
    let text = this.#decoder.decode(bytes, { stream: !flush });
    if (this.#newline !== null) return text;
    if (this.#pendingCR && text.startsWith("\n")) text = text.slice(1);
    this.#pendingCR = text.endsWith("\r");
    return text.replace(/\r\n?/g, "\n");
  }
}
