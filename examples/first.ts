/**
 * The README's first example: a server and a client in one program, one
 * message echoed, every socket closed, so the program ends.
 *
 * @module
 */

import { AF_INET, SOCK_STREAM, socket } from "../mod.ts";

const srv = socket(AF_INET, SOCK_STREAM);
await srv.bind(["127.0.0.1", 0]); // port 0: the OS picks a free one
srv.listen();
const cli = socket(AF_INET, SOCK_STREAM);
await cli.connect(srv.getsockname());
const [conn, addr] = await srv.accept();
console.log("connection from", addr);
await cli.sendall("hello");
const data = await conn.recv(1024); // a Uint8Array
await conn.sendall(data); // echo it back
console.log(new TextDecoder().decode(await cli.recv(1024))); // hello
conn.close();
cli.close();
srv.close();
