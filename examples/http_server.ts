/**
 * The web server of tutorial 004 ("WEB服务应用"): answers every connection
 * with "HTTP/1.1 200 OK" and the body "Hello, World", then closes it.
 * Open http://127.0.0.1:8080/ in a browser or `curl http://127.0.0.1:8080/`.
 *
 * Usage: http_server.ts [port=8080]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, type Socket, socket } from "../mod.ts";

async function handle_request(client: Socket): Promise<void> {
  await client.recv(1024); // the request, read and ignored
  await client.send("HTTP/1.1 200 OK\r\n\r\n");
  await client.send("Hello, World");
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 8080);
  const sock = socket(AF_INET, SOCK_STREAM);
  await sock.bind(["127.0.0.1", port]);
  sock.listen(5);
  console.log(`listening on 127.0.0.1:${sock.getsockname()[1]}`);
  while (true) {
    // One request at a time: accept, answer, close.
    const [connection] = await sock.accept();
    await handle_request(connection);
    connection.close();
  }
}

if (import.meta.main) await main();
