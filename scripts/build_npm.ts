// Builds the npm package in npm/ from the same sources: tsc compiles the
// entry points (rewriting .ts imports to .js) into npm/dist, then README and
// LICENSE are copied beside package.json.

import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
rmSync(join(root, "npm", "dist"), { recursive: true, force: true });
execFileSync(
  join(root, "node_modules", ".bin", "tsc"),
  ["-p", join(root, "npm", "tsconfig.json")],
  {
    stdio: "inherit",
  },
);
for (const f of ["README.md", "LICENSE"]) copyFileSync(join(root, f), join(root, "npm", f));
console.log("npm package built in npm/dist");
