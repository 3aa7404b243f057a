/**
 * The Deno runtime adapter: fills in the core's {@linkcode Backend} with
 * `Deno.listen`, `Deno.connect`, `Deno.listenDatagram` (with
 * `--unstable-net`; `node:dgram` otherwise), `node:dns` and `Deno.hostname`.
 *
 * This module never touches `Deno` when it is loaded, only inside
 * {@linkcode denoBackend}, so Node and Bun can load it unused. It declares
 * the Deno APIs it needs itself (`_deno_api.ts`) and so type-checks with
 * `tsc` as well as with `deno check`.
 *
 * What Deno cannot do, on Linux with Deno 2.9:
 * - IPV6_V6ONLY for TCP: a TCP listener on `::` is always dual-stack, so
 *   `ipv6Only` is ignored for streams (UDP honours it through `node:dgram`);
 *   the `ipv6OnlyStream` capability makes the core refuse such a bind.
 * - SO_LINGER: `abort()` closes with FIN, not RST; Deno's `close()` always
 *   does shutdown(SHUT_WR) before close(2).
 * - Binding a source address before connecting (`bindBeforeConnect`).
 * - SO_REUSEPORT without `--unstable-net` (Deno would exit the process);
 *   for UDP it is approximated with SO_REUSEADDR even with the flag.
 * - Clearing SO_BROADCAST on a `Deno.listenDatagram` socket (always on).
 * - Unix datagram sockets without `--unstable-net`.
 * - Keeping a unix listener's path: Deno unlinks it on close.
 *
 * @module
 */

import { promises as dns } from "node:dns";
import type { Backend, BackendCapabilities, LookupResult } from "../src/backend.ts";
import { _gaierror, herror } from "../src/errors.ts";
import type { DenoApi } from "./_deno_api.ts";
import { _bindDatagram } from "./_deno_datagram.ts";
import { _translate } from "./_deno_errors.ts";
import { _connect, _listen, _listenersReleased } from "./_deno_stream.ts";
import { _denoCommandLine } from "./deno/process.ts";
import { _processes, _spawnStarter } from "./shared/process.ts";

function _capabilities(unstable: boolean): BackendCapabilities {
  return {
    unixDatagram: unstable
      ? null
      : "unix datagram sockets need Deno's --unstable-net flag (Deno.listenDatagram)",
    reusePort: unstable ? null : "SO_REUSEPORT needs Deno's --unstable-net flag",
    bindBeforeConnect: "Deno.connect cannot bind a local address before connecting",
    ipv6OnlyStream:
      "Deno.listen has no IPV6_V6ONLY option: a TCP listener on :: is always dual-stack",
  };
}

async function _lookup(host: string, version: 0 | 4 | 6): Promise<LookupResult[]> {
  let found: { address: string; family: number }[];
  try {
    found = await dns.lookup(host, { all: true, family: version, verbatim: true });
  } catch (err) {
    throw _translate(err);
  }
  if (found.length === 0) throw _gaierror(-2);
  return found.map((r) => ({ host: r.address, version: r.family === 6 ? 6 : 4 }));
}

async function _reverse(host: string): Promise<string[]> {
  // getnameinfo(3), like CPython's gethostbyaddr, reads /etc/hosts first;
  // dns.reverse would only ask DNS for PTR records.
  let name: string;
  try {
    name = (await dns.lookupService(host, 0)).hostname;
  } catch {
    throw new herror(1, "Unknown host");
  }
  if (name === "" || name === host) throw new herror(1, "Unknown host");
  return [name];
}

/**
 * Builds the Deno backend. Reads the `Deno` global only when called; the
 * capabilities depend on whether Deno runs with `--unstable-net`.
 *
 * @returns The backend to install with `setBackend`.
 * @throws {TypeError} When called outside Deno.
 *
 * @example Install the Deno backend
 * ```ts ignore
 * import { setBackend } from "../src/backend.ts";
 * import { denoBackend } from "./deno.ts";
 * setBackend(denoBackend());
 * ```
 */
export function denoBackend(): Backend {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const unstable = typeof deno.listenDatagram === "function";
  return {
    name: "deno",
    capabilities: _capabilities(unstable),
    listen: async (options) => {
      await _listenersReleased();
      try {
        return _listen(deno, unstable, options);
      } catch (err) {
        throw _translate(err);
      }
    },
    connect: (options) => _connect(deno, options),
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
