/**
 * The client of the "Hello" server (tutorial 001): prints the welcome
 * message, sends three names and prints each answer, then sends "exit".
 * Run two clients at once to see the server serve both together.
 *
 * Usage: hello_client.ts [port=9999] [host=127.0.0.1]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 9999);
const host = process.argv[3] ?? "127.0.0.1";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const s = socket(AF_INET, SOCK_STREAM);
// Connect.
await s.connect([host, port]);
// Receive the welcome message.
console.log(text(await s.recv(1024)));
for (const data of ["Michael", "Tracy", "Sarah"]) {
  // Send data.
  await s.send(data);
  console.log(text(await s.recv(1024)));
}
await s.send("exit");
s.close();
