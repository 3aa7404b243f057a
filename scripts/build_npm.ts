// Builds the npm package in npm/ from the same sources: tsc compiles the
// entry points (rewriting .ts imports to .js) into npm/dist, then README and
// LICENSE are copied beside package.json.
//
// tsc rewrites `./x.ts` only in the JavaScript it emits; the declaration
// files keep `./x.ts`, which no consumer resolves (deno check, node16), so
// they are rewritten here. A declaration file also drops the side-effect
// import of the runtime detection: it carries no types, and following it
// would make every consumer load the adapters' runtime types (node:*).
//
// The public types name three web globals (AbortSignal, ReadableStream,
// WritableStream) and Symbol.dispose. A consumer may have neither the DOM lib
// nor @types/node, so the declarations that use them reference a minimal
// global declaration (interfaces that merge with the DOM's, Node's, Deno's
// and Bun's own) and the `esnext.disposable` lib.

import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const dist = join(root, "npm", "dist");
rmSync(dist, { recursive: true, force: true });
execFileSync(
  join(root, "node_modules", ".bin", "tsc"),
  ["-p", join(root, "npm", "tsconfig.json")],
  {
    stdio: "inherit",
  },
);

/** Rewrites one declaration file's relative `.ts` specifiers; returns the new text. */
function fixDeclaration(text: string): string {
  return text
    .replace(/^import "\.{1,2}\/[^"]*adapters\/auto\.ts";\n/m, "")
    .replace(
      /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g,
      (_all, head: string, path: string, tail: string) => `${head}${path}.js${tail}`,
    );
}

const WEB_TYPES = "_web_types.d.ts";
// Property types identical to every runtime's own declaration, so that they merge.
const WEB_TYPES_TEXT =
  `// Minimal declarations of the web globals unisock's types name, for consumers
// without the DOM lib or @types/node; they merge with those when present.
export {};
declare global {
  interface AbortSignal {
    readonly aborted: boolean;
  }
  interface ReadableStream<R = any> {
    readonly locked: boolean;
  }
  interface WritableStream<W = any> {
    readonly locked: boolean;
  }
}
`;

/** The reference lines a declaration needs for the globals it names outside comments. */
function references(path: string, text: string): string {
  const code = text.replace(/\/\*[^]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  let refs = "";
  if (/\bSymbol\.(?:async)?[dD]ispose\b/.test(code)) {
    refs += '/// <reference lib="esnext.disposable" />\n';
  }
  if (/\b(?:AbortSignal|ReadableStream|WritableStream)\b/.test(code)) {
    const rel = relative(dirname(path), join(dist, WEB_TYPES)).replaceAll("\\", "/");
    refs += `/// <reference path="${rel.startsWith(".") ? rel : `./${rel}`}" />\n`;
  }
  return refs;
}

writeFileSync(join(dist, WEB_TYPES), WEB_TYPES_TEXT);
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  // Deno reads a linked package (npm link, a workspace) as local files, where
  // only this comment leads it from x.js to x.d.ts.
  if (entry.isFile() && entry.name.endsWith(".js")) {
    const path = join(entry.parentPath, entry.name);
    const types = `./${entry.name.slice(0, -3)}.d.ts`;
    writeFileSync(path, `// @ts-self-types="${types}"\n${readFileSync(path, "utf8")}`);
    continue;
  }
  if (!entry.isFile() || !entry.name.endsWith(".d.ts") || entry.name === WEB_TYPES) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path, "utf8");
  const fixed = fixDeclaration(text);
  const refs = references(path, fixed);
  if (fixed !== text || refs) writeFileSync(path, refs + fixed);
}
for (const f of ["README.md", "LICENSE"]) copyFileSync(join(root, f), join(root, "npm", f));
console.log("npm package built in npm/dist");
