/**
 * The time-stamp server of tutorial 003: serves one client at a time
 * (blocking); prints every message it receives and sends it back prefixed
 * with the current time, as `time.ctime()` formats it. When the client goes
 * away it waits for the next one.
 *
 * Usage: time_server.ts [port=21568]
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

/** Python's time.ctime(): "Thu Aug  1 12:00:00 2024", local time. */
function ctime(d: Date = new Date()): string {
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getDay()];
  const month =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
      d.getMonth()
    ];
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${day} ${month} ${String(d.getDate()).padStart(2, " ")} ${time} ${d.getFullYear()}`;
}

const HOST = "127.0.0.1";
const PORT = Number(process.argv[2] ?? 21568);
const BUFSIZ = 1024;

const tcpSerSock = socket(AF_INET, SOCK_STREAM);
await tcpSerSock.bind([HOST, PORT]);
tcpSerSock.listen(5);
console.log(`listening on ${HOST}:${tcpSerSock.getsockname()[1]}`);

while (true) {
  console.log("waiting for connection...");
  const [tcpCliSock, addr] = await tcpSerSock.accept(); // wait for a connection
  const [host, port] = addr;
  console.log(`...connected from: ('${host}', ${port})`);

  while (true) {
    try {
      const data = new TextDecoder().decode(await tcpCliSock.recv(BUFSIZ)); // receive
      // The client has closed: end this connection (an error, as in the tutorial).
      if (!data) throw new Error("disconnected");
      console.log("<", data);
      await tcpCliSock.send(`[${ctime()}] ${data}`); // send
    } catch {
      console.log(`disconnect from: ('${host}', ${port})`);
      tcpCliSock.close(); // leave
      break;
    }
  }
}
