/**
 * How Node starts a forking server's worker: as a `node:cluster` worker, so
 * that the workers' listeners join the first process's shared listener and
 * Node's round-robin hands out the connections (see `bench/README.md`: it
 * spreads connections more evenly than SO_REUSEPORT's hash); unix stream
 * listeners are shared the same way. A program that is itself a cluster
 * worker starts plain child processes instead.
 *
 * @module
 */

import cluster from "node:cluster";
import {
  _execArgvCommandLine,
  _spawnStarter,
  type _Starter,
  _UNIX_STREAM_GAP,
} from "../shared/process.ts";

/**
 * Whether a listener with SO_REUSEPORT in this process should join the
 * cluster primary's shared listener instead: true in a cluster worker.
 *
 * @returns Whether listeners are shared through the cluster primary.
 *
 * @example
 * ```ts ignore
 * console.log(_clusterShared()); // false in a program started by hand
 * ```
 */
export function _clusterShared(): boolean {
  return cluster.isWorker;
}

/**
 * Starts the program again as a cluster worker (stdin not shared, stdout
 * and stderr shared), or as a plain child where this process is a worker.
 *
 * @returns The starter.
 *
 * @example
 * ```ts ignore
 * const processes = _processes("node", _nodeStarter(), null);
 * ```
 */
export function _nodeStarter(): _Starter {
  const plain = _spawnStarter(_execArgvCommandLine);
  return (env) => {
    if (!cluster.isPrimary) return plain(env);
    cluster.setupPrimary({ stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return cluster.fork(env).process;
  };
}

/**
 * Why a forking unix stream server's workers cannot share its path here:
 * `null` (they share it through the cluster primary) unless this program is
 * itself a cluster worker, whose workers are plain child processes.
 *
 * @returns `null`, or the reason.
 *
 * @example
 * ```ts ignore
 * console.log(_unixStreamGap()); // null
 * ```
 */
export function _unixStreamGap(): string | null {
  return cluster.isPrimary ? null : `${_UNIX_STREAM_GAP} (this program is a cluster worker)`;
}
