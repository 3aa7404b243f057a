/**
 * Datagram sockets of the Deno adapter.
 *
 * With `--unstable-net`, `Deno.listenDatagram` serves UDP (`transport:
 * "udp"`) and unix datagrams (`transport: "unixpacket"`, which is SOCK_DGRAM
 * on Linux despite its name), read by one `receive()` loop that `pause()`
 * stops. Without the flag `Deno.listenDatagram` does not exist and UDP falls
 * back to `node:dgram`, which cannot stop reading (that handle has no
 * `pause`: the core bounds its queue and drops the excess); unix datagrams
 * are then unavailable. An IPv6 bind with `ipv6Only` also uses
 * `node:dgram`, the only Deno API that sets IPV6_V6ONLY.
 *
 * Deno facts: `Deno.listenDatagram` sets SO_BROADCAST on every UDP socket,
 * so `setBroadcast(false)` cannot be honoured there; neither it nor Deno's
 * `node:dgram` sets SO_REUSEPORT, so `reusePort` is approximated with
 * SO_REUSEADDR (for UDP on Linux both let several sockets share a port).
 *
 * @module
 */

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import type {
  BackendAddress,
  DatagramHandle,
  DatagramOptions,
  DatagramSink,
} from "../src/backend.ts";
import * as E from "../src/errno.ts";
import { type OSError, oserror } from "../src/errors.ts";
import type { DenoAddr, DenoApi, DenoDatagramConn } from "./_deno_api.ts";
import { _PendingSends } from "./_dgram_sends.ts";
import { _translate } from "./_deno_errors.ts";
import { _address, _closeQuietly, _noop } from "./_deno_stream.ts";

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
 * A copy the core may keep of a datagram in a reused receive buffer. A
 * small one is copied into a shared slab and handed over as a view (in Deno
 * a new array costs about 1 µs even for 16 bytes, a view about 0.1 µs): no
 * part of a slab is written twice, and a datagram the caller keeps holds on
 * to 4 KiB at most.
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

/** Whether `addr` is the sender `from` already stands for (so it can be passed again). */
function _sameSender(from: BackendAddress, addr: DenoAddr): boolean {
  const a = addr as { readonly hostname?: string; readonly port?: number; readonly path?: string };
  if (from.kind === "unix") return from.path !== "" && a.path === from.path;
  return a.port === from.port && a.hostname === from.host;
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
  #sink: DatagramSink | null = null;
  #closed = false;
  #paused = false;
  #receiving = false; // a receive is in flight
  #failed = false; // an error was delivered: no more receives
  #buf: Uint8Array | null = null; // the receive buffer, reused (datagrams are copied out)
  #from: BackendAddress = { kind: "unix", path: "" }; // the last sender
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
    this.#sink = sink;
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
    return sent.then(_noop, (err: unknown) => {
      throw this.#closed ? oserror(E.EBADF) : _translate(err);
    });
  }

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
      const from = _sameSender(this.#from, addr) ? this.#from : this.#from = _address(addr);
      this.#sink!.message(_copy(message[0]), from);
    }
    this.#receive();
  };

  #onError = (err: unknown): void => {
    this.#receiving = false;
    this.#failed = true;
    if (!this.#closed) this.#sink!.error(_translate(err));
  };
}

/**
 * A `node:dgram` socket as a {@linkcode DatagramHandle}. `node:dgram` cannot
 * stop reading, so there is no `pause`: the core bounds its own queue.
 * Datagrams that arrive before `start` wait here until it has run.
 */
export class _NodeDatagram implements DatagramHandle {
  /** The bound endpoint. */
  readonly local: BackendAddress;
  #socket: Socket;
  #sink: DatagramSink | null = null;
  #started = false;
  #closed = false;
  #early: [Uint8Array, BackendAddress][] = [];
  #failed: OSError | null = null;
  #errored = false;
  #sends = new _PendingSends();
  #from: BackendAddress = { kind: "inet", host: "", port: 0, version: 4 };

  /**
   * Wraps a bound socket.
   *
   * @param socket The bound `node:dgram` socket, now owned by this handle.
   */
  constructor(socket: Socket) {
    this.#socket = socket;
    const a = socket.address();
    const version = a.address.includes(":") ? 6 : 4;
    this.local = { kind: "inet", host: a.address, port: a.port, version };
    socket.on("message", (msg: Uint8Array, rinfo: RemoteInfo) => this.#onMessage(msg, rinfo));
    socket.on("error", (err: unknown) => this.#onError(err));
  }

  /**
   * Starts delivering (asynchronously) what arrived and what will.
   *
   * @param sink Receives datagrams and errors.
   */
  start(sink: DatagramSink): void {
    this.#sink = sink;
    queueMicrotask(() => this.#deliverEarly());
  }

  /**
   * Sends one datagram.
   *
   * @param data The payload; not modified.
   * @param to The destination (IP only).
   * @returns Settles when the OS took the datagram; rejects with EBADF when
   * the socket closes first (`node:dgram` never calls back a send that
   * `close()` dropped).
   */
  send(data: Uint8Array, to: BackendAddress): Promise<void> {
    if (this.#closed) return Promise.reject(oserror(E.EBADF));
    if (to.kind === "unix") return Promise.reject(oserror(E.EAFNOSUPPORT));
    return this.#sends.send(this.#socket, data, to.port, to.host, _translate);
  }

  /**
   * Sets SO_BROADCAST.
   *
   * @param on The new value.
   */
  setBroadcast(on: boolean): void {
    if (this.#closed) return;
    try {
      this.#socket.setBroadcast(on);
    } catch {
      // Closed meanwhile: nothing to set.
    }
  }

  /** Closes the socket; sends still pending reject with EBADF. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#early = [];
    _closeQuietly(this.#socket);
    this.#sends.close(() => oserror(E.EBADF));
  }

  #onMessage(msg: Uint8Array, rinfo: RemoteInfo): void {
    if (this.#closed || this.#errored) return;
    // Most datagrams come from the sender of the one before: reuse its address.
    let from = this.#from;
    if (from.kind !== "inet" || rinfo.port !== from.port || rinfo.address !== from.host) {
      const version = rinfo.address.includes(":") ? 6 : 4;
      from = this.#from = { kind: "inet", host: rinfo.address, port: rinfo.port, version };
    }
    const data = new Uint8Array(msg); // a plain copy the core owns
    if (this.#started) this.#sink!.message(data, from);
    else this.#early.push([data, from]);
  }

  #onError(err: unknown): void {
    if (this.#closed || this.#failed !== null) return;
    this.#failed = _translate(err);
    if (this.#started) this.#fail();
  }

  /** Delivers what arrived before `start()` (and a failure), then goes on live. */
  #deliverEarly(): void {
    const early = this.#early;
    this.#early = [];
    this.#started = true;
    for (const [data, from] of early) {
      if (this.#closed) return;
      this.#sink!.message(data, from);
    }
    if (this.#failed !== null) this.#fail();
  }

  #fail(): void {
    if (this.#closed || this.#errored) return;
    this.#errored = true;
    this.#sink!.error(this.#failed!);
  }
}

/**
 * Whether Deno lets this process bind `host:port`. Deno's `node:dgram` throws
 * a missing permission from a later tick, beyond any handler, so it is asked
 * first (with a prompt where Deno would prompt).
 */
function _netAllowed(deno: DenoApi, host: string, port: number): boolean {
  const desc = { name: "net", host: `${host.includes(":") ? `[${host}]` : host}:${port}` } as const;
  try {
    const state = deno.permissions.querySync(desc).state;
    return state === "granted" ||
      (state === "prompt" && deno.permissions.requestSync(desc).state === "granted");
  } catch {
    return true; // an unknown descriptor form: let the bind itself decide
  }
}

function _bindNode(deno: DenoApi, options: DatagramOptions): Promise<DatagramHandle> {
  const a = options.address;
  if (a.kind === "unix") {
    return Promise.reject(
      oserror(E.EAFNOSUPPORT, "unix datagram sockets need Deno's --unstable-net flag"),
    );
  }
  if (!_netAllowed(deno, a.host, a.port)) return Promise.reject(oserror(E.EACCES));
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: a.version === 6 ? "udp6" : "udp4",
      reuseAddr: options.reuseAddress || options.reusePort,
      ipv6Only: options.ipv6Only,
    });
    const onError = (err: unknown): void => {
      socket.on("error", _noop); // a closed socket must not throw later
      _closeQuietly(socket);
      reject(_translate(err));
    };
    socket.once("error", onError);
    try {
      socket.bind({ address: a.host, port: a.port, exclusive: true }, () => {
        socket.off("error", onError);
        resolve(new _NodeDatagram(socket));
      });
    } catch (err) {
      onError(err);
    }
  });
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
  if (deno.listenDatagram === undefined || v6only) return _bindNode(deno, options);
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
