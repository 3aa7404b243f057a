// Data integrity under random chunking: whatever the sizes of the writes and
// of the reads, and however reads are mixed (recv, MSG_PEEK, MSG_WAITALL,
// recv_into, makefile reads, timed-out and non-blocking attempts), the bytes
// received are exactly the bytes sent. Then bulk transfers checked by SHA-256,
// close() right after sendall, and sendall into a peer that resets.
//
// The bulk transfer is 1 GiB in the normal suite (about 5 s on Deno and Bun,
// 11 s on Node here); UNISOCK_LONG=1 (set by `npm run soak`) makes it 4 GiB
// and runs five times as many property cases; UNISOCK_BULK_MIB overrides it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import process from "node:process";
import fc from "fast-check";
import {
  AF_INET,
  AF_UNIX,
  BlockingIOError,
  create_server,
  MSG_PEEK,
  MSG_WAITALL,
  OSError,
  SO_LINGER,
  type Socket,
  socket,
  socketpair,
  SOL_SOCKET,
  TimeoutError,
} from "unisock";
import { RUNTIME, tcpPair } from "./_helpers.ts";
import { rng } from "./_data.ts";

const LONG = process.env.UNISOCK_LONG === "1";
const MiB = 1024 * 1024;
/** Bytes of the bulk SHA-256 transfer: 1 GiB in the suite, 4 GiB in soak. */
const BULK = Number(process.env.UNISOCK_BULK_MIB ?? (LONG ? 4096 : 1024)) * MiB;
const RUNS = LONG ? 300 : 60;

/** A deterministic pseudo-random byte source (xorshift32), so failures replay. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed | 0) || 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A size from 1 to `max`, log-uniform so that small and large are equally likely. */
function logSize(rand: () => number, max: number): number {
  return Math.max(1, Math.min(max, Math.floor(2 ** (rand() * Math.log2(max + 1)))));
}

/** One read operation of the property test. */
type ReadOp =
  | {
    kind: "recv" | "peek" | "into" | "waitall" | "file" | "line" | "timeout" | "nonblock";
    n: number;
  }
  | { kind: "yield"; n: number };

const readOp: fc.Arbitrary<ReadOp> = fc.record({
  kind: fc.constantFrom(
    "recv",
    "peek",
    "into",
    "waitall",
    "file",
    "line",
    "timeout",
    "nonblock",
    "yield",
  ),
  n: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 70_000 })),
}) as fc.Arbitrary<ReadOp>;

const writeSize = fc.oneof(
  fc.integer({ min: 1, max: 8 }),
  fc.integer({ min: 1, max: 4096 }),
  fc.integer({ min: 1, max: 300_000 }),
);

/**
 * Reads exactly `expected.length` bytes from `b` with the given operations
 * (cycled), checking every byte against `expected`.
 */
async function readAll(
  b: Socket,
  file: ReturnType<Socket["makefile"]>,
  expected: Uint8Array,
  ops: ReadOp[],
): Promise<void> {
  let off = 0;
  let i = 0;
  ops = [...ops, { kind: "recv", n: 65536 }]; // at least one read that waits for data
  const check = (got: Uint8Array, what: string) => {
    assert.ok(
      off + got.length <= expected.length,
      `${what}: ${got.length} bytes past the end at ${off}`,
    );
    const want = expected.subarray(off, off + got.length);
    if (!got.every((v, k) => v === want[k])) {
      const k = got.findIndex((v, j) => v !== want[j]);
      assert.fail(`${what}: byte ${off + k} is ${got[k]}, expected ${want[k]}`);
    }
  };
  while (off < expected.length) {
    const op = ops[i++ % ops.length];
    const left = expected.length - off;
    const n = Math.min(op.n, left);
    switch (op.kind) {
      case "recv": {
        const got = await b.recv(op.n);
        assert.ok(got.length >= 1 && got.length <= op.n, `recv(${op.n}) gave ${got.length}`);
        check(got, "recv");
        off += got.length;
        break;
      }
      case "peek": {
        const peeked = await b.recv(op.n, MSG_PEEK);
        assert.ok(peeked.length >= 1 && peeked.length <= op.n);
        check(peeked, "peek");
        const again = await b.recv(peeked.length);
        assert.equal(again.length, peeked.length, "recv after MSG_PEEK returns the peeked bytes");
        check(again, "recv after peek");
        off += again.length;
        break;
      }
      case "into": {
        const buf = new Uint8Array(op.n + 3).fill(0xee);
        const got = await b.recv_into(buf, op.n);
        assert.ok(got >= 1 && got <= op.n);
        assert.ok(buf.subarray(op.n).every((v) => v === 0xee), "recv_into wrote past nbytes");
        check(buf.subarray(0, got), "recv_into");
        off += got;
        break;
      }
      case "waitall": {
        const got = await b.recv(n, MSG_WAITALL);
        assert.equal(got.length, n, "MSG_WAITALL returns every byte asked for");
        check(got, "waitall");
        off += n;
        break;
      }
      case "file": {
        const got = await file.read(n) as Uint8Array;
        assert.equal(got.length, n, "makefile read(n) returns n bytes before EOF");
        check(got, "file.read");
        off += n;
        break;
      }
      case "line": {
        const got = await file.readline(n) as Uint8Array;
        assert.ok(got.length >= 1 && got.length <= n);
        const nl = got.indexOf(0x0a);
        assert.ok(nl === -1 ? got.length === n : nl === got.length - 1, "readline stops after \\n");
        check(got, "file.readline");
        off += got.length;
        break;
      }
      case "timeout": {
        b.settimeout(0.001 + (op.n % 5) / 1000);
        try {
          const got = await b.recv(op.n);
          check(got, "recv with timeout");
          off += got.length;
        } catch (err) {
          assert.ok(err instanceof TimeoutError, `expected TimeoutError, got ${err}`);
        } finally {
          b.settimeout(null);
        }
        break;
      }
      case "nonblock": {
        b.setblocking(false);
        try {
          const got = await b.recv(op.n);
          check(got, "non-blocking recv");
          off += got.length;
        } catch (err) {
          assert.ok(err instanceof BlockingIOError, `expected BlockingIOError, got ${err}`);
          await new Promise((r) => setTimeout(r, 0)); // let the I/O that would make progress run
        } finally {
          b.setblocking(true);
        }
        break;
      }
      case "yield":
        await new Promise((r) => setTimeout(r, op.n % 3));
        break;
    }
  }
}

async function writeAll(
  a: Socket,
  data: Uint8Array,
  sizes: number[],
  useSend: boolean,
): Promise<void> {
  let off = 0;
  let i = 0;
  while (off < data.length) {
    const size = Math.min(sizes[i++ % sizes.length], data.length - off);
    const part = data.subarray(off, off + size);
    if (useSend && i % 2 === 0) {
      off += await a.send(part);
    } else {
      await a.sendall(part);
      off += size;
    }
  }
}

for (const family of [AF_INET, AF_UNIX]) {
  const name = family === AF_INET ? "TCP" : "unix";
  test(`integrity: random writes and random reads reconstruct the stream exactly (${name}, fast-check)`, async () => {
    const [srv, a, b] = family === AF_INET ? await tcpPair() : [null, ...await socketpair(AF_UNIX)];
    const file = b.makefile("rb");
    let total = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(writeSize, { minLength: 1, maxLength: 20 }),
          fc.array(readOp, { minLength: 1, maxLength: 40 }),
          fc.integer(),
          fc.boolean(),
          async (sizes, ops, seed, useSend) => {
            const n = Math.min(sizes.reduce((x, y) => x + y, 0), 600_000);
            const data = bytes(n, seed);
            total += n;
            await Promise.all([writeAll(a, data, sizes, useSend), readAll(b, file, data, ops)]);
          },
        ),
        { numRuns: RUNS, endOnFailure: true },
      );
      // Nothing left over between runs: the stream is exactly drained.
      b.setblocking(false);
      await assert.rejects(b.recv(1), BlockingIOError);
      assert.ok(total > 0);
    } finally {
      file.close();
      a.close();
      b.close();
      srv?.close();
    }
  });
}

test(`integrity: ${BULK / MiB} MiB with random chunking 1 B..1 MiB, checked by SHA-256`, async () => {
  const [srv, a, b] = await tcpPair();
  const pattern = bytes(MiB + 4099, 12345);
  const sendHash = createHash("sha256");
  const recvHash = createHash("sha256");
  const t0 = performance.now();
  try {
    const sender = (async () => {
      const rand = rng(1);
      let sent = 0;
      while (sent < BULK) {
        const size = Math.min(logSize(rand, MiB), BULK - sent);
        const start = Math.floor(rand() * (pattern.length - size));
        const chunk = pattern.subarray(start, start + size);
        sendHash.update(chunk);
        await a.sendall(chunk);
        sent += size;
      }
      a.close();
    })();
    const receiver = (async () => {
      const rand = rng(2);
      let got = 0;
      for (;;) {
        const chunk = await b.recv(logSize(rand, MiB));
        if (chunk.length === 0) break;
        recvHash.update(chunk);
        got += chunk.length;
      }
      return got;
    })();
    const [, got] = await Promise.all([sender, receiver]);
    assert.equal(got, BULK);
    assert.equal(recvHash.digest("hex"), sendHash.digest("hex"));
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `# ${RUNTIME}: ${BULK / MiB} MiB random-chunked in ${secs.toFixed(1)} s (${
        (BULK / MiB / secs).toFixed(0)
      } MiB/s)`,
    );
  } finally {
    a.close();
    b.close();
    srv.close();
  }
});

test("integrity: sendall of 32 MiB followed at once by close() delivers all 32 MiB, then EOF", async () => {
  for (const family of [AF_INET, AF_UNIX]) {
    const [srv, a, b] = family === AF_INET ? await tcpPair() : [null, ...await socketpair(AF_UNIX)];
    try {
      const data = bytes(32 * MiB, 77);
      const want = createHash("sha256").update(data).digest("hex");
      const reader = (async () => {
        const h = createHash("sha256");
        let n = 0;
        for (;;) {
          const chunk = await b.recv(65536);
          if (chunk.length === 0) return [n, h.digest("hex")] as const;
          h.update(chunk);
          n += chunk.length;
        }
      })();
      await a.sendall(data);
      a.close();
      const [n, got] = await reader;
      assert.equal(n, 32 * MiB);
      assert.equal(got, want);
      assert.equal((await b.recv(10)).length, 0, "EOF stays EOF");
    } finally {
      a.close();
      b.close();
      srv?.close();
    }
  }
});

test("integrity: sendall to a peer that resets mid-transfer rejects, never resolves", async () => {
  for (const linger of [true, false]) {
    const [srv, a, b] = await tcpPair();
    try {
      const big = new Uint8Array(256 * MiB);
      const p = a.sendall(big);
      let settled: "pending" | "resolved" | "rejected" = "pending";
      p.then(() => settled = "resolved", () => settled = "rejected");
      // The peer takes a little, then goes away with unread data (and with
      // SO_LINGER {1, 0} in the first round): a reset.
      const first = await b.recv(65536);
      assert.ok(first.length > 0);
      if (linger) b.setsockopt(SOL_SOCKET, SO_LINGER, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
      b.close();
      const err = await p.then(() => null, (e: unknown) => e);
      assert.equal(settled, "rejected", "sendall must reject when the peer resets");
      assert.ok(err instanceof OSError, `expected an OSError, got ${err}`);
      assert.ok(
        err.errno === 104 || err.errno === 32,
        `expected ConnectionResetError (104) or BrokenPipeError (32), got ${err}`,
      );
    } finally {
      a.close();
      b.close();
      srv.close();
    }
  }
});

test("integrity: bytes returned by recv are never changed by later reads", async () => {
  const [srv, a, b] = await tcpPair();
  try {
    const kept: [Uint8Array, Uint8Array][] = [];
    const data = bytes(4 * MiB, 99);
    const w = writeAll(a, data, [1, 100, 70_000, 3, 65536, 200_000], true);
    let off = 0;
    const rand = rng(3);
    while (off < data.length) {
      const got = await b.recv(logSize(rand, 200_000));
      kept.push([got, got.slice()]);
      off += got.length;
    }
    await w;
    for (const [view, copy] of kept) assert.deepEqual(view, copy);
  } finally {
    a.close();
    b.close();
    srv.close();
  }
});

test("integrity: a socket server and client agree over many short connections", async () => {
  const srv = await create_server(["127.0.0.1", 0]);
  const addr = srv.getsockname();
  try {
    const server = (async () => {
      for (let i = 0; i < 50; i++) {
        const [c] = await srv.accept();
        const n = i * 997 + 1;
        const got = await c.recv(n, MSG_WAITALL);
        await c.sendall(got);
        c.close();
      }
    })();
    for (let i = 0; i < 50; i++) {
      const c = socket();
      await c.connect(addr);
      const data = bytes(i * 997 + 1, i);
      await c.sendall(data);
      const back = await c.recv(data.length, MSG_WAITALL);
      assert.deepEqual(back, data);
      assert.equal((await c.recv(1)).length, 0);
      c.close();
    }
    await server;
  } finally {
    srv.close();
  }
});
