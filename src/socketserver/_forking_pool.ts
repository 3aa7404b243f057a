/**
 * The forking servers' worker pool: the supervising process starts
 * `max_children` copies of the program, talks to each over a loopback
 * control connection, restarts the ones that die (with a back-off) and
 * stops and reaps all of them.
 *
 * The control protocol is one JSON object per line. A worker says
 * `{token, id, kind: "ready" | "error" | "stopped", pid, errno?, text?}`;
 * the supervisor says `serve`, `shutdown` or `close`. A worker exits as soon
 * as its control connection ends, so none outlives a supervisor that was
 * killed (the kernel closes the supervisor's sockets).
 *
 * @module
 */

import type { Address } from "../_address.ts";
import type { BackendProcesses, WorkerProcess } from "../backend.ts";
import { AF_INET, SOCK_STREAM } from "../constants.ts";
import * as E from "../errno.ts";
import { type OSError, oserror } from "../errors.ts";
import { type Socket, socket } from "../socket/socket.ts";
import { _setTimer, type _Timer } from "../socket/timer.ts";

/** The environment variable that puts a process in worker mode. */
export const _WORKER_ENV = "UNISOCK_FORKING_WORKER";

/** What a worker is told through {@linkcode _WORKER_ENV}. */
export interface _WorkerOrder {
  /** Proves a control connection comes from a worker of this pool. */
  readonly token: string;
  /** The supervisor's control listener. */
  readonly control: [string, number];
  /** Which forking server of the program (0 for the first constructed). */
  readonly ordinal: number;
  /** The worker's number in its pool. */
  readonly id: number;
  /** The address to bind (the supervisor's, with the real port). */
  readonly address: Address;
}

/** A message on the control connection. */
export interface _Message {
  readonly token?: string;
  readonly id?: number;
  readonly kind: string;
  readonly pid?: number;
  readonly errno?: number;
  readonly text?: string;
}

/** Seconds a new worker may take to bind before the start counts as failed. */
const _START_TIMEOUT = 60;
/** Seconds `close` waits for workers when stopping on a signal, before SIGKILL. */
const _SIGNAL_GRACE = 5;
/** Window (ms) over which crashes count towards the restart back-off. */
const _CRASH_WINDOW = 30_000;
/** Longest restart delay (ms). */
const _MAX_DELAY = 10_000;

/**
 * Yields the JSON lines that arrive on a connection, until EOF or an error.
 *
 * @param sock A connected stream socket.
 * @returns The messages, in order.
 */
export async function* _messages(sock: Socket): AsyncGenerator<_Message> {
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = await sock.recv(4096);
    } catch {
      return;
    }
    if (chunk.length === 0) return;
    text += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      try {
        yield JSON.parse(line) as _Message;
      } catch {
        return; // Not our protocol: stop listening to this peer.
      }
    }
  }
}

/**
 * Sends one message; a broken connection is ignored (the exit shows it).
 *
 * @param sock A connected stream socket.
 * @param message The message.
 * @returns A promise resolved once sent or failed.
 */
export async function _send(sock: Socket, message: _Message): Promise<void> {
  try {
    await sock.sendall(JSON.stringify(message) + "\n");
  } catch {
    // The peer is gone; its exit (or ours) settles what waits for it.
  }
}

/** One worker process as the supervisor tracks it. */
interface _Worker {
  readonly id: number;
  readonly process: WorkerProcess;
  readonly started: number;
  conn: Socket | null;
  ready: boolean;
  error: OSError | null;
  /** Called when the worker becomes ready or exits, for whoever waits. */
  wake: (() => void) | null;
  /** Called when the worker acknowledges `shutdown` (or exits). */
  stopped: (() => void) | null;
}

/** What the pool needs from its server. */
export interface _PoolOptions {
  readonly processes: BackendProcesses;
  /** The server class's name, for messages. */
  readonly label: string;
  readonly size: number;
  readonly ordinal: number;
  readonly address: Address;
}

/**
 * The supervisor's side of a worker pool.
 *
 * @example Start and stop a pool
 * ```ts ignore
 * const pool = new _Pool({ processes, label: "ForkingTCPServer", size: 2, ordinal: 0, address });
 * await pool.start();
 * await pool.close(true);
 * ```
 */
export class _Pool {
  readonly #options: _PoolOptions;
  readonly #token: string;
  readonly #workers = new Map<number, _Worker>();
  readonly #crashes: number[] = [];
  readonly #timers = new Set<_Timer>();
  #control: Socket | null = null;
  #nextId = 1;
  #serving = false;
  #closing = false;
  #unlisten: (() => void)[] = [];
  #allExited: (() => void) | null = null;

  /**
   * Prepares a pool; nothing starts before {@linkcode _Pool.start}.
   *
   * @param options The server's pool settings.
   */
  constructor(options: _PoolOptions) {
    this.#options = options;
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    this.#token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The process ids of the live workers. */
  get pids(): Set<number> {
    return new Set([...this.#workers.values()].map((w) => w.process.pid));
  }

  /**
   * Opens the control listener, starts every worker and waits until all of
   * them serve. On failure the caller must {@linkcode _Pool.close} the pool.
   *
   * @returns A promise resolved when every worker is ready.
   * @throws {OSError} The first worker's bind error, or ECHILD when one exited
   *   before it was ready.
   */
  async start(): Promise<void> {
    const control = socket(AF_INET, SOCK_STREAM);
    this.#control = control;
    await control.bind(["127.0.0.1", 0]);
    control.listen(128);
    void this.#acceptLoop(control);
    const { processes } = this.#options;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      this.#unlisten.push(processes.onSignal(signal, () => void this.#onSignal(signal)));
    }
    const starting: _Worker[] = [];
    for (let i = 0; i < this.#options.size; i++) starting.push(this.#spawn());
    await Promise.all(starting.map((w) => this.#whenReady(w)));
  }

  /** Tells every worker to serve (the supervisor's `serve_forever` began). */
  serve(): void {
    this.#serving = true;
    for (const w of this.#workers.values()) {
      if (w.ready && w.conn !== null) void _send(w.conn, { kind: "serve" });
    }
  }

  /**
   * Tells every worker to stop serving and waits until each has stopped
   * (or exited).
   *
   * @returns A promise resolved once no worker serves.
   */
  async shutdown(): Promise<void> {
    this.#serving = false;
    const waits: Promise<void>[] = [];
    for (const w of this.#workers.values()) {
      if (!w.ready || w.conn === null) continue;
      waits.push(new Promise<void>((resolve) => w.stopped = resolve));
      void _send(w.conn, { kind: "shutdown" });
    }
    await Promise.all(waits);
  }

  /**
   * Stops the pool: no more restarts, every worker is told to close (it
   * finishes its running handlers, then exits); a worker still starting is
   * terminated. With `wait`, resolves once every worker has exited.
   *
   * @param wait Whether to wait for the workers to exit.
   * @returns A promise resolved when done.
   */
  async close(wait: boolean): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#serving = false;
      for (const t of this.#timers) t.cancel();
      this.#timers.clear();
      for (const off of this.#unlisten) off();
      this.#unlisten = [];
      for (const w of this.#workers.values()) {
        if (w.conn !== null && w.ready) void _send(w.conn, { kind: "close" });
        else w.process.kill("SIGTERM");
      }
    }
    const exited = this.#exited();
    if (wait) await exited;
  }

  /**
   * Resolves once every worker has exited, then closes the control listener
   * (closing it earlier would end the workers at once).
   */
  #exited(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#control?.close();
        this.#control = null;
        resolve();
      };
      if (this.#workers.size === 0) return done();
      const before = this.#allExited;
      this.#allExited = () => {
        before?.();
        done();
      };
    });
  }

  /** Kills every worker at once (used when a graceful stop takes too long). */
  #killAll(): void {
    for (const w of this.#workers.values()) w.process.kill("SIGKILL");
  }

  /** SIGINT/SIGTERM in the supervisor: stop the pool, then exit as the signal would. */
  async #onSignal(signal: "SIGINT" | "SIGTERM"): Promise<void> {
    const grace = _setTimer(_SIGNAL_GRACE * 1000, () => this.#killAll());
    await this.close(true);
    grace.cancel();
    this.#options.processes.exit(signal === "SIGINT" ? 130 : 143);
  }

  #spawn(): _Worker {
    const { processes, ordinal, address } = this.#options;
    const id = this.#nextId++;
    const order: _WorkerOrder = {
      token: this.#token,
      control: this.#control!.getsockname() as [string, number],
      ordinal,
      id,
      address,
    };
    const proc = processes.spawnSelf({ [_WORKER_ENV]: JSON.stringify(order) });
    const worker: _Worker = {
      id,
      process: proc,
      started: performance.now(),
      conn: null,
      ready: false,
      error: null,
      wake: null,
      stopped: null,
    };
    this.#workers.set(id, worker);
    void proc.exited.then((status) => this.#onExit(worker, status));
    return worker;
  }

  /** Waits until `worker` is ready; throws its error when it exits first. */
  async #whenReady(worker: _Worker): Promise<void> {
    const timer = _setTimer(_START_TIMEOUT * 1000, () => {
      worker.error ??= oserror(
        E.ETIMEDOUT,
        `${this.#options.label}: worker process ${worker.process.pid} did not start serving within ${_START_TIMEOUT} s`,
      );
      worker.process.kill("SIGKILL");
    });
    try {
      while (!worker.ready) {
        if (!this.#workers.has(worker.id) || this.#closing) {
          throw worker.error ?? oserror(
            E.ECHILD,
            `${this.#options.label}: worker process ${worker.process.pid} exited before it could serve`,
          );
        }
        await new Promise<void>((resolve) => worker.wake = resolve);
      }
    } finally {
      timer.cancel();
    }
  }

  async #acceptLoop(control: Socket): Promise<void> {
    for (;;) {
      let conn: Socket;
      try {
        [conn] = await control.accept();
      } catch {
        return; // Closed.
      }
      void this.#converse(conn);
    }
  }

  /** Reads one worker's messages; the first must carry the pool's token. */
  async #converse(conn: Socket): Promise<void> {
    let worker: _Worker | undefined;
    for await (const message of _messages(conn)) {
      if (worker === undefined) {
        worker = message.token === this.#token ? this.#workers.get(message.id ?? -1) : undefined;
        if (worker === undefined) break;
        worker.conn = conn;
      }
      if (message.kind === "ready") {
        worker.ready = true;
        if (this.#serving) void _send(conn, { kind: "serve" });
        if (this.#closing) void _send(conn, { kind: "close" });
      } else if (message.kind === "error") {
        worker.error = oserror(message.errno ?? E.ECHILD, message.text);
      } else if (message.kind === "stopped") {
        worker.stopped?.();
        worker.stopped = null;
      }
      worker.wake?.();
    }
    // A worker's connection only ends when it exits; its exit handler closes it.
    if (worker === undefined) conn.close();
  }

  #onExit(worker: _Worker, status: { code: number | null; signal: string | null }): void {
    this.#workers.delete(worker.id);
    worker.conn?.close();
    worker.wake?.();
    worker.stopped?.();
    if (this.#workers.size === 0 && this.#allExited !== null) {
      const all = this.#allExited;
      this.#allExited = null;
      all();
    }
    if (this.#closing || !worker.ready) return;
    this.#restart(worker, status);
  }

  /** Replaces a worker that died while serving, after a back-off delay. */
  #restart(worker: _Worker, status: { code: number | null; signal: string | null }): void {
    const now = performance.now();
    this.#crashes.push(now);
    while (this.#crashes.length > 0 && this.#crashes[0] < now - _CRASH_WINDOW) {
      this.#crashes.shift();
    }
    const n = this.#crashes.length;
    const delay = n <= 1 ? 0 : Math.min(_MAX_DELAY, 100 * 2 ** (n - 2));
    const how = status.signal !== null ? `signal ${status.signal}` : `code ${status.code}`;
    console.error(
      `${this.#options.label}: worker process ${worker.process.pid} exited (${how}); ` +
        `starting another in ${delay / 1000} s`,
    );
    const timer = _setTimer(delay, () => {
      this.#timers.delete(timer);
      if (this.#closing) return;
      let next: _Worker;
      try {
        next = this.#spawn();
      } catch (error) {
        console.error(`${this.#options.label}: ${String(error)}`);
        return;
      }
      // A replacement that fails to start counts as another crash.
      this.#whenReady(next).catch(() => {
        if (!this.#closing && !this.#workers.has(next.id)) {
          this.#restart(next, { code: 1, signal: null });
        }
      });
    });
    this.#timers.add(timer);
  }
}
