/**
 * The first client of tutorial 002 (client.py): connects, waits 2 seconds,
 * sends "1" and prints the answer. Send something else to get
 * "Please go out!"; wait longer than the server's timeout (5 seconds) and
 * the server gives up on the connection ("Time Out").
 *
 * Usage: welcome_client.ts [port=8001] [delay=2] [message=1]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 8001);
const delay = Number(process.argv[3] ?? 2);
const message = process.argv[4] ?? "1";

const sock = socket(AF_INET, SOCK_STREAM);
await sock.connect(["localhost", port]);
await new Promise((resolve) => setTimeout(resolve, delay * 1000)); // time.sleep(2)
await sock.send(message);
console.log(new TextDecoder().decode(await sock.recv(1024)));
sock.close();
