// recv_into on stream sockets: a blocking recv_into with nothing buffered may
// read straight into the caller's buffer (where the runtime can); these tests
// hold it to the same results as the buffered path.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MSG_PEEK, OSError, SHUT_WR, type Socket, TimeoutError } from "unisock";
import { select } from "unisock/select";
import { dec, isError, tcpPair } from "./_helpers.ts";

/** Runs `body` with a connected pair, closing all three sockets afterwards. */
async function withPair(body: (cli: Socket, conn: Socket) => Promise<void>): Promise<void> {
  const [srv, cli, conn] = await tcpPair();
  try {
    await body(cli, conn);
  } finally {
    cli.close();
    conn.close();
    srv.close();
  }
}

test("recv_into: a waiting call gets the bytes; later ones mix with select, MSG_PEEK and recv", async () => {
  await withPair(async (cli, conn) => {
    const buf = new Uint8Array(16);
    const waiting = conn.recv_into(buf);
    await cli.sendall("hello");
    const n = await waiting;
    assert.equal(dec(buf.subarray(0, n)), "hello");
    // No call waits now: the bytes must still be read and reported readable.
    await cli.sendall("world!");
    const [r] = await select([conn], [], [], 5);
    assert.deepEqual(r, [conn]);
    buf.fill(0);
    assert.equal(await conn.recv_into(buf, 0, MSG_PEEK), 6);
    assert.equal(dec(buf.subarray(0, 6)), "world!");
    assert.equal(dec(await conn.recv(3)), "wor");
    assert.equal(await conn.recv_into(buf), 3);
    assert.equal(dec(buf.subarray(0, 3)), "ld!");
  });
});

test("recv_into: 4 MiB through one reused buffer arrive whole and in order", async () => {
  await withPair(async (cli, conn) => {
    const data = new Uint8Array(4 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 12)) & 0xff;
    const sending = cli.sendall(data).then(() => cli.shutdown(SHUT_WR));
    const got = new Uint8Array(data.length);
    const buf = new Uint8Array(65536);
    let total = 0;
    for (let i = 0; i < 100_000; i++) {
      const n = await conn.recv_into(buf, i % 3 === 0 ? 1000 : 0);
      if (n === 0) break;
      got.set(buf.subarray(0, n), total);
      total += n;
    }
    await sending;
    assert.equal(total, data.length);
    assert.ok(got.every((b, i) => b === data[i]));
  });
});

test("recv_into: EOF returns 0 and close() ends a waiting call with EBADF", async () => {
  await withPair(async (cli, conn) => {
    const waiting = conn.recv_into(new Uint8Array(8));
    await cli.shutdown(SHUT_WR);
    assert.equal(await waiting, 0);
  });
  await withPair(async (_cli, conn) => {
    const waiting = conn.recv_into(new Uint8Array(8));
    conn.close();
    await assert.rejects(waiting, isError(OSError, 9));
  });
});

test("recv_into: a timed-out call loses nothing and leaves the buffer alone", async () => {
  await withPair(async (cli, conn) => {
    conn.settimeout(0.05);
    const buf = new Uint8Array(8);
    await assert.rejects(conn.recv_into(buf), isError(TimeoutError));
    await cli.sendall("late");
    // The bytes are read into the socket's own buffer, never into `buf`.
    await select([conn], [], [], 5);
    assert.deepEqual([...buf], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(await conn.recv_into(buf), 4);
    assert.equal(dec(buf.subarray(0, 4)), "late");
  });
});
