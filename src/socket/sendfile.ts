// `socket.sendfile`: Python's send-loop fallback (`_sendfile_use_send`).
// JavaScript runtimes give no OS file descriptor to hand to sendfile(2), so
// the bytes always go through `sendall`.

import { SOCK_STREAM } from "../constants.ts";
import { _intArg, _pyType } from "../_args.ts";

/**
 * A Python-style binary file object: `read(size)` returns at most `size`
 * bytes (empty at EOF); `seek(pos)` is needed for a non-zero offset.
 */
export interface SendfileReader {
  /** Reads at most `size` bytes; an empty array at EOF. */
  read(size: number): Promise<Uint8Array> | Uint8Array;
  /** Moves to byte `pos` (needed for a non-zero `offset`). */
  seek?(pos: number): unknown;
  /** The file's mode, e.g. `"rb"` (a text mode is refused, as in Python). */
  readonly mode?: string;
}

/**
 * A `Blob` (a file) as `sendfile` reads it: what Bun's `file(path)`,
 * `fs.openAsBlob(path)` and `new Blob(...)` return. Named by shape so that
 * the types need neither the DOM lib nor `@types/node`.
 */
export interface SendfileBlob {
  /** The size in bytes. */
  readonly size: number;
  /** A part of the Blob, read as a stream of bytes. */
  slice(start?: number, end?: number): { stream(): ReadableStream<Uint8Array> };
}

/** What `sendfile` sends from: bytes, a Blob (a file), or a binary file object. */
export type SendfileSource = ArrayBufferView | SendfileBlob | SendfileReader;

/** The socket calls `sendfile` uses. */
interface _Sender {
  readonly type: number;
  gettimeout(): number | null;
  sendall(data: Uint8Array): Promise<void>;
}

/** The most bytes read at once from a Blob's stream or a file object. */
const _BLOCK = 64 * 1024;

/**
 * Sends `count` bytes (all when `null`) of `file` from `offset`, as Python's
 * `socket.sendfile` does without `os.sendfile`.
 *
 * @param sock The socket.
 * @param file The source.
 * @param offset Where to start.
 * @param count How many bytes, or `null` for all.
 * @returns The bytes sent.
 */
export async function _sendfile(
  sock: _Sender,
  file: SendfileSource,
  offset: number,
  count: number | null,
): Promise<number> {
  // Python's _check_sendfile_params, then _sendfile_use_send's own checks.
  if (sock.type !== SOCK_STREAM) {
    throw new RangeError("only SOCK_STREAM type sockets are supported");
  }
  const mode = (file as { mode?: unknown }).mode;
  if (typeof mode === "string" && !mode.includes("b")) {
    throw new RangeError("file should be opened in binary mode");
  }
  if (count !== null) {
    if (typeof count !== "number" || !Number.isInteger(count)) {
      throw new TypeError(`count must be a positive integer (got ${_repr(count)})`);
    }
    if (count <= 0) throw new RangeError(`count must be a positive integer (got ${count})`);
  }
  if (sock.gettimeout() === 0) throw new RangeError("non-blocking sockets are not supported");
  const start = _intArg(offset);
  if (start < 0) throw new RangeError(`negative seek value ${start}`);
  const end = count === null ? undefined : start + count;
  if (ArrayBuffer.isView(file)) {
    const all = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    const part = all.subarray(Math.min(start, all.length), end);
    await sock.sendall(part);
    return part.length;
  }
  if (typeof (file as Partial<SendfileBlob>).slice === "function" && "size" in file) {
    const reader = (file as SendfileBlob).slice(start, end).stream().getReader();
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return total;
        await sock.sendall(value);
        total += value.length;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (typeof (file as SendfileReader | null)?.read !== "function") {
    throw new TypeError(
      `sendfile() file must be bytes, a Blob or a binary file object, not ${_pyType(file)}`,
    );
  }
  return await _sendReader(sock, file as SendfileReader, start, count);
}

/** The send loop over a file object, leaving it just past what was sent. */
async function _sendReader(
  sock: _Sender,
  file: SendfileReader,
  offset: number,
  count: number | null,
): Promise<number> {
  if (offset !== 0) {
    if (typeof file.seek !== "function") {
      throw new TypeError("sendfile() with an offset needs a file object with seek()");
    }
    await file.seek(offset);
  }
  let total = 0;
  try {
    for (;;) {
      const size = count === null ? _BLOCK : Math.min(count - total, _BLOCK);
      if (size <= 0) break;
      const data = await file.read(size);
      if (!(data instanceof Uint8Array)) {
        throw new TypeError(`memoryview: a bytes-like object is required, not '${_pyType(data)}'`);
      }
      if (data.length === 0) break;
      await sock.sendall(data);
      total += data.length;
    }
    return total;
  } finally {
    if (total > 0 && typeof file.seek === "function") await file.seek(offset + total);
  }
}

function _repr(v: unknown): string {
  return typeof v === "string" ? `'${v}'` : String(v);
}
