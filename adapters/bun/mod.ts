/**
 * The Bun adapter: {@linkcode Backend} over `Bun.listen`, `Bun.connect` and
 * `Bun.udpSocket`, with `node:dns` for look-ups. Also loaded, unused, by Node
 * and Deno: it reads the `Bun` global only inside {@linkcode bunBackend}, and
 * declares the Bun APIs it uses itself (`api.ts`). What Bun cannot do is
 * listed under "Runtimes" in the README.
 *
 * @module
 */

import { hostname as osHostname } from "node:os";
import type {
  Backend,
  BackendAddress,
  BackendCapabilities,
  ConnectOptions,
  DatagramHandle,
  DatagramOptions,
  ListenerHandle,
  ListenOptions,
  StreamHandle,
} from "../../src/backend.ts";
import { _lookup, _reverse } from "../shared/dns.ts";
import { _immediateTurn } from "../shared/io_turn.ts";
import type { BunApi, BunSocket, BunSocketOptions } from "./api.ts";
import { _bindDatagram } from "./datagram.ts";
import { _translate } from "./errors.ts";
import { _BunListener, _Connector, _HANDLERS, type _Slot } from "./stream.ts";
import { _execArgvCommandLine, _processes, _spawnStarter } from "../shared/process.ts";
import * as E from "../../src/errno.ts";
import { OSError } from "../../src/errors.ts";

/** What Bun can and cannot do. */
const CAPABILITIES: BackendCapabilities = {
  unixDatagram: "Bun.udpSocket has no AF_UNIX datagram sockets",
  reusePort: null,
  bindBeforeConnect: null,
};

/** The `Bun` global, read only when the backend is used. */
function _bun(): BunApi {
  return (globalThis as unknown as { Bun: BunApi }).Bun;
}

/** An OSError naming Bun for an abstract name filling all 108 bytes of `sun_path`, else `null`. */
function _refusedName(address: BackendAddress): OSError | null {
  if (address.kind !== "unix" || !address.path.startsWith("\0")) return null;
  if (new TextEncoder().encode(address.path).length < 108) return null;
  return new OSError(
    E.EINVAL,
    "Invalid argument: Bun refuses abstract unix names of 108 bytes (use at most 107)",
  );
}

/** Binds and listens; Bun throws synchronously on failure. */
function _listen(bun: BunApi, options: ListenOptions): Promise<ListenerHandle> {
  const { address } = options;
  const refused = _refusedName(address);
  if (refused !== null) return Promise.reject(refused);
  const handle = new _BunListener(address);
  try {
    const listener = bun.listen<_Slot>({
      ...(address.kind === "unix"
        ? { unix: address.path }
        : { hostname: address.host, port: address.port }),
      socket: _HANDLERS,
      data: handle,
      allowHalfOpen: true,
      reusePort: options.reusePort,
      ipv6Only: options.ipv6Only,
    });
    handle.attach(listener);
    return Promise.resolve(handle);
  } catch (err) {
    return Promise.reject(_translate(err));
  }
}

/** Bun's connect options for one attempt (literals: spreads cost more than the rest here). */
function _connectOptions(options: ConnectOptions, data: _Connector): BunSocketOptions<_Slot> {
  const { address: a, source: s } = options;
  const socket = _HANDLERS, allowHalfOpen = true;
  if (a.kind === "unix") return { unix: a.path, socket, data, allowHalfOpen };
  if (s?.kind !== "inet") return { hostname: a.host, port: a.port, socket, data, allowHalfOpen };
  const { host: localAddress, port: localPort } = s;
  return { hostname: a.host, port: a.port, socket, data, allowHalfOpen, localAddress, localPort };
}

/** Connects, giving up (and resetting a late socket) when the core cancels. */
function _connect(bun: BunApi, options: ConnectOptions): Promise<StreamHandle> {
  const { cancel } = options;
  const refused = _refusedName(options.address);
  if (refused !== null) return Promise.reject(refused);
  const connector = new _Connector(options.address);
  if (cancel.cancelled) return Promise.reject(connector.cancel());
  return new Promise<StreamHandle>((resolve, reject) => {
    // Left set after settling: the core cancels only a pending attempt.
    cancel.onCancel = () => reject(connector.cancel());
    const settled = (sock: BunSocket<_Slot>) => {
      const stream = connector.stream;
      if (stream !== null && !connector.cancelled) return resolve(stream);
      if (stream === null) sock.terminate();
      reject(connector.cancel());
    };
    const failed = (err: unknown) => reject(_translate(err));
    try {
      bun.connect<_Slot>(_connectOptions(options, connector)).then(settled, failed);
    } catch (err) {
      failed(err);
    }
  });
}

/**
 * Builds the Bun backend. Touches the `Bun` global only when its methods are
 * called, so importing this module is safe on any runtime.
 *
 * @returns The backend over Bun's socket APIs.
 *
 * @example Install the Bun backend
 * ```ts ignore
 * import { setBackend } from "../../src/backend.ts";
 * import { bunBackend } from "./mod.ts";
 * setBackend(bunBackend());
 * ```
 */
export function bunBackend(): Backend {
  return {
    name: "bun",
    capabilities: CAPABILITIES,
    listen: (options: ListenOptions) => _listen(_bun(), options),
    connect: (options: ConnectOptions) => _connect(_bun(), options),
    bindDatagram: (options: DatagramOptions): Promise<DatagramHandle> =>
      _bindDatagram(_bun(), options),
    lookup: _lookup,
    reverse: _reverse,
    hostname: osHostname,
    ioTurn: _immediateTurn,
    processes: _processes("bun", _spawnStarter(_execArgvCommandLine), null),
  };
}
