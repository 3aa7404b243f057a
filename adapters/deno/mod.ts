/**
 * The Deno runtime adapter: fills in the core's {@linkcode Backend}.
 *
 * Streams go through Deno's `node:net` with Node's code
 * (`../shared/net_stream.ts`, `net_listener.ts`); `UNISOCK_DENO_NET=conn`
 * (read only when `--allow-env` grants it) selects `Deno.listen`/`Deno.connect`
 * instead (`stream.ts`, `listener.ts`; README says when to choose it).
 * Datagrams: `Deno.listenDatagram` with `--unstable-net` (UDP and unix), else
 * `node:dgram` (UDP only). Look-ups: `node:dns`. `Deno` is read only inside
 * {@linkcode denoBackend}, so Node and Bun can load this module unused.
 *
 * @module
 */

import { _denoCommandLine } from "./process.ts";
import { _processes, _spawnStarter } from "../shared/process.ts";
import type {
  Backend,
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
import { _denied, _translate } from "./errors.ts";
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

/** Listens through Deno's `node:net`. */
function _listenNet(deno: DenoApi, options: ListenOptions): Promise<ListenerHandle> {
  const denied = _denied(deno, options.address);
  return denied === null ? _netListen(options, true) : Promise.reject(denied);
}

/** Connects through Deno's `node:net`. */
function _connectNet(deno: DenoApi, options: ConnectOptions): Promise<StreamHandle> {
  const denied = _denied(deno, options.address) ??
    (options.source === undefined ? null : _denied(deno, options.source));
  return denied === null ? _netConnect(options, true) : Promise.reject(denied);
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
