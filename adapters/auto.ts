/**
 * Runtime detection: installs the adapter of the runtime this module is
 * loaded in (Bun, then Deno, else Node). Imported for its effect by every
 * entry point.
 *
 * @module
 */

import { setBackend } from "../src/backend.ts";
import { bunBackend } from "./bun/mod.ts";
import { denoBackend } from "./deno/mod.ts";
import { nodeBackend } from "./node/mod.ts";

const _g = globalThis as { Bun?: unknown; Deno?: unknown };

setBackend(
  _g.Bun !== undefined ? bunBackend() : _g.Deno !== undefined ? denoBackend() : nodeBackend(),
);
