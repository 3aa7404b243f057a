/**
 * Python's `threading.Thread` for the tutorials' "a thread per client"
 * programs: a thread is an async task, its exceptions go to `excepthook`
 * (printed like Python's), never to an unhandled rejection.
 *
 * @module
 */

import { _isRemade } from "../errors.ts";
import { _context } from "./_context.ts";

/** What {@linkcode excepthook} receives, as Python's `threading.ExceptHookArgs`. */
export interface ExceptHookArgs {
  /** The class of the exception (its constructor), or `null` for a thrown non-object. */
  readonly exc_type: (abstract new (...args: never[]) => unknown) | null;
  /** The exception (any thrown value). */
  readonly exc_value: unknown;
  /** The exception's stack as text, or `null` when it has none. */
  readonly exc_traceback: string | null;
  /** The thread that raised it. */
  readonly thread: Thread | null;
}

/** The options of `new Thread()`, as Python's keyword arguments. */
export interface ThreadOptions<A extends unknown[] = unknown[]> {
  /** The function that `run()` calls; may be async. */
  target?: ((...args: A) => unknown) | null;
  /** The arguments for `target`. */
  args?: A;
  /** The thread's name; default `Thread-N (target)`. */
  name?: string | null;
  /** Whether it is a daemon thread; default: the current thread's. */
  daemon?: boolean | null;
}

let counter = 0;
let identCounter = 1;
const alive = new Set<Thread>();

/** Python's traceback text for one exception value, in the runtime's stack format. */
function formatOne(value: unknown): string {
  if (value instanceof Error) {
    const stack = value.stack ?? "";
    const head = `${value.name}: ${value.message}`;
    // A stack always starts with its own "Name: message" line, as Python's last line.
    return stack.startsWith(value.name) ? stack : `${head}\n${stack}`;
  }
  return String(value);
}

/**
 * The cause worth printing: an OSError made again at the awaited call (with
 * the caller's frames) has the same error made elsewhere as its cause; one
 * stack of the two is enough, so the chain goes on past it.
 */
function _causeOf(e: Error): unknown {
  return _isRemade(e) ? (e.cause as Error).cause : e.cause;
}

/**
 * Python's `traceback.format_exception` text: the chain of causes first, each
 * followed by the line Python prints between chained exceptions.
 */
function formatException(value: unknown): string {
  const chain: unknown[] = [];
  for (let v: unknown = value; chain.length < 16; v = _causeOf(v as Error)) {
    chain.unshift(v);
    const cause = v instanceof Error ? _causeOf(v) : undefined;
    if (cause === undefined || chain.includes(cause)) break;
  }
  return chain.map(formatOne).join(
    "\n\nThe above exception was the direct cause of the following exception:\n\n",
  );
}

/**
 * The default exception hook: prints `Exception in thread NAME:` and the
 * exception with its stack (and its causes) to stderr, as Python's
 * `threading.excepthook` does; a `SystemExit` is ignored as in Python.
 * Replace it by assigning {@linkcode Thread.excepthook}.
 *
 * @param args The exception and the thread that raised it.
 * @returns Nothing.
 *
 * @example Print the report of a failed thread yourself
 * ```ts
 * import { excepthook, Thread } from "@unisock/socket/threading";
 * Thread.excepthook = (args) => {
 *   console.error("one client failed; the server goes on");
 *   excepthook(args);
 * };
 * ```
 */
export function excepthook(args: ExceptHookArgs): void {
  if (args.exc_type !== null && args.exc_type.name === "SystemExit") return;
  const name = args.thread?.name ?? String(_identOf(null));
  console.error(`Exception in thread ${name}:\n${formatException(args.exc_value)}`);
}

function _identOf(thread: Thread | null): number {
  return thread?.ident ?? MAIN_IDENT;
}

const MAIN_IDENT = identCounter++;

/**
 * A thread of control, as Python's `threading.Thread`: `start()` runs
 * `target(...args)` (or an overriding `run()`) as an async task.
 *
 * An exception in the task is handed to {@linkcode Thread.excepthook} and the
 * program goes on; it never becomes an unhandled rejection. A JavaScript
 * task shares the event loop, so `daemon` is recorded but does not decide
 * whether the process waits: a process ends when no task has pending I/O.
 *
 * @example A thread per client, as in the tutorials
 * ```ts
 * import { socket, type Socket } from "@unisock/socket";
 * import { Thread } from "@unisock/socket/threading";
 *
 * async function tcplink(conn: Socket) {
 *   await conn.sendall("Welcome!");
 *   conn.close();
 * }
 * const s = socket();
 * await s.bind(["127.0.0.1", 0]);
 * s.listen(5);
 * const c = socket();
 * await c.connect(s.getsockname());
 * const [conn] = await s.accept();
 * const t = new Thread({ target: tcplink, args: [conn] });
 * t.start();
 * await t.join();
 * console.log(new TextDecoder().decode(await c.recv(1024))); // Welcome!
 * c.close();
 * s.close();
 * ```
 */
export class Thread<A extends unknown[] = unknown[]> {
  /**
   * The hook every thread's uncaught exception goes to. Assign a function to
   * replace it (an imported binding cannot be reassigned, so this is where
   * Python's `threading.excepthook = f` goes); the default is
   * {@linkcode excepthook}.
   */
  static excepthook: (args: ExceptHookArgs) => unknown = excepthook;

  #name: string;
  #daemon: boolean;
  // The call is kept as a closure, so that a Thread<A> is a Thread whatever A is.
  #call: (() => unknown) | null;
  #ident: number | null = null;
  #started = false;
  #done: Promise<void> | null = null;
  #finished = false;

  /**
   * Makes a thread; nothing runs until `start()`.
   *
   * @param options `target`, `args` (default `[]`), `name` (default
   *   `Thread-N (target)`), `daemon` (default: the current thread's).
   */
  constructor(options: ThreadOptions<A> = {}) {
    const { target = null, args = [] as unknown[] as A, name = null, daemon = null } = options;
    if (name !== null) this.#name = String(name);
    else {
      this.#name = `Thread-${++counter}`;
      if (target?.name) this.#name += ` (${target.name})`;
    }
    this.#call = target === null ? null : () => target(...args);
    this.#daemon = daemon ?? current_thread().daemon;
  }

  /** The thread's name; only for identification. */
  get name(): string {
    return this.#name;
  }
  set name(value: string) {
    this.#name = String(value);
  }

  /** A number that identifies the started thread, or `null` before `start()`. */
  get ident(): number | null {
    return this.#ident;
  }

  /** Whether this is a daemon thread; cannot change once started. */
  get daemon(): boolean {
    return this.#daemon;
  }
  set daemon(value: boolean) {
    if (this.#started) throw new RuntimeError("cannot set daemon status of active thread");
    this.#daemon = Boolean(value);
  }

  /**
   * Starts the thread: `run()` begins at once, up to its first `await`.
   * A thread can be started once.
   *
   * @returns Nothing.
   * @throws {Error} "threads can only be started once" on a second call.
   */
  start(): void {
    if (this.#started) throw new RuntimeError("threads can only be started once");
    this.#started = true;
    this.#ident = identCounter++;
    alive.add(this);
    this.#done = _context.run(this, () => this.#bootstrap());
  }

  async #bootstrap(): Promise<void> {
    try {
      await this.run();
    } catch (e) {
      await report(this, e);
    } finally {
      this.#finished = true;
      alive.delete(this);
    }
  }

  /**
   * The thread's activity: calls `target(...args)` and waits for it. Override
   * it in a subclass instead of passing `target`.
   *
   * @returns A Promise that settles when the activity ends.
   */
  async run(): Promise<void> {
    if (this.#call !== null) await this.#call();
  }

  /**
   * Waits until the thread ends, or at most `timeout` seconds (then check
   * `is_alive()`, as in Python). It never rejects for the thread's exception.
   *
   * @param timeout Seconds to wait at most; `null` (default) waits until the end.
   * @returns A Promise that resolves when the thread ended or the time is up.
   * @throws {Error} "cannot join thread before it is started", "cannot join current thread".
   */
  async join(timeout: number | null = null): Promise<void> {
    if (!this.#started) throw new RuntimeError("cannot join thread before it is started");
    if (_context.get() === this) throw new RuntimeError("cannot join current thread");
    if (timeout === null || timeout === undefined) return await this.#done!;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ms = Math.min(Math.max(Number(timeout), 0) * 1000, 2 ** 31 - 1);
    try {
      await Promise.race([this.#done!, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Whether the thread has started and not yet ended.
   *
   * @returns `true` while `run()` is going on.
   */
  is_alive(): boolean {
    return this.#started && !this.#finished;
  }

  /**
   * Python's `repr()`: `<Thread(NAME, started IDENT)>`.
   *
   * @returns The text.
   */
  toString(): string {
    const state = !this.#started ? "initial" : this.#finished ? "stopped" : "started";
    const daemon = this.#daemon ? " daemon" : "";
    const ident = this.#ident === null ? "" : ` ${this.#ident}`;
    return `<${this.constructor.name}(${this.#name}, ${state}${daemon}${ident})>`;
  }
}

/** Python's `RuntimeError`, for misuse of a thread. */
class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}

/** Hands an exception to the hook; whatever the hook itself throws is printed, not raised. */
async function report(thread: Thread, value: unknown): Promise<void> {
  const exc_type = typeof value === "object" && value !== null
    ? (value.constructor as ExceptHookArgs["exc_type"]) ?? null
    : null;
  const exc_traceback = value instanceof Error ? value.stack ?? null : null;
  const args: ExceptHookArgs = { exc_type, exc_value: value, exc_traceback, thread };
  try {
    await Thread.excepthook(args);
  } catch (hookError) {
    // Python prints the hook's own failure with sys.excepthook and goes on.
    console.error(`Exception in threading.excepthook:\n${formatException(hookError)}`);
    excepthook(args);
  }
}

/** The main thread: what `current_thread()` returns outside every started thread. */
class _MainThread extends Thread {
  constructor() {
    super({ name: "MainThread", daemon: false });
  }
  override toString(): string {
    return `<_MainThread(MainThread, started ${MAIN_IDENT})>`;
  }
  override get ident(): number {
    return MAIN_IDENT;
  }
  override is_alive(): boolean {
    return true;
  }
}
// The main thread's name is not counted as Thread-N.
let main: Thread | null = null;

/**
 * The thread the caller runs in, as Python's `threading.current_thread()`:
 * inside a started thread's task (across its `await`s) that `Thread`,
 * elsewhere the main thread (named `MainThread`).
 *
 * @returns The current `Thread`.
 *
 * @example Name the thread in a log line
 * ```ts
 * import { current_thread, Thread } from "@unisock/socket/threading";
 * async function worker() {
 *   console.log(current_thread().name);
 * }
 * const t = new Thread({ target: worker });
 * t.start(); // prints "Thread-1 (worker)"
 * await t.join();
 * console.log(current_thread().name); // "MainThread"
 * ```
 */
export function current_thread(): Thread {
  return _context.get() ?? (main ??= new _MainThread());
}

/**
 * The number of threads alive, the main thread included, as Python's
 * `threading.active_count()`.
 *
 * @returns 1 plus the number of started threads that have not ended.
 *
 * @example Count running threads
 * ```ts
 * import { active_count, Thread } from "@unisock/socket/threading";
 * const t = new Thread({ target: () => new Promise((r) => setTimeout(r, 10)) });
 * t.start();
 * console.log(active_count()); // 2
 * await t.join();
 * console.log(active_count()); // 1
 * ```
 */
export function active_count(): number {
  return 1 + alive.size;
}
