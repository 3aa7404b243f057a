/**
 * Python's `socketserver` over unisock sockets: servers (`TCPServer`,
 * `UDPServer`, `UnixStreamServer`, `UnixDatagramServer`), the concurrency
 * policies `ThreadingMixIn` and `ForkingMixIn` with their servers, and the request
 * handlers. Every blocking step is awaited.
 *
 * @module
 */

export { BaseServer, type RequestHandlerClass, type ServerClass } from "./base.ts";
export {
  type DatagramRequest,
  TCPServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "./servers.ts";
export {
  ThreadingMixIn,
  type ThreadingMixInClass,
  type ThreadingMixInMembers,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixDatagramServer,
  ThreadingUnixStreamServer,
} from "./threading.ts";
export { BaseRequestHandler, DatagramRequestHandler, StreamRequestHandler } from "./handlers.ts";
export {
  ForkingMixIn,
  type ForkingMixInClass,
  type ForkingMixInMembers,
  ForkingTCPServer,
  ForkingUDPServer,
  ForkingUnixDatagramServer,
  ForkingUnixStreamServer,
} from "./forking.ts";
