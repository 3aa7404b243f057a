/**
 * unisock: Python's `socket` module for TypeScript, with one behaviour on
 * Deno, Bun and Node. Names stay Python's; calls that can block return
 * Promises; errors are Python's exception classes with Linux errno numbers.
 *
 * @example An echo server and client
 * ```ts
 * import { create_connection, create_server } from "@unisock/socket";
 *
 * const srv = await create_server(["127.0.0.1", 0]);
 * const cli = await create_connection(srv.getsockname());
 * const [conn] = await srv.accept();
 * await cli.sendall("hello");
 * await conn.sendall(await conn.recv(1024));
 * console.log(new TextDecoder().decode(await cli.recv(1024))); // "hello"
 * cli.close();
 * conn.close();
 * srv.close();
 * ```
 *
 * @module
 */

import "./adapters/auto.ts";

export * from "./src/constants.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  error,
  FileNotFoundError,
  gaierror,
  herror,
  InterruptedError,
  KeyError,
  OSError,
  PermissionError,
  RuntimeError,
  timeout,
  TimeoutError,
} from "./src/errors.ts";
export * from "./src/socket/mod.ts";
export {
  type AddrInfo,
  create_connection,
  create_server,
  type CreateServerOptions,
  getaddrinfo,
  getdefaulttimeout,
  getfqdn,
  gethostbyaddr,
  gethostbyname,
  gethostbyname_ex,
  gethostname,
  getnameinfo,
  getservbyname,
  getservbyport,
  has_dualstack_ipv6,
  setdefaulttimeout,
  socketpair,
} from "./src/functions.ts";
export {
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
} from "./src/inet.ts";
export {
  fromfd,
  if_indextoname,
  if_nameindex,
  if_nametoindex,
  recv_fds,
  send_fds,
  sethostname,
} from "./src/unsupported.ts";
