/**
 * Minimal reproduction of Deno.Conn read starvation (no unisock): one server
 * and N clients in one process, each client in a lock-step loop of 100-byte
 * request/response round trips for a few seconds. Above 128 busy connections
 * exactly N - 128 of them stop being served after their first round trips.
 *
 *     deno run -A bench/deno_starvation.ts [N=200] [SECONDS=3]
 *
 * @module
 */

const N = Number(Deno.args[0] ?? 200);
const SECONDS = Number(Deno.args[1] ?? 3);
const SIZE = 100;

async function readFull(conn: Deno.Conn, buf: Uint8Array): Promise<boolean> {
  for (let got = 0; got < buf.length;) {
    const n = await conn.read(buf.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return true;
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
(async () => {
  for await (const conn of listener) {
    (async () => {
      const buf = new Uint8Array(SIZE);
      while (await readFull(conn, buf)) await conn.write(buf);
    })().catch(() => {}).finally(() => conn.close());
  }
})().catch(() => {});

const conns: Deno.Conn[] = [];
for (let i = 0; i < N; i++) {
  conns.push(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
}
const trips = new Array<number>(N).fill(0);
const deadline = performance.now() + SECONDS * 1000;
await Promise.all(conns.map(async (conn, i) => {
  const buf = new Uint8Array(SIZE);
  while (performance.now() < deadline) {
    await conn.write(buf);
    if (!(await readFull(conn, buf))) break;
    trips[i]++;
  }
  conn.close();
}));
listener.close();

const sorted = [...trips].sort((a, b) => a - b);
const mean = trips.reduce((a, b) => a + b, 0) / N;
const starved = trips.filter((t) => t < mean / 10).length;
console.log(
  `Deno.Conn, ${N} connections, ${SECONDS} s: round trips per connection ` +
    `min/median/max ${sorted[0]}/${sorted[N >> 1]}/${sorted[N - 1]}; ` +
    `starved (< 1/10 of the mean): ${starved}`,
);
