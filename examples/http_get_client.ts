/**
 * The HTTP client of tutorial 001: sends a GET request, receives until the
 * server closes, prints the HTTP header and writes the page to a file. The
 * tutorial fetches www.sina.com.cn; this example defaults to the local
 * `http_server.ts` and never needs the internet.
 *
 * Usage: http_get_client.ts [host=127.0.0.1] [port=8080] [file=sina.html]
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const host = process.argv[2] ?? "127.0.0.1";
const port = Number(process.argv[3] ?? 8080);
const file = process.argv[4] ?? "sina.html";

// Create a socket and connect: the address is one (host, port) pair.
const s = socket(AF_INET, SOCK_STREAM);
await s.connect([host, port]);
// Send the request; HTTP says the client speaks first.
await s.send(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

// Receive, at most 1 KiB a time, until recv() returns nothing (the server closed).
const buffer: Uint8Array[] = [];
while (true) {
  const d = await s.recv(1024);
  if (d.length) buffer.push(d);
  else break;
}
const data = new Uint8Array(buffer.reduce((n, b) => n + b.length, 0));
buffer.reduce((at, b) => (data.set(b, at), at + b.length), 0);
// Close the connection.
s.close();

// Split the header from the page: print the header, save the page.
const at = data.findIndex((_, i) =>
  data[i] === 13 && data[i + 1] === 10 && data[i + 2] === 13 && data[i + 3] === 10
);
const header = at < 0 ? data : data.subarray(0, at);
const html = at < 0 ? new Uint8Array(0) : data.subarray(at + 4);
console.log(new TextDecoder().decode(header));
writeFileSync(file, html);
