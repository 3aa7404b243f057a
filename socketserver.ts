/**
 * Python's `socketserver` for TypeScript: `TCPServer`, `UDPServer`,
 * `UnixStreamServer`, `UnixDatagramServer`, the concurrency policy
 * `ThreadingMixIn` and its `Threading*Server` classes, and the request
 * handlers `BaseRequestHandler`, `StreamRequestHandler` and
 * `DatagramRequestHandler`. Names and hooks are Python's; every step that
 * blocks in Python is awaited. A server starts binding when constructed and
 * `ready` settles once it listens; `await using` shuts it down and closes it.
 *
 * @example A line echo server that serves clients concurrently
 * ```ts
 * import { create_connection, SHUT_WR } from "@unisock/socket";
 * import { StreamRequestHandler, ThreadingTCPServer } from "@unisock/socket/socketserver";
 *
 * class Echo extends StreamRequestHandler {
 *   override async handle() {
 *     for await (const line of this.rfile) await this.wfile.write(line);
 *   }
 * }
 *
 * await using server = new ThreadingTCPServer(["127.0.0.1", 0], Echo);
 * await server.ready;
 * const serving = server.serve_forever();
 *
 * const client = await create_connection(server.server_address as [string, number]);
 * await client.sendall("hello\n");
 * await client.shutdown(SHUT_WR); // done sending: the handler's loop ends
 * console.log(new TextDecoder().decode(await client.recv(1024))); // "hello\n"
 * client.close();
 *
 * await server.shutdown();
 * await serving;
 * ```
 *
 * @module
 */

import "./adapters/auto.ts";

export * from "./src/socketserver/mod.ts";
