/**
 * The interactive client of tutorial 003: one connection; reads lines from
 * the keyboard (stdin) after a ">" prompt, sends each to the time-stamp
 * server and prints the answer. Empty lines are skipped; "close" or the end
 * of the input ends the program.
 *
 * Usage: time_client.ts [port=21568] [host=localhost]
 *
 * @module
 */

import process from "node:process";
import { createInterface } from "node:readline";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const HOST = process.argv[3] ?? "localhost";
const PORT = Number(process.argv[2] ?? 21568);
const BUFSIZ = 1024;

const tcpCliSock = socket(AF_INET, SOCK_STREAM);
await tcpCliSock.connect([HOST, PORT]); // connect

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
try {
  while (true) {
    process.stdout.write(">"); // raw_input('>')
    const next = await lines.next();
    if (next.done) break; // end of input
    const data: string = next.value;
    if (data === "close") break;
    if (!data) continue;
    await tcpCliSock.send(data); // send
    const reply = await tcpCliSock.recv(BUFSIZ); // receive
    console.log(new TextDecoder().decode(reply));
  }
} finally {
  await lines.return?.();
  tcpCliSock.close(); // leave
}
