// Unit tests of a datagram socket's core over the in-memory backend: the
// receive queue's bound (twice SO_RCVBUF, each datagram charged its length
// plus an overhead), drops where the runtime cannot stop reading, pause and
// resume where it can, truncation, peer filtering, pending errors, and
// timeouts that lose no datagram.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type FakeDatagram, withFake } from "./_fake_backend.ts";
import { Socket } from "../src/socket/socket.ts";
import { _DatagramQueue, _DGRAM_OVERHEAD } from "../src/socket/datagram_queue.ts";
import type { BackendAddress } from "../src/backend.ts";
import { AF_INET, SO_ERROR, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET } from "../src/constants.ts";
import { BlockingIOError, ConnectionRefusedError, TimeoutError } from "../src/errors.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const PEER: BackendAddress = { kind: "inet", host: "127.0.0.1", port: 5555, version: 4 };
const OTHER: BackendAddress = { kind: "inet", host: "127.0.0.1", port: 6666, version: 4 };

/** A bound datagram socket with SO_RCVBUF 4096 (Linux reports 8192), and its fake handle. */
async function bound(datagrams: FakeDatagram[], s: Socket): Promise<FakeDatagram> {
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
  await s.bind(["127.0.0.1", 0]);
  return datagrams.at(-1)!;
}

/** Receives without waiting until EAGAIN; returns the payloads. */
async function drain(s: Socket): Promise<string[]> {
  const got: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    try {
      got.push(text(await s.recv(65536)));
    } catch (err) {
      if (err instanceof BlockingIOError) return got;
      throw err;
    }
  }
  throw new Error("queue never ran empty");
}

test("core: the datagram queue keeps order across its growth and counts drops", () => {
  const q = new _DatagramQueue();
  const d = (i: number) => new Uint8Array([i]);
  for (let i = 0; i < 10; i++) assert.ok(q.push(d(i), PEER, Infinity));
  for (let i = 0; i < 5; i++) assert.equal(q.take()[0], i);
  for (let i = 10; i < 40; i++) assert.ok(q.push(d(i), PEER, Infinity)); // grows while wrapped
  assert.equal(q.length, 35);
  assert.equal(q.bytes, 35 * (1 + _DGRAM_OVERHEAD));
  for (let i = 5; i < 40; i++) assert.equal(q.take()[0], i);
  assert.equal(q.bytes, 0);
  const limit = 3 * (1 + _DGRAM_OVERHEAD);
  for (let i = 0; i < 5; i++) q.push(d(i), PEER, limit);
  assert.equal(q.length, 3);
  assert.equal(q.drops, 2);
});

test("core: where reading cannot stop, datagrams beyond twice SO_RCVBUF are dropped", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET, SOCK_DGRAM);
    try {
      const h = await bound(fake.datagrams, s);
      assert.equal(h.pause, undefined);
      const payload = "x".repeat(100);
      for (let i = 0; i < 100; i++) h.inject(payload, PEER);
      s.setblocking(false);
      const got = await drain(s);
      const fits = Math.floor((8192 * 2) / (100 + _DGRAM_OVERHEAD));
      assert.equal(got.length, fits);
      assert.equal(Socket._drops(s), 100 - fits);
    } finally {
      s.close();
    }
  }, { datagramPause: false });
});

test("core: where reading can stop, it pauses above SO_RCVBUF and resumes at half", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET, SOCK_DGRAM);
    try {
      const h = await bound(fake.datagrams, s);
      const cost = 100 + _DGRAM_OVERHEAD;
      const pauseAt = Math.floor(8192 / cost) + 1; // the first that makes it exceed SO_RCVBUF
      for (let i = 0; i < pauseAt - 1; i++) h.inject(`${i}`.padEnd(100, "."), PEER);
      assert.deepEqual(h.flow, []);
      h.inject(`${pauseAt - 1}`.padEnd(100, "."), PEER);
      assert.deepEqual(h.flow, ["pause"]);
      for (let i = pauseAt; i < pauseAt + 10; i++) h.inject(`${i}`.padEnd(100, "."), PEER);
      assert.equal(h.held, 10); // the kernel's queue holds them: nothing dropped
      // Taking resumes once the queue is charged at most half of SO_RCVBUF.
      const above = pauseAt - Math.floor(4096 / cost);
      for (let i = 0; i < above - 1; i++) await s.recv(1000);
      assert.deepEqual(h.flow, ["pause"]);
      await s.recv(1000);
      assert.deepEqual(h.flow, ["pause", "resume"]);
      s.setblocking(false);
      const rest = await drain(s);
      const all = [...Array(above).keys()].map(String).concat(
        rest.map((r) => r.replace(/\.+$/, "")),
      );
      assert.deepEqual(all, [...Array(pauseAt + 10).keys()].map(String));
      assert.equal(Socket._drops(s), 0);
    } finally {
      s.close();
    }
  });
});

test("core: a datagram longer than the buffer is cut; recvfrom names the sender", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET, SOCK_DGRAM);
    try {
      const h = await bound(fake.datagrams, s);
      h.inject("hello", PEER);
      h.inject("world", OTHER);
      assert.equal(text(await s.recv(3)), "hel"); // the rest of this datagram is gone
      const [data, from] = await s.recvfrom(100);
      assert.equal(text(data), "world");
      assert.deepEqual(from, ["127.0.0.1", 6666]);
    } finally {
      s.close();
    }
  });
});

test("core: after connect, datagrams from other senders are filtered out", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET, SOCK_DGRAM);
    try {
      const h = await bound(fake.datagrams, s);
      h.inject("queued before", OTHER);
      await s.connect(["127.0.0.1", 5555]);
      h.inject("filtered", OTHER);
      h.inject("from the peer", PEER);
      assert.equal(text(await s.recv(100)), "queued before");
      assert.equal(text(await s.recv(100)), "from the peer");
    } finally {
      s.close();
    }
  });
});

test("core: a datagram socket's error is raised once, after the queued datagrams", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET, SOCK_DGRAM);
    try {
      const h = await bound(fake.datagrams, s);
      h.inject("first", PEER);
      h.fail(111);
      assert.equal(text(await s.recv(100)), "first");
      await assert.rejects(s.recv(100), ConnectionRefusedError);
      assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
    } finally {
      s.close();
    }
  });
});

test("core: a datagram recv that times out loses no later datagram", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET, SOCK_DGRAM);
    try {
      const h = await bound(fake.datagrams, s);
      s.settimeout(0.001);
      await assert.rejects(s.recvfrom(100), TimeoutError);
      h.inject("late", PEER);
      assert.equal(text(await s.recv(100)), "late");
    } finally {
      s.close();
    }
  });
});

test("core: sendto reaches the fake socket bound at the target", async () => {
  await withFake(async (fake) => {
    const a = new Socket(AF_INET, SOCK_DGRAM), b = new Socket(AF_INET, SOCK_DGRAM);
    try {
      await a.bind(["127.0.0.1", 0]);
      await b.sendto("ping", a.getsockname());
      const [data, from] = await a.recvfrom(100);
      assert.equal(text(data), "ping");
      assert.deepEqual(from, b.getsockname());
      assert.equal(fake.datagrams.length, 2); // b was bound by its first send
    } finally {
      a.close();
      b.close();
    }
  });
});
