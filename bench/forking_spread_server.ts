/**
 * The server side of `bench/forking_spread.ts`: two worker processes share
 * one TCP port, and each connection is answered with the pid of the worker
 * that accepted it, then held until the client closes it.
 *
 *     forking_spread_server.ts forking|cluster [workers=2] [burn_ms=0]
 *
 * `forking`: a unisock `ForkingTCPServer` (SO_REUSEPORT listeners, one per
 * worker, where the kernel picks the listener by a hash of the connection;
 * on Node its workers are cluster workers sharing the primary's listener).
 * `cluster`: `node:cluster` with a `node:net` server in each worker (Node's
 * primary accepts and hands connections round-robin, or whatever the runtime's
 * `node:cluster` does). With `burn_ms`, each connection first costs that many
 * milliseconds of CPU (a busy loop), before the answer. Prints "listening on 127.0.0.1:PORT" once every worker
 * listens; SIGTERM stops it.
 *
 * @module
 */

import cluster from "node:cluster";
import { createServer } from "node:net";
import process from "node:process";
import { ForkingTCPServer, StreamRequestHandler } from "../socketserver.ts";

const method = process.argv[2] ?? "forking";
const workers = Number(process.argv[3] ?? 2);
const burnMs = Number(process.argv[4] ?? 0);

/** Keeps this process's core busy for `burnMs`. */
function burn(): void {
  const end = performance.now() + burnMs;
  while (performance.now() < end) { /* CPU-bound work */ }
}

class Pid extends StreamRequestHandler {
  override async handle(): Promise<void> {
    burn();
    await this.wfile.write(`${process.pid}\n`);
    await this.rfile.read(); // until the client closes
  }
}

if (method === "forking") {
  const server = new ForkingTCPServer(["127.0.0.1", 0], Pid);
  server.max_children = workers;
  await server.ready;
  console.log(`listening on 127.0.0.1:${(server.server_address as [string, number])[1]}`);
  process.on("SIGTERM", () => void server.shutdown());
  await server.serve_forever();
  await server.server_close();
} else if (cluster.isPrimary) {
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    if (++listening === workers) console.log(`listening on 127.0.0.1:${address.port}`);
  });
  // Every worker listens on port 0: the primary's shared handle gives them one port.
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGKILL");
    process.exit(0);
  });
} else {
  createServer((conn) => {
    conn.on("error", () => {});
    burn();
    conn.write(`${process.pid}\n`);
    conn.on("end", () => conn.end());
  }).listen(0, "127.0.0.1");
}
