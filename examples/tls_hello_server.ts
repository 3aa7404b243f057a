/**
 * A TLS "Hello, World" HTTPS server: the tutorials' socketserver with a
 * certificate, as Python does it — build the server, then replace its
 * socket with a wrapped one. Try it with
 * `curl --cacert tests/fixtures/tls/ca.pem https://localhost:8443/`.
 *
 * Usage: tls_hello_server.ts [port=8443] [certfile=tests/fixtures/tls/server.pem]
 *   [keyfile=tests/fixtures/tls/server.key]
 *
 * @module
 */

import process from "node:process";
import { PROTOCOL_TLS_SERVER, SSLContext, type SSLSocket } from "../ssl.ts";
import { StreamRequestHandler, TCPServer } from "../socketserver.ts";

const port = Number(process.argv[2] ?? 8443);
const certfile = process.argv[3] ?? "tests/fixtures/tls/server.pem";
const keyfile = process.argv[4] ?? "tests/fixtures/tls/server.key";

class Hello extends StreamRequestHandler {
  override async handle(): Promise<void> {
    // Read the request line and headers up to the empty line.
    while (true) {
      const line = await this.rfile.readline();
      if (line.length === 0 || line[0] === 13 || line[0] === 10) break;
    }
    const body = `Hello, World over ${(this.connection as SSLSocket).version()}\n`;
    await this.wfile.write(
      `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

const context = new SSLContext(PROTOCOL_TLS_SERVER);
context.load_cert_chain(certfile, keyfile);
const server = new TCPServer(["127.0.0.1", port], Hello);
await server.ready;
server.socket = await context.wrap_socket(server.socket, { server_side: true });
const [host, bound] = server.server_address;
console.log(`listening on ${host}:${bound}`);
process.on("SIGTERM", () => server.shutdown());
await server.serve_forever();
await server.server_close();
