// Writes the HTML API reference into docs/ (git-ignored): `deno doc --html`
// over every entry point, then the "Usage" lines are given the package's
// import names (deno doc writes `from "."` and `from "select"` for a local
// checkout, where JSR shows `@unisock/socket`).

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const out = join(root, "docs");
const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as {
  name: string;
  exports: Record<string, string>;
};
const entries = Object.values(config.exports);

rmSync(out, { recursive: true, force: true });
execFileSync(
  join(root, "node_modules", ".bin", "deno"),
  ["doc", "--html", `--name=${config.name}`, `--output=${out}`, ...entries],
  { cwd: root, stdio: "inherit" },
);

// deno doc names an entry by its export key without "./" ("." for the root).
const names = new Map(
  Object.keys(config.exports).map((key) => [
    key === "." ? "." : key.slice(2),
    key === "." ? config.name : `${config.name}/${key.slice(2)}`,
  ]),
);
const usage = /(import (?:\* as \w+|\{[^}]*\}|type \{[^}]*\}) from &quot;)([^&]+)(&quot;)/g;
let files = 0;
for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".html")) continue;
  const path = join(entry.parentPath, entry.name);
  const html = readFileSync(path, "utf8");
  const fixed = html.replace(
    usage,
    (all, a, spec, b) => names.has(spec) ? a + names.get(spec) + b : all,
  );
  if (fixed !== html) {
    writeFileSync(path, fixed);
    files++;
  }
}
console.log(`API reference in docs/index.html (${files} pages with usage lines)`);
