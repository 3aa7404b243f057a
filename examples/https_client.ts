/**
 * The HTTP client of tutorial 001 as an HTTPS client: the same GET request
 * and receive loop, over a socket that `ssl.create_default_context()`
 * wrapped. The certificate must verify and name the host, as in Python.
 * Defaults to a local server (`tls_hello_server.ts`, or Python's
 * `http.server` behind TLS) trusted through `cafile`; never needs the
 * internet.
 *
 * Usage: https_client.ts [host=localhost] [port=8443] [cafile=tests/fixtures/tls/ca.pem]
 *
 * @module
 */

import process from "node:process";
import { create_connection } from "../mod.ts";
import { create_default_context } from "../ssl.ts";

const host = process.argv[2] ?? "localhost";
const port = Number(process.argv[3] ?? 8443);
const cafile = process.argv[4] ?? "tests/fixtures/tls/ca.pem";

// Trust the given CA (omit `cafile` to trust the system's CAs, for real sites).
const context = create_default_context(undefined, { cafile });
// Connect, then wrap: the handshake checks the certificate and the host name.
const s = await context.wrap_socket(await create_connection([host, port]), {
  server_hostname: host,
});
console.log(`${s.version()} ${s.cipher()?.[0]}`);
await s.sendall(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

// Receive until the server closes.
const buffer: Uint8Array[] = [];
while (true) {
  const d = await s.recv(1024);
  if (d.length) buffer.push(d);
  else break;
}
s.close();
const data = new Uint8Array(buffer.reduce((n, b) => n + b.length, 0));
buffer.reduce((at, b) => (data.set(b, at), at + b.length), 0);

// Print the status line and the page.
const text = new TextDecoder().decode(data);
const at = text.indexOf("\r\n\r\n");
console.log(text.slice(0, text.indexOf("\r\n")));
console.log(at < 0 ? "" : text.slice(at + 4));
