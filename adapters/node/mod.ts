/**
 * The Node.js adapter: {@linkcode Backend} over `node:net`, `node:dgram`,
 * `node:dns` and `node:os`.
 *
 * Importing this module touches no runtime state, so it loads on Deno and
 * Bun too; only {@linkcode nodeBackend} does anything.
 *
 * Known limits on Node: no AF_UNIX datagram sockets; `node:dgram` cannot
 * pause reading, so the datagram handle has no `pause()` and the core's
 * queue, bounded like the kernel's, drops the excess as a full kernel queue
 * does; SO_REUSEPORT needs Node 22.12+ or 23.1+.
 *
 * @module
 */

import * as os from "node:os";
import process from "node:process";
import type { Backend, BackendCapabilities } from "../../src/backend.ts";
import { _connect } from "../shared/net_stream.ts";
import { _listen } from "../shared/net_listener.ts";
import { _bindDatagram } from "../shared/dgram.ts";
import { _lookup, _reverse } from "../shared/dns.ts";
import { _immediateTurn } from "../shared/io_turn.ts";

/** Why unix datagram sockets are missing (also the capability text). */
const _NO_UNIX_DGRAM = "Node's dgram module has no AF_UNIX datagram sockets";
import { _processes } from "../shared/process.ts";
import { _clusterShared, _nodeStarter, _unixStreamGap } from "./process.ts";

/** Platforms where Node honours `reusePort` (others fail the bind). */
const _REUSEPORT_PLATFORMS: ReadonlySet<string> = new Set(["linux", "freebsd", "sunos", "aix"]);

/** Why SO_REUSEPORT does not work here, or null when it does. */
function _reusePortGap(): string | null {
  const version = process.versions.node ?? "0.0.0";
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const supported = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  if (!supported) {
    return `Node ${version} has no reusePort option (it needs Node 22.12+ or 23.1+)`;
  }
  if (!_REUSEPORT_PLATFORMS.has(process.platform)) {
    return `Node does not support SO_REUSEPORT on ${process.platform}`;
  }
  return null;
}

/** What the Node adapter can and cannot do. */
function _capabilities(): BackendCapabilities {
  return {
    unixDatagram: _NO_UNIX_DGRAM,
    reusePort: _reusePortGap(),
    bindBeforeConnect: null, // net.connect's localAddress and localPort
  };
}

/**
 * Builds the Node backend. Nothing is opened until the core calls it.
 *
 * @returns A {@linkcode Backend} over Node's networking modules.
 *
 * @example Install the Node backend
 * ```ts ignore
 * import { setBackend } from "../../src/backend.ts";
 * import { nodeBackend } from "./mod.ts";
 * setBackend(nodeBackend());
 * ```
 */
export function nodeBackend(): Backend {
  const clusterWorker = _clusterShared();
  return {
    name: "node",
    capabilities: _capabilities(),
    listen: (options) => _listen(options, false, clusterWorker),
    connect: _connect,
    bindDatagram: (options) => _bindDatagram(options, _NO_UNIX_DGRAM),
    lookup: _lookup,
    reverse: _reverse,
    hostname: () => os.hostname(),
    ioTurn: _immediateTurn,
    processes: _processes("node", _nodeStarter(), _reusePortGap(), _unixStreamGap()),
  };
}
