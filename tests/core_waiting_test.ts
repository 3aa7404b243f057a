// Unit tests of the core's descriptor table (lowest free number first, -1
// after close) and of the one waiting mechanism every blocking call uses
// (src/socket/waiting.ts): waking in order, deadlines, close, race.

import { test } from "node:test";
import assert from "node:assert/strict";
import { turn, withFake } from "./_fake_backend.ts";
import { Socket } from "../src/socket/socket.ts";
import { _lookupFd } from "../src/_readiness.ts";
import { _Waiting } from "../src/socket/waiting.ts";
import { OSError, TimeoutError } from "../src/errors.ts";

test("core: descriptors are the lowest free numbers, reused after close, -1 once closed", async () => {
  await withFake(() => {
    const socks = [new Socket(), new Socket(), new Socket()];
    try {
      const [a, b, c] = socks.map((s) => s.fileno());
      assert.ok(a >= 3 && b > a && c > b);
      assert.equal(_lookupFd(b), socks[1]);
      socks[1].close();
      assert.equal(socks[1].fileno(), -1);
      assert.equal(_lookupFd(b), undefined);
      socks[1].close(); // a second close frees nothing twice
      socks[0].close();
      socks.push(new Socket(), new Socket());
      assert.equal(socks[3].fileno(), a);
      assert.equal(socks[4].fileno(), b);
      assert.equal(_lookupFd(a), socks[3]);
    } finally {
      for (const s of socks) s.close();
    }
  });
});

test("core: waiters wake in the order they came, each when its condition holds", async () => {
  const w = new _Waiting();
  let level = 0;
  const woke: string[] = [];
  const one = w.until(() => level >= 1, Infinity)!.then(() => woke.push("one"));
  const two = w.until(() => level >= 2, Infinity)!.then(() => woke.push("two"));
  const three = w.until(() => level >= 1, Infinity)!.then(() => woke.push("three"));
  assert.equal(w.until(() => true, Infinity), undefined); // holds already: no promise
  level = 1;
  w.notify();
  await Promise.all([one, three]);
  assert.deepEqual(woke, ["one", "three"]);
  assert.equal(w.idle, false);
  level = 2;
  w.notify();
  await two;
  assert.equal(w.idle, true);
});

test("core: a deadline ends only its own waiter, with TimeoutError", async () => {
  const w = new _Waiting();
  let ready = false;
  const soon = w.until(() => ready, performance.now());
  const never = w.until(() => ready, Infinity)!;
  await assert.rejects(soon!, TimeoutError);
  assert.equal(w.idle, false);
  ready = true;
  w.notify();
  await never;
  assert.equal(w.idle, true);
});

test("core: close ends every waiter with the close error, built only when one waits", async () => {
  const w = new _Waiting();
  let built = 0;
  const err = () => {
    built++;
    return new OSError(9);
  };
  const a = w.until(() => false, Infinity)!;
  const b = w.until(() => false, performance.now() + 60_000)!;
  w.close(err);
  await assert.rejects(a, (e: unknown) => e instanceof OSError && e.errno === 9);
  await assert.rejects(b, (e: unknown) => e instanceof OSError && e.errno === 9);
  assert.equal(built, 1);
  new _Waiting().close(err);
  assert.equal(built, 1);
});

test("core: race passes the call's outcome on, or ends it at the deadline or close", async () => {
  const w = new _Waiting();
  assert.equal(await w.race(Promise.resolve(7), Infinity), 7);
  await assert.rejects(w.race(Promise.reject(new OSError(32)), Infinity), OSError);
  assert.equal(w.idle, true);
  let finish!: (v: number) => void;
  const slow = new Promise<number>((r) => finish = r);
  await assert.rejects(w.race(slow, performance.now()), TimeoutError);
  const closed = w.race(slow, Infinity);
  w.close(() => new OSError(9));
  await assert.rejects(closed, (e: unknown) => e instanceof OSError && e.errno === 9);
  finish(1); // the call itself goes on
  assert.equal(await slow, 1);
});

test("core: a removed waiter is not woken", async () => {
  const w = new _Waiting();
  let woken = false;
  const waiter = {
    at: Infinity,
    ready: () => true,
    wake: () => woken = true,
    fail: () => {},
  };
  w.add(waiter);
  w.remove(waiter);
  w.notify();
  await turn();
  assert.equal(woken, false);
  assert.equal(w.idle, true);
});
