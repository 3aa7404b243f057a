/**
 * Python's `socketserver` over unisock sockets: servers (`TCPServer`,
 * `UDPServer`, `UnixStreamServer`, `UnixDatagramServer`), the concurrency
 * policies `ThreadingMixIn` and `ForkingMixIn` with their servers, and the request
 * handlers. Every blocking step is awaited.
 *
 * @module
 */

export { BaseServer, type RequestHandlerClass } from "./socketserver_base.ts";
export {
  type DatagramRequest,
  TCPServer,
  UDPServer,
  UnixDatagramServer,
  UnixStreamServer,
} from "./socketserver_servers.ts";
export {
  type ServerClass,
  ThreadingMixIn,
  type ThreadingMixInClass,
  type ThreadingMixInMembers,
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixDatagramServer,
  ThreadingUnixStreamServer,
} from "./socketserver_threading.ts";
export {
  ForkingMixIn,
  type ForkingMixInClass,
  type ForkingMixInMembers,
  ForkingTCPServer,
  ForkingUDPServer,
  ForkingUnixDatagramServer,
  ForkingUnixStreamServer,
} from "./socketserver/forking.ts";
export {
  BaseRequestHandler,
  DatagramRequestHandler,
  StreamRequestHandler,
} from "./socketserver_handlers.ts";
export { BytesReader, BytesWriter, SocketWriter, type WritableData } from "./socketserver_io.ts";
