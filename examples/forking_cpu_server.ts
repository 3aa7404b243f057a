/**
 * A CPU-bound service on every core: each request costs `rounds` SHA-256
 * hashes of 1 MiB, computed synchronously, so one process serves one request
 * at a time whatever its concurrency. A `ForkingTCPServer` spreads the
 * requests over worker processes; `--threading` serves them with a
 * `ThreadingTCPServer` instead, for comparison (`bench/forking.ts`).
 *
 * Protocol: the client sends one line; the server answers with the hex
 * digest (after `rounds` rounds over 1 MiB that starts with the line) and
 * closes.
 *
 * Usage: forking_cpu_server.ts [port=8010] [workers=CPUs] [rounds=16] [--threading]
 * On Deno, run it with --unstable-net (SO_REUSEPORT).
 *
 * @example A client
 * ```ts ignore
 * import { create_connection } from "@unisock/socket";
 * const sock = await create_connection(["127.0.0.1", 8010]);
 * await sock.sendall("hello\n");
 * console.log(new TextDecoder().decode(await sock.recv(100))); // 64 hex digits
 * sock.close();
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import process from "node:process";
import { ForkingTCPServer, StreamRequestHandler, ThreadingTCPServer } from "../socketserver.ts";

const args = process.argv.slice(2).filter((a) => a !== "--threading");
const threading = process.argv.includes("--threading");
const port = Number(args[0] ?? 8010);
const rounds = Number(args[2] ?? 16);
const block = new Uint8Array(1 << 20);

class Hash extends StreamRequestHandler {
  override async handle(): Promise<void> {
    const line = await this.rfile.readline();
    block.set(line.subarray(0, 64));
    let digest = new Uint8Array(0);
    for (let i = 0; i < rounds; i++) {
      digest = new Uint8Array(createHash("sha256").update(digest).update(block).digest());
    }
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    await this.wfile.write(hex + "\n");
  }
}

const server = threading
  ? new ThreadingTCPServer(["127.0.0.1", port], Hash)
  : new ForkingTCPServer(["127.0.0.1", port], Hash);
if (!threading && args[1] !== undefined) {
  (server as ForkingTCPServer).max_children = Number(args[1]);
}
await server.ready;
const [, realPort] = server.server_address;
console.log(`listening on 127.0.0.1:${realPort}`);
process.on("SIGTERM", () => void server.shutdown());
await server.serve_forever();
await server.server_close();
