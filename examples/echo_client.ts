/**
 * The echo client of tutorial 002: sends each message to the echo server
 * and prints the reply's repr.
 *
 * Usage: echo_client.ts [host=localhost[:port=50007]] [message ...]
 * The first argument is the server's host (optionally with ":port"), the
 * others are the messages (default: "Hello network World").
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

/** Python's repr() of a bytes object, e.g. b'echo=>hi\n'. */
function repr(data: Uint8Array): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  const named: Record<number, string> = { 9: "\\t", 10: "\\n", 13: "\\r", 0x5c: "\\\\" };
  let out = "";
  for (const b of data) {
    if (named[b] !== undefined) out += named[b];
    else if (b === quote.charCodeAt(0)) out += "\\" + quote;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return `b${quote}${out}${quote}`;
}

let serverHost = "localhost";
let serverPort = 50007;
// Default text sent to the server.
let message = ["Hello network World"];
// With one argument or more, the first one is the server.
if (process.argv.length > 2) {
  const [h, p] = process.argv[2].split(":");
  serverHost = h;
  if (p !== undefined) serverPort = Number(p);
}
// With two arguments or more, the rest are the lines to send.
if (process.argv.length > 3) message = process.argv.slice(3);

// A TCP/IP socket object.
const sockobj = socket(AF_INET, SOCK_STREAM);
// Connect to the server and port.
await sockobj.connect([serverHost, serverPort]);
for (const line of message) {
  // Send the line to the server over the socket.
  await sockobj.send(line);
  // Receive the reply, at most 1 KiB.
  const data = await sockobj.recv(1024);
  // Print it quoted, as repr() does.
  console.log("Client received:", repr(data));
}
// Close the socket.
sockobj.close();
