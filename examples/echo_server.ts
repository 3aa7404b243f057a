/**
 * The echo server of tutorial 002: answers every message of a client with
 * "echo=>" followed by the message, until the client closes; then waits for
 * the next client.
 *
 * Usage: echo_server.ts [port=50007]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

// The tutorial listens on all interfaces (''); this example stays local.
const myHost = "127.0.0.1";
// Listen on a non-reserved port.
const myPort = Number(process.argv[2] ?? 50007);
// A TCP socket object.
const sockobj = socket(AF_INET, SOCK_STREAM);
// Bind it to the port.
await sockobj.bind([myHost, myPort]);
// Listen, allowing 5 pending connections.
sockobj.listen(5);
console.log(`listening on ${myHost}:${sockobj.getsockname()[1]}`);

// Loop until the process ends.
while (true) {
  // Wait for the next client; the connection is a new socket.
  const [connection, address] = await sockobj.accept();
  const [host, port] = address;
  console.log(`Server connected by ('${host}', ${port})`);
  while (true) {
    // Read the next message from the client.
    const data = await connection.recv(1024);
    // No data: the client closed, leave the loop.
    if (data.length === 0) break;
    // Send a reply to the client.
    await connection.send(new Uint8Array([...new TextEncoder().encode("echo=>"), ...data]));
  }
  // Close this client's socket (it has sent EOF).
  connection.close();
}
