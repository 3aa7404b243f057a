// Shared helpers of the test suite (not a test file).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create_server, type Socket } from "unisock";

/** Which runtime runs the tests. */
export const RUNTIME: "deno" | "bun" | "node" = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : "node";

/**
 * A listening TCP socket on 127.0.0.1 with a free port, and a connected pair.
 *
 * @returns `[server, client, accepted]`.
 */
export async function tcpPair(): Promise<[Socket, Socket, Socket]> {
  const { socket } = await import("unisock");
  const srv = await create_server(["127.0.0.1", 0]);
  const cli = socket();
  const [, [conn]] = await Promise.all([cli.connect(srv.getsockname()), srv.accept()]);
  return [srv, cli, conn];
}

/**
 * A fresh temporary directory, removed by the returned function.
 *
 * @returns `[path, cleanup]`.
 */
export function tempDir(): [string, () => void] {
  const dir = mkdtempSync(join(tmpdir(), "unisock-test-"));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/** UTF-8 encode. */
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** UTF-8 decode. */
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
