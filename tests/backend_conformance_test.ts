// Holds the real adapter of the running runtime to the rules written in
// src/backend.ts: no sink call after close, none synchronously from start,
// chunks owned by the core, every failure an OSError, events that come
// before start() delivered after it, in order.

import { test } from "node:test";
import assert from "node:assert/strict";
import "../adapters/auto.ts";
import {
  type BackendAddress,
  type DatagramHandle,
  getBackend,
  type ListenerHandle,
  type StreamHandle,
} from "../src/backend.ts";
import { OSError } from "../src/errors.ts";

const LOOPBACK: BackendAddress = { kind: "inet", host: "127.0.0.1", port: 0, version: 4 };
const cancel = () => ({ cancelled: false, onCancel: null });

/** Resolves after `ms` (to give a runtime's events time to arrive; no assertion depends on it). */
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream sink that records every call. */
function recorder() {
  const calls: string[] = [];
  const chunks: Uint8Array[] = [];
  let errors: unknown[] = [];
  return {
    calls,
    chunks,
    get errors() {
      return errors;
    },
    sink: {
      data(c: Uint8Array) {
        calls.push("data");
        chunks.push(c);
      },
      end() {
        calls.push("end");
      },
      error(e: unknown) {
        calls.push("error");
        errors = [...errors, e];
      },
    },
  };
}

/** Waits (bounded) until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await tick(5);
  assert.ok(cond(), `timed out waiting for ${what}`);
}

async function pair(): Promise<[ListenerHandle, StreamHandle, StreamHandle]> {
  const b = getBackend();
  const l = await b.listen({ address: LOOPBACK, backlog: 16, reusePort: false, ipv6Only: false });
  const accepted: StreamHandle[] = [];
  l.start({ connection: (s) => accepted.push(s), error: () => {} });
  const c = await b.connect({ address: l.local, cancel: cancel() });
  await until(() => accepted.length === 1, "accept");
  return [l, c, accepted[0]];
}

test("conformance: events before start() come after it, asynchronously, in order", async () => {
  const [l, c, a] = await pair();
  try {
    await c.write(new Uint8Array([1, 2, 3]));
    await c.shutdownWrite();
    await tick(50); // the data and the FIN reach the accepted side before its start()
    const r = recorder();
    a.start(r.sink);
    assert.deepEqual(r.calls, [], "no sink call synchronously from start()");
    await until(() => r.calls.includes("end"), "end");
    assert.deepEqual([...r.chunks.flatMap((x) => [...x])], [1, 2, 3]);
    assert.equal(r.calls.at(-1), "end");
  } finally {
    c.abort();
    a.abort();
    l.close();
  }
});

test("conformance: no sink call after close()", async () => {
  const [l, c, a] = await pair();
  try {
    const r = recorder();
    a.start(r.sink);
    a.close();
    await Promise.resolve(c.write(new Uint8Array(1000))).catch(() => {});
    c.abort();
    await tick(50);
    assert.deepEqual(r.calls, []);
  } finally {
    c.abort();
    l.close();
  }
});

test("conformance: chunks belong to the core (never reused)", async () => {
  const [l, c, a] = await pair();
  try {
    const r = recorder();
    a.start(r.sink);
    const total = 200;
    for (let i = 0; i < total; i++) {
      await c.write(new Uint8Array(1000).fill(i));
      if (i % 20 === 0) await tick(1);
    }
    await c.shutdownWrite();
    await until(() => r.calls.includes("end"), "end");
    const all = new Uint8Array(r.chunks.reduce((n, x) => n + x.length, 0));
    let off = 0;
    for (const x of r.chunks) {
      all.set(x, off);
      off += x.length;
    }
    assert.equal(all.length, total * 1000);
    for (let i = 0; i < total; i++) assert.equal(all[i * 1000 + 999], i, `chunk ${i} changed`);
  } finally {
    c.abort();
    a.abort();
    l.close();
  }
});

test("conformance: failures are OSErrors (refused, address in use, reset)", async () => {
  const b = getBackend();
  const [l, c, a] = await pair();
  try {
    const closed = await b.listen({
      address: LOOPBACK,
      backlog: 1,
      reusePort: false,
      ipv6Only: false,
    });
    const dead = closed.local;
    closed.close();
    await tick(20);
    await assert.rejects(b.connect({ address: dead, cancel: cancel() }), (e) => {
      assert.ok(e instanceof OSError, `refused: ${e}`);
      assert.equal(e.errno, 111);
      return true;
    });
    await assert.rejects(
      b.listen({ address: l.local, backlog: 1, reusePort: false, ipv6Only: false }),
      (e) => e instanceof OSError && e.errno === 98,
    );
    const r = recorder();
    c.start(r.sink);
    a.abort(); // RST where the runtime can, else FIN
    await until(() => r.calls.length > 0, "reset or end");
    for (const e of r.errors) assert.ok(e instanceof OSError, `stream error: ${e}`);
  } finally {
    c.abort();
    l.close();
  }
});

test("conformance: a listener holds connections until start(); close() resets them", async () => {
  const b = getBackend();
  const l = await b.listen({ address: LOOPBACK, backlog: 16, reusePort: false, ipv6Only: false });
  const c = await b.connect({ address: l.local, cancel: cancel() });
  try {
    await tick(30);
    const got: StreamHandle[] = [];
    l.start({ connection: (s) => got.push(s), error: () => {} });
    assert.equal(got.length, 0, "no connection synchronously from start()");
    await until(() => got.length === 1, "the early connection");
    l.close();
    got[0].abort();
  } finally {
    c.abort();
    l.close();
  }
});

test("conformance: datagrams before start() come after it; the core owns them", async () => {
  const b = getBackend();
  const d: DatagramHandle = await b.bindDatagram({
    address: LOOPBACK,
    reuseAddress: false,
    reusePort: false,
    ipv6Only: false,
  });
  try {
    for (let i = 0; i < 5; i++) await d.send(new Uint8Array(100).fill(i), d.local);
    await tick(30);
    const got: [Uint8Array, BackendAddress][] = [];
    d.start({ message: (m, from) => got.push([m, from]), error: () => {} });
    assert.equal(got.length, 0, "no datagram synchronously from start()");
    await until(() => got.length === 5, "five datagrams");
    for (let i = 5; i < 50; i++) await d.send(new Uint8Array(100).fill(i), d.local);
    await until(() => got.length === 50, "fifty datagrams");
    got.forEach(([m], i) => assert.equal(m[99], i, `datagram ${i} changed`));
    assert.equal(got[0][1].kind, "inet");
    d.close();
    await d.send(new Uint8Array(1), d.local)?.catch((e) => assert.ok(e instanceof OSError));
    const before = got.length;
    await tick(20);
    assert.equal(got.length, before, "no message after close()");
  } finally {
    d.close();
  }
});
