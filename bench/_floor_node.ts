/**
 * Floor sockets on Node: `node:net` `data` events feeding a
 * {@linkcode StreamInbox} (each Buffer handed over as a plain `Uint8Array`
 * view), `write()` settled at once when Node wrote everything, else by its
 * write callback; `node:dgram`. See `_floor.ts` for what a floor socket is.
 *
 * @module
 */

import * as dgram from "node:dgram";
import * as net from "node:net";
import type { Buffer } from "node:buffer";
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

/** A floor stream socket over one `net.Socket`. */
class _Sock implements FloorSock {
  #s: net.Socket;
  #in = new StreamInbox();
  #due = 0; // write callbacks not yet called
  #waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(s: net.Socket) {
    this.#s = s;
    s.on("data", (b: Buffer) => this.#in.push(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    s.on("end", () => this.#in.end());
    s.on("error", (err: Error) => {
      this.#in.fail(err);
      this.#settle(err);
    });
    s.on("close", () => this.#in.end());
  }

  recv(n: number): Promise<Uint8Array> {
    return this.#in.recv(n);
  }

  readline(limit = 65536): Promise<Uint8Array> {
    return this.#in.readline(limit);
  }

  sendall(data: Uint8Array): Promise<void> {
    const s = this.#s;
    this.#due++;
    s.write(data, this.#onWritten);
    if (s.writableLength === 0) return DONE; // in the kernel already
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  shutdownWrite(): Promise<void> {
    return new Promise((resolve) => this.#s.end(resolve));
  }

  close(): void {
    const s = this.#s;
    if (s.writableLength === 0) s.destroy();
    else s.end(() => s.destroy());
  }

  /** Node calls write callbacks in order: none due means all flushed. */
  #onWritten = (err?: Error | null): void => {
    this.#due--;
    if (err) this.#settle(err);
    else if (this.#due === 0) this.#settle(null);
  };

  #settle(err: Error | null): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const w of waiters) err === null ? w.resolve() : w.reject(err);
  }
}

/** A floor listener: accepted sockets queue until `accept` takes them. */
class _Listener implements FloorListener {
  port = 0;
  #server: net.Server;
  #ready: _Sock[] = [];
  #waiter: ((s: _Sock) => void) | null = null;

  constructor() {
    this.#server = net.createServer({ allowHalfOpen: true }, (s) => {
      const sock = new _Sock(s);
      const waiter = this.#waiter;
      if (waiter === null) this.#ready.push(sock);
      else {
        this.#waiter = null;
        waiter(sock);
      }
    });
  }

  listen(host: string, port: number, backlog: number): Promise<this> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen({ host, port, backlog }, () => {
        this.port = (this.#server.address() as net.AddressInfo).port;
        resolve(this);
      });
    });
  }

  accept(): Promise<FloorSock> {
    if (this.#ready.length > 0) return Promise.resolve(this.#ready.shift()!);
    return new Promise((resolve) => this.#waiter = resolve);
  }

  close(): void {
    this.#server.close();
  }
}

/** A floor UDP socket: `message` events into an inbox, sends settled by their callback. */
class _Udp implements FloorUdp {
  port = 0;
  #u = dgram.createSocket("udp4");
  #in = new DatagramInbox();
  #closed = false;

  bind(host: string, port: number): Promise<this> {
    this.#u.on("message", (b: Buffer, from: dgram.RemoteInfo) => {
      this.#in.push(new Uint8Array(b.buffer, b.byteOffset, b.length), from.address, from.port);
    });
    return new Promise((resolve) => {
      this.#u.bind(port, host, () => {
        this.port = this.#u.address().port;
        resolve(this);
      });
    });
  }

  sendto(data: Uint8Array, to: FloorAddr): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#u.send(data, to[1], to[0], (err) => err ? reject(err) : resolve());
    });
  }

  recvfrom(n: number, timeoutMs?: number): Promise<[Uint8Array, FloorAddr]> {
    return this.#in.recvfrom(n, timeoutMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#u.close();
    this.#in.close();
  }
}

/** Node's floor sockets. */
export const floor: FloorApi = {
  connect(host, port) {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, allowHalfOpen: true });
      const sock = new _Sock(s);
      s.once("error", reject);
      s.once("connect", () => resolve(sock));
    });
  },
  listen: (host, port, backlog) => new _Listener().listen(host, port, backlog),
  bindUdp: (host, port) => new _Udp().bind(host, port),
};
