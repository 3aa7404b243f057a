/**
 * A simple socket server (tutorial 000, "一个简单的socket服务端举例").
 *
 * Every client gets a greeting, then the server reads one message from it
 * and closes the connection; `accept()` in a loop lets the server take the
 * next client after closing one.
 *
 * Usage: greeting_server.ts [port=10000]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const port = Number(process.argv[2] ?? 10000);

const s = socket(AF_INET, SOCK_STREAM);
await s.bind(["127.0.0.1", port]);
s.listen(5);
const [, realPort] = s.getsockname();
console.log(`listening on 127.0.0.1:${realPort}`);

while (true) {
  // Accept the next client once the previous one is closed.
  const [cs, address] = await s.accept();
  const [host, clientPort] = address;
  console.log(`got connected from ('${host}', ${clientPort})`);
  await cs.send("I have got your socket");
  await cs.recv(1024);
  cs.close();
}
