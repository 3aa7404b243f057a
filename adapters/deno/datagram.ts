/**
 * Datagram sockets of the Deno adapter: `Deno.listenDatagram` with
 * `--unstable-net` (UDP, and `"unixpacket"`, which is SOCK_DGRAM on Linux),
 * read by one `receive()` loop that `pause()` stops; else, and for an
 * IPv6-only bind (only `node:dgram` sets IPV6_V6ONLY on Deno), the shared
 * `node:dgram` handle (UDP only). Neither sets SO_REUSEPORT on Deno, so
 * `reusePort` is approximated with SO_REUSEADDR (for UDP on Linux both let
 * sockets share a port).
 *
 * @module
 */

import type {
  BackendAddress,
  DatagramHandle,
  DatagramOptions,
  DatagramSink,
} from "../../src/backend.ts";
import * as E from "../../src/errno.ts";
import { oserror } from "../../src/errors.ts";
import { _DatagramEvents } from "../../src/_events.ts";
import { _bindDatagram as _bindShared } from "../shared/dgram.ts";
import type { DenoAddr, DenoApi, DenoDatagramConn } from "./api.ts";
import { _denied, _translate } from "./errors.ts";
import { _address, _noop } from "./stream.ts";
import { _closeQuietly } from "../shared/quietly.ts";

/** Receive buffer for UDP: the largest IPv4/IPv6 payload fits. */
const _UDP_BUFFER = 64 * 1024;
/** Receive buffer for unix datagrams (Linux allows up to the send buffer size). */
const _UNIX_BUFFER = 256 * 1024;

/** Datagrams up to this size are copied into a shared slab, bigger ones into their own array. */
const _SMALL = 256;
/** Size of the slabs small datagrams are copied into. */
const _SLAB_SIZE = 4 * 1024;

let _slab = new Uint8Array(0);
let _slabOff = _SLAB_SIZE; // full: the first small datagram starts a slab

/**
 * A copy the core may keep of a datagram in the reused receive buffer: a
 * small one is a view of a shared slab (on Deno a new array costs far more
 * than a view); no part of a slab is written twice, and a kept datagram
 * holds on to one slab at most.
 */
function _copy(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n > _SMALL) return data.slice();
  if (_slabOff + n > _SLAB_SIZE) {
    _slab = new Uint8Array(_SLAB_SIZE);
    _slabOff = 0;
  }
  const off = _slabOff;
  _slabOff = off + n;
  const copy = _slab.subarray(off, off + n);
  copy.set(data);
  return copy;
}

function _target(to: BackendAddress): DenoAddr {
  return to.kind === "unix"
    ? { transport: "unixpacket", path: to.path }
    : { transport: "udp", hostname: to.host, port: to.port };
}

/**
 * Deno's `unixpacket` socket fails with `Busy` when a send starts while a
 * receive is pending on it, or the reverse (UDP sockets have no such limit).
 * This runs the operations of one unix datagram socket one at a time; when a
 * send waits behind the pending receive, it wakes that receive with an empty
 * datagram sent to the socket from a private autobound helper socket, which
 * the receive loop then drops.
 */
class _UnixTurns {
  #deno: DenoApi;
  #conn: DenoDatagramConn;
  #held = false;
  #queue: (() => void)[] = [];
  #receiving = false;
  #poked = false;
  #helper: DenoDatagramConn | null = null;
  #helperPath: string | null = null;

  constructor(deno: DenoApi, conn: DenoDatagramConn) {
    this.#deno = deno;
    this.#conn = conn;
  }

  receive(buf: Uint8Array): Promise<[Uint8Array, DenoAddr]> {
    return this.#run(async () => {
      this.#receiving = true;
      this.#poked = false;
      try {
        return await this.#conn.receive(buf);
      } finally {
        this.#receiving = false;
      }
    });
  }

  send(data: Uint8Array, to: DenoAddr): Promise<number> {
    const done = this.#run(() => this.#conn.send(data, to));
    this.#poke();
    return done;
  }

  /** Whether a datagram came from the helper (a wake-up, not data). */
  isPoke(from: DenoAddr): boolean {
    return this.#helperPath !== null && "path" in from && from.path === this.#helperPath;
  }

  close(): void {
    if (this.#helper !== null) _closeQuietly(this.#helper);
  }

  async #run<T>(op: () => Promise<T>): Promise<T> {
    if (this.#held) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#held = true;
    try {
      return await op();
    } finally {
      const next = this.#queue.shift();
      if (next === undefined) this.#held = false;
      else next();
    }
  }

  #poke(): void {
    if (!this.#receiving || this.#poked || this.#deno.listenDatagram === undefined) return;
    this.#poked = true;
    try {
      if (this.#helper === null) {
        this.#helper = this.#deno.listenDatagram({ transport: "unixpacket", path: "" });
        const addr = this.#helper.addr;
        this.#helperPath = "path" in addr ? addr.path : null;
      }
      this.#helper.send(new Uint8Array(0), this.#conn.addr).catch(_noop);
    } catch {
      // No helper: the send waits for the next datagram instead.
    }
  }
}

/** A `Deno.listenDatagram` socket as a {@linkcode DatagramHandle}. */
export class _DenoDatagram implements DatagramHandle {
  /** The bound endpoint. */
  readonly local: BackendAddress;
  #conn: DenoDatagramConn;
  #turns: _UnixTurns | null;
  #events = new _DatagramEvents();
  #closed = false;
  #paused = false;
  #receiving = false; // a receive is in flight
  #failed = false; // an error was delivered: no more receives
  #buf: Uint8Array | null = null; // the reused receive buffer, from start() on
  #to: BackendAddress | null = null;
  #target: DenoAddr | null = null;

  /**
   * Wraps a datagram socket.
   *
   * @param deno The Deno global (unix sockets make a helper socket with it).
   * @param conn The Deno socket, now owned by this handle.
   */
  constructor(deno: DenoApi, conn: DenoDatagramConn) {
    this.#conn = conn;
    this.local = _address(conn.addr);
    this.#turns = this.local.kind === "unix" ? new _UnixTurns(deno, conn) : null;
  }

  /**
   * Starts receiving (one receive in flight at a time, settled by callbacks).
   *
   * @param sink Receives datagrams and errors.
   */
  start(sink: DatagramSink): void {
    this.#events.start(sink);
    if (this.#buf !== null) return;
    this.#buf = new Uint8Array(this.#turns === null ? _UDP_BUFFER : _UNIX_BUFFER);
    this.#receive();
  }

  /** Holds the next receive until {@linkcode _DenoDatagram.resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Lets receiving go on. */
  resume(): void {
    this.#paused = false;
    this.#receive();
  }

  /**
   * Sends one datagram.
   *
   * @param data The payload; not modified.
   * @param to The destination.
   * @returns Settles when the OS took the datagram.
   */
  send(data: Uint8Array, to: BackendAddress): Promise<void> {
    if (this.#closed) return Promise.reject(oserror(E.EBADF));
    // The core passes the same address object for repeated sends to one peer.
    if (to !== this.#to) {
      this.#target = _target(to);
      this.#to = to;
    }
    const target = this.#target!;
    let sent: Promise<number>;
    try {
      sent = this.#turns === null ? this.#conn.send(data, target) : this.#turns.send(data, target);
    } catch (err) {
      sent = Promise.reject(err);
    }
    return sent.then(_noop, this.#sendFailed);
  }

  /** A send's failure as the core sees it (made once: no closure per send). */
  #sendFailed = (err: unknown): never => {
    throw this.#closed ? oserror(E.EBADF) : _translate(err);
  };

  /**
   * No-op: Deno sets SO_BROADCAST on every UDP socket and offers no switch.
   *
   * @param _on Ignored.
   */
  setBroadcast(_on: boolean): void {}

  /** Closes the socket; a pending receive ends silently. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
    _closeQuietly(this.#conn);
    this.#turns?.close();
  }

  /** Issues the next receive unless one is in flight or receiving must not go on. */
  #receive = (): void => {
    if (this.#receiving || this.#closed || this.#paused || this.#failed || this.#buf === null) {
      return;
    }
    this.#receiving = true;
    const buf = this.#buf!;
    const turns = this.#turns;
    (turns === null ? this.#conn.receive(buf) : turns.receive(buf))
      .then(this.#onMessage, this.#onError);
  };

  #onMessage = (message: [Uint8Array, DenoAddr]): void => {
    this.#receiving = false;
    if (this.#closed) return;
    const addr = message[1];
    if (this.#turns?.isPoke(addr) !== true) {
      const from = "path" in addr
        ? this.#events.unix(addr.path ?? "")
        : this.#events.inet(addr.hostname, addr.port);
      this.#events.message(_copy(message[0]), from);
    }
    this.#receive();
  };

  #onError = (err: unknown): void => {
    this.#receiving = false;
    this.#failed = true;
    if (!this.#closed) this.#events.error(_translate(err));
  };
}

/**
 * Binds a datagram socket: `Deno.listenDatagram` when `--unstable-net` is on
 * (unless an IPv6-only bind needs `node:dgram`), else `node:dgram` (UDP only).
 *
 * @param deno The Deno global.
 * @param options What the core asked for.
 * @returns The bound socket.
 *
 * @example Bind a UDP socket
 * ```ts ignore
 * const d = await _bindDatagram(Deno, {
 *   address: { kind: "inet", host: "127.0.0.1", port: 0, version: 4 },
 *   reuseAddress: false, reusePort: false, ipv6Only: false,
 * });
 * ```
 */
export function _bindDatagram(deno: DenoApi, options: DatagramOptions): Promise<DatagramHandle> {
  const a = options.address;
  const v6only = a.kind === "inet" && a.version === 6 && options.ipv6Only;
  if (deno.listenDatagram === undefined || v6only) {
    const denied = a.kind === "inet" ? _denied(deno, a) : null;
    if (denied !== null) return Promise.reject(denied);
    return _bindShared(options, "unix datagram sockets need Deno's --unstable-net flag", false);
  }
  try {
    const conn = a.kind === "unix"
      ? deno.listenDatagram({ transport: "unixpacket", path: a.path })
      : deno.listenDatagram({
        transport: "udp",
        hostname: a.host,
        port: a.port,
        reuseAddress: options.reuseAddress || options.reusePort,
      });
    return Promise.resolve(new _DenoDatagram(deno, conn));
  } catch (err) {
    return Promise.reject(_translate(err));
  }
}
