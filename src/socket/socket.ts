/**
 * The `Socket` class, Python's `socket.socket`: {@linkcode SocketType}'s
 * calls plus what Python adds in `socket.py` — file objects (`makefile`),
 * `sendfile`, closing after the last file object — and, for JavaScript,
 * async iteration and Web Streams.
 *
 * @module
 */

import { AF_INET, SHUT_WR, SOCK_STREAM } from "../constants.ts";
import { EBADF, EOPNOTSUPP } from "../errno.ts";
import { OSError } from "../errors.ts";
import { SocketFile, type SocketFileOptions } from "./makefile.ts";
import { _sendfile, type SendfileSource } from "./sendfile.ts";
import { SocketType } from "./socket_type.ts";

export type { Address } from "../_address.ts";
export type { AddressArg, AddressOf, FromAddress } from "./address_types.ts";
export { type Data, SocketType } from "./socket_type.ts";
export type { SendfileBlob, SendfileReader, SendfileSource } from "./sendfile.ts";

const _NO_FD = "JavaScript runtimes give no access to a socket's OS file descriptor";
const _NO_MSG = "JavaScript runtimes send and receive no ancillary data or message vectors";

/** OSError EOPNOTSUPP for a Python call no JavaScript runtime can do, naming why. */
function _unsupported(call: string, why: string): OSError {
  return new OSError(EOPNOTSUPP, `Operation not supported: ${call}(): ${why}`);
}

/**
 * A network socket with Python's semantics (see {@linkcode SocketType} for
 * the socket calls), with file objects, streams and async iteration.
 *
 * @typeParam F The address family, e.g. `typeof AF_INET`: it types the addresses.
 * @typeParam T The socket type, e.g. `typeof SOCK_DGRAM`.
 *
 * @example An echo round trip
 * ```ts
 * import { socket, AF_INET, SOCK_STREAM } from "@unisock/socket";
 * const srv = socket(AF_INET, SOCK_STREAM);
 * await srv.bind(["127.0.0.1", 0]);
 * srv.listen();
 * const cli = socket();
 * await cli.connect(srv.getsockname());
 * const [conn] = await srv.accept();
 * await cli.sendall("hello");
 * await conn.sendall(await conn.recv(1024));
 * console.log(new TextDecoder().decode(await cli.recv(1024))); // "hello"
 * cli.close(); conn.close(); srv.close();
 * ```
 */
export class Socket<F extends number = number, T extends number = number> extends SocketType<F, T> {
  #ioRefs = 0;
  #closeWanted = false;

  /**
   * Closes the socket. Idempotent; every later call throws OSError EBADF (9).
   * Data already sent is still delivered, then EOF; unread received data
   * makes the close a reset, as on Linux. A file from `makefile` keeps the
   * connection open until it is closed too.
   *
   * @example Close twice
   * ```ts
   * import { socket } from "@unisock/socket";
   * const s = socket();
   * s.close();
   * s.close();
   * ```
   */
  override close(): void {
    if (this.fileno() === -1) return;
    this.#closeWanted = true;
    if (this.#ioRefs === 0) super.close();
  }

  /**
   * Detaches a `makefile` reference (used by file objects).
   *
   * @returns Nothing.
   * @ignore
   */
  _decref_socketios(): void {
    if (this.#ioRefs > 0) this.#ioRefs--;
    if (this.#closeWanted && this.#ioRefs === 0) super.close();
  }

  // ---- files, streams, iteration -----------------------------------------------

  /**
   * A file object over the socket: `"rb"`/`"wb"`/`"rwb"` binary, `"r"`/`"w"`/`"rw"` text.
   * Closing it leaves the socket open; closing the socket while a file is
   * open keeps the connection until the file is closed too, as in Python.
   *
   * @param mode The mode.
   * @param options `encoding` (text, default `utf-8`), `newline`.
   * @returns The file.
   *
   * @example Read a line
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("one\ntwo\n");
   * const f = b.makefile("rb");
   * console.log(await f.readline()); // Uint8Array of "one\n"
   * f.close(); a.close(); b.close();
   * ```
   */
  makefile(
    mode: "rb" | "wb" | "rwb" | "wrb" | "br" | "bw",
    options?: SocketFileOptions,
  ): SocketFile<Uint8Array>;
  /**
   * A text file object over the socket (modes `r`, `w`, `rw`): reads return strings.
   *
   * @param mode The mode; `"r"` by default.
   * @param options `encoding` (utf-8 only) and `newline`.
   * @returns The file.
   *
   * @example Read text lines
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("one\n");
   * const f = b.makefile("r");
   * console.log(await f.readline()); // "one\n"
   * f.close(); a.close(); b.close();
   * ```
   */
  makefile(mode?: "r" | "w" | "rw" | "wr", options?: SocketFileOptions): SocketFile<string>;
  /**
   * A file object over the socket for a mode known only at run time.
   *
   * @param mode Any of the binary or text modes.
   * @param options Text options.
   * @returns The file; its reads return bytes or strings by mode.
   *
   * @example Choose the mode at run time
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * const mode: string = "rb";
   * const f = b.makefile(mode);
   * f.close(); a.close(); b.close();
   * ```
   */
  makefile(mode?: string, options?: SocketFileOptions): SocketFile;
  makefile(mode: string = "r", options: SocketFileOptions = {}): SocketFile {
    if (this.fileno() === -1) throw new OSError(EBADF);
    const f = new SocketFile(this, mode, options);
    this.#ioRefs++;
    return f;
  }

  /**
   * Sends a file's bytes until EOF (or `count` bytes), as Python's
   * `sendfile` does without `os.sendfile`: a loop of `sendall`. JavaScript
   * runtimes expose no OS descriptor to hand to sendfile(2), so the file is
   * what JavaScript has: bytes, a `Blob` (Bun's `file(path)`, Node's and
   * Deno's `await fs.openAsBlob(path)` from `node:fs`, a `File`), or a
   * Python-style binary file object with `read(size)` (and `seek(pos)`,
   * which is left just past what was sent).
   *
   * @param file The source.
   * @param offset Where to start, in bytes.
   * @param count How many bytes at most; `null` for all.
   * @returns The number of bytes sent.
   * @throws {RangeError} For a non-stream or non-blocking socket, a text-mode
   * file, a count that is not positive (Python's ValueError).
   *
   * @example Send part of some bytes
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * const file = new Blob(["hello world"]);
   * console.log(await a.sendfile(file, 6)); // 5
   * console.log(new TextDecoder().decode(await b.recv(100))); // "world"
   * a.close(); b.close();
   * ```
   */
  sendfile(file: SendfileSource, offset: number = 0, count: number | null = null): Promise<number> {
    return _sendfile(this, file, offset, count);
  }

  /**
   * Not available: a JavaScript runtime gives no access to the socket's OS
   * file descriptor, so it cannot be duplicated (Python's `dup`).
   *
   * @returns Never.
   * @throws {OSError} EOPNOTSUPP (95), saying why.
   *
   * @example It says why
   * ```ts
   * import { socket } from "@unisock/socket";
   * using s = socket();
   * try { s.dup(); } catch (e) { console.log(String(e)); }
   * ```
   */
  dup(): never {
    throw _unsupported("dup", _NO_FD);
  }

  /**
   * Not available: there is no OS file descriptor to hand over (Python's `detach`).
   *
   * @returns Never.
   * @throws {OSError} EOPNOTSUPP (95), saying why.
   *
   * @example It says why
   * ```ts
   * import { socket } from "@unisock/socket";
   * using s = socket();
   * try { s.detach(); } catch (e) { console.log(String(e)); }
   * ```
   */
  detach(): never {
    throw _unsupported("detach", _NO_FD);
  }

  /**
   * Whether a child process inherits the socket: never, since it is not an
   * OS descriptor of this process that a child could receive.
   *
   * @returns `false`.
   *
   * @example Check
   * ```ts
   * import { socket } from "@unisock/socket";
   * using s = socket();
   * console.log(s.get_inheritable()); // false
   * ```
   */
  get_inheritable(): boolean {
    if (this.fileno() === -1) throw new OSError(EBADF);
    return false;
  }

  /**
   * `set_inheritable(false)` holds already; `true` is not available (see
   * {@linkcode Socket.get_inheritable}).
   *
   * @param inheritable Whether a child process should inherit the socket.
   * @throws {OSError} EOPNOTSUPP (95) for `true`, saying why.
   *
   * @example Keep it to this process
   * ```ts
   * import { socket } from "@unisock/socket";
   * using s = socket();
   * s.set_inheritable(false);
   * ```
   */
  set_inheritable(inheritable: boolean): void {
    if (this.fileno() === -1) throw new OSError(EBADF);
    if (inheritable) throw _unsupported("set_inheritable", _NO_FD);
  }

  /**
   * Not available: JavaScript runtimes send no ancillary data (file
   * descriptors, credentials) and no scatter/gather messages; use `sendall`
   * or `sendto` (Python's `sendmsg`).
   *
   * @param _args Python's arguments.
   * @returns A promise that rejects.
   * @throws {OSError} EOPNOTSUPP (95), saying why.
   *
   * @example It says why
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendmsg([new Uint8Array(1)]).catch((e) => console.log(String(e)));
   * a.close(); b.close();
   * ```
   */
  sendmsg(..._args: unknown[]): Promise<never> {
    return Promise.reject(_unsupported("sendmsg", _NO_MSG));
  }

  /**
   * Not available (see {@linkcode Socket.sendmsg}); use `recv` or `recvfrom`.
   *
   * @param _args Python's arguments.
   * @returns A promise that rejects.
   * @throws {OSError} EOPNOTSUPP (95), saying why.
   *
   * @example It says why
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.recvmsg(10).catch((e) => console.log(String(e)));
   * a.close(); b.close();
   * ```
   */
  recvmsg(..._args: unknown[]): Promise<never> {
    return Promise.reject(_unsupported("recvmsg", _NO_MSG));
  }

  /**
   * Not available (see {@linkcode Socket.sendmsg}); use `recv_into` or `recvfrom_into`.
   *
   * @param _args Python's arguments.
   * @returns A promise that rejects.
   * @throws {OSError} EOPNOTSUPP (95), saying why.
   *
   * @example It says why
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.recvmsg_into([new Uint8Array(10)]).catch((e) => console.log(String(e)));
   * a.close(); b.close();
   * ```
   */
  recvmsg_into(..._args: unknown[]): Promise<never> {
    return Promise.reject(_unsupported("recvmsg_into", _NO_MSG));
  }

  /**
   * Received chunks until EOF.
   *
   * @returns An async iterator of chunks.
   *
   * @example Read everything
   * ```ts
   * import { socketpair, SHUT_WR } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("data"); await a.shutdown(SHUT_WR);
   * for await (const chunk of b) console.log(chunk.length);
   * a.close(); b.close();
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = await this.recv(65536);
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /**
   * A ReadableStream over `recv`, sharing its buffer.
   *
   * @returns The stream; it ends at EOF.
   *
   * @example Pipe to a collector
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * await a.sendall("x"); a.close();
   * console.log(await new Response(b.readable).text()); // "x"
   * b.close();
   * ```
   */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    // Chunks are typed over ArrayBuffer so `pipeThrough(new TextDecoderStream())` type-checks.
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (ctl) => {
        const chunk = await this.recv(65536);
        if (chunk.length === 0) ctl.close();
        else ctl.enqueue(chunk as Uint8Array<ArrayBuffer>);
      },
    }, { highWaterMark: 0 });
  }

  /**
   * A WritableStream over `sendall`; closing it sends EOF (`SHUT_WR`).
   *
   * @returns The stream.
   *
   * @example Write through a stream
   * ```ts
   * import { socketpair } from "@unisock/socket";
   * const [a, b] = await socketpair();
   * const w = a.writable.getWriter();
   * await w.write(new TextEncoder().encode("hi")); await w.close();
   * console.log(await b.recv(10));
   * a.close(); b.close();
   * ```
   */
  get writable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: (chunk) => this.sendall(chunk),
      close: () => this.shutdown(SHUT_WR),
      abort: () => this.close(),
    });
  }
}

/**
 * Creates a socket, as Python's `socket.socket(...)`.
 *
 * @param family `AF_INET` (default), `AF_INET6` or `AF_UNIX`.
 * @param type `SOCK_STREAM` (default) or `SOCK_DGRAM`.
 * @param proto 0, or the protocol matching the type.
 * @param fileno Python adopts this OS descriptor; no runtime allows it, so
 * anything but `null` raises OSError EOPNOTSUPP (95) saying why.
 * @returns The new socket.
 * @throws {OSError} EOPNOTSUPP (95) for a `fileno`.
 *
 * @example A UDP socket
 * ```ts
 * import { socket, AF_INET, SOCK_DGRAM } from "@unisock/socket";
 * const s = socket(AF_INET, SOCK_DGRAM);
 * s.close();
 * ```
 */
export function socket<F extends number = typeof AF_INET, T extends number = typeof SOCK_STREAM>(
  family: F = AF_INET as F,
  type: T = SOCK_STREAM as T,
  proto: number = 0,
  fileno: number | null = null,
): Socket<F, T> {
  return new Socket(family, type, proto, fileno);
}
