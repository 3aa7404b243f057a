// The receive and send calls the facade's fast paths do not take: argument
// checks, datagram sockets, flags, timeouts, big data, EOF and errors. Each
// is the async function the caller awaits: an OSError made elsewhere is made
// again there, so that its stack has the caller's frames (see `_remade`).

import { AF_UNIX, SHUT_RD, SHUT_RDWR, SHUT_WR } from "../constants.ts";
import * as E from "../errno.ts";
import { _remade, OSError, oserror } from "../errors.ts";
import { _bufferArg, _cIntArg, _dataArg, _intArg, _intFlagArg } from "../_args.ts";
import { _checkAddress, _resolve, type Address } from "../_address.ts";
import { _SEND_CHUNK } from "./stream.ts";
import type { _Endpoint } from "./endpoint.ts";
import { _deadline } from "./waiting.ts";

/**
 * Checks a recv size as Python does (a C ssize_t, not negative).
 *
 * @param bufsize The value.
 * @param fn The calling method's name.
 * @returns The size.
 */
export function _bufsizeArg(bufsize: number, fn: string): number {
  if (typeof bufsize === "number" && bufsize >= 2 ** 63) {
    throw new RangeError("Python int too large to convert to C ssize_t");
  }
  const n = _intArg(bufsize);
  if (n < 0) throw new RangeError(`negative buffersize in ${fn}`);
  if (n > Number.MAX_SAFE_INTEGER) {
    throw new RangeError("Python int too large to convert to C ssize_t");
  }
  return n;
}

/**
 * `recv` off its fast path.
 *
 * @param ep The socket.
 * @param bufsize As the user gave it.
 * @param flags As the user gave them.
 * @returns The bytes.
 */
export async function _recv<S>(
  ep: _Endpoint<S>,
  bufsize: number,
  flags: number,
): Promise<Uint8Array> {
  try {
    const n = _bufsizeArg(bufsize, "recv");
    if (flags !== 0) flags = _intFlagArg(flags);
    ep.checkOpen();
    const d = ep.dgram;
    if (d !== null) {
      if (n === 0) return new Uint8Array(0); // as Python: no datagram is consumed
      if (ep.datagramReady()) return d.take(n, flags);
      if (ep.binding !== null) await ep.bound();
      return await d.recv(flags, () => d.take(n, flags));
    }
    if (n === 0) return new Uint8Array(0);
    const r = ep.connectedStream().recv(n, flags);
    return r instanceof Uint8Array ? r : await r;
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `recvfrom`.
 *
 * @param ep The socket.
 * @param bufsize As the user gave it.
 * @param flags As the user gave them.
 * @returns The bytes and the sender.
 */
export async function _recvfrom<S>(
  ep: _Endpoint<S>,
  bufsize: number,
  flags: number,
): Promise<[Uint8Array, Address | null]> {
  try {
    const n = _bufsizeArg(bufsize, "recvfrom");
    flags = _intFlagArg(flags);
    ep.checkOpen();
    const d = ep.dgram;
    if (d !== null) {
      if (ep.datagramReady()) return d.takeFrom(n, flags);
      if (ep.binding !== null) await ep.bound();
      return await d.recv(flags, () => d.takeFrom(n, flags));
    }
    if (n === 0) return [new Uint8Array(0), null];
    const r = ep.connectedStream().recv(n, flags);
    return [r instanceof Uint8Array ? r : await r, null];
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `recv_into` and `recvfrom_into`.
 *
 * @param ep The socket.
 * @param buffer Where to write.
 * @param nbytes The most bytes (0: the buffer's length).
 * @param flags As the user gave them.
 * @param fn The calling method's name.
 * @returns The count and the sender.
 */
export async function _recvInto<S>(
  ep: _Endpoint<S>,
  buffer: ArrayBufferView,
  nbytes: number,
  flags: number,
  fn: string,
): Promise<[number, Address | null]> {
  try {
    const dst = _bufferArg(buffer, fn);
    const n = _intArg(nbytes);
    flags = _intFlagArg(flags);
    if (n < 0) throw new RangeError(`negative buffersize in ${fn}`);
    if (n > dst.length) {
      throw new RangeError(
        fn === "recvfrom_into"
          ? "nbytes is greater than the length of the buffer"
          : "buffer too small for requested bytes",
      );
    }
    const want = n === 0 ? dst.length : n;
    ep.checkOpen();
    const d = ep.dgram;
    if (d !== null) {
      if (want === 0 && fn === "recv_into") return [0, null]; // as Python's recv_into
      let got: [Uint8Array, Address | null];
      if (ep.datagramReady()) got = d.takeFrom(want, flags);
      else {
        if (ep.binding !== null) await ep.bound();
        got = await d.recv(flags, () => d.takeFrom(want, flags));
      }
      dst.set(got[0]);
      return [got[0].length, got[1]];
    }
    const s = ep.connectedStream();
    return [await s.recvInto(dst.subarray(0, want), flags), null];
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `_readline` off its fast path: a datagram, an empty limit, or the checks.
 *
 * @param ep The socket.
 * @param cap The most bytes.
 * @returns The line.
 */
export async function _readline<S>(ep: _Endpoint<S>, cap: number): Promise<Uint8Array> {
  try {
    ep.checkOpen();
    const d = ep.dgram;
    if (d !== null) {
      if (ep.binding !== null) await ep.bound();
      return await d.recv(0, () => d.take(cap, 0));
    }
    if (cap <= 0) return new Uint8Array(0);
    return await ep.connectedStream().readline(cap);
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `send`.
 *
 * @param ep The socket.
 * @param data As the user gave it.
 * @param flags As the user gave them.
 * @returns The count taken.
 */
export async function _send<S>(
  ep: _Endpoint<S>,
  data: ArrayBufferView | string,
  flags: number,
): Promise<number> {
  try {
    const bytes = _dataArg(data);
    flags = _intFlagArg(flags);
    ep.checkOpen();
    const d = ep.dgram;
    if (d !== null) {
      if (d.peer === null) throw new OSError(ep.family === AF_UNIX ? E.ENOTCONN : E.EDESTADDRREQ);
      const sent = ep.sendDatagram(d, bytes, d.peer, flags);
      if (sent !== undefined) await sent;
      return bytes.length;
    }
    const s = ep.sendableStream();
    if (bytes.length === 0) return 0;
    const part = bytes.subarray(0, Math.min(bytes.length, _SEND_CHUNK));
    const p = s.write(part, flags, _deadline(ep.shared.timeout));
    if (p !== undefined) await p;
    return part.length;
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `sendall` off its fast path: argument errors, datagrams, timeouts, big data.
 *
 * @param ep The socket.
 * @param data As the user gave it.
 * @param flags As the user gave them.
 */
export async function _sendall<S>(
  ep: _Endpoint<S>,
  data: ArrayBufferView | string,
  flags: number,
): Promise<void> {
  try {
    const bytes = _dataArg(data);
    flags = _intFlagArg(flags);
    ep.checkOpen();
    if (ep.dgram !== null) {
      await _send(ep, bytes, flags);
      return;
    }
    const s = ep.sendableStream();
    const at = _deadline(ep.shared.timeout);
    for (let off = 0; off === 0 || off < bytes.length; off += _SEND_CHUNK) {
      const p = s.write(bytes.subarray(off, Math.min(bytes.length, off + _SEND_CHUNK)), flags, at);
      if (p !== undefined) await p;
    }
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `sendto` to an address not in the cache: checked, resolved, then sent.
 *
 * @param ep The socket.
 * @param bytes The datagram.
 * @param address As the user gave it.
 * @param flags The checked flags.
 * @returns The count sent.
 */
export async function _sendtoResolving<S>(
  ep: _Endpoint<S>,
  bytes: Uint8Array,
  address: Address,
  flags: number,
): Promise<number> {
  try {
    const parsed = _checkAddress(ep.family, address, "sendto");
    const d = ep.dgram;
    if (d === null) {
      if (ep.state === "connected") throw new OSError(E.EISCONN);
      throw ep.family === AF_UNIX ? new OSError(E.EOPNOTSUPP) : oserror(E.EPIPE);
    }
    if (parsed === "") throw new OSError(E.EINVAL);
    const target = await _resolve(ep.family, parsed, false);
    if (typeof parsed !== "string") {
      d.sendCache.set(address as readonly unknown[], parsed.host, target);
    }
    const sent = ep.sendDatagram(d, bytes, target, flags);
    if (sent !== undefined) await sent;
    return bytes.length;
  } catch (err) {
    throw _remade(err);
  }
}

/**
 * `shutdown`.
 *
 * @param ep The socket.
 * @param how As the user gave it.
 */
export async function _shutdown<S>(ep: _Endpoint<S>, how: number): Promise<void> {
  try {
    how = _cIntArg(how);
    ep.checkOpen();
    if (how !== SHUT_RD && how !== SHUT_WR && how !== SHUT_RDWR) throw new OSError(E.EINVAL);
    // Linux: shutdown of an unconnected unix socket succeeds; UDP and TCP need a peer.
    const d = ep.dgram;
    if (d !== null) {
      if (d.peer === null && ep.family !== AF_UNIX) throw new OSError(E.ENOTCONN);
      if (how !== SHUT_RD) d.wrShut = true; // later sends fail with EPIPE, as on Linux
      return;
    }
    const s = ep.liveStream();
    if (ep.family === AF_UNIX && s === null) return;
    if (s === null || s.reset) throw new OSError(E.ENOTCONN);
    await s.shutdown(how);
  } catch (err) {
    throw _remade(err);
  }
}
