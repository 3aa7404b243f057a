import { test } from "node:test";
import assert from "node:assert/strict";
import { SHUT_WR } from "unisock";
import { dec, tcpPair } from "./_helpers.ts";

test("smoke: echo and half-close over loopback TCP", async () => {
  const [srv, cli, conn] = await tcpPair();
  try {
    await cli.sendall("hello");
    assert.equal(dec(await conn.recv(1024)), "hello");
    await cli.shutdown(SHUT_WR);
    assert.equal((await conn.recv(1024)).length, 0);
    await conn.sendall("back");
    assert.equal(dec(await cli.recv(1024)), "back");
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
});
