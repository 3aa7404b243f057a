/**
 * The first TCP server of tutorial 001 ("TCP编程演示-服务器"): it accepts a
 * single connection, reads the client's string, sends it back with "Hello"
 * appended, and exits. Try it with `echo_client.ts localhost:8888`.
 *
 * Usage: hello_once_server.ts [port=8888]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const host = "127.0.0.1"; // the address to listen on
const port = Number(process.argv[2] ?? 8888); // the port to listen on
const s = socket(AF_INET, SOCK_STREAM); // create the socket
await s.bind([host, port]); // bind the address and port
s.listen(5); // start listening
console.log(`listening on ${host}:${s.getsockname()[1]}`);
const [conn] = await s.accept(); // accept one new connection
const data = await conn.recv(1024); // receive the client's string
// Send the string back to the client, with "Hello" appended.
await conn.sendall(new Uint8Array([...data, ...new TextEncoder().encode("Hello")]));
// A port bound by one socket cannot be bound by another until it is closed.
conn.close();
s.close();
