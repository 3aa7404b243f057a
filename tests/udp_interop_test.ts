// UDP between runtimes: this runtime talks to echo peers running in child
// processes — Deno with and without --unstable-net (Deno.listenDatagram and
// node:dgram paths), Bun, Node (the built npm package) and CPython — over
// 127.0.0.1 and ::1. The peers (tests/fixtures/udp_peer.ts and .py) answer
// each datagram with "<runtime> <sender host> <sender port>\n" + the
// datagram, so both directions, boundaries, sizes and the addresses each
// side sees are checked. Exchanges are request/response, never bursts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { AF_INET, AF_INET6, SOCK_DGRAM, socket, TimeoutError } from "unisock";
import { dec, hasPython, isError } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const PEER_TS = join(ROOT, "tests", "fixtures", "udp_peer.ts");
const PEER_PY = join(ROOT, "tests", "fixtures", "udp_peer.py");

interface PeerSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Why this peer cannot run here, or null. */
  readonly skip: string | null;
}

const PEERS: readonly PeerSpec[] = [
  {
    name: "deno-unstable",
    command: join(BIN, "deno"),
    args: ["run", "-A", "--unstable-net", PEER_TS],
    skip: null,
  },
  { name: "deno", command: join(BIN, "deno"), args: ["run", "-A", PEER_TS], skip: null },
  { name: "bun", command: join(BIN, "bun"), args: [PEER_TS], skip: null },
  {
    name: "node",
    command: join(BIN, "node"),
    args: [PEER_TS],
    skip: existsSync(join(ROOT, "npm", "dist", "mod.js"))
      ? null
      : "npm/dist is not built (npm run build)",
  },
  {
    name: "python",
    command: "python3",
    args: [PEER_PY],
    skip: hasPython() ? null : "python3 is not installed",
  },
];

interface Peer {
  readonly child: ChildProcess;
  readonly v4: number;
  readonly v6: number;
  readonly exited: Promise<number | null>;
}

/** Starts a peer and waits (at most 30 s) for its JSON line with the ports. */
function startPeer(spec: PeerSpec): Promise<Peer> {
  const child = spawn(spec.command, [...spec.args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code))
  );
  let stderr = "";
  child.stderr!.on("data", (b: Uint8Array) => stderr += dec(b));
  return new Promise<Peer>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error("peer did not start in 30 s")), 30000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${spec.name}: ${err.message}\n${stderr}`));
    };
    const early = (code: number | null) =>
      fail(new Error(`peer exited with ${code} before starting`));
    child.once("error", fail);
    child.once("exit", early);
    child.stdout!.on("data", (b: Uint8Array) => {
      out += dec(b);
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      child.off("exit", early);
      const info = JSON.parse(out.slice(0, nl)) as { runtime: string; v4: number; v6: number };
      assert.equal(info.runtime, spec.name);
      resolve({ child, v4: info.v4, v6: info.v6, exited });
    });
  });
}

/** Ends a peer: `quit` on both sockets, then waits (bounded) for its exit. */
async function stopPeer(peer: Peer): Promise<void> {
  const s4 = socket(AF_INET, SOCK_DGRAM);
  const s6 = socket(AF_INET6, SOCK_DGRAM);
  try {
    await s4.sendto("quit", ["127.0.0.1", peer.v4]);
    await s6.sendto("quit", ["::1", peer.v6]);
  } finally {
    s4.close();
    s6.close();
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), 10000));
  const code = await Promise.race([peer.exited, late]);
  clearTimeout(timer);
  if (code === "late") peer.child.kill();
  else assert.equal(code, 0);
}

/** Splits a peer's reply into its header fields and the echoed bytes. */
function parseReply(reply: Uint8Array): [string, string, number, Uint8Array] {
  const nl = reply.indexOf(10);
  assert.ok(nl > 0, "reply has a header line");
  const [name, host, port] = dec(reply.subarray(0, nl)).split(" ");
  return [name, host, Number(port), reply.subarray(nl + 1)];
}

/** Request/response with one peer over one family. */
async function exchange(spec: PeerSpec, peer: Peer, family: number): Promise<void> {
  const v6 = family === AF_INET6;
  const host = v6 ? "::1" : "127.0.0.1";
  const target: [string, number] = [host, v6 ? peer.v6 : peer.v4];
  const s = socket(family, SOCK_DGRAM);
  s.settimeout(5);
  try {
    await s.bind([host, 0]);
    const myPort = (s.getsockname() as readonly unknown[])[1] as number;
    const sizes = [0, 1, 7, 1400, 9000, 60000];
    for (const n of sizes) {
      const payload = new Uint8Array(n);
      for (let i = 0; i < n; i++) payload[i] = (i * 7 + n) & 0xff;
      assert.equal(await s.sendto(payload, target), n);
      const [reply, from] = await s.recvfrom(65535);
      const [name, seenHost, seenPort, body] = parseReply(reply);
      assert.equal(name, spec.name);
      assert.equal(seenHost, host, `${spec.name} saw our host`);
      assert.equal(seenPort, myPort, `${spec.name} saw our port`);
      assert.deepEqual(body, payload, `${n} bytes came back intact`);
      assert.deepEqual(from, v6 ? [target[0], target[1], 0, 0] : target);
    }
    // A reply longer than the buffer is cut; the next datagram is whole.
    await s.sendto("x".repeat(100), target);
    const [cut] = await s.recvfrom(10);
    assert.equal(dec(cut), `${spec.name} ${host} ${myPort}\n${"x".repeat(100)}`.slice(0, 10));
    await s.sendto("after cut", target);
    assert.equal(dec(parseReply(await s.recv(65535))[3]), "after cut");
    // Connected: send/recv to the peer as default peer.
    await s.connect(target);
    await s.send("connected");
    const [name, , , body] = parseReply(await s.recv(65535));
    assert.deepEqual([name, dec(body)], [spec.name, "connected"]);
    // Nothing else is queued.
    s.settimeout(0.05);
    await assert.rejects(s.recv(10), isError(TimeoutError));
  } finally {
    s.close();
  }
}

for (const spec of PEERS) {
  test(
    `udp interop: ${spec.name} peer over 127.0.0.1 and ::1`,
    { skip: spec.skip ?? false },
    async () => {
      const peer = await startPeer(spec);
      try {
        await exchange(spec, peer, AF_INET);
        await exchange(spec, peer, AF_INET6);
      } catch (err) {
        peer.child.kill();
        throw err;
      }
      await stopPeer(peer);
    },
  );
}
