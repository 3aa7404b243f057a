// A consumer of the built npm package, as a user writes it: every entry
// point, the calls of the README's first program and the tutorials, and the
// stream and file views. scripts/check_consumer.ts type-checks it with tsc
// (node16, bundler, Bun's settings) and deno check, without @types/node.

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  create_connection,
  create_server,
  OSError,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  socketpair,
  TimeoutError,
} from "unisock";
import { select } from "unisock/select";
import { DefaultSelector, EVENT_READ } from "unisock/selectors";
import {
  BaseRequestHandler,
  StreamRequestHandler,
  ThreadingTCPServer,
  UnixStreamServer,
} from "unisock/socketserver";
import { Thread } from "unisock/threading";
import { errorcode } from "unisock/errno";

export async function main(): Promise<string> {
  const srv = socket(AF_INET, SOCK_STREAM);
  await srv.bind(["127.0.0.1", 0]);
  srv.listen();
  const cli = socket(AF_INET, SOCK_STREAM);
  await cli.connect(srv.getsockname());
  const [conn, addr] = await srv.accept();
  const [readable] = await select([conn], [], [], 1);
  const sel = new DefaultSelector();
  sel.register(conn, EVENT_READ);
  sel.close();
  const t = new Thread({ target: tcplink, args: [conn, addr] });
  t.start();
  await t.join(1);
  const data: Uint8Array = await cli.recv(1024);
  const streams = [cli.readable.locked, cli.writable.locked];
  const file = cli.makefile("rb");
  file.close();
  cli.close();
  srv.close();
  try {
    (await create_connection(["127.0.0.1", 1])).close();
  } catch (e) {
    if (e instanceof TimeoutError) return "timeout";
    if (e instanceof OSError) return errorcode[e.errno ?? 0] ?? String(readable?.length);
  }
  const server = await create_server(["127.0.0.1", 0]);
  server.close();
  return `${data.length} ${streams}`;
}

async function tcplink(conn: Socket, addr: unknown): Promise<void> {
  await conn.sendall(`Welcome, ${String(addr)}`);
  conn.close();
}

class Handler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    await this.request.sendall("hi");
  }
}

export async function serve(): Promise<void> {
  const server = new ThreadingTCPServer(["127.0.0.1", 0], Handler);
  await server.ready;
  await server.server_close();
}

// Addresses typed by the socket's family: none of these lines needs a cast.
export async function typedAddresses(): Promise<number> {
  const srv = await create_server(["127.0.0.1", 0]);
  const [host, port] = srv.getsockname();
  const cli = await create_connection(srv.getsockname());
  const [conn, [peerHost, peerPort]] = await srv.accept();
  const udp = socket(AF_INET, SOCK_DGRAM);
  await udp.sendto("ping", [host, port + 1]);
  const [data, from] = await udp.recvfrom(16);
  await udp.sendto(data, from);
  const [, , flowinfo, scope_id] = socket(AF_INET6).getsockname();
  const path: string = socket(AF_UNIX).getsockname();
  const [a, b] = await socketpair();
  const names: string[] = [a.getsockname(), b.getpeername()];
  const any: Socket = conn; // a typed socket is still a Socket
  any.close();
  cli.close();
  return peerPort + flowinfo + scope_id + path.length + names.length + peerHost.length;
}

// Server and client addresses typed by the server class, as the tutorials use them.
class Greeter extends StreamRequestHandler {
  override async handle(): Promise<void> {
    const [host, port] = this.client_address;
    await this.wfile.write(`${host}:${port + 0}`);
  }
}

export async function typedServerAddresses(): Promise<number> {
  const server = new ThreadingTCPServer(["127.0.0.1", 0], Greeter);
  await server.ready;
  const [, port] = server.server_address;
  const cli = await create_connection(server.server_address);
  cli.close();
  await server.server_close();
  // One handler class serves a unix server too; its address is a path.
  const unix = new UnixStreamServer("/tmp/unisock-consumer.sock", Greeter);
  const path: string = unix.server_address;
  await unix.server_close();
  return port + 1 + path.length;
}
