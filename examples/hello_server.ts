/**
 * The "Hello" server of tutorial 001 ("TCP编程举例 - 服务器"): it sends a
 * welcome message to every client, then answers each string the client sends
 * with "Hello,<string>!" until the client sends "exit" or disconnects.
 *
 * Every connection needs its own thread (or process), otherwise a single
 * thread busy with one client could not accept others. As in the tutorial,
 * each connection gets a `threading.Thread` whose target is `tcplink`; here
 * the thread is an async task, so the loop goes back to `accept()` at once.
 * A thread that fails (a client that resets) prints `Exception in thread
 * Thread-N (tcplink):` and its stack, as Python does, and the server goes on.
 *
 * Usage: hello_server.ts [port=9999] [delay=1]
 * `delay` is the pause, in seconds, before each answer (`time.sleep(1)` in
 * the tutorial), which shows that clients are served at the same time.
 *
 * @module
 */

import process from "node:process";
import { type Address, AF_INET, SOCK_STREAM, type Socket, socket } from "../mod.ts";
import { Thread } from "../threading.ts";

const port = Number(process.argv[2] ?? 9999);
const delay = Number(process.argv[3] ?? 1);

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const show = (address: Address) => {
  const [host, clientPort] = address;
  return `('${host}', ${clientPort})`;
};

async function tcplink(conn: Socket, addr: Address): Promise<void> {
  console.log(`Accept new connection from ${show(addr)}`);
  // Greet first, then add "Hello" to whatever the client sends.
  try {
    await conn.send("Welcome!");
    while (true) {
      const data = new TextDecoder().decode(await conn.recv(1024));
      await sleep(delay);
      if (data === "exit" || !data) break;
      await conn.send(`Hello,${data}!`);
    }
  } finally {
    // Python closes the socket when a failed thread's frame goes away; here it is explicit.
    conn.close();
  }
  console.log(`Connection from ${show(addr)} closed.`);
}

// Create an IPv4 TCP socket and listen on the local address only.
const s = socket(AF_INET, SOCK_STREAM);
await s.bind(["127.0.0.1", port]);
// The argument is the largest number of connections waiting to be accepted.
s.listen(5);
console.log(`listening on 127.0.0.1:${s.getsockname()[1]}`);
console.log("Waiting for connection...");

while (true) {
  // Accept a new connection.
  const [conn, addr] = await s.accept();
  // Create a new thread to handle the TCP connection.
  const t = new Thread({ target: tcplink, args: [conn, addr] });
  t.start();
}
