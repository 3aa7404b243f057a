// An in-memory backend for unit tests of the core: streams are pipes between
// two handles, datagram sockets and listeners live in one table of addresses,
// and every event happens when the test says so. It follows the rules written
// in src/backend.ts the way the real adapters do: events go through the core's
// event buffers (src/_events.ts) from the moment a handle exists, chunks are
// handed over as fresh copies, and every failure is an OSError. What the core
// does against those rules (a write before the previous one settled, a second
// start) is recorded in `violations`, which a test checks is empty.

import "../adapters/auto.ts";
import {
  type Backend,
  type BackendAddress,
  type BackendCapabilities,
  type ConnectOptions,
  type DatagramHandle,
  type DatagramOptions,
  type DatagramSink,
  getBackend,
  type ListenerHandle,
  type ListenerSink,
  type ListenOptions,
  type LookupResult,
  setBackend,
  type StreamHandle,
  type StreamSink,
} from "../src/backend.ts";
import { _DatagramEvents, _ListenerEvents, _StreamEvents } from "../src/_events.ts";
import { oserror } from "../src/errors.ts";
import * as E from "../src/errno.ts";

/** The key of an address in the fake's tables. */
function key(a: BackendAddress): string {
  return a.kind === "unix" ? `unix:${a.path}` : `${a.host}|${a.port}`;
}

/** One end of an in-memory stream: the handle the core holds, and the test's controls. */
export class FakeStream implements StreamHandle {
  readonly local: BackendAddress;
  readonly remote: BackendAddress;
  /** The other end, `null` for a handle with no peer (the test feeds it). */
  peer: FakeStream | null = null;
  /** Calls of `pause()` and `resume()`, in order. */
  readonly flow: ("pause" | "resume")[] = [];
  /** Whether the core paused reading. */
  paused = false;
  /** Calls of the event buffer's hold callback (events waiting for start). */
  readonly holds: boolean[] = [];
  /** `"sync"`: writes complete at once; `"async"`: they wait for `completeWrite`. */
  writeMode: "sync" | "async" = "sync";
  /** Bytes the core wrote (copies), in order. */
  readonly written: Uint8Array[] = [];
  /** How the handle was closed: `null` while open. */
  closedHow: "close" | "abort" | null = null;
  /** Whether `shutdownWrite` was called. */
  finSent = false;
  readonly #events: _StreamEvents;
  readonly #fake: FakeBackend;
  /** Bytes on their way to this end, not yet delivered (held, or paused). */
  readonly #wire: Uint8Array[] = [];
  #wireEnd: "end" | number | null = null;
  #auto = true;
  #started = false;
  #pending: { resolve: () => void; reject: (e: unknown) => void; data: Uint8Array }[] = [];
  #onClosed: (() => void)[] = [];

  constructor(fake: FakeBackend, local: BackendAddress, remote: BackendAddress) {
    this.#fake = fake;
    this.local = local;
    this.remote = remote;
    this.#events = new _StreamEvents({ holdEvents: (on) => this.holds.push(on) });
  }

  // ---- the handle, as the core uses it ------------------------------------

  start(sink: StreamSink): void {
    if (this.#started) this.#fake.violations.push("stream start() called twice");
    this.#started = true;
    this.#events.start(sink);
  }

  pause(): void {
    this.flow.push("pause");
    this.paused = true;
  }

  resume(): void {
    this.flow.push("resume");
    this.paused = false;
    if (this.#auto) this.deliver();
  }

  write(data: Uint8Array): Promise<void> | undefined {
    if (this.#pending.length > 0) {
      this.#fake.violations.push("write issued before the previous one settled");
    }
    if (this.closedHow !== null) this.#fake.violations.push("write after close");
    if (this.writeMode === "sync") {
      this.#send(data.slice());
      return undefined;
    }
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject, data }));
  }

  shutdownWrite(): Promise<void> {
    this.finSent = true;
    this.peer?.pushEnd();
    return Promise.resolve();
  }

  close(): void {
    this.#shut("close");
  }

  abort(): void {
    this.#shut("abort");
  }

  setNoDelay(_on: boolean): void {}

  setKeepAlive(_on: boolean): void {}

  // ---- the test's controls --------------------------------------------------

  /**
   * Bytes arrive at this end (as if the peer sent them): delivered at once
   * unless held or paused.
   */
  push(bytes: Uint8Array | string): void {
    this.#arrive(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes.slice());
  }

  /** The peer's FIN arrives (after the bytes before it). */
  pushEnd(): void {
    this.#arrive("end");
  }

  /** The connection fails with `errno` (after the bytes before it). */
  pushError(errno: number): void {
    this.#arrive(errno);
  }

  /** From now on, arriving bytes wait on the wire until `deliver()`. */
  hold(): void {
    this.#auto = false;
  }

  /** Delivers what waits on the wire (not while paused), and lets later bytes through. */
  release(): void {
    this.#auto = true;
    this.deliver();
  }

  /**
   * Delivers up to `chunks` waiting chunks (all by default), as the runtime
   * reads them; nothing while the core paused reading.
   */
  deliver(chunks: number = Infinity): void {
    while (chunks-- > 0 && !this.paused && this.#wire.length > 0) {
      this.#events.data(this.#wire.shift()!);
    }
    if (this.#wire.length === 0 && this.#wireEnd !== null && !this.paused) {
      const end = this.#wireEnd;
      this.#wireEnd = null;
      if (end === "end") this.#events.end();
      else this.#events.error(oserror(end));
    }
  }

  /** Bytes waiting on the wire. */
  get waiting(): number {
    return this.#wire.reduce((n, c) => n + c.length, 0);
  }

  /** Writes waiting for `completeWrite` (async write mode). */
  get pendingWrites(): number {
    return this.#pending.length;
  }

  /** Completes the oldest pending write (its bytes go to the peer), or fails it with `errno`. */
  completeWrite(errno: number = 0): void {
    const w = this.#pending.shift();
    if (w === undefined) throw new Error("no pending write");
    if (errno !== 0) {
      w.reject(oserror(errno));
      return;
    }
    this.#send(w.data.slice());
    w.resolve();
  }

  /** Resolves once the core closed or aborted this handle. */
  closed(): Promise<void> {
    return this.closedHow !== null
      ? Promise.resolve()
      : new Promise((resolve) => this.#onClosed.push(resolve));
  }

  #send(bytes: Uint8Array): void {
    this.written.push(bytes);
    this.peer?.push(bytes);
  }

  #arrive(item: Uint8Array | "end" | number): void {
    if (item instanceof Uint8Array) this.#wire.push(item);
    else this.#wireEnd ??= item;
    if (this.#auto) this.deliver();
  }

  #shut(how: "close" | "abort"): void {
    if (this.closedHow !== null) return;
    this.closedHow = how;
    this.#events.close();
    for (const w of this.#pending.splice(0)) w.reject(oserror(E.EBADF));
    if (how === "abort") this.peer?.pushError(E.ECONNRESET);
    else this.peer?.pushEnd();
    for (const f of this.#onClosed.splice(0)) f();
  }
}

/** A listening fake: connections arrive when a connect to its address succeeds. */
export class FakeListener implements ListenerHandle {
  readonly local: BackendAddress;
  /** Whether the core closed it. */
  closed = false;
  readonly #events = new _ListenerEvents();
  readonly #fake: FakeBackend;

  constructor(fake: FakeBackend, local: BackendAddress) {
    this.#fake = fake;
    this.local = local;
  }

  start(sink: ListenerSink): void {
    this.#events.start(sink);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#events.close();
    this.#fake.unregister(this.local);
  }

  /** A connection arrives (the server's end of a pipe). */
  arrive(stream: StreamHandle): void {
    this.#events.connection(stream);
  }

  /** The listener fails with `errno`. */
  fail(errno: number): void {
    this.#events.error(oserror(errno));
  }
}

/** A bound fake datagram socket. */
export class FakeDatagram implements DatagramHandle {
  readonly local: BackendAddress;
  /** Calls of `pause()` and `resume()`, in order. */
  readonly flow: ("pause" | "resume")[] = [];
  /** Whether the core paused reading. */
  paused = false;
  /** Datagrams the core sent: payload copies and targets. */
  readonly sent: [Uint8Array, BackendAddress][] = [];
  /** Whether the core closed it. */
  closed = false;
  pause?: () => void;
  resume?: () => void;
  readonly #events = new _DatagramEvents();
  readonly #fake: FakeBackend;
  /** Datagrams that arrived while paused (the kernel's queue). */
  readonly #held: [Uint8Array, BackendAddress][] = [];

  constructor(fake: FakeBackend, local: BackendAddress, pausable: boolean) {
    this.#fake = fake;
    this.local = local;
    if (pausable) {
      this.pause = () => {
        this.flow.push("pause");
        this.paused = true;
      };
      this.resume = () => {
        this.flow.push("resume");
        this.paused = false;
        while (!this.paused && this.#held.length > 0) {
          const [d, f] = this.#held.shift()!;
          this.#events.message(d, f);
        }
      };
    }
  }

  start(sink: DatagramSink): void {
    this.#events.start(sink);
  }

  send(data: Uint8Array, to: BackendAddress): Promise<void> | undefined {
    if (this.closed) this.#fake.violations.push("datagram send after close");
    const copy = data.slice();
    this.sent.push([copy, to]);
    this.#fake.datagramAt(to)?.inject(copy, this.local);
    return undefined;
  }

  setBroadcast(_on: boolean): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#events.close();
    this.#fake.unregister(this.local);
  }

  /** A datagram arrives from `from` (held while paused, as the kernel queues it). */
  inject(data: Uint8Array | string, from: BackendAddress): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    if (this.paused) this.#held.push([bytes, from]);
    else this.#events.message(bytes, from);
  }

  /** Datagrams held while paused. */
  get held(): number {
    return this.#held.length;
  }

  /** The socket fails with `errno`. */
  fail(errno: number): void {
    this.#events.error(oserror(errno));
  }
}

/** One connect the core asked for, and the test's controls over its outcome. */
export class FakeConnect {
  readonly options: ConnectOptions;
  /** How it ended: `null` while pending. */
  outcome: "connected" | "refused" | "cancelled" | null = null;
  /** The core's end of the connection, once connected. */
  client: FakeStream | null = null;
  /** The other end (also given to a listener at the address, if any). */
  server: FakeStream | null = null;
  readonly #fake: FakeBackend;
  readonly #resolve: (h: StreamHandle) => void;
  readonly #reject: (e: unknown) => void;
  #onCancel: "reject" | "succeed" = "reject";

  constructor(
    fake: FakeBackend,
    options: ConnectOptions,
    resolve: (h: StreamHandle) => void,
    reject: (e: unknown) => void,
  ) {
    this.#fake = fake;
    this.options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    options.cancel.onCancel = () => {
      if (this.outcome !== null) return;
      // The connection opened in the same turn as the core gave up: the
      // adapter's success won (the core then resets it).
      if (this.#onCancel === "succeed") this.succeed();
      else {
        this.outcome = "cancelled";
        reject(oserror(E.ECANCELED));
      }
    };
  }

  /** Succeeds: a pipe to a listener at the address, if one listens there. */
  succeed(): FakeStream {
    if (this.outcome !== null) throw new Error(`connect already ${this.outcome}`);
    const local = this.options.source ?? this.#fake.ephemeral(this.options.address);
    const client = new FakeStream(this.#fake, local, this.options.address);
    const server = new FakeStream(this.#fake, this.options.address, local);
    client.peer = server;
    server.peer = client;
    this.client = client;
    this.server = server;
    this.outcome = "connected";
    this.#fake.listenerAt(this.options.address)?.arrive(server);
    this.#resolve(client);
    return client;
  }

  /** Fails with `errno` (ECONNREFUSED by default). */
  fail(errno: number = E.ECONNREFUSED): void {
    if (this.outcome !== null) throw new Error(`connect already ${this.outcome}`);
    this.outcome = "refused";
    this.#reject(oserror(errno));
  }

  /** When the core gives up on it (timeout, close), it succeeds in that same turn instead. */
  succeedOnCancel(): void {
    this.#onCancel = "succeed";
  }
}

/** Options of {@linkcode FakeBackend}. */
export interface FakeOptions {
  /** Connects settle only when the test says so (default: at once, to whoever listens). */
  readonly manualConnect?: boolean;
  /** Whether datagram handles have pause/resume (default true). */
  readonly datagramPause?: boolean;
  /** Capabilities to report (default: everything works). */
  readonly capabilities?: Partial<BackendCapabilities>;
}

/** The in-memory backend. */
export class FakeBackend implements Backend {
  readonly name = "fake";
  readonly capabilities: BackendCapabilities;
  /** Broken rules of backend.ts on the core's side, as text. */
  readonly violations: string[] = [];
  /** Every connect the core asked for, in order. */
  readonly connects: FakeConnect[] = [];
  /** Every datagram handle bound, in order. */
  readonly datagrams: FakeDatagram[] = [];
  /** Every listener made, in order. */
  readonly listeners: FakeListener[] = [];
  /** Host names `lookup` knows. */
  readonly hosts = new Map<string, LookupResult[]>();
  readonly #options: FakeOptions;
  readonly #bound = new Map<string, FakeListener | FakeDatagram>();
  #port = 40000;

  constructor(options: FakeOptions = {}) {
    this.#options = options;
    this.capabilities = {
      unixDatagram: null,
      reusePort: null,
      bindBeforeConnect: null,
      ipv6OnlyStream: null,
      ...options.capabilities,
    };
  }

  listen(options: ListenOptions): Promise<ListenerHandle> {
    const local = this.#place(options.address);
    if (this.#bound.has(key(local))) return Promise.reject(oserror(E.EADDRINUSE));
    const l = new FakeListener(this, local);
    this.#bound.set(key(local), l);
    this.listeners.push(l);
    return Promise.resolve(l);
  }

  connect(options: ConnectOptions): Promise<StreamHandle> {
    if (options.cancel.cancelled) return Promise.reject(oserror(E.ECANCELED));
    return new Promise((resolve, reject) => {
      const c = new FakeConnect(this, options, resolve, reject);
      this.connects.push(c);
      if (this.#options.manualConnect) return;
      // Settles in a later microtask, as a runtime's connect never settles synchronously.
      queueMicrotask(() => {
        if (c.outcome !== null) return;
        if (this.listenerAt(options.address) !== undefined) c.succeed();
        else c.fail(E.ECONNREFUSED);
      });
    });
  }

  bindDatagram(options: DatagramOptions): Promise<DatagramHandle> {
    const local = this.#place(options.address);
    if (this.#bound.has(key(local))) return Promise.reject(oserror(E.EADDRINUSE));
    const d = new FakeDatagram(this, local, this.#options.datagramPause ?? true);
    this.#bound.set(key(local), d);
    this.datagrams.push(d);
    return Promise.resolve(d);
  }

  lookup(host: string, version: 0 | 4 | 6): Promise<LookupResult[]> {
    const found = (this.hosts.get(host) ?? []).filter((r) =>
      version === 0 || r.version === version
    );
    if (found.length === 0) {
      return Promise.reject(Object.assign(new Error(host), { code: "ENOTFOUND" }));
    }
    return Promise.resolve(found);
  }

  reverse(_host: string): Promise<string[]> {
    return Promise.reject(Object.assign(new Error(_host), { code: "ENOTFOUND" }));
  }

  hostname(): string {
    return "fake-host";
  }

  // ---- the fake's own table --------------------------------------------------

  /** The listener at `a` (or at the wildcard of its port), if any. */
  listenerAt(a: BackendAddress): FakeListener | undefined {
    const found = this.#at(a);
    return found instanceof FakeListener ? found : undefined;
  }

  /** The datagram socket bound at `a` (or at the wildcard of its port), if any. */
  datagramAt(a: BackendAddress): FakeDatagram | undefined {
    const found = this.#at(a);
    return found instanceof FakeDatagram ? found : undefined;
  }

  /** Forgets a closed handle's address. */
  unregister(a: BackendAddress): void {
    this.#bound.delete(key(a));
  }

  /** A fresh local address for a connection to `to`. */
  ephemeral(to: BackendAddress): BackendAddress {
    if (to.kind === "unix") return { kind: "unix", path: "" };
    return { kind: "inet", host: to.host, port: this.#port++, version: to.version };
  }

  #at(a: BackendAddress): FakeListener | FakeDatagram | undefined {
    const found = this.#bound.get(key(a));
    if (found !== undefined || a.kind === "unix") return found;
    const any = a.version === 6 ? "::" : "0.0.0.0";
    return this.#bound.get(key({ ...a, host: any }));
  }

  /** The address a bind gets: port 0 replaced by a free port. */
  #place(a: BackendAddress): BackendAddress {
    if (a.kind === "unix" || a.port !== 0) return a;
    return { ...a, port: this.#port++ };
  }
}

/**
 * Runs `fn` with a fresh fake backend installed, then puts the real backend
 * back (Deno and Bun may run other test files in this process afterwards).
 * Fails when the core broke a rule of backend.ts meanwhile.
 *
 * @param fn The test body.
 * @param options The fake's options.
 */
export async function withFake(
  fn: (fake: FakeBackend) => Promise<void> | void,
  options: FakeOptions = {},
): Promise<void> {
  const real = getBackend();
  const fake = new FakeBackend(options);
  setBackend(fake);
  try {
    await fn(fake);
  } finally {
    setBackend(real);
  }
  if (fake.violations.length > 0) {
    throw new Error(`backend rules broken: ${fake.violations.join("; ")}`);
  }
}

/** Resolves after the event loop ran one full turn (every pending microtask first). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
