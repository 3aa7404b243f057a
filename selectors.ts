/**
 * Python's `selectors` module: register sockets with a selector, then wait
 * for the ready ones with `select(timeout?)`. `DefaultSelector` is
 * `EpollSelector`, as on Linux; `SelectSelector` and `PollSelector` behave
 * the same over `select()` and `poll()`.
 *
 * @example A selectors-based echo server (one round)
 * ```ts
 * import { create_connection, create_server, type Socket } from "@unisock/socket";
 * import { DefaultSelector, EVENT_READ } from "@unisock/socket/selectors";
 *
 * await using sel = new DefaultSelector<Socket, "accept" | "echo">();
 * const server = await create_server(["127.0.0.1", 0]);
 * server.setblocking(false);
 * sel.register(server, EVENT_READ, "accept");
 * const client = await create_connection(server.getsockname());
 * await client.sendall("hello");
 * for (let round = 0; round < 2; round++) {
 *   for (const [key] of await sel.select(1)) {
 *     if (key.data === "accept") {
 *       const [conn] = await server.accept();
 *       conn.setblocking(false);
 *       sel.register(conn, EVENT_READ, "echo");
 *     } else {
 *       await key.fileobj.sendall(await key.fileobj.recv(1024));
 *     }
 *   }
 * }
 * console.log(new TextDecoder().decode(await client.recv(1024))); // "hello"
 * for (const key of [...sel.get_map()!.values()]) key.fileobj.close();
 * client.close();
 * ```
 *
 * @module
 */

export {
  BaseSelector,
  DefaultSelector,
  EpollSelector,
  EVENT_READ,
  EVENT_WRITE,
  type FileDescriptorLike,
  PollSelector,
  SelectorKey,
  SelectorMapping,
  SelectSelector,
} from "./src/selectors/mod.ts";
export { KeyError, RuntimeError } from "./src/errors.ts";
