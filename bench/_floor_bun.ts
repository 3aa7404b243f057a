/**
 * Floor sockets on Bun: `Bun.connect`/`Bun.listen` callback handlers feeding
 * a {@linkcode StreamInbox}, `write()` with the rest queued until `drain`,
 * `Bun.udpSocket`. See `_floor.ts` for what a floor socket is.
 *
 * @module
 */

import type { BunApi, BunSocket, BunSocketHandler, BunUdpSocket } from "../adapters/bun/api.ts";
import {
  DatagramInbox,
  DONE,
  type FloorAddr,
  type FloorApi,
  type FloorListener,
  type FloorSock,
  type FloorUdp,
  StreamInbox,
} from "./_floor.ts";

type _BunSock = BunSocket<_Sock>;

const _bun = (globalThis as unknown as { Bun: BunApi }).Bun;

function _error(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A floor stream socket over one Bun socket (its `data`). */
class _Sock implements FloorSock {
  #s: _BunSock | null = null;
  #in = new StreamInbox();
  #queue: Uint8Array[] = []; // the caller's bytes Bun did not take yet
  #waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #finAfterDrain = false;

  attach(s: _BunSock): void {
    this.#s = s;
  }

  data(chunk: Uint8Array): void {
    this.#in.push(chunk); // binaryType "uint8array": a fresh copy per call
  }

  end(): void {
    this.#in.end();
  }

  closed(err?: unknown): void {
    const e = _error(err ?? "closed");
    if (err === undefined) this.#in.end();
    else this.#in.fail(e);
    this.#queue = [];
    this.#settle(e);
  }

  drain(): void {
    const s = this.#s!;
    const queue = this.#queue;
    while (queue.length > 0) {
      const head = queue[0];
      const n = s.write(head);
      if (n < 0) return this.#settle(new Error("closed"));
      if (n < head.length) {
        queue[0] = head.subarray(n);
        return;
      }
      queue.shift();
    }
    if (this.#finAfterDrain) s.shutdown();
    this.#settle(null);
  }

  recv(n: number): Promise<Uint8Array> {
    return this.#in.recv(n);
  }

  readline(limit = 65536): Promise<Uint8Array> {
    return this.#in.readline(limit);
  }

  sendall(data: Uint8Array): Promise<void> {
    if (this.#queue.length === 0) {
      const n = this.#s!.write(data);
      if (n === data.length) return DONE;
      if (n < 0) return Promise.reject(new Error("closed"));
      this.#queue.push(data.subarray(n));
    } else this.#queue.push(data);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  shutdownWrite(): Promise<void> {
    if (this.#queue.length > 0) this.#finAfterDrain = true;
    else this.#s!.shutdown();
    return DONE;
  }

  close(): void {
    this.#s!.end();
  }

  #settle(err: Error | null): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const w of waiters) err === null ? w.resolve() : w.reject(err);
  }
}

/** Handlers forwarding to `socket.data`; `open` attaches the floor socket. */
const _HANDLERS: BunSocketHandler<_Sock> = {
  binaryType: "uint8array",
  open: (s) => s.data.attach(s),
  data: (s, chunk) => s.data.data(chunk),
  drain: (s) => s.data.drain(),
  end: (s) => s.data.end(),
  close: (s, err) => s.data.closed(err),
  error: (s, err) => s.data.closed(err),
};

/** A floor listener: accepted sockets queue until `accept` takes them. */
class _Listener implements FloorListener {
  readonly port: number;
  #stop: () => void;
  #ready: _Sock[] = [];
  #waiter: ((s: _Sock) => void) | null = null;

  constructor(host: string, port: number) {
    const l = _bun.listen({
      hostname: host,
      port,
      allowHalfOpen: true,
      socket: { ..._HANDLERS, open: (s) => this.#opened(s) },
    });
    this.port = l.port!;
    this.#stop = () => l.stop(true);
  }

  accept(): Promise<FloorSock> {
    if (this.#ready.length > 0) return Promise.resolve(this.#ready.shift()!);
    return new Promise((resolve) => this.#waiter = resolve);
  }

  close(): void {
    this.#stop();
  }

  #opened(s: _BunSock): void {
    const sock = new _Sock();
    s.data = sock;
    sock.attach(s);
    const waiter = this.#waiter;
    if (waiter === null) this.#ready.push(sock);
    else {
      this.#waiter = null;
      waiter(sock);
    }
  }
}

/** A floor UDP socket: `send` or wait for `drain`, datagrams into an inbox. */
class _Udp implements FloorUdp {
  port = 0;
  #u: BunUdpSocket | null = null;
  #in = new DatagramInbox();
  #closed = false;
  #blocked: { data: Uint8Array; to: FloorAddr; resolve: () => void }[] = [];

  async bind(host: string, port: number): Promise<this> {
    this.#u = await _bun.udpSocket({
      hostname: host,
      port,
      binaryType: "uint8array",
      socket: {
        data: (_s, data, port, address) => this.#in.push(data, address, port),
        drain: () => this.#drain(),
      },
    });
    this.port = this.#u.port;
    return this;
  }

  sendto(data: Uint8Array, to: FloorAddr): Promise<void> {
    if (this.#blocked.length === 0 && this.#u!.send(data, to[1], to[0])) return DONE;
    return new Promise((resolve) => this.#blocked.push({ data, to, resolve }));
  }

  recvfrom(n: number, timeoutMs?: number): Promise<[Uint8Array, FloorAddr]> {
    return this.#in.recvfrom(n, timeoutMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#u!.close();
    this.#in.close();
  }

  #drain(): void {
    const blocked = this.#blocked;
    while (blocked.length > 0) {
      const b = blocked[0];
      if (!this.#u!.send(b.data, b.to[1], b.to[0])) return;
      blocked.shift();
      b.resolve();
    }
  }
}

/** Bun's floor sockets. */
export const floor: FloorApi = {
  connect(host, port) {
    const sock = new _Sock();
    return _bun.connect({
      hostname: host,
      port,
      allowHalfOpen: true,
      socket: _HANDLERS,
      data: sock,
    })
      .then(() => sock);
  },
  listen: (host, port) => Promise.resolve(new _Listener(host, port)),
  bindUdp: (host, port) => new _Udp().bind(host, port),
};
