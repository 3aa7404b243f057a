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
  _quietly(() => resource.close());
}
