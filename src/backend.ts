/**
 * The contract between the runtime-agnostic core and a runtime adapter.
 *
 * The core (everything in `src/`) holds all socket semantics: state machine,
 * receive buffering, timeouts, errno mapping, address checks. An adapter
 * (`adapters/deno/`, `adapters/bun/`, `adapters/node/`) only fills in
 * {@linkcode Backend} over its runtime's own networking API, and translates
 * that runtime's errors into the core's {@linkcode OSError} classes with one
 * table. Adapters never implement timeouts, buffering or Python semantics.
 *
 * Rules every adapter follows:
 * - Every promise rejects only with an `OSError` (or subclass) built with
 *   `oserror(errno)` from `src/errors.ts`; never with a raw runtime error.
 *   The exception are `lookup` and `reverse`, which reject with the
 *   resolver's error as it is (its `code`): the core maps resolver codes to
 *   Python's errors in one place (`src/_resolver.ts`).
 * - No callback of a sink is called after `close()`/`abort()` returned, and
 *   a sink's callbacks are never called synchronously from `start()`. An
 *   adapter meets both by reporting events to the core's event buffers
 *   (`src/_events.ts`) from the moment a handle exists, at any time; the
 *   handle's `start(sink)` and `close()` attach and detach the core's sink.
 * - Chunks passed to `StreamSink.data` and `DatagramSink.message` are owned by
 *   the core from then on: the adapter must not reuse or modify their memory
 *   (copy out of a reused read buffer first).
 * - Nothing throws out of an event callback: every runtime error event ends
 *   in exactly one sink call, and no error goes unhandled.
 *
 * @module
 */

import type { OSError } from "./errors.ts";

/** An endpoint as adapters see it: an IP host and port, or a unix path. */
export type BackendAddress =
  | {
    /** IP endpoint. */
    readonly kind: "inet";
    /** Numeric IP address text, e.g. `127.0.0.1` or `::1` (never a name). */
    readonly host: string;
    /** Port, 0-65535. */
    readonly port: number;
    /** 4 for IPv4, 6 for IPv6. */
    readonly version: 4 | 6;
  }
  | {
    /** Unix-domain endpoint. */
    readonly kind: "unix";
    /** The path; `""` for unnamed; a leading `"\0"` for the abstract namespace. */
    readonly path: string;
  };

/** Receives the events of one stream connection, in order. */
export interface StreamSink {
  /** Bytes arrived; the chunk now belongs to the core. */
  data(chunk: Uint8Array): void;
  /** The peer sent FIN: no more data will come (writes may still work). */
  end(): void;
  /** The connection failed (e.g. ECONNRESET). No further events follow. */
  error(err: OSError): void;
}

/** One connected stream (TCP or unix) as the runtime gives it. */
export interface StreamHandle {
  /** Local endpoint. */
  readonly local: BackendAddress;
  /** Remote endpoint. */
  readonly remote: BackendAddress;
  /** Begins delivering events to `sink` (asynchronously). Called once. */
  start(sink: StreamSink): void;
  /** Stops reading from the runtime until `resume()` (receive backpressure). */
  pause(): void;
  /** Resumes reading after `pause()`. */
  resume(): void;
  /**
   * Optional pull-mode read into the caller's memory: the next read from the
   * runtime goes straight into `dst` instead of into the adapter's own
   * buffer, so that a blocking `recv_into` costs neither a fresh chunk nor a
   * copy. Returns `undefined` when it cannot now (a read into the adapter's
   * buffer is in flight, reading is paused or ended, the handle is closed):
   * the core then waits for sink events as usual. Otherwise the promise
   * resolves with the count read into `dst` (> 0), those bytes never reach
   * `StreamSink.data`; or with 0 when the read ended in EOF or an error,
   * which the adapter reported through the sink first. It never rejects. No
   * sink data arrives while it is pending. The core calls it only with
   * nothing buffered, no other read waiting and no deadline (the call can
   * only end with the read, or at `close()`/`abort()`, after which the
   * adapter must not write into `dst`).
   */
  readInto?(dst: Uint8Array): Promise<number> | undefined;
  /**
   * Hands bytes to the runtime. Returns `undefined` when every byte was
   * written to the OS before returning (a runtime with a synchronous write,
   * nothing queued before it): the runtime no longer needs `data`. Otherwise
   * returns a promise that resolves once the runtime no longer needs `data`'s
   * memory (it was written to the OS, or copied), so that the core may hand
   * the caller's own buffer without copying and awaiting every write bounds
   * memory; it rejects with an OSError (EPIPE, ECONNRESET …). An error that
   * happens after a synchronous write reaches the core through the sink or
   * the next write. The core never issues a write before the previous one
   * settled.
   */
  write(data: Uint8Array): Promise<void> | undefined;
  /** Sends FIN after queued writes (half-close). */
  shutdownWrite(): Promise<void>;
  /** Closes gracefully: queued writes are flushed, then FIN. */
  close(): void;
  /** Closes at once, with RST where the runtime allows. */
  abort(): void;
  /** Sets TCP_NODELAY (no-op for unix streams). */
  setNoDelay(on: boolean): void;
  /** Sets SO_KEEPALIVE (no-op for unix streams). */
  setKeepAlive(on: boolean): void;
}

/** Receives accepted connections of a listener. */
export interface ListenerSink {
  /** A connection was accepted. */
  connection(stream: StreamHandle): void;
  /** The listener failed; no further events follow. */
  error(err: OSError): void;
}

/** A bound, listening stream socket. */
export interface ListenerHandle {
  /** The bound address (port 0 already replaced by the real port). */
  readonly local: BackendAddress;
  /** Begins accepting into `sink`. Called once. */
  start(sink: ListenerSink): void;
  /** Stops the listener; pending accepts end without events. */
  close(): void;
}

/** Options of {@linkcode Backend.listen}. */
export interface ListenOptions {
  /** Where to bind. For `inet`, host `0.0.0.0`/`::` means all interfaces. */
  readonly address: BackendAddress;
  /** The listen backlog requested (runtimes may fix their own). */
  readonly backlog: number;
  /** SO_REUSEPORT requested. */
  readonly reusePort: boolean;
  /** IPV6_V6ONLY for an IPv6 wildcard bind; `false` means dual-stack. */
  readonly ipv6Only: boolean;
}

/**
 * How the core gives up on a pending connect (timeout, close). A plain
 * object rather than an `AbortSignal`: a signal and its listener cost
 * microseconds per connection, and almost no connect is ever cancelled.
 */
export interface ConnectCancel {
  /** `true` once the core gave up; a connection that still opens must be reset. */
  readonly cancelled: boolean;
  /**
   * Set by the adapter while its attempt is pending (it may stay set after
   * the attempt settled): called once, synchronously, when the core gives up.
   * The adapter then stops trying and rejects the attempt.
   */
  onCancel: (() => void) | null;
}

/** Options of {@linkcode Backend.connect}. */
export interface ConnectOptions {
  /** The peer (numeric host, or a unix path). */
  readonly address: BackendAddress;
  /** Tells the adapter when the core gave up (timeout, close). */
  readonly cancel: ConnectCancel;
  /**
   * The local address the user bound before connecting. An inet one comes
   * only when `capabilities.bindBeforeConnect` is `null`, and must be the
   * connection's source (the port the peer sees).
   */
  readonly source?: BackendAddress;
}

/** Receives the datagrams of a datagram socket. */
export interface DatagramSink {
  /**
   * One datagram arrived from `from`; `data` belongs to the core. An adapter
   * may pass the same `from` object again for the same sender (the core never
   * modifies it).
   */
  message(data: Uint8Array, from: BackendAddress): void;
  /** The socket failed; no further events follow. */
  error(err: OSError): void;
}

/** A bound datagram socket. */
export interface DatagramHandle {
  /** The bound address. */
  readonly local: BackendAddress;
  /** Begins delivering datagrams to `sink`. Called once. */
  start(sink: DatagramSink): void;
  /**
   * Stops reading (the core's queue is full); the OS queue fills instead.
   * Absent, with `resume`, when the runtime cannot stop reading: the core
   * then keeps taking datagrams and drops (and counts, in `Socket._drops`)
   * those its queue, bounded like the kernel's, has no room for.
   */
  pause?(): void;
  /** Resumes reading after `pause()`; present exactly when `pause` is. */
  resume?(): void;
  /**
   * Sends one datagram. Returns `undefined` when the OS took it at once
   * (the adapter keeps no reference to `data`); otherwise a promise that
   * resolves once the datagram was handed to the OS (the adapter may read
   * `data` until then) and rejects with an OSError. Never throws.
   */
  send(data: Uint8Array, to: BackendAddress): Promise<void> | undefined;
  /** SO_BROADCAST. */
  setBroadcast(on: boolean): void;
  /** Closes the socket. */
  close(): void;
}

/** Options of {@linkcode Backend.bindDatagram}. */
export interface DatagramOptions {
  /** Where to bind (port 0 picks one). */
  readonly address: BackendAddress;
  /** SO_REUSEADDR requested. */
  readonly reuseAddress: boolean;
  /** SO_REUSEPORT requested. */
  readonly reusePort: boolean;
  /** IPV6_V6ONLY for an IPv6 wildcard bind. */
  readonly ipv6Only: boolean;
}

/** One resolved address of {@linkcode Backend.lookup}. */
export interface LookupResult {
  /** Numeric address text. */
  readonly host: string;
  /** 4 or 6. */
  readonly version: 4 | 6;
}

/** What a runtime can and cannot do; the core raises clear errors for gaps. */
export interface BackendCapabilities {
  /** `null` when unix datagram sockets work, else why they do not. */
  readonly unixDatagram: string | null;
  /** `null` when SO_REUSEPORT is honoured, else why not. */
  readonly reusePort: string | null;
  /**
   * `null` when binding a stream socket to a source address before connect
   * works, else why not: the core then refuses such a connect (OSError
   * EOPNOTSUPP naming the runtime) rather than connect from another port.
   */
  readonly bindBeforeConnect: string | null;
  /**
   * `null` (or absent) when IPV6_V6ONLY works for stream sockets, else why
   * not; the core then refuses `setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)` on
   * a stream socket instead of listening dual-stack anyway.
   */
  readonly ipv6OnlyStream?: string | null;
}

/**
 * A worker process started by {@linkcode BackendProcesses.spawnSelf}.
 * Used by the forking servers.
 */
export interface WorkerProcess {
  /** The process id. */
  readonly pid: number;
  /** Sends a signal; does nothing once the process has exited. */
  kill(signal: "SIGTERM" | "SIGKILL"): void;
  /**
   * Resolves once the process has exited (and was reaped): its exit code,
   * or the signal that ended it. Never rejects; a process that could not be
   * started at all resolves with code 127.
   */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: string | null }>;
}

/**
 * Process control for the forking servers' worker pool (optional member of
 * {@linkcode Backend}: a backend without it has no forking servers, and the
 * core raises an OSError naming the runtime). Workers run the program's main
 * module again with the same runtime binary, runtime flags (permissions
 * included) and arguments, plus environment variables.
 */
export interface BackendProcesses {
  /**
   * `null` when several processes can share one UDP port with SO_REUSEPORT
   * (the kernel spreads datagrams over them), else why not.
   */
  readonly shareDatagram: string | null;
  /**
   * `null` when several processes can share one listening unix stream path
   * through the runtime's own shared listener (SO_REUSEPORT does not apply
   * to unix sockets), else why not.
   */
  readonly shareUnixStream: string | null;
  /** The number of CPUs this process may use (the pool's default size). */
  cpuCount(): number;
  /** This process's id. */
  pid(): number;
  /** Reads an environment variable; `undefined` when unset or unreadable. */
  getenv(name: string): string | undefined;
  /**
   * Starts the program's main module again as a child process, with `env`
   * added to this process's environment; stdout and stderr are shared,
   * stdin is not. Throws an OSError (e.g. EPERM without permission to run
   * processes) when it cannot even try.
   */
  spawnSelf(env: Readonly<Record<string, string>>): WorkerProcess;
  /**
   * Calls `handler` on SIGINT or SIGTERM instead of the default action,
   * until the returned function is called.
   */
  onSignal(signal: "SIGINT" | "SIGTERM", handler: () => void): () => void;
  /** Ends this process with `code`. */
  exit(code: number): never;
}

/** Everything the core needs from a runtime. */
export interface Backend {
  /** `"deno"`, `"bun"` or `"node"`. */
  readonly name: string;
  /** What works here. */
  readonly capabilities: BackendCapabilities;
  /** Binds and listens a stream socket. Rejects with EADDRINUSE etc. */
  listen(options: ListenOptions): Promise<ListenerHandle>;
  /** Connects a stream socket. Rejects with ECONNREFUSED, ENOENT etc. */
  connect(options: ConnectOptions): Promise<StreamHandle>;
  /** Binds a datagram socket. */
  bindDatagram(options: DatagramOptions): Promise<DatagramHandle>;
  /**
   * Resolves a host name (never a numeric address; the core handles those)
   * with the system resolver, /etc/hosts included. `version` 0 means any.
   * Rejects with the resolver's error (its `code`, e.g. `ENOTFOUND`,
   * `EAI_AGAIN`); the core builds the gaierror.
   */
  lookup(host: string, version: 0 | 4 | 6): Promise<LookupResult[]>;
  /**
   * Reverse look-up of a numeric address (getnameinfo). Rejects with the
   * resolver's error (`ENOTFOUND` when the address has no name); the core
   * builds the herror.
   */
  reverse(host: string): Promise<string[]>;
  /** The machine's host name. */
  hostname(): string;
  /**
   * Resolves once the runtime has polled its sockets at least once (its I/O
   * phase ran), so that bytes the kernel already holds have reached the
   * core. A zero-timeout `select`/`poll` that found nothing ready waits for
   * this once and looks again. Absent: the core waits two timer turns
   * (milliseconds), which every event loop separates by a socket poll.
   */
  ioTurn?(): Promise<void>;
  /** Worker processes for the forking servers; absent where unsupported. */
  readonly processes?: BackendProcesses;
}

let _current: Backend | null = null;

/**
 * Installs the backend the core uses. Called once by the runtime detection
 * on import; tests may call it to run the core over another backend.
 *
 * @param backend The adapter's backend.
 *
 * @example Install a backend
 * ```ts ignore
 * import { setBackend } from "./backend.ts";
 * import { nodeBackend } from "../adapters/node/mod.ts";
 * setBackend(nodeBackend());
 * ```
 */
export function setBackend(backend: Backend): void {
  _current = backend;
}

/**
 * The backend in use.
 *
 * @returns The installed backend.
 * @throws {Error} When no adapter was installed (import `mod.ts`, not `src/`).
 *
 * @example Name the runtime
 * ```ts ignore
 * import { getBackend } from "./backend.ts";
 * console.log(getBackend().name);
 * ```
 */
export function getBackend(): Backend {
  if (_current === null) {
    throw new Error(
      "unisock: no runtime adapter installed; import unisock's entry point, not src/",
    );
  }
  return _current;
}
