// Type-checks tests/consumer/app.ts against the built npm package (npm/) as a
// consumer project would: in a fresh directory outside the repository, with
// node_modules/unisock pointing at npm/ and no @types/node, under tsc's
// node16 and bundler resolution, Bun's recommended settings, the DOM lib and
// @types/node (the package's own declarations must merge with both), and
// deno check. Then tsc --strict over examples/. Run by `npm test` after the
// build; exits non-zero on the first failure.

import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

const base = { strict: true, noEmit: true, target: "es2022", lib: ["es2022"], types: [] };
const variants: Record<string, Record<string, unknown>> = {
  "tsc node16": { ...base, module: "node16", moduleResolution: "node16" },
  "tsc bundler": { ...base, module: "esnext", moduleResolution: "bundler" },
  // What `bun init` writes, without bun's own types (none installed here).
  "tsc, Bun's settings": {
    lib: ["ESNext"],
    target: "ESNext",
    module: "Preserve",
    moduleDetection: "force",
    moduleResolution: "bundler",
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    noEmit: true,
    strict: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    types: [],
  },
  "tsc node16 + DOM lib": { ...base, lib: ["es2022", "dom"], module: "node16" },
  "tsc node16 + @types/node": { ...base, types: ["node"], module: "node16" },
};

let failed = 0;
function run(name: string, cmd: string, args: string[], cwd: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: "inherit", env: { ...process.env, NO_COLOR: "1" } });
    console.log(`ok: ${name}`);
  } catch {
    console.log(`FAILED: ${name}`);
    failed++;
  }
}

const dir = mkdtempSync(join(tmpdir(), "unisock-consumer-"));
try {
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  // A copy, not a link: Deno treats files whose real path is inside this
  // repository (which has a deno.json) as local modules, not as an npm package.
  const pkgDir = join(dir, "node_modules", "unisock");
  for (const f of ["package.json", "README.md", "LICENSE", "dist"]) {
    cpSync(join(root, "npm", f), join(pkgDir, f), { recursive: true });
  }
  copyFileSync(join(here, "app.ts"), join(dir, "app.ts"));
  const pkg = { name: "consumer", private: true, type: "module", dependencies: { unisock: "*" } };
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
  for (const [name, compilerOptions] of Object.entries(variants)) {
    const node = (compilerOptions.types as string[]).includes("node");
    const types = join(dir, "node_modules", "@types", "node");
    if (node) symlinkSync(join(root, "node_modules", "@types", "node"), types, "dir");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions, files: ["app.ts"] }),
    );
    try {
      run(name, bin("tsc"), ["-p", "."], dir);
    } finally {
      if (node) rmSync(types, { recursive: true, force: true });
    }
  }
  rmSync(join(dir, "tsconfig.json"));
  writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
  run("deno check", bin("deno"), ["check", "--quiet", "app.ts"], dir);
  // A linked package (npm link, a workspace): Deno reads it as local files.
  rmSync(pkgDir, { recursive: true });
  symlinkSync(join(root, "npm"), pkgDir, "dir");
  run("deno check, package linked", bin("deno"), ["check", "--quiet", "app.ts"], dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
run(
  "tsc --strict examples/",
  bin("tsc"),
  ["-p", join(here, "tsconfig.examples.json")],
  root,
);
console.log(failed ? `${failed} consumer checks failed` : "all consumer checks passed");
process.exitCode = failed ? 1 : 0;
