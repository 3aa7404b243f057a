/**
 * The selectors over `poll()` and `epoll()`: one poll-like base
 * parameterised by the primitive, as CPython's `_PollLikeSelector`.
 *
 * @module
 */

import {
  Epoll,
  EPOLLIN,
  EPOLLOUT,
  type FileDescriptorLike,
  Poll,
  POLLIN,
  POLLOUT,
} from "../select/mod.ts";
import { _BaseSelectorImpl } from "./base.ts";
import { EVENT_READ, EVENT_WRITE } from "./key.ts";

/** What a poll-like selector waits with: a `poll` or an `epoll` object. */
interface _Poller {
  register(fd: number, eventmask: number): void;
  modify(fd: number, eventmask: number): void;
  unregister(fd: number): void;
}

/**
 * The selectors over `poll()` and `epoll()` (Python's `_PollLikeSelector`):
 * registration goes to the primitive with its own IN/OUT bits; a variant
 * supplies only the primitive, how it polls, and how it is released.
 *
 * @internal Not exported: `PollSelector` and `EpollSelector` are public.
 *
 * @typeParam P The primitive.
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 */
export abstract class _PollLikeSelector<
  P extends _Poller,
  F extends FileDescriptorLike = FileDescriptorLike,
  D = unknown,
> extends _BaseSelectorImpl<F, D> {
  /** The primitive. */
  protected readonly _selector: P;
  readonly #in: number;
  readonly #out: number;

  /**
   * Builds the selector over its primitive.
   *
   * @param selector A new poll or epoll object.
   * @param inBit The primitive's "readable" bit (POLLIN/EPOLLIN).
   * @param outBit The primitive's "writable" bit (POLLOUT/EPOLLOUT).
   */
  protected constructor(selector: P, inBit: number, outBit: number) {
    super();
    this._selector = selector;
    this.#in = inBit;
    this.#out = outBit;
  }

  /**
   * Polls the primitive.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @param max How many registrations there are.
   * @returns `[fd, primitive events]` pairs.
   */
  protected abstract _poll(timeout: number | null, max: number): Promise<[number, number][]>;

  /**
   * Starts watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _add(fd: number, events: number): void {
    this._selector.register(fd, this.#mask(events));
  }

  /**
   * Stops watching `fd` with the primitive.
   *
   * @param fd The descriptor.
   */
  protected override _remove(fd: number): void {
    try {
      this._selector.unregister(fd);
    } catch {
      // closed meanwhile: the primitive forgot it already, as in Python
    }
  }

  /**
   * Changes the events of `fd` in the primitive.
   *
   * @param fd The descriptor.
   * @param events EVENT_* bits.
   */
  protected override _change(fd: number, events: number): void {
    this._selector.modify(fd, this.#mask(events));
  }

  /**
   * Waits with the primitive. As in CPython, anything but IN counts as
   * writable and anything but OUT as readable (errors and hang-ups wake both).
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @param max How many registrations there are.
   * @returns `[fd, EVENT_* bits]` pairs.
   */
  protected override async _wait(timeout: number | null, max: number): Promise<[number, number][]> {
    const got = await this._poll(timeout, max);
    return got.map(([fd, ev]) => [
      fd,
      ((ev & ~this.#in) !== 0 ? EVENT_WRITE : 0) | ((ev & ~this.#out) !== 0 ? EVENT_READ : 0),
    ]);
  }

  #mask(events: number): number {
    return (events & EVENT_READ ? this.#in : 0) | (events & EVENT_WRITE ? this.#out : 0);
  }
}

/**
 * A selector over `poll()`, as Python's `selectors.PollSelector`.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Wait until writable
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { EVENT_WRITE, PollSelector } from "@unisock/socket/selectors";
 * const [a, b] = await socketpair();
 * using sel = new PollSelector();
 * sel.register(a, EVENT_WRITE);
 * console.log((await sel.select(1)).length); // 1
 * a.close();
 * b.close();
 * ```
 */
export class PollSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown>
  extends _PollLikeSelector<Poll, F, D> {
  /** Creates the selector and its `poll` object. */
  constructor() {
    super(new Poll(), POLLIN, POLLOUT);
  }

  /**
   * Polls the `poll` object, whose timeout is in milliseconds.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @returns `[fd, POLL* bits]` pairs.
   */
  protected override _poll(timeout: number | null): Promise<[number, number][]> {
    // poll() has a resolution of 1 millisecond; round away from zero.
    const ms = timeout === null ? null : timeout <= 0 ? 0 : Math.ceil(timeout * 1e3);
    return this._selector.poll(ms);
  }

  /** Releases the primitive; a running `select` resolves with `[]`. */
  protected override _closePrimitive(): void {
    this._selector._abort();
  }
}

/**
 * A selector over `epoll()`, as Python's `selectors.EpollSelector`; the
 * {@linkcode DefaultSelector}. Its sockets are watched from `register` to
 * `unregister`, so each `select` costs as much as the ready sockets.
 *
 * @typeParam F The type of the registered file objects.
 * @typeParam D The type of the attached data.
 *
 * @example Wait until readable
 * ```ts
 * import { socketpair } from "@unisock/socket";
 * import { EpollSelector, EVENT_READ } from "@unisock/socket/selectors";
 * const [a, b] = await socketpair();
 * using sel = new EpollSelector();
 * sel.register(a, EVENT_READ);
 * await b.sendall("x");
 * console.log((await sel.select(1))[0][1]); // 1
 * a.close();
 * b.close();
 * ```
 */
export class EpollSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown>
  extends _PollLikeSelector<Epoll, F, D> {
  /** Creates the selector and its `epoll` object. */
  constructor() {
    super(new Epoll(), EPOLLIN, EPOLLOUT);
  }

  /**
   * The descriptor of the selector's epoll object, as in Python.
   *
   * @returns The descriptor.
   * @throws {RangeError} `I/O operation on closed epoll object` once closed.
   *
   * @example Watch a selector from another one
   * ```ts
   * import { EpollSelector } from "@unisock/socket/selectors";
   * using sel = new EpollSelector();
   * console.log(typeof sel.fileno()); // "number"
   * ```
   */
  fileno(): number {
    return this._selector.fileno();
  }

  /**
   * Names the primitive in "closed" errors.
   *
   * @returns `epoll object`, as in CPython's message.
   */
  protected override get _what(): string {
    return "epoll object";
  }

  /**
   * Polls the epoll object, whose timeout is in seconds.
   *
   * @param timeout Seconds (`<= 0` polls) or `null`.
   * @param max How many registrations there are (epoll's maxevents).
   * @returns `[fd, EPOLL* bits]` pairs.
   */
  protected override _poll(timeout: number | null, max: number): Promise<[number, number][]> {
    // epoll_wait() has a resolution of 1 millisecond; round away from zero.
    const t = timeout === null ? -1 : timeout <= 0 ? 0 : Math.ceil(timeout * 1e3) * 1e-3;
    return this._selector.poll(t, Math.max(max, 1));
  }

  /** Releases the primitive; a running `select` resolves with `[]`. */
  protected override _closePrimitive(): void {
    this._selector.close();
  }
}

/** The best selector of the platform: {@linkcode EpollSelector}, as on Linux. */
export const DefaultSelector: typeof EpollSelector = EpollSelector;
/** The best selector of the platform: {@linkcode EpollSelector}, as on Linux. */
export type DefaultSelector<F extends FileDescriptorLike = FileDescriptorLike, D = unknown> =
  EpollSelector<F, D>;
