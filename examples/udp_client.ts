/**
 * The UDP client of tutorial 001: no `connect()`, every datagram goes to
 * the server with `sendto()`; prints the server's answer to each name.
 *
 * Usage: udp_client.ts [port=9999] [host=127.0.0.1]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_DGRAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 9999);
const host = process.argv[3] ?? "127.0.0.1";

const s = socket(AF_INET, SOCK_DGRAM);
for (const data of ["Michael", "Tracy", "Sarah"]) {
  // Send data: no connection, just the server's address.
  await s.sendto(data, [host, port]);
  // Receive the answer.
  console.log(new TextDecoder().decode(await s.recv(1024)));
}
s.close();
