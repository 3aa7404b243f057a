// A connect that stays pending: the peer is a python3 listener whose accept
// queue is full (tests/fixtures/full_backlog.py), so the kernel drops our SYNs
// and connect() waits. Expected values were checked against CPython on Linux.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BlockingIOError,
  create_connection,
  OSError,
  SO_ERROR,
  socket,
  SOL_SOCKET,
  TimeoutError,
} from "unisock";
import { select } from "unisock/select";
import { hasPython, isError, settlesWithin } from "./_helpers.ts";

const HOLDER = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "full_backlog.py");

const SKIP = hasPython() ? false : "python3 is not installed";

/**
 * Runs `body` against the full-backlog listener's address, then stops the
 * listener (whether `body` passed or failed).
 */
async function withFullListener(body: (addr: [string, number]) => Promise<void>): Promise<void> {
  const py: ChildProcess = spawn("python3", [HOLDER], { stdio: ["pipe", "pipe", "inherit"] });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      py.stdout!.on("data", (d) => {
        out += String(d);
        if (out.includes("\n")) resolve(Number(out.trim()));
      });
      py.once("exit", (code) => reject(new Error(`full_backlog.py exited (${code})`)));
      timer = setTimeout(() => reject(new Error("full_backlog.py did not start in 10 s")), 10_000);
    });
    await body(["127.0.0.1", port]);
  } finally {
    clearTimeout(timer);
    py.stdin?.end();
    py.kill();
  }
}

test("connect pending: a timeout raises TimeoutError and leaves the socket unconnected", {
  skip: SKIP,
}, async () => {
  await withFullListener(async (addr) => {
    using s = socket();
    s.settimeout(0.2);
    const t0 = performance.now();
    await assert.rejects(s.connect(addr), isError(TimeoutError, null, "timed out"));
    const took = performance.now() - t0;
    assert.ok(took >= 150 && took < 5000, `timed out after ${took.toFixed(0)} ms`);
    assert.throws(() => s.getpeername(), isError(OSError, 107));
    // The timeout is the core's own verdict, not an error the kernel reported.
    assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
    // connect_ex reports a timeout as EAGAIN (11), as CPython does.
    assert.equal(await s.connect_ex(addr), 11);
    await assert.rejects(create_connection(addr, 0.2), isError(TimeoutError, null, "timed out"));
  });
});

test("connect pending: close() ends a blocking connect with EBADF", { skip: SKIP }, async () => {
  await withFullListener(async (addr) => {
    const s = socket();
    const outcome = s.connect(addr).then(() => "connected", (err: unknown) => err);
    // Nothing settles it but the close.
    assert.equal(await settlesWithin(outcome, 100), false);
    s.close();
    const err = await outcome;
    assert.ok(isError(OSError, 9, "[Errno 9] Bad file descriptor")(err), String(err));
  });
});

test("connect pending: non-blocking connect is in progress, EALREADY, not writable", {
  skip: SKIP,
}, async () => {
  await withFullListener(async (addr) => {
    using s = socket();
    s.setblocking(false);
    await assert.rejects(s.connect(addr), isError(BlockingIOError, 115));
    await assert.rejects(s.connect(addr), isError(BlockingIOError, 114));
    assert.equal(await s.connect_ex(addr), 114);
    const [r, w, x] = await select([s], [s], [s], 0.2);
    assert.deepEqual([r.length, w.length, x.length], [0, 0, 0]);
    assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
  });
});
