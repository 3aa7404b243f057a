/**
 * The same program as `deno_starvation.ts` over Deno's `node:net` instead of
 * `Deno.Conn`: one server and N clients in one process, lock-step 100-byte
 * round trips for a few seconds. Every connection is served.
 *
 *     deno run -A bench/deno_starvation_node.ts [N=200] [SECONDS=3]
 *
 * @module
 */

import * as net from "node:net";
import process from "node:process";
import type { Buffer } from "node:buffer";

const N = Number(process.argv[2] ?? 200);
const SECONDS = Number(process.argv[3] ?? 3);
const SIZE = 100;

const server = net.createServer((s) => {
  let got = 0;
  s.on("data", (chunk: Buffer) => {
    got += chunk.length;
    for (; got >= SIZE; got -= SIZE) s.write(new Uint8Array(SIZE));
  });
  s.on("error", () => {});
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as net.AddressInfo).port;

const trips = new Array<number>(N).fill(0);
let deadline = Infinity;
function client(i: number, sock: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    sock.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (got < SIZE) return;
      got -= SIZE;
      trips[i]++;
      if (performance.now() < deadline) return void sock.write(new Uint8Array(SIZE));
      sock.destroy();
      resolve();
    });
    sock.on("error", () => resolve());
  });
}

const socks = await Promise.all(
  Array.from({ length: N }, () =>
    new Promise<net.Socket>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(s));
    })),
);
deadline = performance.now() + SECONDS * 1000;
const done = socks.map((s, i) => client(i, s));
for (const s of socks) s.write(new Uint8Array(SIZE));
await Promise.all(done);
server.close();

const sorted = [...trips].sort((a, b) => a - b);
const mean = trips.reduce((a, b) => a + b, 0) / N;
const starved = trips.filter((t) => t < mean / 10).length;
console.log(
  `node:net, ${N} connections, ${SECONDS} s: round trips per connection ` +
    `min/median/max ${sorted[0]}/${sorted[N >> 1]}/${sorted[N - 1]}; ` +
    `starved (< 1/10 of the mean): ${starved}`,
);
