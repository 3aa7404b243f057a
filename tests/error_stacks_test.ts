// An OSError that reaches an `await` has the awaiting caller's frames in its
// stack on every runtime (it is made again at the awaited call; the error the
// runtime callback made is its `cause`).

import { test } from "node:test";
import assert from "node:assert/strict";
import { AF_INET, create_server, OSError, SOCK_DGRAM, socket, socketpair } from "unisock";
import { closedPort } from "./_helpers.ts";

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
