/**
 * The socketserver example of tutorial 004 ("ThreadingTCPServer"):
 * 1. create a class that extends `BaseRequestHandler`,
 * 2. give it a method named `handle`,
 * 3. start a `ThreadingTCPServer` with it.
 *
 * The server creates one "thread" (here an async task) per client, which
 * talks with that client alone, so any number of clients are served at the
 * same time. This handler welcomes the client, then answers every message
 * with "Hello, <message>!" until the client sends "exit" or disconnects.
 *
 * Usage: threading_server.ts [port=8009]
 * SIGTERM or SIGINT shuts the server down cleanly, once running handlers end;
 * a second signal exits at once.
 *
 * @module
 */

import process from "node:process";
import { BaseRequestHandler, ThreadingTCPServer } from "../socketserver.ts";

const RUNTIME = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

class MyServer extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const conn = this.request;
    const [host, port] = this.client_address;
    const who = `('${host}', ${port})`;
    console.log(`${who} connected`);
    await conn.sendall(`Welcome to the ThreadingTCPServer on ${RUNTIME}!`);
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
const server = new ThreadingTCPServer(["127.0.0.1", port], MyServer);
await server.ready;
const [, realPort] = server.server_address;
console.log(`listening on 127.0.0.1:${realPort}`);

// The first signal stops the loop; a second one, while handlers still run, exits at once.
let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  void server.shutdown();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
await server.serve_forever();
// Close the listening socket and wait for the handlers still running.
await server.server_close();
process.off("SIGTERM", stop);
process.off("SIGINT", stop);
console.log("server closed");
