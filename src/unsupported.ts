/**
 * Python `socket` module functions that no JavaScript runtime can provide:
 * each raises OSError EOPNOTSUPP (95) saying why, rather than being absent
 * (a "not a function" error). `socket.share`/`fromshare` are Windows-only in
 * Python and are not here.
 *
 * @module
 */

import { EOPNOTSUPP } from "./errno.ts";
import { OSError } from "./errors.ts";

const _NO_FD = "JavaScript runtimes give no access to a socket's OS file descriptor";
const _NO_MSG = "JavaScript runtimes send and receive no ancillary data (SCM_RIGHTS)";
const _NO_IF =
  "the runtime-neutral core has no interface table (use the runtime's own, e.g. os.networkInterfaces())";
const _NO_HOST = "JavaScript runtimes cannot set the host name";

function _unsupported(call: string, why: string): OSError {
  return new OSError(EOPNOTSUPP, `Operation not supported: ${call}(): ${why}`);
}

/**
 * The error of `socket(family, type, proto, fileno)` with a descriptor:
 * Python adopts the OS descriptor, which no runtime allows.
 *
 * @returns OSError EOPNOTSUPP (95) saying why.
 */
export function _noFileno(): OSError {
  return _unsupported("socket", `${_NO_FD} (its fileno argument)`);
}

/**
 * Not available: a socket from an OS file descriptor (Python's `fromfd`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @param _fd The OS descriptor.
 * @param _family The family.
 * @param _type The type.
 * @param _proto The protocol.
 * @returns Never.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { AF_INET, fromfd, SOCK_STREAM } from "@unisock/socket";
 * try { fromfd(3, AF_INET, SOCK_STREAM); } catch (e) { console.log(String(e)); }
 * ```
 */
export function fromfd(_fd: number, _family: number, _type: number, _proto?: number): never {
  throw _unsupported("fromfd", _NO_FD);
}

/**
 * Not available: file descriptors over a unix socket (Python's `send_fds`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @param _sock The socket.
 * @param _buffers The data.
 * @param _fds The descriptors.
 * @param _flags Flags.
 * @param _address The address.
 * @returns A promise that rejects.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { send_fds } from "@unisock/socket";
 * await send_fds(null, [], [0]).catch((e) => console.log(String(e)));
 * ```
 */
export function send_fds(
  _sock: unknown,
  _buffers: unknown,
  _fds: unknown,
  _flags?: number,
  _address?: unknown,
): Promise<never> {
  return Promise.reject(_unsupported("send_fds", _NO_MSG));
}

/**
 * Not available: file descriptors from a unix socket (Python's `recv_fds`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @param _sock The socket.
 * @param _bufsize The most bytes.
 * @param _maxfds The most descriptors.
 * @param _flags Flags.
 * @returns A promise that rejects.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { recv_fds } from "@unisock/socket";
 * await recv_fds(null, 10, 1).catch((e) => console.log(String(e)));
 * ```
 */
export function recv_fds(
  _sock: unknown,
  _bufsize: number,
  _maxfds: number,
  _flags?: number,
): Promise<never> {
  return Promise.reject(_unsupported("recv_fds", _NO_MSG));
}

/**
 * Not available: the list of network interfaces (Python's `if_nameindex`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @returns Never.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { if_nameindex } from "@unisock/socket";
 * try { if_nameindex(); } catch (e) { console.log(String(e)); }
 * ```
 */
export function if_nameindex(): never {
  throw _unsupported("if_nameindex", _NO_IF);
}

/**
 * Not available: an interface's index (Python's `if_nametoindex`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @param _if_name The interface's name.
 * @returns Never.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { if_nametoindex } from "@unisock/socket";
 * try { if_nametoindex("lo"); } catch (e) { console.log(String(e)); }
 * ```
 */
export function if_nametoindex(_if_name: string): never {
  throw _unsupported("if_nametoindex", _NO_IF);
}

/**
 * Not available: an interface's name (Python's `if_indextoname`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @param _if_index The interface's index.
 * @returns Never.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { if_indextoname } from "@unisock/socket";
 * try { if_indextoname(1); } catch (e) { console.log(String(e)); }
 * ```
 */
export function if_indextoname(_if_index: number): never {
  throw _unsupported("if_indextoname", _NO_IF);
}

/**
 * Not available: setting the host name (Python's `sethostname`); raises OSError
 * EOPNOTSUPP (95) saying why.
 *
 * @param _name The new name.
 * @returns Never.
 * @throws {OSError} EOPNOTSUPP (95).
 *
 * @example It says why
 * ```ts
 * import { sethostname } from "@unisock/socket";
 * try { sethostname("box"); } catch (e) { console.log(String(e)); }
 * ```
 */
export function sethostname(_name: string): never {
  throw _unsupported("sethostname", _NO_HOST);
}
