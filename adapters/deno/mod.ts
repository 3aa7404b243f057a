/**
 * The Deno runtime adapter: fills in the core's {@linkcode Backend}.
 *
 * Stream sockets (TCP and unix listeners, accepted and outgoing
 * connections) go through Deno's `node:net`, with the same code as Node's
 * adapter (`../shared/net_stream.ts`): every connection is served even with
 * hundreds busy in one process, `abort()` resets (RST), and a source
 * address before connect, backlog and SO_REUSEPORT work. An accepted TCP
 * socket's first writes wait one event-loop turn, because Deno 2.9's
 * `node:net` fails a write with EPIPE when it is queued before its reactor
 * saw the socket and the peer sent only a FIN (`bench/deno_node_net_epipe.ts`).
 *
 * `UNISOCK_DENO_NET=conn` in the environment (read only when `--allow-env`
 * grants it) selects `Deno.listen`/`Deno.connect` instead: faster for bulk
 * transfers over few connections, but unfair above 128 busy connections in
 * one process, with no RST (close sends FIN), a connect from a bound source
 * address through `node:net` (Deno.connect cannot bind one), and
 * SO_REUSEPORT only with `--unstable-net`.
 *
 * Datagrams: `Deno.listenDatagram` with `--unstable-net` (UDP and unix),
 * else `node:dgram` (UDP only). Look-ups: `node:dns`.
 *
 * This module never touches `Deno` when it is loaded, only inside
 * {@linkcode denoBackend}, so Node and Bun can load it unused. It declares
 * the Deno APIs it needs itself (`api.ts`) and so type-checks with `tsc` as
 * well as with `deno check`.
 *
 * What Deno cannot do, on Linux with Deno 2.9:
 * - IPV6_V6ONLY for TCP: Deno's `node:net` ignores `ipv6Only` (its TCP
 *   bind never sets the option) and `Deno.listen` has none, so both listen
 *   dual-stack on `::`; the `ipv6OnlyStream` capability makes the core
 *   refuse such a bind (UDP honours it through `node:dgram`).
 * - Clearing SO_BROADCAST on a `Deno.listenDatagram` socket (always on).
 * - Unix datagram sockets without `--unstable-net`.
 *
 * @module
 */

import { _denoCommandLine } from "./process.ts";
import { _processes, _spawnStarter } from "../shared/process.ts";
import type {
  Backend,
  BackendAddress,
  BackendCapabilities,
  ConnectOptions,
  ListenerHandle,
  ListenOptions,
  StreamHandle,
} from "../../src/backend.ts";
import { _connect as _netConnect } from "../shared/net_stream.ts";
import { _listen as _netListen } from "../shared/net_listener.ts";
import { _lookup, _reverse } from "../shared/dns.ts";
import type { DenoApi } from "./api.ts";
import { _bindDatagram } from "./datagram.ts";
import { _netDenied, _permission, _translate } from "./errors.ts";
import { _listen, _listenersReleased } from "./listener.ts";
import { _connect } from "./stream.ts";

/** The environment variable that selects `Deno.Conn` for stream sockets. */
const _SWITCH = "UNISOCK_DENO_NET";

/** Whether the user chose `Deno.Conn` (read without asking for `--allow-env`). */
function _denoConn(deno: DenoApi): boolean {
  try {
    if (deno.permissions.querySync({ name: "env", variable: _SWITCH }).state !== "granted") {
      return false;
    }
    return deno.env.get(_SWITCH) === "conn";
  } catch {
    return false;
  }
}

function _capabilities(unstable: boolean, fast: boolean): BackendCapabilities {
  return {
    unixDatagram: unstable
      ? null
      : "unix datagram sockets need Deno's --unstable-net flag (Deno.listenDatagram)",
    reusePort: fast && !unstable
      ? `SO_REUSEPORT on Deno.listen (${_SWITCH}=conn) needs Deno's --unstable-net flag`
      : null,
    bindBeforeConnect: null, // node:net's localAddress/localPort (also on the conn path)
    ipv6OnlyStream: "Deno 2.9's node:net ignores ipv6Only and Deno.listen has no such option: " +
      "a TCP listener on :: is always dual-stack",
  };
}

/**
 * The permission error Deno's `node:net` would throw beyond any handler
 * (from a later tick), found first.
 */
function _denied(deno: DenoApi, address: BackendAddress): Error | null {
  if (address.kind === "inet") return _netDenied(deno, address.host, address.port);
  const path = address.path;
  if (path === "" || path.startsWith("\0")) return null;
  for (const name of ["read", "write"] as const) {
    const denied = _permission(deno, { name, path }, `${name} access to "${path}"`);
    if (denied !== null) return denied;
  }
  const host = `unix:${path}`;
  return _permission(deno, { name: "net", host }, `net access to "${host}"`);
}

/** Listens through Deno's `node:net`. */
function _listenNet(deno: DenoApi, options: ListenOptions): Promise<ListenerHandle> {
  const denied = _denied(deno, options.address);
  return denied === null ? _netListen(options, true) : Promise.reject(denied);
}

/** Connects through Deno's `node:net`. */
function _connectNet(deno: DenoApi, options: ConnectOptions): Promise<StreamHandle> {
  const denied = _denied(deno, options.address) ??
    (options.source === undefined ? null : _denied(deno, options.source));
  return denied === null ? _netConnect(options) : Promise.reject(denied);
}

/**
 * Builds the Deno backend. Reads the `Deno` global only when called; the
 * capabilities depend on `--unstable-net` and on `UNISOCK_DENO_NET=conn`.
 *
 * @returns The backend to install with `setBackend`.
 * @throws {TypeError} When called outside Deno.
 *
 * @example Install the Deno backend
 * ```ts ignore
 * import { setBackend } from "../../src/backend.ts";
 * import { denoBackend } from "./mod.ts";
 * setBackend(denoBackend());
 * ```
 */
export function denoBackend(): Backend {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const unstable = typeof deno.listenDatagram === "function";
  const fast = _denoConn(deno);
  return {
    name: "deno",
    capabilities: _capabilities(unstable, fast),
    listen: fast
      ? async (options) => {
        await _listenersReleased();
        try {
          return _listen(deno, unstable, options);
        } catch (err) {
          throw _translate(err);
        }
      }
      : (options) => _listenNet(deno, options),
    connect: fast
      ? (options) =>
        _listenersReleased().then(() =>
          options.source?.kind === "inet" ? _connectNet(deno, options) : _connect(deno, options)
        )
      : (options) => _connectNet(deno, options),
    bindDatagram: (options) => _bindDatagram(deno, options),
    lookup: _lookup,
    reverse: _reverse,
    hostname: () => {
      try {
        return deno.hostname();
      } catch (err) {
        throw _translate(err);
      }
    },
    processes: _processes(
      "deno",
      _spawnStarter(_denoCommandLine),
      "Deno's datagram sockets have no SO_REUSEPORT (with SO_REUSEADDR one process would get every datagram)",
    ),
  };
}
