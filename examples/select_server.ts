/**
 * The select-based echo server of the tutorials (I/O multiplexing, tutorial
 * 004): one task serves every client. The listening socket and the clients
 * are non-blocking; `select()` says which of them can be read (a new
 * connection, data or EOF) or written (a queued reply), and each gets
 * exactly one non-blocking call per round, which never waits.
 *
 * Usage: select_server.ts [port=9999]
 * Try it with several `echo_client.ts 127.0.0.1:PORT` at once.
 *
 * @module
 */

import process from "node:process";
import { AF_INET, SOCK_STREAM, type Socket, socket } from "../mod.ts";
import { select } from "../select.ts";

const host = "127.0.0.1";
const port = Number(process.argv[2] ?? 9999);

// The listening socket, non-blocking like every socket of this server.
const server = socket(AF_INET, SOCK_STREAM);
server.setblocking(false);
await server.bind([host, port]);
server.listen(5);
console.log(`listening on ${host}:${server.getsockname()[1]}`);

// Sockets to read from, sockets with replies to write, and the replies.
const inputs: Socket[] = [server];
const outputs: Socket[] = [];
const messageQueues = new Map<Socket, Uint8Array[]>();
const peers = new Map<Socket, string>();

/** Removes `item` from `list` when present. */
function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** Forgets a client and closes its socket. */
function drop(s: Socket): void {
  console.log(`closing ${peers.get(s)}`);
  remove(inputs, s);
  remove(outputs, s);
  messageQueues.delete(s);
  peers.delete(s);
  s.close();
}

while (inputs.length > 0) {
  // Wait until at least one socket is ready.
  const [readable, writable, exceptional] = await select(inputs, outputs, inputs);

  for (const s of readable) {
    if (s === server) {
      // A readable listening socket has a connection to accept.
      const [connection, address] = await s.accept();
      const [peerHost, peerPort] = address;
      peers.set(connection, `('${peerHost}', ${peerPort})`);
      console.log(`new connection from ${peers.get(connection)}`);
      connection.setblocking(false);
      inputs.push(connection);
      messageQueues.set(connection, []);
    } else if (messageQueues.has(s)) {
      let data: Uint8Array;
      try {
        data = await s.recv(1024);
      } catch (e) {
        console.log(`error from ${peers.get(s)}: ${e}`);
        drop(s);
        continue;
      }
      if (data.length > 0) {
        // Queue the echo and watch the socket for writability.
        console.log(`received ${data.length} bytes from ${peers.get(s)}`);
        messageQueues.get(s)!.push(data);
        if (!outputs.includes(s)) outputs.push(s);
      } else {
        // Empty data: the client closed its end.
        drop(s);
      }
    }
  }

  for (const s of writable) {
    const queue = messageQueues.get(s);
    if (queue === undefined) continue; // dropped above
    const next = queue.shift();
    if (next === undefined) {
      // Nothing left to send: stop watching for writability.
      remove(outputs, s);
      continue;
    }
    try {
      const sent = await s.send(next);
      if (sent < next.length) queue.unshift(next.subarray(sent));
    } catch (e) {
      console.log(`error from ${peers.get(s)}: ${e}`);
      drop(s);
    }
  }

  for (const s of exceptional) {
    console.log(`exceptional condition on ${peers.get(s)}`);
    if (messageQueues.has(s)) drop(s);
  }
}
