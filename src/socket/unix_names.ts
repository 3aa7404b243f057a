// Names of unix sockets that Python would show as unnamed.

/**
 * Abstract names this process's unix sockets hold only because a runtime
 * cannot send from (or pair) an unnamed socket: Python shows such sockets
 * as unnamed (`""` as their name, `null` as a sender's address).
 */
export const _hiddenNames: Set<string> = new Set();

/**
 * A name as Linux's unix autobind picks: NUL and 5 hex digits.
 *
 * @returns The name.
 */
export function _autobindName(): string {
  return `\0${Math.floor(Math.random() * 0x100000).toString(16).padStart(5, "0")}`;
}
