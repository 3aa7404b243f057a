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

import * as dns from "node:dns";
import * as os from "node:os";
import process from "node:process";
import type { Backend, BackendCapabilities, LookupResult } from "../src/backend.ts";
import { _herror, _translate } from "./_node_errors.ts";
import { _connect } from "./_node_stream.ts";
import { _listen } from "./_node_listener.ts";
import { _bindDatagram, _NO_UNIX_DGRAM } from "./_node_dgram.ts";
import { _processes } from "./shared/process.ts";
import { _nodeStarter, _unixStreamGap } from "./node/process.ts";

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
    bindBeforeConnect:
      "Node binds a stream socket only as it connects or listens, so a source address cannot be bound (or its port read) before connect",
  };
}

/** Resolves a host name with the system resolver (getaddrinfo). */
async function _lookup(host: string, version: 0 | 4 | 6): Promise<LookupResult[]> {
  try {
    const found = await dns.promises.lookup(host, {
      all: true,
      family: version,
      order: "verbatim",
    });
    return found.map((r) => ({ host: r.address, version: r.family === 6 ? 6 : 4 }));
  } catch (err) {
    throw _translate(err);
  }
}

/**
 * Reverse look-up through getnameinfo (so /etc/hosts counts, as for
 * Python's gethostbyaddr), not a DNS-only PTR query.
 */
async function _reverse(host: string): Promise<string[]> {
  let name: string;
  try {
    name = (await dns.promises.lookupService(host, 0)).hostname;
  } catch (err) {
    throw _herror(err);
  }
  if (name === "" || name === host) throw _herror(null);
  return [name];
}

/**
 * Builds the Node backend. Nothing is opened until the core calls it.
 *
 * @returns A {@linkcode Backend} over Node's networking modules.
 *
 * @example Install the Node backend
 * ```ts ignore
 * import { setBackend } from "../src/backend.ts";
 * import { nodeBackend } from "./node.ts";
 * setBackend(nodeBackend());
 * ```
 */
export function nodeBackend(): Backend {
  return {
    name: "node",
    capabilities: _capabilities(),
    listen: _listen,
    connect: _connect,
    bindDatagram: _bindDatagram,
    lookup: _lookup,
    reverse: _reverse,
    hostname: () => os.hostname(),
    processes: _processes("node", _nodeStarter(), _reusePortGap(), _unixStreamGap()),
  };
}
