/**
 * The "floor" implementation's shape and the parts its three runtime modules
 * share. A floor socket has unisock's API shape (every blocking call returns
 * a promise, every `recv` a fresh `Uint8Array` the caller owns) over a
 * runtime's raw API with nothing else: no errno mapping, no timeouts on
 * streams, no select, no descriptor table, no address parsing. Its figures
 * bound what any implementation of that shape can reach on a runtime.
 *
 * @module
 */

/** A UDP address: host and port, as Python's `(host, port)`. */
export type FloorAddr = [string, number];

/** A connected stream socket. */
export interface FloorSock {
  /**
   * Receives at most `n` bytes (more stay buffered for the next call).
   *
   * @param n The most bytes.
   * @returns A fresh array the caller owns; empty at EOF.
   */
  recv(n: number): Promise<Uint8Array>;
  /**
   * Reads through the next `\n` (or `limit` bytes, or to EOF).
   *
   * @param limit The most bytes.
   * @returns The line; empty at EOF.
   */
  readline(limit?: number): Promise<Uint8Array>;
  /**
   * Sends every byte; settles once the runtime no longer needs `data`.
   *
   * @param data The bytes.
   * @returns Settles when sent.
   */
  sendall(data: Uint8Array): Promise<void>;
  /**
   * Sends FIN after what is queued (shutdown(SHUT_WR)).
   *
   * @returns Settles when done.
   */
  shutdownWrite(): Promise<void>;
  /** Closes the socket. */
  close(): void;
}

/** A listening stream socket. */
export interface FloorListener {
  /** The port it listens on. */
  readonly port: number;
  /**
   * Waits for the next connection.
   *
   * @returns The connection.
   */
  accept(): Promise<FloorSock>;
  /** Stops listening. */
  close(): void;
}

/** A bound UDP socket. */
export interface FloorUdp {
  /** The port it is bound to. */
  readonly port: number;
  /**
   * Sends one datagram.
   *
   * @param data The payload.
   * @param to The destination.
   * @returns Settles once sent.
   */
  sendto(data: Uint8Array, to: FloorAddr): Promise<void>;
  /**
   * Receives one datagram (truncated to `n` bytes).
   *
   * @param n The most bytes.
   * @param timeoutMs Rejects with {@linkcode FloorTimeout} after this long.
   * @returns The payload and its sender.
   */
  recvfrom(n: number, timeoutMs?: number): Promise<[Uint8Array, FloorAddr]>;
  /** Closes the socket; a pending `recvfrom` rejects. */
  close(): void;
}

/** One runtime's floor sockets. */
export interface FloorApi {
  /**
   * Opens a TCP connection.
   *
   * @param host Numeric host.
   * @param port Port.
   * @returns The connected socket.
   */
  connect(host: string, port: number): Promise<FloorSock>;
  /**
   * Listens for TCP connections.
   *
   * @param host Numeric host.
   * @param port Port (0: any).
   * @param backlog Listen backlog.
   * @returns The listener.
   */
  listen(host: string, port: number, backlog: number): Promise<FloorListener>;
  /**
   * Binds a UDP socket.
   *
   * @param host Numeric host.
   * @param port Port (0: any).
   * @returns The socket.
   */
  bindUdp(host: string, port: number): Promise<FloorUdp>;
}

/** Raised by a `recvfrom` whose timeout passed. */
export class FloorTimeout extends Error {}

/** The empty array returned at EOF. */
export const EMPTY: Uint8Array = new Uint8Array(0);
/** The settled promise returned by a send the runtime completed at once. */
export const DONE: Promise<void> = Promise.resolve();

/** Bytes a datagram queue may hold (twice Linux's default SO_RCVBUF, as unisock). */
const _DGRAM_LIMIT = 2 * 212_992;
/** What a queued datagram costs beyond its bytes (as unisock and the kernel). */
const _DGRAM_OVERHEAD = 256;
const _NL = 0x0a;

type _Resolve<T> = (value: T) => void;
type _Reject = (err: Error) => void;

/**
 * The receive side of a stream whose runtime pushes chunks (Bun, Node):
 * chunks are handed to `recv` as they came (a part of one as a view), one
 * waiter at a time.
 */
export class StreamInbox {
  #chunks: Uint8Array[] = [];
  #eof = false;
  #error: Error | null = null;
  #want = 0; // > 0: a recv of that many bytes waits; -1: a readline waits
  #limit = 0;
  #resolve: _Resolve<Uint8Array> | null = null;
  #reject: _Reject | null = null;

  /**
   * Queues a chunk the runtime delivered (handing it to a waiting `recv`).
   *
   * @param chunk Bytes nobody else holds.
   */
  push(chunk: Uint8Array): void {
    const want = this.#want;
    if (want > 0 && this.#chunks.length === 0) {
      if (chunk.length <= want) return this.#settle(chunk);
      this.#chunks.push(chunk.subarray(want));
      return this.#settle(chunk.subarray(0, want));
    }
    this.#chunks.push(chunk);
    if (want < 0 && (chunk.indexOf(_NL) >= 0 || this.#size() >= this.#limit)) {
      this.#settle(this.#line(this.#limit));
    }
  }

  /** The peer sent FIN. */
  end(): void {
    this.#eof = true;
    if (this.#want > 0) this.#settle(EMPTY);
    else if (this.#want < 0) this.#settle(this.#line(this.#limit));
  }

  /**
   * The connection failed.
   *
   * @param err The runtime's error.
   */
  fail(err: Error): void {
    this.#error ??= err;
    this.#eof = true;
    const reject = this.#reject;
    if (reject === null) return;
    this.#want = 0;
    this.#resolve = this.#reject = null;
    reject(err);
  }

  /**
   * `recv(n)`.
   *
   * @param n The most bytes.
   * @returns The bytes.
   */
  recv(n: number): Promise<Uint8Array> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#take(n));
    if (this.#eof) {
      return this.#error === null ? Promise.resolve(EMPTY) : Promise.reject(this.#error);
    }
    this.#want = n;
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * `readline(limit)`.
   *
   * @param limit The most bytes.
   * @returns The line.
   */
  readline(limit: number): Promise<Uint8Array> {
    if (this.#eof || this.#hasLine(limit)) return Promise.resolve(this.#line(limit));
    this.#want = -1;
    this.#limit = limit;
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  #settle(value: Uint8Array): void {
    const resolve = this.#resolve!;
    this.#want = 0;
    this.#resolve = this.#reject = null;
    resolve(value);
  }

  #take(n: number): Uint8Array {
    const c = this.#chunks[0];
    if (c.length <= n) {
      this.#chunks.shift();
      return c;
    }
    this.#chunks[0] = c.subarray(n);
    return c.subarray(0, n);
  }

  #size(): number {
    let size = 0;
    for (const c of this.#chunks) size += c.length;
    return size;
  }

  #hasLine(limit: number): boolean {
    let size = 0;
    for (const c of this.#chunks) {
      if (c.indexOf(_NL) >= 0) return true;
      size += c.length;
    }
    return size >= limit;
  }

  /** Takes a line (or `limit` bytes, or what is left at EOF) off the queue. */
  #line(limit: number): Uint8Array {
    const chunks = this.#chunks;
    if (chunks.length === 0) return EMPTY;
    const first = chunks[0];
    const at = first.indexOf(_NL);
    if (at >= 0 && at < limit) return this.#take(at + 1);
    if (first.length >= limit) return this.#take(limit);
    let size = 0, i = 0;
    for (; i < chunks.length && size < limit; i++) {
      const nl = chunks[i].indexOf(_NL);
      if (nl >= 0) {
        size += nl + 1;
        break;
      }
      size += chunks[i].length;
    }
    const out = new Uint8Array(Math.min(size, limit));
    for (let off = 0; off < out.length;) {
      const part = this.#take(out.length - off);
      out.set(part, off);
      off += part.length;
    }
    return out;
  }
}

/**
 * One lazily re-armed timer: `set` costs a clock read, the runtime's timer is
 * re-armed at most once per expiry (as unisock's per-socket deadlines).
 */
export class LazyTimer {
  #deadline = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #onLate: () => void;

  /**
   * @param onLate Called once a set deadline has passed.
   */
  constructor(onLate: () => void) {
    this.#onLate = onLate;
  }

  /**
   * Sets the deadline `ms` from now.
   *
   * @param ms Milliseconds.
   */
  set(ms: number): void {
    this.#deadline = performance.now() + ms;
    this.#timer ??= setTimeout(this.#fire, ms);
  }

  /** Forgets the deadline (the timer, if armed, fires harmlessly). */
  clear(): void {
    this.#deadline = 0;
  }

  /** Stops the timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#deadline = 0;
  }

  #fire = (): void => {
    this.#timer = undefined;
    if (this.#deadline === 0) return;
    const left = this.#deadline - performance.now();
    if (left > 0) {
      this.#timer = setTimeout(this.#fire, left);
      return;
    }
    this.#deadline = 0;
    this.#onLate();
  };
}

/**
 * The receive side of a UDP socket whose runtime pushes datagrams (Bun,
 * Node): a queue bounded in bytes like unisock's, one waiter at a time.
 */
export class DatagramInbox {
  #data: Uint8Array[] = [];
  #from: FloorAddr[] = [];
  #bytes = 0;
  #want = 0;
  #resolve: _Resolve<[Uint8Array, FloorAddr]> | null = null;
  #reject: _Reject | null = null;
  #timer = new LazyTimer(() => this.#failWaiter(new FloorTimeout("timed out")));
  #closed = false;

  /**
   * A datagram arrived.
   *
   * @param data Its bytes, nobody else's.
   * @param host Sender host.
   * @param port Sender port.
   */
  push(data: Uint8Array, host: string, port: number): void {
    const resolve = this.#resolve;
    if (resolve !== null) {
      const n = this.#want;
      this.#resolve = this.#reject = null;
      this.#timer.clear();
      resolve([data.length <= n ? data : data.subarray(0, n), [host, port]]);
      return;
    }
    const cost = data.length + _DGRAM_OVERHEAD;
    if (this.#bytes + cost > _DGRAM_LIMIT) return; // dropped, as the kernel would
    this.#bytes += cost;
    this.#data.push(data);
    this.#from.push([host, port]);
  }

  /**
   * `recvfrom(n)`.
   *
   * @param n The most bytes.
   * @param timeoutMs Optional timeout.
   * @returns The datagram and sender.
   */
  recvfrom(n: number, timeoutMs?: number): Promise<[Uint8Array, FloorAddr]> {
    if (this.#data.length > 0) {
      const data = this.#data.shift()!;
      this.#bytes -= data.length + _DGRAM_OVERHEAD;
      const from = this.#from.shift()!;
      return Promise.resolve([data.length <= n ? data : data.subarray(0, n), from]);
    }
    if (this.#closed) return Promise.reject(new Error("closed"));
    this.#want = n;
    if (timeoutMs !== undefined) this.#timer.set(timeoutMs);
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** The socket closed: a waiting `recvfrom` rejects. */
  close(): void {
    this.#closed = true;
    this.#timer.stop();
    this.#failWaiter(new Error("closed"));
  }

  #failWaiter(err: Error): void {
    const reject = this.#reject;
    if (reject === null) return;
    this.#resolve = this.#reject = null;
    reject(err);
  }
}
