/**
 * The UDP server of tutorial 001 ("UDP编程演示"). UDP needs no connection:
 * the server binds a port and answers every datagram it receives with
 * "Hello,<data>!", sent back to the datagram's sender. UDP port 9999 and
 * TCP port 9999 do not conflict: each protocol has its own ports.
 *
 * Usage: udp_server.ts [port=9999]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_DGRAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 9999);

const s = socket(AF_INET, SOCK_DGRAM);
// Bind the port.
await s.bind(["127.0.0.1", port]);
const realPort = s.getsockname()[1];
console.log(`listening on 127.0.0.1:${realPort}`);
console.log(`Bind UDP on ${realPort}...`);

while (true) {
  // Receive a datagram and learn who sent it.
  const [data, addr] = await s.recvfrom(1024);
  const [host, clientPort] = addr;
  console.log(`Received from ${host}:${clientPort}.`);
  await s.sendto(`Hello,${new TextDecoder().decode(data)}!`, [host, clientPort]);
}
