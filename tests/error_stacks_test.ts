// An OSError that reaches an `await` has the awaiting caller's frames in its
// stack on every runtime (it is made again at the awaited call; the error the
// runtime callback made is its `cause`).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AF_INET,
  create_server,
  OSError,
  SO_LINGER,
  SOCK_DGRAM,
  socket,
  socketpair,
  SOL_SOCKET,
} from "unisock";
import { closedPort, DENO_NODE_NET, RUNTIME } from "./_helpers.ts";

/** Runs `f`, expecting an OSError whose stack names `f`. */
async function assertStackNames(f: () => Promise<void>, errno: number | null): Promise<void> {
  try {
    await f();
  } catch (err) {
    assert.ok(err instanceof OSError, String(err));
    assert.equal(err.errno, errno);
    assert.ok(String(err.stack).includes(f.name), `${f.name} not in:\n${err.stack}`);
    if (err.cause !== undefined) {
      assert.equal((err.cause as OSError).message, err.message);
      assert.equal((err.cause as OSError).constructor, err.constructor);
    }
    return;
  }
  assert.fail(`${f.name} did not fail`);
}

test("error stacks: a failing connect names the awaiting function", async () => {
  const port = await closedPort();
  async function userConnectsToAClosedPort(): Promise<void> {
    const s = socket();
    try {
      await s.connect(["127.0.0.1", port]);
    } finally {
      s.close();
    }
  }
  await assertStackNames(userConnectsToAClosedPort, 111);
});

test("error stacks: a failing bind names the awaiting function", async () => {
  using srv = await create_server(["127.0.0.1", 0]);
  async function userBindsATakenPort(): Promise<void> {
    using s = socket();
    await s.bind(srv.getsockname());
  }
  await assertStackNames(userBindsATakenPort, 98);
});

test("error stacks: a recv ended by close names the awaiting function", async () => {
  const [a, b] = await socketpair();
  async function userWaitsInRecv(): Promise<void> {
    const p = b.recv(10);
    queueMicrotask(() => b.close());
    await p;
  }
  try {
    await assertStackNames(userWaitsInRecv, 9);
  } finally {
    a.close();
    b.close();
  }
});

test("error stacks: a datagram recv timeout names the awaiting function", async () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  await s.bind(["127.0.0.1", 0]);
  s.settimeout(0.01);
  async function userTimesOutInRecvfrom(): Promise<void> {
    await s.recvfrom(10);
  }
  await assertStackNames(userTimesOutInRecvfrom, null);
});

test("error stacks: an accept ended by close names the awaiting function", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  async function userWaitsInAccept(): Promise<void> {
    const p = srv.accept();
    queueMicrotask(() => srv.close());
    await p;
  }
  try {
    await assertStackNames(userWaitsInAccept, 9);
  } finally {
    srv.close();
  }
});

test("error stacks: a makefile readline timeout names the awaiting function", async () => {
  const [a, b] = await socketpair();
  b.settimeout(0.01);
  const r = b.makefile("rb");
  async function userWaitsInReadline(): Promise<void> {
    await r.readline();
  }
  try {
    await assertStackNames(userWaitsInReadline, null);
  } finally {
    r.close();
    a.close();
    b.close();
  }
});

test("error stacks: a text readline timeout, after part of a line, names the awaiting function", async () => {
  const [a, b] = await socketpair();
  b.settimeout(0.01);
  const r = b.makefile("r");
  async function userTimesOutInReadline(): Promise<void> {
    await a.sendall("no newline yet");
    await r.readline();
  }
  try {
    await assertStackNames(userTimesOutInReadline, null);
  } finally {
    r.close();
    a.close();
    b.close();
  }
});

test("error stacks: a readline reset by the peer names the awaiting function", {
  skip: RUNTIME === "deno" && !DENO_NODE_NET
    ? "UNISOCK_DENO_NET=conn: Deno.Conn cannot send a RST"
    : false,
}, async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket();
  await cli.connect(srv.getsockname());
  const [conn] = await srv.accept();
  const r = cli.makefile("rb");
  async function userReadsALineFromAPeerThatResets(): Promise<void> {
    const p = r.readline();
    conn.setsockopt(SOL_SOCKET, SO_LINGER, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
    conn.close();
    await p;
  }
  try {
    await assertStackNames(userReadsALineFromAPeerThatResets, 104);
  } finally {
    r.close();
    conn.close();
    cli.close();
    srv.close();
  }
});

test("error stacks: a failing makefile write names the function awaiting flush", async () => {
  const [a, b] = await socketpair();
  const w = b.makefile("wb");
  async function userWritesToAClosedPeer(): Promise<void> {
    a.close();
    for (let i = 0; i < 64; i++) void w.write(new Uint8Array(65536));
    await w.flush();
  }
  try {
    await assertStackNames(userWritesToAClosedPeer, 32);
  } finally {
    w.close();
    b.close();
  }
});

test("error stacks: an awaited makefile write to a closed peer names the awaiting function", async () => {
  const [a, b] = await socketpair();
  const w = b.makefile("wb");
  async function userAwaitsAWriteToAClosedPeer(): Promise<void> {
    a.close();
    for (let i = 0; i < 64; i++) await w.write(new Uint8Array(65536));
  }
  try {
    await assertStackNames(userAwaitsAWriteToAClosedPeer, 32);
  } finally {
    w.close();
    b.close();
  }
});
