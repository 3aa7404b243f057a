// On Deno a missing permission raises PermissionError whose message keeps
// Deno's hint: which flag to add.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { RUNTIME, tempDir } from "./_helpers.ts";

const root = join(import.meta.dirname!, "..");

const PROGRAM = `
import { create_connection, create_server, PermissionError } from "${join(root, "mod.ts")}";
for (const f of [() => create_server(["127.0.0.1", 0]), () => create_connection(["127.0.0.1", 9])]) {
  try {
    await f();
    console.log("no error");
  } catch (e) {
    console.log(e instanceof PermissionError, e.errno, e.message);
  }
}
`;

test("deno permissions: PermissionError names the flag to add", {
  skip: RUNTIME !== "deno",
}, () => {
  const [dir, cleanup] = tempDir();
  try {
    const file = join(dir, "program.ts");
    writeFileSync(file, PROGRAM);
    for (const env of [{}, { UNISOCK_DENO_NET: "conn" }]) {
      const out = execFileSync(
        join(root, "node_modules", ".bin", "deno"),
        ["run", "--no-prompt", "--allow-read", "--allow-env", file],
        { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 },
      ).trim().split("\n");
      assert.equal(out.length, 2, out.join("\n"));
      for (const line of out) {
        assert.match(line, /^true 13 \[Errno 13\] Permission denied: .*--allow-net/, line);
      }
    }
  } finally {
    cleanup();
  }
});
