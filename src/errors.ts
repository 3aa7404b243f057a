/**
 * Python's socket exception hierarchy, with Linux errno numbers and Python's
 * messages (`[Errno N] strerror`).
 *
 * @module
 */

import * as E from "./errno.ts";
import { STRERROR } from "./_strerror.ts";

/**
 * An operating-system level failure, as Python's `OSError`.
 *
 * `errno` is the Linux errno number (or `null`), `strerror` its text, and the
 * message reads `[Errno N] strerror` as `str(exc)` does in Python.
 *
 * @example Catch a refused connection by errno
 * ```ts
 * import { OSError, socket } from "@unisock/socket";
 * const s = socket();
 * try {
 *   await s.connect(["127.0.0.1", 1]);
 * } catch (e) {
 *   if (e instanceof OSError) console.log(e.errno, e.message);
 * } finally {
 *   s.close();
 * }
 * ```
 */
export class OSError extends Error {
  /** The Linux errno number, or `null` when the error has none. */
  readonly errno: number | null;
  /** The error's text without the `[Errno N]` prefix, or `null`. */
  readonly strerror: string | null;

  /**
   * Builds an error from an errno and its text.
   *
   * @param errno The Linux errno number, or `null`.
   * @param strerror The text; defaults to Linux's text for `errno`.
   * @param options Standard error options such as `cause`.
   */
  constructor(
    errno: number | null = null,
    strerror?: string | null,
    options?: ErrorOptions,
  ) {
    const text = strerror ?? (errno === null ? null : STRERROR[errno] ?? `Unknown error ${errno}`);
    super(errno === null ? (text ?? "") : `[Errno ${errno}] ${text}`, options);
    this.errno = errno;
    this.strerror = text;
    this.name = new.target.name;
  }
}

/** Alias of {@linkcode OSError}, as Python's `socket.error`. */
export const error: typeof OSError = OSError;

/**
 * A non-blocking operation would have had to wait (EAGAIN, EINPROGRESS,
 * EALREADY).
 *
 * @example Non-blocking recv with nothing buffered
 * ```ts
 * import { BlockingIOError, socketpair } from "@unisock/socket";
 * const [a, b] = await socketpair();
 * a.setblocking(false);
 * try { await a.recv(10); } catch (e) { console.log(e instanceof BlockingIOError); }
 * a.close(); b.close();
 * ```
 */
export class BlockingIOError extends OSError {}

/**
 * Base class of the connection errors, as Python's `ConnectionError`.
 *
 * @example Catch any connection failure
 * ```ts
 * import { ConnectionError, create_connection } from "@unisock/socket";
 * try { (await create_connection(["127.0.0.1", 1])).close(); }
 * catch (e) { console.log(e instanceof ConnectionError); }
 * ```
 */
export class ConnectionError extends OSError {}

/**
 * Writing to a connection whose other end or own write side is closed (EPIPE).
 *
 * @example Recognise it
 * ```ts
 * import { BrokenPipeError } from "@unisock/socket";
 * console.log(new BrokenPipeError(32).message); // "[Errno 32] Broken pipe"
 * ```
 */
export class BrokenPipeError extends ConnectionError {}

/**
 * The connection was aborted locally (ECONNABORTED).
 *
 * @example Recognise it
 * ```ts
 * import { ConnectionAbortedError } from "@unisock/socket";
 * console.log(new ConnectionAbortedError(103).errno); // 103
 * ```
 */
export class ConnectionAbortedError extends ConnectionError {}

/**
 * The peer refused the connection (ECONNREFUSED).
 *
 * @example Recognise it
 * ```ts
 * import { ConnectionRefusedError } from "@unisock/socket";
 * console.log(new ConnectionRefusedError(111).message); // "[Errno 111] Connection refused"
 * ```
 */
export class ConnectionRefusedError extends ConnectionError {}

/**
 * The peer reset the connection (ECONNRESET).
 *
 * @example Recognise it
 * ```ts
 * import { ConnectionResetError } from "@unisock/socket";
 * console.log(new ConnectionResetError(104).message); // "[Errno 104] Connection reset by peer"
 * ```
 */
export class ConnectionResetError extends ConnectionError {}

/**
 * A path does not exist (ENOENT), e.g. connecting to a missing unix socket.
 *
 * @example Recognise it
 * ```ts
 * import { FileNotFoundError } from "@unisock/socket";
 * console.log(new FileNotFoundError(2).message); // "[Errno 2] No such file or directory"
 * ```
 */
export class FileNotFoundError extends OSError {}

/**
 * The operation is not permitted (EACCES, EPERM).
 *
 * @example Recognise it
 * ```ts
 * import { PermissionError } from "@unisock/socket";
 * console.log(new PermissionError(13).message); // "[Errno 13] Permission denied"
 * ```
 */
export class PermissionError extends OSError {}

/**
 * A system call was interrupted (EINTR).
 *
 * @example Recognise it
 * ```ts
 * import { InterruptedError } from "@unisock/socket";
 * console.log(new InterruptedError(4).errno); // 4
 * ```
 */
export class InterruptedError extends OSError {}

/**
 * An operation passed its timeout; the message is `timed out` as in Python.
 * Nothing is lost: bytes that arrive later are returned by the next `recv`.
 *
 * @example Time out a recv
 * ```ts
 * import { TimeoutError, socketpair } from "@unisock/socket";
 * const [a, b] = await socketpair();
 * a.settimeout(0.05);
 * try { await a.recv(1); } catch (e) { console.log(e instanceof TimeoutError, String(e)); }
 * a.close(); b.close();
 * ```
 */
export class TimeoutError extends OSError {
  /**
   * Builds a timeout error; with no arguments its message is `timed out`.
   *
   * @param errno The errno (ETIMEDOUT from the OS), or `null` for a socket timeout.
   * @param strerror The text; `timed out` by default.
   */
  constructor(errno: number | null = null, strerror?: string | null) {
    super(errno, strerror ?? (errno === null ? "timed out" : undefined));
  }
}

/** Alias of {@linkcode TimeoutError}, as Python's `socket.timeout`. */
export const timeout: typeof TimeoutError = TimeoutError;

/**
 * An address look-up failed (`getaddrinfo` errors, negative EAI_* codes).
 *
 * @example Look up an invalid name
 * ```ts
 * import { gaierror, getaddrinfo } from "@unisock/socket";
 * try { await getaddrinfo("nonexistent.invalid", 80); }
 * catch (e) { console.log(e instanceof gaierror); }
 * ```
 */
export class gaierror extends OSError {}

/**
 * A reverse look-up failed (`gethostbyaddr`).
 *
 * @example Recognise it
 * ```ts
 * import { herror } from "@unisock/socket";
 * console.log(new herror(1, "Unknown host").message); // "[Errno 1] Unknown host"
 * ```
 */
export class herror extends OSError {}

/**
 * The `KeyError` that selectors and poll objects throw for an unknown or
 * duplicate registration.
 *
 * @example Catch a duplicate registration
 * ```ts
 * import { KeyError } from "@unisock/socket";
 * console.log(new KeyError("5 is already registered").message);
 * ```
 */
export class KeyError extends Error {
  /**
   * Builds the error.
   *
   * @param message What key was missing or duplicated.
   */
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

/**
 * Python's `RuntimeError`: a selector used after `close()` ("Selector is
 * closed"), or a second `poll()` of a poll object while one runs
 * ("concurrent poll() invocation").
 *
 * @example Catch the use of a closed selector
 * ```ts
 * import { RuntimeError } from "@unisock/socket";
 * import { DefaultSelector } from "@unisock/socket/selectors";
 * const sel = new DefaultSelector();
 * sel.close();
 * try {
 *   sel.get_key(3);
 * } catch (e) {
 *   console.log(e instanceof RuntimeError, (e as Error).message); // true "Selector is closed"
 * }
 * ```
 */
export class RuntimeError extends Error {
  /**
   * Builds the error.
   *
   * @param message What went wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}

/** EAI_* codes of getaddrinfo, negative as in Python. */
export const EAI_AGAIN = -3;
/** The name does not resolve. */
export const EAI_NONAME = -2;
/** The family is not supported. */
export const EAI_FAMILY = -6;
/** The service is not known for the socket type. */
export const EAI_SERVICE = -8;
/** No address of the requested family. */
export const EAI_ADDRFAMILY = -9;

const _GAI_TEXT: Readonly<Record<number, string>> = {
  [-2]: "Name or service not known",
  [-3]: "Temporary failure in name resolution",
  [-5]: "No address associated with hostname",
  [-6]: "ai_family not supported",
  [-8]: "Servname not supported for ai_socktype",
  [-9]: "Address family for hostname not supported",
};

const _CLASSES: ReadonlyMap<number, typeof OSError> = new Map<number, typeof OSError>([
  [E.EAGAIN, BlockingIOError],
  [E.EALREADY, BlockingIOError],
  [E.EINPROGRESS, BlockingIOError],
  [E.EPIPE, BrokenPipeError],
  [E.ESHUTDOWN, BrokenPipeError],
  [E.ECONNABORTED, ConnectionAbortedError],
  [E.ECONNREFUSED, ConnectionRefusedError],
  [E.ECONNRESET, ConnectionResetError],
  [E.ENOENT, FileNotFoundError],
  [E.EACCES, PermissionError],
  [E.EPERM, PermissionError],
  [E.EINTR, InterruptedError],
  [E.ETIMEDOUT, TimeoutError],
]);

/**
 * Builds the OSError subclass that Python raises for an errno.
 *
 * @param errno The Linux errno number.
 * @param strerror Optional text replacing Linux's.
 * @returns The error, e.g. a ConnectionRefusedError for 111.
 *
 * @example Build the error for ECONNRESET
 * ```ts
 * import { oserror } from "@unisock/socket";
 * console.log(oserror(104).name); // "ConnectionResetError"
 * ```
 */
export function oserror(errno: number, strerror?: string): OSError {
  const Cls = _CLASSES.get(errno) ?? OSError;
  return new Cls(errno, strerror);
}

/**
 * The same error made again here, with the original as `cause`. An error a
 * runtime callback made has only the runtime's frames in its stack; made
 * again in the async function the caller awaits, it has the caller's too.
 * Other values, and errors made again already, pass unchanged.
 *
 * @param err What a call's promise rejected with.
 * @returns The error to throw.
 */
export function _remade(err: unknown): unknown {
  if (!(err instanceof OSError) || _REMADE.has(err)) return err;
  const e: OSError = Reflect.construct(err.constructor, [err.errno, err.strerror]);
  Object.defineProperty(e, "cause", { value: err, writable: true, configurable: true });
  _REMADE.add(e);
  return e;
}

/**
 * Whether an error is one {@linkcode _remade} made (its `cause` is the same
 * error, made elsewhere).
 *
 * @param err The error.
 * @returns The answer.
 */
export function _isRemade(err: unknown): boolean {
  return err instanceof OSError && _REMADE.has(err);
}

const _REMADE: WeakSet<OSError> = new WeakSet();

/**
 * Builds a `gaierror` for an EAI_* code with glibc's text.
 *
 * @param code A negative EAI_* code, e.g. -2.
 * @returns The error.
 *
 * @example Name not known
 * ```ts
 * import { _gaierror } from "./errors.ts";
 * console.log(_gaierror(-2).message); // "[Errno -2] Name or service not known"
 * ```
 */
export function _gaierror(code: number): gaierror {
  return new gaierror(code, _GAI_TEXT[code] ?? "Unknown error");
}
