// Web Streams over sockets (readable/writable share recv/sendall's buffers),
// async iteration of received chunks, and `using` (Symbol.dispose).

import { test } from "node:test";
import assert from "node:assert/strict";
import { MSG_WAITALL, OSError, SHUT_WR, type Socket, socket } from "unisock";
import { dec, enc, isError, settlesWithin, tcpPair } from "./_helpers.ts";

/** Runs `body` with a connected TCP pair `[a, b]`, closing everything afterwards. */
async function withPair(body: (a: Socket, b: Socket) => Promise<void>): Promise<void> {
  const [srv, a, b] = await tcpPair();
  try {
    await body(a, b);
  } finally {
    a.close();
    b.close();
    srv.close();
  }
}

/** Reads a stream to its end (bounded), concatenated. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (let i = 0; i < 1_000_000; i++) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

test("streams: readable ends at EOF and composes with Response and TextDecoderStream", async () => {
  await withPair(async (a, b) => {
    await a.sendall("hello ");
    await a.sendall("streams");
    await a.shutdown(SHUT_WR);
    assert.equal(await new Response(b.readable).text(), "hello streams");
  });
  await withPair(async (a, b) => {
    await a.sendall(new Uint8Array([0xce]));
    await a.sendall(new Uint8Array([0xb1, 0x62]));
    a.close();
    let text = "";
    for await (const s of b.readable.pipeThrough(new TextDecoderStream())) text += s;
    assert.equal(text, "αb");
  });
});

test("streams: readable shares the receive buffer with recv", async () => {
  await withPair(async (a, b) => {
    await a.sendall("hello world");
    assert.equal(dec(await b.recv(5, MSG_WAITALL)), "hello");
    const reader = b.readable.getReader();
    let got = "";
    for (let i = 0; i < 100 && got.length < 6; i++) got += dec((await reader.read()).value!);
    assert.equal(got, " world");
    reader.releaseLock();
    await a.sendall("more");
    assert.equal(dec(await b.recv(4, MSG_WAITALL)), "more");
  });
});

test("streams: an unread readable applies backpressure to the sender", async () => {
  await withPair(async (a, b) => {
    const total = 32 << 20;
    const data = new Uint8Array(total);
    for (let i = 0; i < total; i += 4096) data[i] = (i >>> 12) & 0xff;
    const stream = b.readable; // created, not read: it must not pull everything in
    const sending = a.sendall(data);
    assert.equal(await settlesWithin(sending, 300), false);
    const [got] = await Promise.all([drainUntil(stream, total), sending]);
    assert.equal(got.length, total);
    for (let i = 0; i < total; i += 4096) assert.equal(got[i], (i >>> 12) & 0xff);
  });
});

/** Reads exactly `n` bytes from a stream (bounded), then releases it. */
async function drainUntil(stream: ReadableStream<Uint8Array>, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let off = 0;
  const reader = stream.getReader();
  for (let i = 0; i < 1_000_000 && off < n; i++) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, off);
    off += value.length;
  }
  reader.releaseLock();
  return out.subarray(0, off);
}

test("streams: writable sends through sendall; closing it half-closes", async () => {
  await withPair(async (a, b) => {
    const writer = a.writable.getWriter();
    await writer.write(enc("one "));
    await writer.write(enc("two"));
    await writer.close();
    assert.equal(dec(await drain(b.readable)), "one two");
    // Only the write half is closed: a still receives.
    await b.sendall("reply");
    assert.equal(dec(await a.recv(5, MSG_WAITALL)), "reply");
  });
});

test("streams: pipeTo from one socket to another (a relay)", async () => {
  const [srv1, a, b] = await tcpPair();
  const [srv2, c, d] = await tcpPair();
  try {
    const relay = b.readable.pipeTo(c.writable);
    const payload = new Uint8Array(3 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    await a.sendall(payload);
    await a.shutdown(SHUT_WR);
    const got = await drain(d.readable);
    await relay;
    assert.equal(got.length, payload.length);
    assert.deepEqual(got, payload);
  } finally {
    for (const s of [a, b, c, d, srv1, srv2]) s.close();
  }
});

test("streams: aborting the writable closes the socket; a closed socket errors the readable", async () => {
  await withPair(async (a, b) => {
    const writer = a.writable.getWriter();
    await writer.abort(new Error("stop"));
    assert.equal(a.fileno(), -1);
    assert.equal((await b.recv(10)).length, 0);
    const reader = b.readable.getReader();
    const pending = reader.read();
    b.close();
    await assert.rejects(pending, isError(OSError, 9));
  });
});

test("streams: async iteration yields chunks until EOF; break leaves the rest buffered", async () => {
  await withPair(async (a, b) => {
    const sending = (async () => {
      for (let i = 0; i < 20; i++) await a.sendall(`chunk${i};`);
      await a.shutdown(SHUT_WR);
    })();
    let text = "";
    for await (const chunk of b) {
      assert.ok(chunk instanceof Uint8Array && chunk.length > 0);
      text += dec(chunk);
    }
    await sending;
    assert.equal(text, Array.from({ length: 20 }, (_, i) => `chunk${i};`).join(""));
  });
  await withPair(async (a, b) => {
    await a.sendall("first");
    for await (const chunk of b) {
      assert.equal(dec(chunk), "first");
      break;
    }
    // The socket stays open and usable after leaving the loop.
    await a.sendall("second");
    assert.equal(dec(await b.recv(6, MSG_WAITALL)), "second");
  });
});

test("streams: `using` closes sockets and files at the end of the scope, even on throw", async () => {
  let kept: Socket | null = null;
  await assert.rejects(
    (async () => {
      using s = socket();
      kept = s;
      await s.bind(["127.0.0.1", 0]);
      throw new Error("boom");
    })(),
    /boom/,
  );
  assert.equal(kept!.fileno(), -1);
  await withPair(async (a, b) => {
    {
      using f = b.makefile("rb");
      await a.sendall("x\n");
      assert.deepEqual(await f.readline(), enc("x\n"));
    }
    // The file is closed, the socket is not.
    assert.ok(b.fileno() >= 0);
    await a.sendall("y");
    assert.equal(dec(await b.recv(1)), "y");
  });
});
