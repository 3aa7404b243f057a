// Socket options as the core keeps them: the boolean flags, the buffer sizes
// Linux would report, SO_LINGER, and Linux's errno for options it does not know.

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  SO_BROADCAST,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "../constants.ts";
import * as E from "../errno.ts";
import { OSError } from "../errors.ts";
import { _intArg, _pyType } from "../_args.ts";

/** SO_LINGER off, every socket's default. */
const _NO_LINGER: readonly [number, number] = [0, 0];

/** A boolean option. */
export type _Flag = "reuseaddr" | "reuseport" | "keepalive" | "broadcast" | "nodelay" | "v6only";
/** An option the core keeps: a flag or a buffer size. */
export type _OptKey = _Flag | "rcvbuf" | "sndbuf";

/**
 * The options of one socket, set before or after it has a runtime handle
 * (the socket applies a changed flag to its handle).
 *
 * @example Set and read a flag
 * ```ts ignore
 * const opts = new _SocketOptions(AF_INET, SOCK_STREAM);
 * opts.set(SOL_SOCKET, SO_REUSEADDR, 1); // "reuseaddr"
 * opts.flag("reuseaddr"); // 1
 * ```
 */
export class _SocketOptions {
  readonly #family: number;
  readonly #type: number;
  /** Boolean options set so far (`null`: none, as for most sockets). */
  #flags: Partial<Record<_Flag, number>> | null = null;
  /** SO_RCVBUF as Linux reports it (twice what was set, within its bounds). */
  rcvbuf: number;
  /** SO_SNDBUF as Linux reports it. */
  sndbuf: number;
  /** SO_LINGER's `[onoff, seconds]` (replaced, never changed in place: the default is shared). */
  linger: readonly [number, number] = _NO_LINGER;

  /**
   * Linux's defaults for a socket of this family and type.
   *
   * @param family The address family.
   * @param type The socket type.
   */
  constructor(family: number, type: number) {
    this.#family = family;
    this.#type = type;
    this.rcvbuf = type === SOCK_STREAM ? 131072 : 212992;
    this.sndbuf = type === SOCK_STREAM ? 16384 : 212992;
  }

  /**
   * A boolean option's value.
   *
   * @param key The option.
   * @returns 1 or 0 (0 when never set).
   */
  flag(key: _Flag): number {
    return this.#flags?.[key] ?? 0;
  }

  /**
   * `setsockopt`, after the level and name were checked as integers.
   *
   * @param level The level.
   * @param optname The option.
   * @param value The value as passed.
   * @returns The option changed (`null` for SO_LINGER).
   */
  set(level: number, optname: number, value: unknown): _OptKey | null {
    if (level === SOL_SOCKET && optname === SO_LINGER) {
      this.linger = _unpackLinger(value);
      return null;
    }
    // Python takes a C int, else a buffer: anything else is "not a bytes-like object".
    const int32 = typeof value === "number" && Number.isInteger(value) &&
      value >= -(2 ** 31) && value < 2 ** 31;
    if (!int32 && typeof value !== "boolean" && !ArrayBuffer.isView(value)) {
      throw new TypeError(`a bytes-like object is required, not '${_pyType(value)}'`);
    }
    const v = ArrayBuffer.isView(value) ? _unpackInt(value) : _intArg(value);
    const key = this.#key(level, optname, false);
    if (key === "rcvbuf") this.rcvbuf = Math.max(2304, Math.min(v, 212992) * 2);
    else if (key === "sndbuf") this.sndbuf = Math.max(4608, Math.min(v, 212992) * 2);
    else (this.#flags ??= {})[key] = v ? 1 : 0;
    return key;
  }

  /**
   * `getsockopt` of an option the core keeps (not SO_TYPE, SO_ERROR, SO_LINGER).
   *
   * @param level The level.
   * @param optname The option.
   * @returns Its value.
   */
  get(level: number, optname: number): number {
    const key = this.#key(level, optname, true);
    if (key === "rcvbuf") return this.rcvbuf;
    if (key === "sndbuf") return this.sndbuf;
    return this.flag(key);
  }

  #key(level: number, optname: number, get: boolean): _OptKey {
    if (level === SOL_SOCKET) {
      switch (optname) {
        case SO_REUSEADDR:
          return "reuseaddr";
        case SO_REUSEPORT:
          return "reuseport";
        case SO_KEEPALIVE:
          return "keepalive";
        case SO_BROADCAST:
          return "broadcast";
        case SO_RCVBUF:
          return "rcvbuf";
        case SO_SNDBUF:
          return "sndbuf";
      }
    } else if (level === IPPROTO_TCP && optname === TCP_NODELAY && this.#type === SOCK_STREAM) {
      return "nodelay";
    } else if (level === IPPROTO_IPV6 && optname === IPV6_V6ONLY && this.#family === AF_INET6) {
      return "v6only";
    }
    throw new OSError(_optErrno(this.#family, this.#type, level, get));
  }
}

/** Linux's errno for an option it does not know: which one depends on the level and protocol. */
function _optErrno(family: number, type: number, level: number, get: boolean): number {
  if (family === AF_UNIX) return level === SOL_SOCKET ? E.ENOPROTOOPT : E.EOPNOTSUPP;
  if (family !== AF_INET || !get || level === SOL_SOCKET || level === 0) return E.ENOPROTOOPT;
  return level === IPPROTO_TCP && type === SOCK_STREAM ? E.ENOPROTOOPT : E.EOPNOTSUPP;
}

function _unpackInt(v: ArrayBufferView): number {
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (b.length < 4) throw new OSError(E.EINVAL);
  return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
}

function _unpackLinger(v: unknown): [number, number] {
  if (Array.isArray(v) && v.length === 2) return [_intArg(v[0]), _intArg(v[1])];
  if (!ArrayBuffer.isView(v)) throw new OSError(E.EINVAL);
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (b.length < 8) throw new OSError(E.EINVAL);
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  return [dv.getInt32(0, true), dv.getInt32(4, true)];
}
