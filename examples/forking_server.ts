/**
 * The socketserver example of tutorial 004 as a forking server: the same
 * `BaseRequestHandler` subclass as `threading_server.ts`, served by a
 * `ForkingTCPServer`, whose requests run in a pool of worker processes (one
 * per CPU unless `max_children` is set), so the server uses every core.
 *
 * Every worker runs this program again up to `await server.ready`, binds the
 * same port and serves; the first process supervises. The handler welcomes
 * the client (naming the worker's pid), then answers every message with
 * "Hello, <message>!" until the client sends "exit" or disconnects. Use
 * `threading_client.ts` as the client.
 *
 * Usage: forking_server.ts [port=8009] [workers=CPUs]
 * SIGTERM or SIGINT stops the workers once their running handlers end, and
 * exits. On Deno, run it with --unstable-net (SO_REUSEPORT).
 *
 * @module
 */

import process from "node:process";
import { BaseRequestHandler, ForkingTCPServer } from "../socketserver.ts";

const RUNTIME = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

class MyServer extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const conn = this.request;
    const [host, port] = this.client_address;
    const who = `('${host}', ${port})`;
    console.log(`${who} connected to worker ${process.pid}`);
    await conn.sendall(`Welcome to the ForkingTCPServer on ${RUNTIME}, worker ${process.pid}!`);
    while (true) {
      const data = new TextDecoder().decode(await conn.recv(1024));
      if (data === "exit" || data === "") break;
      console.log(`${who} says: ${data}`);
      await conn.sendall(`Hello, ${data}!`);
    }
    console.log(`${who} left`);
  }
}

const port = Number(process.argv[2] ?? 8009);
const server = new ForkingTCPServer(["127.0.0.1", port], MyServer);
if (process.argv[3] !== undefined) server.max_children = Number(process.argv[3]);
// Resolves in the first process once every worker listens; workers stop here.
await server.ready;
const [, realPort] = server.server_address;
console.log(`listening on 127.0.0.1:${realPort} with workers ${[...server.active_children!]}`);
await server.serve_forever();
