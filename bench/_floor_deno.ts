/**
 * Floor sockets on Deno: `conn.read()` into one buffer per socket (4 KiB,
 * growing 4x up to 64 KiB when a read fills it, as unisock's adapter) and a
 * copy of the bytes asked for, `conn.write()` loops, `Deno.listenDatagram`
 * (run with `--unstable-net`). Reads are pulled by `recv`: no read is
 * pending unless a caller waits. See `_floor.ts` for what a floor socket is.
 *
 * @module
 */

import type { DenoAddr, DenoApi, DenoDatagramConn, DenoNetAddr } from "../adapters/deno/api.ts";
import {
  EMPTY,
  type FloorAddr,
  type FloorApi,
  type FloorListener,
  type FloorSock,
  FloorTimeout,
  type FloorUdp,
  LazyTimer,
} from "./_floor.ts";

const _MIN_BUF = 4096;
const _MAX_BUF = 65536;
const _NL = 0x0a;

const _SLAB = 1 << 20;
const _MODE = Deno.env.get("FLOOR_COPY") ?? "slice";
let _slab = new Uint8Array(_SLAB);
let _used = 0;

/**
 * A copy of `src[from, to)` the caller owns. Bytes are carved out of a shared
 * 1 MiB slab (as Node's Buffer pool): a fresh ArrayBuffer per copy costs far
 * more on Deno than the copy itself. A carved range is never written again,
 * as the API requires of every array it returns.
 */
function _copy(src: Uint8Array, from: number, to: number): Uint8Array {
  if (_MODE === "slice") return src.slice(from, to);
  const n = to - from;
  if (n > _SLAB >> 4) return src.slice(from, to);
  if (_used + n > _SLAB) {
    _slab = new Uint8Array(_SLAB);
    _used = 0;
  }
  const out = _slab.subarray(_used, _used += n);
  out.set(src.subarray(from, to));
  return out;
}

/** A floor stream socket over one `Deno.Conn`. */
class _Sock implements FloorSock {
  #conn: Deno.Conn;
  #buf = new Uint8Array(_MIN_BUF);
  #off = 0; // unread bytes are #buf[#off, #end)
  #end = 0;
  #eof = false;
  #n = 0; // what the recv in progress asked for

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  recv(n: number): Promise<Uint8Array> {
    if (this.#off < this.#end) return Promise.resolve(this.#take(n));
    if (this.#eof) return Promise.resolve(EMPTY);
    this.#n = n;
    return this.#conn.read(this.#buf).then(this.#afterRead);
  }

  #afterRead = (k: number | null): Uint8Array => {
    if (k === null) {
      this.#eof = true;
      return EMPTY;
    }
    const buf = this.#buf;
    this.#off = 0;
    this.#end = k;
    const out = this.#take(this.#n);
    if (k === buf.length && k < _MAX_BUF && this.#off === k) {
      this.#buf = new Uint8Array(k * 4);
      this.#off = this.#end = 0;
    }
    return out;
  };

  /** A copy of at most `n` buffered bytes. */
  #take(n: number): Uint8Array {
    const off = this.#off;
    const end = Math.min(this.#end, off + n);
    this.#off = end;
    return _copy(this.#buf, off, end);
  }

  readline(limit = 65536): Promise<Uint8Array> {
    const off = this.#off;
    if (off < this.#end) {
      const at = this.#buf.indexOf(_NL, off); // may find a stale byte past #end
      if (at >= 0 && at < this.#end && at - off < limit) {
        return Promise.resolve(this.#take(at + 1 - off));
      }
    }
    return this.#readlineSlow(limit);
  }

  async #readlineSlow(limit: number): Promise<Uint8Array> {
    let scanned = this.#end - this.#off;
    for (;;) {
      if (scanned >= limit) return this.#take(limit);
      if (this.#eof) return this.#take(scanned);
      let buf = this.#buf;
      if (this.#off > 0) { // move the partial line to the front
        buf.copyWithin(0, this.#off, this.#end);
        this.#end -= this.#off;
        this.#off = 0;
      }
      if (this.#end === buf.length) {
        const bigger = new Uint8Array(buf.length * 4);
        bigger.set(buf);
        this.#buf = buf = bigger;
      }
      const k = await this.#conn.read(buf.subarray(this.#end));
      if (k === null) this.#eof = true;
      else {
        const at = buf.subarray(this.#end, this.#end + k).indexOf(_NL);
        this.#end += k;
        if (at >= 0 && scanned + at < limit) return this.#take(scanned + at + 1);
        scanned += k;
      }
    }
  }

  async sendall(data: Uint8Array): Promise<void> {
    let off = await this.#conn.write(data);
    while (off < data.length) off += await this.#conn.write(data.subarray(off));
  }

  shutdownWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** A floor listener over `Deno.listen`. */
class _Listener implements FloorListener {
  readonly port: number;
  #l: Deno.Listener;

  constructor(host: string, port: number, backlog: number) {
    this.#l = Deno.listen({ hostname: host, port, tcpBacklog: backlog } as Deno.TcpListenOptions);
    this.port = (this.#l.addr as Deno.NetAddr).port;
  }

  accept(): Promise<FloorSock> {
    return this.#l.accept().then(_wrap);
  }

  close(): void {
    try {
      this.#l.close();
    } catch {
      // Already closed.
    }
  }
}

function _wrap(conn: Deno.Conn): FloorSock {
  return new _Sock(conn);
}

type _Dgram = [Uint8Array, FloorAddr];

/**
 * A floor UDP socket: `receive()` into one reused buffer, pulled by
 * `recvfrom`; a receive whose caller timed out stays pending and serves the
 * next `recvfrom`.
 */
class _Udp implements FloorUdp {
  readonly port: number;
  #u: DenoDatagramConn;
  #buf = new Uint8Array(65536);
  #n = 0;
  #pending: Promise<void> | null = null; // a receive that feeds #late or #waiter
  #late: _Dgram | null = null; // what a receive got after its caller timed out
  #waiter: { resolve: (d: _Dgram) => void; reject: (err: Error) => void } | null = null;
  #timer = new LazyTimer(() => this.#fail(new FloorTimeout("timed out")));
  #to: Deno.NetAddr = { transport: "udp", hostname: "", port: 0 };

  constructor(host: string, port: number) {
    const listen = (Deno as unknown as DenoApi).listenDatagram;
    if (listen === undefined) throw new Error("run Deno with --unstable-net");
    this.#u = listen({ transport: "udp", hostname: host, port });
    this.port = (this.#u.addr as DenoNetAddr).port;
  }

  sendto(data: Uint8Array, to: FloorAddr): Promise<void> {
    let addr = this.#to;
    if (addr.hostname !== to[0] || addr.port !== to[1]) {
      this.#to = addr = { transport: "udp", hostname: to[0], port: to[1] };
    }
    return this.#u.send(data, addr) as Promise<unknown> as Promise<void>;
  }

  recvfrom(n: number, timeoutMs?: number): Promise<_Dgram> {
    this.#n = n;
    const late = this.#late;
    if (late !== null) {
      this.#late = null;
      return Promise.resolve(late);
    }
    if (timeoutMs === undefined && this.#pending === null) {
      return this.#u.receive(this.#buf).then(this.#convert);
    }
    this.#pending ??= this.#u.receive(this.#buf).then(this.#deliver, (err) => this.#fail(err));
    if (timeoutMs !== undefined) this.#timer.set(timeoutMs);
    return new Promise((resolve, reject) => this.#waiter = { resolve, reject });
  }

  close(): void {
    this.#timer.stop();
    try {
      this.#u.close();
    } catch {
      // Already closed.
    }
  }

  #convert = ([data, from]: [Uint8Array, DenoAddr]): _Dgram => {
    const a = from as DenoNetAddr;
    return [_copy(data, 0, Math.min(data.length, this.#n)), [a.hostname, a.port]];
  };

  #deliver = (got: [Uint8Array, DenoAddr]): void => {
    this.#pending = null;
    const d = this.#convert(got);
    const waiter = this.#waiter;
    if (waiter === null) {
      this.#late = d;
      return;
    }
    this.#waiter = null;
    this.#timer.clear();
    waiter.resolve(d);
  };

  #fail(err: Error): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    this.#waiter = null;
    waiter.reject(err);
  }
}

/** Deno's floor sockets. */
export const floor: FloorApi = {
  connect: (host, port) => Deno.connect({ hostname: host, port }).then(_wrap),
  listen: (host, port, backlog) => Promise.resolve(new _Listener(host, port, backlog)),
  bindUdp: (host, port) => Promise.resolve(new _Udp(host, port)),
};
