/**
 * Python's `select` module: wait for sockets to become readable or writable
 * with `select()`, `poll()` or `epoll()`, with Linux's constants. Timeouts
 * are seconds for `select` and `epoll.poll`, milliseconds for `poll.poll`, as
 * in Python.
 *
 * @example The classic select loop of an echo server
 * ```ts
 * import { create_server, type Socket } from "@unisock/socket";
 * import { select } from "@unisock/socket/select";
 *
 * const server = await create_server(["127.0.0.1", 0]);
 * server.setblocking(false);
 * const inputs: Socket[] = [server];
 * for (let round = 0; round < 3; round++) {
 *   const [readable] = await select(inputs, [], [], 0.1);
 *   for (const s of readable) {
 *     if (s === server) {
 *       const [conn] = await server.accept();
 *       conn.setblocking(false);
 *       inputs.push(conn);
 *     } else {
 *       const data = await s.recv(1024);
 *       if (data.length > 0) {
 *         await s.sendall(data);
 *       } else {
 *         inputs.splice(inputs.indexOf(s), 1);
 *         s.close();
 *       }
 *     }
 *   }
 * }
 * for (const s of inputs) s.close();
 * ```
 *
 * @module
 */

export {
  Epoll,
  epoll,
  EPOLLERR,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLHUP,
  EPOLLIN,
  EPOLLMSG,
  EPOLLONESHOT,
  EPOLLOUT,
  EPOLLPRI,
  EPOLLRDBAND,
  EPOLLRDHUP,
  EPOLLRDNORM,
  EPOLLWRBAND,
  EPOLLWRNORM,
  type FileDescriptorLike,
  type HasFileno,
  PIPE_BUF,
  Poll,
  poll,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLMSG,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDBAND,
  POLLRDHUP,
  POLLRDNORM,
  POLLWRBAND,
  POLLWRNORM,
  select,
} from "./src/select/mod.ts";
export { error, KeyError, OSError, RuntimeError } from "./src/errors.ts";
