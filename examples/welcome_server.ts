/**
 * The first server of tutorial 002 (server.py): for every client it waits
 * at most 5 seconds for a message; "1" gets "Welcome to server!", anything
 * else "Please go out!", and silence prints "Time Out". Then it closes the
 * connection and waits for the next client.
 *
 * Usage: welcome_server.ts [port=8001] [timeout=5]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket, TimeoutError } from "../mod.ts";

const port = Number(process.argv[2] ?? 8001);
const timeout = Number(process.argv[3] ?? 5);

const sock = socket(AF_INET, SOCK_STREAM);
await sock.bind(["127.0.0.1", port]);
sock.listen(5);
console.log(`listening on 127.0.0.1:${sock.getsockname()[1]}`);

while (true) {
  const [connection] = await sock.accept();
  try {
    // recv() below fails with TimeoutError after `timeout` seconds of silence.
    connection.settimeout(timeout);
    const buf = new TextDecoder().decode(await connection.recv(1024));
    if (buf === "1") {
      await connection.send("Welcome to server!");
    } else {
      await connection.send("Please go out!");
    }
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log("Time Out");
  }
  connection.close();
}
