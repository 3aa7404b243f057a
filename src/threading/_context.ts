/**
 * Which thread a piece of code runs in. The core cannot follow a task across
 * its `await`s by itself; the `threading` entry point installs a storage
 * that can (AsyncLocalStorage). Until then only the synchronous part of a
 * thread's start is attributed to it.
 *
 * @module
 */

import type { Thread } from "./thread.ts";

/** A storage that carries one value through a task and its continuations. */
export interface _ThreadStorage {
  /** Runs `fn` with `thread` as the current value, and returns its result. */
  run<R>(thread: Thread, fn: () => R): R;
  /** The current value, or `undefined` outside every `run`. */
  getStore(): Thread | undefined;
}

let storage: _ThreadStorage | null = null;
let syncCurrent: Thread | undefined;

/** The current-thread lookup used by `Thread` and `current_thread()`. */
export const _context = {
  /** Runs `fn` as `thread`. */
  run<R>(thread: Thread, fn: () => R): R {
    if (storage !== null) return storage.run(thread, fn);
    const outer = syncCurrent;
    syncCurrent = thread;
    try {
      return fn();
    } finally {
      syncCurrent = outer;
    }
  },
  /** The thread running now, or `undefined` for the main thread. */
  get(): Thread | undefined {
    return storage !== null ? storage.getStore() : syncCurrent;
  },
};

/**
 * Installs the storage that follows tasks across `await`.
 *
 * @param s An AsyncLocalStorage or anything with its `run` and `getStore`.
 */
export function _set_thread_storage(s: _ThreadStorage): void {
  storage = s;
}
