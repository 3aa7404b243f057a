/**
 * A simple socket client (tutorial 000, "一个简单的socket客户端举例").
 *
 * Connects, reads the server's greeting, sends one message and prints what
 * it received.
 *
 * Usage: greeting_client.ts [port=10000] [host=127.0.0.1]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 10000);
const host = process.argv[3] ?? "127.0.0.1";

const s = socket(AF_INET, SOCK_STREAM);
// connect() takes one argument: the (host, port) pair.
await s.connect([host, port]);
const data = await s.recv(1024);
await s.send("this is a connection from client");
console.log("The data received is " + new TextDecoder().decode(data));
s.close();
