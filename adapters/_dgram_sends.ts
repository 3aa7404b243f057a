/**
 * Sends handed to a `node:dgram` socket (Node's adapter, and Deno's when it
 * falls back to `node:dgram`) that have not been called back yet.
 * `node:dgram` never calls back a send that `close()` dropped, so the
 * adapter's `close()` ends them here.
 *
 * @module
 */

import type { Socket } from "node:dgram";
import type { OSError } from "../src/errors.ts";

/** The sends of one socket still waiting for `node:dgram`'s callback. */
export class _PendingSends {
  #rejects: ((err: OSError) => void)[] = [];

  /**
   * Sends one datagram and tracks it until `node:dgram` calls back.
   *
   * @param socket The bound socket.
   * @param data The payload.
   * @param port The destination port.
   * @param host The destination's numeric host.
   * @param translate Turns the runtime's error into the core's.
   * @returns Settles when the OS took the datagram; rejects with the
   * translated error, or with what {@linkcode _PendingSends.close} gives.
   *
   * @example Send and track
   * ```ts ignore
   * await sends.send(socket, data, 9000, "127.0.0.1", _translate);
   * ```
   */
  send(
    socket: Socket,
    data: Uint8Array,
    port: number,
    host: string,
    translate: (err: unknown) => OSError,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const rejects = this.#rejects;
      rejects.push(reject);
      const done = (err: unknown) => {
        const i = rejects.indexOf(reject);
        if (i >= 0) rejects.splice(i, 1);
        if (err) reject(translate(err));
        else resolve();
      };
      try {
        socket.send(data, port, host, done);
      } catch (err) {
        done(err);
      }
    });
  }

  /**
   * Ends every send still waiting (the socket closed).
   *
   * @param err Builds the error (EBADF); only built when a send waits.
   *
   * @example At close
   * ```ts ignore
   * sends.close(() => oserror(EBADF));
   * ```
   */
  close(err: () => OSError): void {
    if (this.#rejects.length === 0) return;
    const rejects = this.#rejects.splice(0);
    const e = err();
    for (const reject of rejects) reject(e);
  }
}
