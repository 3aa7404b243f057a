// Unit tests of the core's direct reads (StreamHandle.readInto) over the
// in-memory backend: when a blocking recv_into may hand the caller's buffer to
// the runtime, and how EOF, errors and close end such a read.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type FakeBackend, type FakeStream, turn, withFake } from "./_fake_backend.ts";
import { Socket } from "../src/socket/socket.ts";
import { MSG_PEEK } from "../src/constants.ts";
import { ConnectionResetError, OSError } from "../src/errors.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A handle's direct reads, settled by the test. */
interface Pulls {
  /** The buffers handed to `readInto`, in order. */
  readonly dsts: Uint8Array[];
  /** Settles the latest one with a count. */
  settle(n: number): void;
}

/** Connects `s` over the fake and gives the handle a `readInto` the test drives. */
async function pulling(fake: FakeBackend, s: Socket): Promise<[FakeStream, Pulls]> {
  const p = s.connect(["127.0.0.1", 9]);
  const end = fake.connects.at(-1)!.succeed();
  await p;
  let resolve: (n: number) => void = () => {};
  const pulls: Pulls = { dsts: [], settle: (n) => resolve(n) };
  (end as FakeStream & { readInto(dst: Uint8Array): Promise<number> }).readInto = (dst) => {
    pulls.dsts.push(dst);
    return new Promise<number>((r) => resolve = r);
  };
  return [end, pulls];
}

test("core: a blocking recv_into with nothing buffered reads into the caller's buffer", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const [, pulls] = await pulling(fake, s);
      const buf = new Uint8Array(8);
      const p = s.recv_into(buf, 5);
      await turn();
      assert.equal(pulls.dsts.length, 1);
      assert.equal(pulls.dsts[0].buffer, buf.buffer);
      assert.equal(pulls.dsts[0].length, 5);
      pulls.dsts[0].set(new TextEncoder().encode("abc"));
      pulls.settle(3);
      assert.equal(await p, 3);
      assert.equal(text(buf.subarray(0, 3)), "abc");
    } finally {
      s.close();
    }
  });
});

test("core: buffered bytes, a timeout and MSG_PEEK keep recv_into on the buffered path", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const [end, pulls] = await pulling(fake, s);
      const buf = new Uint8Array(8);
      end.push("xy");
      await turn();
      assert.equal(await s.recv_into(buf), 2);
      s.settimeout(5);
      const timed = s.recv_into(buf);
      end.push("t");
      assert.equal(await timed, 1);
      s.settimeout(null);
      const peek = s.recv_into(buf, 0, MSG_PEEK);
      end.push("p");
      assert.equal(await peek, 1);
      assert.equal(await s.recv_into(buf), 1);
      assert.equal(pulls.dsts.length, 0);
    } finally {
      s.close();
    }
  });
});

test("core: a direct read ends with EOF (0), the connection's error, or EBADF at close", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const [end, pulls] = await pulling(fake, s);
      const eof = s.recv_into(new Uint8Array(4));
      await turn();
      end.pushEnd();
      pulls.settle(0);
      assert.equal(await eof, 0);
    } finally {
      s.close();
    }
    const t = new Socket();
    try {
      const [end, pulls] = await pulling(fake, t);
      const failed = t.recv_into(new Uint8Array(4));
      await turn();
      end.pushError(104);
      pulls.settle(0);
      await assert.rejects(failed, (e) => e instanceof ConnectionResetError);
    } finally {
      t.close();
    }
    const u = new Socket();
    const [, pulls] = await pulling(fake, u);
    const closed = u.recv_into(new Uint8Array(4));
    await turn();
    assert.equal(pulls.dsts.length, 1);
    u.close();
    await assert.rejects(closed, (e) => e instanceof OSError && e.errno === 9);
  });
});
