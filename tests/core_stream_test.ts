// Unit tests of a stream socket's core over the in-memory backend: receive
// buffering, MSG_PEEK and MSG_WAITALL, the pause/resume thresholds of
// receive flow control, events that come before the core starts a handle,
// timeouts that lose no bytes, writes one at a time, and the connect that
// succeeds in the same turn as its timeout.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type FakeBackend, type FakeStream, turn, withFake } from "./_fake_backend.ts";
import { Socket } from "../src/socket/socket.ts";
import {
  AF_INET,
  AF_UNIX,
  MSG_PEEK,
  MSG_WAITALL,
  SO_ERROR,
  SO_RCVBUF,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "../src/constants.ts";
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionResetError,
  OSError,
  TimeoutError,
} from "../src/errors.ts";
import * as E from "../src/errno.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A socket connected over the fake, and the core's end of its pipe (the test feeds it). */
async function connected(fake: FakeBackend, s: Socket): Promise<FakeStream> {
  const p = s.connect(["127.0.0.1", 9]);
  const end = fake.connects.at(-1)!.succeed();
  await p;
  return end;
}

/** Whether `p` settled within the microtasks already queued and one event-loop turn. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => done = true, () => done = true);
  await turn();
  return done;
}

test("core: the Socket class and setBackend are the same module instances", async () => {
  await withFake(() => {
    assert.throws(
      () => new Socket(AF_UNIX, SOCK_DGRAM),
      (e: unknown) => e instanceof OSError && /on fake: no/.test(e.message),
    );
  }, { capabilities: { unixDatagram: "no" } });
});

test("core: recv takes at most bufsize, across chunks, and keeps the rest", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      end.push("hello world");
      assert.equal(text(await s.recv(5)), "hello");
      assert.equal(text(await s.recv(100)), " world");
      end.push("ab");
      end.push("cd");
      end.push("ef");
      assert.equal(text(await s.recv(5)), "abcde");
      assert.equal(text(await s.recv(5)), "f");
      const into = new Uint8Array(4);
      end.push("wxyz!");
      assert.equal(await s.recv_into(into), 4);
      assert.equal(text(into), "wxyz");
      assert.equal(text(await s.recv(9)), "!");
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: a waiting recv gets the first chunk that arrives", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      end.hold();
      const r = s.recv(1024);
      end.push("one");
      end.push("two");
      assert.equal(await settled(r), false);
      end.deliver(1);
      assert.equal(text(await r), "one");
      end.release();
      assert.equal(text(await s.recv(1024)), "two");
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: MSG_PEEK leaves the bytes for the next recv", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      end.push("abc");
      end.push("def");
      assert.equal(text(await s.recv(2, MSG_PEEK)), "ab");
      assert.equal(text(await s.recv(5, MSG_PEEK)), "abcde");
      assert.equal(text(await s.recv(4)), "abcd");
      assert.equal(text(await s.recv(10, MSG_PEEK)), "ef");
      assert.equal(text(await s.recv(10)), "ef");
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: MSG_WAITALL waits for every byte, or for EOF", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      const r = s.recv(6, MSG_WAITALL);
      end.push("abc");
      assert.equal(await settled(r), false);
      end.push("defg");
      assert.equal(text(await r), "abcdef");
      assert.equal(text(await s.recv(10)), "g");
      const partial = s.recv(10, MSG_WAITALL);
      end.push("xy");
      end.pushEnd();
      assert.equal(text(await partial), "xy");
      assert.equal((await s.recv(10)).length, 0);
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: reading pauses at 8x SO_RCVBUF buffered and resumes below 2x", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096); // Linux reports 8192
      const rcvbuf = s.getsockopt(SOL_SOCKET, SO_RCVBUF) as number;
      assert.equal(rcvbuf, 8192);
      const chunk = new Uint8Array(4096);
      for (let i = 0; i < (rcvbuf * 8) / 4096 - 1; i++) end.push(chunk);
      assert.deepEqual(end.flow, []);
      end.push(chunk); // 8x SO_RCVBUF
      assert.deepEqual(end.flow, ["pause"]);
      end.push(chunk); // the runtime stops reading: it waits on the wire
      assert.equal(end.waiting, 4096);
      // Reading down to 2x SO_RCVBUF does not resume; below it does.
      await s.recv(rcvbuf * 6);
      assert.deepEqual(end.flow, ["pause"]);
      await s.recv(1);
      assert.deepEqual(end.flow, ["pause", "resume"]);
      assert.equal(end.waiting, 0);
      // Nothing was lost on the way.
      let total = 0;
      while (total < rcvbuf * 2 - 1 + 4096) total += (await s.recv(1 << 20)).length;
      assert.equal(total, rcvbuf * 2 - 1 + 4096);
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: a MSG_WAITALL recv larger than the pause mark resumes reading", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      s.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
      const mark = 8192 * 8;
      end.push(new Uint8Array(mark));
      assert.deepEqual(end.flow, ["pause"]);
      const r = s.recv(mark + 1000, MSG_WAITALL);
      assert.deepEqual(end.flow, ["pause", "resume"]);
      end.push(new Uint8Array(999));
      assert.equal(await settled(r), false);
      assert.deepEqual(end.flow, ["pause", "resume"]); // still wanted: no pause
      end.push(new Uint8Array(2));
      assert.equal((await r).length, mark + 1000);
      assert.equal((await s.recv(10)).length, 1);
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: events before the core starts a handle wait, then arrive in order", async () => {
  await withFake(async (fake) => {
    const srv = new Socket();
    const cli = new Socket();
    try {
      await srv.bind(["127.0.0.1", 0]);
      srv.listen();
      await cli.connect(srv.getsockname());
      const server = fake.connects.at(-1)!.server!;
      server.push("early ");
      server.push("bytes");
      server.pushEnd();
      // The handle was not started yet: its events wait, reading held.
      assert.deepEqual(server.holds, [true]);
      const [conn] = await srv.accept();
      try {
        assert.equal(text(await conn.recv(6)), "early ");
        assert.equal(text(await conn.recv(100)), "bytes");
        assert.equal((await conn.recv(100)).length, 0);
        assert.deepEqual(server.holds, [true, false]);
      } finally {
        conn.close();
      }
    } finally {
      cli.close();
      srv.close();
    }
  });
});

test("core: a connection reset is raised once, after the bytes before it", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      end.push("last");
      end.pushError(E.ECONNRESET);
      assert.equal(text(await s.recv(100)), "last");
      await assert.rejects(s.recv(100), ConnectionResetError);
      await assert.rejects(s.send("x"), BrokenPipeError);
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: close resets a connection with unread bytes, else closes it", async () => {
  await withFake(async (fake) => {
    const a = new Socket(), b = new Socket();
    try {
      const ea = await connected(fake, a);
      const eb = await connected(fake, b);
      ea.push("unread");
      a.close();
      b.close();
      assert.equal(ea.closedHow, "abort");
      assert.equal(eb.closedHow, "close");
    } finally {
      a.close();
      b.close();
    }
  }, { manualConnect: true });
});

test("core: a recv that times out loses none of the bytes that come later", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      s.settimeout(0.001);
      await assert.rejects(s.recv(100), TimeoutError);
      end.push("late");
      assert.equal(text(await s.recv(100)), "late");
      // A MSG_WAITALL recv that times out leaves what came buffered.
      const r = s.recv(10, MSG_WAITALL);
      end.push("abc");
      await assert.rejects(r, TimeoutError);
      end.push("def");
      s.settimeout(null);
      assert.equal(text(await s.recv(100)), "abcdef");
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: an accept that times out loses no connection", async () => {
  await withFake(async () => {
    const srv = new Socket();
    const cli = new Socket();
    try {
      await srv.bind(["127.0.0.1", 0]);
      srv.listen();
      srv.settimeout(0.001);
      await assert.rejects(srv.accept(), TimeoutError);
      await cli.connect(srv.getsockname());
      const [conn] = await srv.accept();
      conn.close();
    } finally {
      cli.close();
      srv.close();
    }
  });
});

test("core: sendall hands the runtime one write at a time", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      end.writeMode = "async";
      const data = new Uint8Array(600 * 1024).map((_, i) => i & 0xff);
      const done = s.sendall(data);
      for (let i = 0; i < 10 && !(await settled(done)); i++) {
        assert.equal(end.pendingWrites, 1);
        end.completeWrite();
      }
      await done;
      const sent = new Uint8Array(data.length);
      let at = 0;
      for (const c of end.written) {
        sent.set(c, at);
        at += c.length;
      }
      assert.equal(at, data.length);
      assert.deepEqual(sent, data);
      assert.ok(end.written.length > 1);
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: a connect that times out cancels the attempt; the socket may connect again", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      s.settimeout(0.001);
      await assert.rejects(s.connect(["127.0.0.1", 9]), TimeoutError);
      assert.equal(fake.connects[0].outcome, "cancelled");
      assert.equal(s.getsockopt(SOL_SOCKET, SO_ERROR), 0);
      s.settimeout(null);
      const p = s.connect(["127.0.0.1", 9]);
      fake.connects[1].succeed();
      await p;
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: a connect that succeeds in the same turn as its timeout leaves the socket fresh", async () => {
  await withFake(async (fake) => {
    const s = new Socket(AF_INET);
    try {
      s.settimeout(0.001);
      const p = s.connect(["127.0.0.1", 9]);
      const first = fake.connects[0];
      first.succeedOnCancel();
      await assert.rejects(p, TimeoutError);
      // The late connection is reset, and the socket is unconnected again.
      await first.client!.closed();
      assert.equal(first.client!.closedHow, "abort");
      s.settimeout(null);
      const again = s.connect(["127.0.0.1", 9]);
      const second = fake.connects.at(-1)!;
      assert.notEqual(second, first, "a later connect was refused before reaching the backend");
      second.succeed();
      await again;
      second.client!.push("ok");
      assert.equal(text(await s.recv(10)), "ok");
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});

test("core: a non-blocking recv with nothing buffered raises EAGAIN", async () => {
  await withFake(async (fake) => {
    const s = new Socket();
    try {
      const end = await connected(fake, s);
      s.setblocking(false);
      await assert.rejects(
        s.recv(10),
        (e: unknown) => e instanceof BlockingIOError && e.errno === E.EAGAIN,
      );
      end.push("now");
      assert.equal(text(await s.recv(10)), "now");
    } finally {
      s.close();
    }
  }, { manualConnect: true });
});
