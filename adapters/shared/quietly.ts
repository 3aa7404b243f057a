/**
 * Calls on a runtime's socket or listener that may have closed meanwhile.
 *
 * @module
 */

/**
 * Runs a call on a runtime resource that may be closed already, ignoring
 * what it throws: closing, resetting or stopping something the runtime has
 * closed is done, and a later call (or its close event) reports the rest.
 *
 * @param call The call.
 *
 * @example Reset a socket the runtime may have closed
 * ```ts ignore
 * import { _quietly } from "./quietly.ts";
 * _quietly(() => sock.terminate());
 * ```
 */
export function _quietly(call: () => unknown): void {
  try {
    call();
  } catch {
    // Already closed by the runtime.
  }
}

/**
 * Calls `method` on `target` (with `arg`), ignoring what it throws, as
 * {@linkcode _quietly} does but without a closure per call: for the paths
 * every connection takes.
 *
 * @param target The runtime's socket or listener (`this` of the call).
 * @param method One of its methods.
 * @param arg The argument, if the method takes one.
 *
 * @example End a socket Bun may have closed
 * ```ts ignore
 * import { _quietlyCall } from "./quietly.ts";
 * _quietlyCall(sock, sock.end);
 * ```
 */
export function _quietlyCall<T, A>(
  target: T,
  method: (this: T, arg: A) => unknown,
  arg?: A,
): void {
  try {
    method.call(target, arg as A);
  } catch {
    // Already closed by the runtime, or (an event handler) nothing may escape to it.
  }
}

/**
 * Closes a runtime resource (socket, listener, connection), ignoring "already
 * closed" or "never bound".
 *
 * @param resource Anything with a `close()`.
 *
 * @example Close twice safely
 * ```ts ignore
 * import { _closeQuietly } from "./quietly.ts";
 * _closeQuietly(conn);
 * _closeQuietly(conn);
 * ```
 */
export function _closeQuietly(resource: { close(): unknown }): void {
  _quietlyCall(resource, resource.close);
}
