/**
 * The core's side of the sink rules in `backend.ts`: an adapter reports a
 * handle's events to one of these from the moment the handle exists; events
 * that come before the core calls `start(sink)` wait here and reach the sink
 * from a microtask after it (never synchronously from `start`), later ones
 * go straight through, and nothing at all reaches the sink after `close()`.
 * Adapters therefore keep no queue of their own.
 *
 * @module
 */

import type {
  BackendAddress,
  DatagramSink,
  ListenerSink,
  StreamHandle,
  StreamSink,
} from "./backend.ts";
import type { OSError } from "./errors.ts";

/** One waiting event: a method of the sink and its two arguments. */
type _Event = [number, unknown, unknown];

/**
 * What is told when events begin and stop waiting for `start`: the
 * adapter's handle itself, so that no closure is made per handle.
 */
export interface _Hold {
  /**
   * Called with `true` when events begin to wait for `start`, with `false`
   * once they were delivered: lets the adapter stop reading from the
   * runtime meanwhile, so nothing piles up unbounded.
   *
   * @param on Whether events wait.
   */
  holdEvents(on: boolean): void;
}

/**
 * The common part: a queue of events until `start`, then direct delivery;
 * an error is the last event delivered.
 */
abstract class _Events<S> {
  /** The sink, once started and until closed or failed. */
  protected sink: S | null = null;
  #queue: _Event[] | null = null;
  #started = false;
  #done = false;
  #hold: _Hold | null;

  /** @param hold Told when events begin and stop waiting (see {@linkcode _Hold}). */
  constructor(hold: _Hold | null = null) {
    this.#hold = hold;
  }

  /** Whether the core has not closed this and no error was delivered. */
  get open(): boolean {
    return !this.#done;
  }

  /**
   * Attaches the core's sink. Events that waited are delivered from a
   * microtask; called once (later calls are ignored).
   *
   * @param sink The core's sink.
   */
  start(sink: S): void {
    if (this.#started || this.#done) return;
    this.#started = true;
    this.sink = sink;
    if (this.#queue !== null) queueMicrotask(() => this.#replay());
  }

  /** The core closed the handle: waiting and later events are dropped. */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.sink = null;
    const queue = this.#queue;
    this.#queue = null;
    if (queue !== null) this.dropped(queue);
  }

  /** Passes one event on, or queues it while it must wait. */
  protected emit(kind: number, a: unknown, b: unknown): void {
    if (this.#done) return;
    const sink = this.sink;
    if (sink !== null && this.#queue === null) {
      this.deliver(sink, kind, a, b);
      return;
    }
    if (this.#queue === null) {
      this.#queue = [];
      this.#holding(true);
    }
    this.#queue.push([kind, a, b]);
  }

  /** Marks the end of events (an error was delivered). */
  protected finish(): void {
    this.#done = true;
    this.sink = null;
  }

  /** Calls the sink's method for one event. */
  protected abstract deliver(sink: S, kind: number, a: unknown, b: unknown): void;

  /** Releases what waiting events held (the handle was closed first). */
  protected dropped(_queue: _Event[]): void {}

  #replay(): void {
    const queue = this.#queue;
    if (queue === null) return;
    // Events that come meanwhile are appended and delivered in order.
    for (let i = 0; i < queue.length; i++) {
      const sink = this.sink;
      if (sink === null) return;
      const [kind, a, b] = queue[i];
      this.deliver(sink, kind, a, b);
    }
    this.#queue = null;
    if (!this.#done) this.#holding(false);
  }

  #holding(on: boolean): void {
    this.#hold?.holdEvents(on);
  }
}

const _DATA = 0, _END = 1, _ERROR = 2;

/**
 * The events of one stream handle. The adapter calls `data`, `end` and
 * `error` whenever the runtime reports them.
 *
 * @example Feed it from a runtime socket
 * ```ts ignore
 * const events = new _StreamEvents({ holdEvents: (on) => on ? socket.pause() : socket.resume() });
 * socket.on("data", (chunk) => events.data(chunk));
 * // the handle's start(sink) is events.start(sink)
 * ```
 */
export class _StreamEvents extends _Events<StreamSink> implements StreamSink {
  /**
   * Bytes arrived (the chunk belongs to the core from now on).
   *
   * @param chunk The bytes.
   */
  data(chunk: Uint8Array): void {
    this.emit(_DATA, chunk, null);
  }

  /** The peer sent FIN. */
  end(): void {
    this.emit(_END, null, null);
  }

  /**
   * The connection failed; nothing follows.
   *
   * @param err The translated error.
   */
  error(err: OSError): void {
    this.emit(_ERROR, err, null);
  }

  protected deliver(sink: StreamSink, kind: number, a: unknown): void {
    if (kind === _DATA) sink.data(a as Uint8Array);
    else if (kind === _END) sink.end();
    else {
      this.finish();
      sink.error(a as OSError);
    }
  }
}

/**
 * The events of one listener: accepted connections and a fatal error.
 * Connections still waiting when the listener closes are reset, as the
 * kernel resets a closed listener's backlog.
 *
 * @example Feed it from a runtime server
 * ```ts ignore
 * const events = new _ListenerEvents();
 * server.on("connection", (s) => events.connection(wrap(s)));
 * ```
 */
export class _ListenerEvents extends _Events<ListenerSink> implements ListenerSink {
  /**
   * A connection was accepted.
   *
   * @param stream Its handle (aborted if this listener is closed).
   */
  connection(stream: StreamHandle): void {
    if (!this.open) stream.abort();
    else this.emit(_DATA, stream, null);
  }

  /**
   * The listener failed; nothing follows.
   *
   * @param err The translated error.
   */
  error(err: OSError): void {
    this.emit(_ERROR, err, null);
  }

  protected deliver(sink: ListenerSink, kind: number, a: unknown): void {
    if (kind === _DATA) sink.connection(a as StreamHandle);
    else {
      this.finish();
      sink.error(a as OSError);
    }
  }

  protected dropped(queue: _Event[]): void {
    for (const [kind, a] of queue) if (kind === _DATA) (a as StreamHandle).abort();
  }
}

/**
 * The events of one datagram socket, and the one cache of the last
 * sender's address (most datagrams come from the sender of the one
 * before, so its address object is passed again).
 *
 * @example Feed it from a runtime socket
 * ```ts ignore
 * const events = new _DatagramEvents();
 * socket.on("message", (msg, r) => events.message(msg, events.inet(r.address, r.port)));
 * ```
 */
export class _DatagramEvents extends _Events<DatagramSink> implements DatagramSink {
  #from: BackendAddress = { kind: "unix", path: "" };

  /**
   * One datagram arrived.
   *
   * @param data The payload (belongs to the core from now on).
   * @param from Its sender.
   */
  message(data: Uint8Array, from: BackendAddress): void {
    this.emit(_DATA, data, from);
  }

  /**
   * The socket failed; nothing follows.
   *
   * @param err The translated error.
   */
  error(err: OSError): void {
    this.emit(_ERROR, err, null);
  }

  /**
   * The address of an IP sender: the last one's object when it is the same.
   *
   * @param host The sender's numeric host.
   * @param port The sender's port.
   * @returns The address.
   */
  inet(host: string, port: number): BackendAddress {
    const f = this.#from;
    if (f.kind === "inet" && f.port === port && f.host === host) return f;
    return this.#from = { kind: "inet", host, port, version: host.includes(":") ? 6 : 4 };
  }

  /**
   * The address of a unix sender: the last one's object when it is the same.
   *
   * @param path The sender's path (`""` when unnamed).
   * @returns The address.
   */
  unix(path: string): BackendAddress {
    const f = this.#from;
    if (f.kind === "unix" && f.path === path && path !== "") return f;
    return this.#from = { kind: "unix", path };
  }

  protected deliver(sink: DatagramSink, kind: number, a: unknown, b: unknown): void {
    if (kind === _DATA) sink.message(a as Uint8Array, b as BackendAddress);
    else {
      this.finish();
      sink.error(a as OSError);
    }
  }
}
