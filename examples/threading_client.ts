/**
 * A client for `threading_server.ts` (tutorial 004): prints the welcome
 * message, then sends each message and prints the answer, and ends with
 * "exit". The messages come from the command line or, without any, from
 * the keyboard (one per line, until "exit" or the end of the input).
 *
 * Usage: threading_client.ts [port=8009] [host=127.0.0.1] [message ...]
 *
 * @module
 */

import process from "node:process";
import { createInterface } from "node:readline";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 8009);
const host = process.argv[3] ?? "127.0.0.1";
const fromArgs = process.argv.slice(4);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function* messages(): AsyncGenerator<string> {
  if (fromArgs.length > 0) return yield* fromArgs;
  const rl = createInterface({ input: process.stdin });
  try {
    for await (const line of rl) if (line) yield line;
  } finally {
    rl.close();
  }
}

const sk = socket(AF_INET, SOCK_STREAM);
await sk.connect([host, port]);
sk.settimeout(5);
console.log("receive:", text(await sk.recv(1024)));
for await (const inp of messages()) {
  if (inp === "exit") break;
  console.log("send:", inp);
  await sk.sendall(inp);
  console.log("receive:", text(await sk.recv(1024)));
}
await sk.sendall("exit");
sk.close();
