// Deno's node:net fails a write with EPIPE when the peer has shut down its
// sending side without ever sending a byte (half-close), although the kernel
// would take the write. No unisock: `deno run -A bench/deno_node_net_epipe.ts`.
// Node prints "ok" three times; Deno 2.9.5 prints "sync: EPIPE", "later: ok"
// and "bulk: EPIPE".
//
// Cause (libs/core/uv_compat/tcp.rs, poll_tcp_handle, step 4): while a write
// is queued, a socket that is not reading and has never received data peeks
// (recv MSG_PEEK); a 0 (the peer's FIN) fails every queued write with EPIPE
// before it is tried. A write is queued when tokio's readiness says "not
// writable": always for writes made before the reactor's first turn after
// accept (tokio skips the syscall), and whenever the socket buffer is full.
// After EOF is read `internal_reading` is false, so reading does not help.
import * as net from "node:net";

function attempt(
  label: string,
  delay: (go: () => void) => void,
  answer: string | Uint8Array = "answer",
): Promise<void> {
  return new Promise((done) => {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on("error", () => {});
      delay(() =>
        socket.write(answer, (err) => {
          console.log(`${label}: ${err ? (err as { code?: string }).code : "ok"}`);
          socket.end();
        })
      );
    });
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      const client = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      client.on("error", () => {});
      client.on("connect", () => client.end()); // shut down sending, wait for the answer
      client.resume();
      client.on("close", () => server.close(() => done()));
    });
  });
}

// Writes in the accept callback: queued, then failed.
await attempt("sync", (go) => go());
// Writes after one event-loop turn (tokio's reactor has seen the socket).
await attempt("later", (go) => setTimeout(go, 0));
// A write larger than the socket buffer, after that turn: its tail is queued.
await attempt("bulk", (go) => setTimeout(go, 0), new Uint8Array(16 << 20));
