/**
 * The I/O turn of event loops whose `setImmediate` callbacks run in their
 * own phase after the socket poll (libuv's check phase on Node, Bun's loop):
 * between two chained immediates the loop has polled its sockets once, in
 * microseconds, where two timer turns take milliseconds.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * Resolves after two chained `setImmediate` callbacks: the first may run
 * before this iteration's poll, the second runs after the next one.
 *
 * @returns A promise resolved once the runtime polled its sockets.
 *
 * @example Let the runtime read what the kernel holds
 * ```ts ignore
 * await _immediateTurn();
 * ```
 */
export function _immediateTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
