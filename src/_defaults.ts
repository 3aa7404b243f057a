// Module-wide default socket timeout (socket.setdefaulttimeout).

let _default: number | null = null;

/**
 * The timeout new sockets start with.
 *
 * @returns Seconds, or `null` for blocking.
 */
export function _getDefaultTimeout(): number | null {
  return _default;
}

/**
 * Sets the timeout new sockets start with (already validated).
 *
 * @param t Seconds, or `null`.
 */
export function _setDefaultTimeout(t: number | null): void {
  _default = t;
}
