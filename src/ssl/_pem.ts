/**
 * PEM text ⇄ DER bytes, and splitting a PEM file into its blocks. Pure
 * string work, the same on every runtime.
 *
 * @module
 */

/** One `-----BEGIN LABEL----- … -----END LABEL-----` block of a PEM file. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`. */
  readonly label: string;
  /** The whole block's text, BEGIN and END lines included. */
  readonly text: string;
  /** The base64 body decoded, or `null` when it is not valid base64. */
  readonly der: Uint8Array | null;
}

const _BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The PEM blocks of a text, in order; headers inside a block (the
 * `Proc-Type`/`DEK-Info` lines of an old-style encrypted key) are kept in
 * `text` and skipped when decoding.
 *
 * @param text PEM text, possibly with several blocks and other text around them.
 * @returns The blocks found (none for a text without PEM).
 *
 * @example Count the certificates of a chain file
 * ```ts ignore
 * _pemBlocks(chainText).filter((b) => b.label === "CERTIFICATE").length;
 * ```
 */
export function _pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(_BLOCK)) {
    const body = m[2].split(/\r?\n/).filter((l) => !l.includes(":")).join("");
    out.push({ label: m[1], text: m[0], der: _base64(body) });
  }
  return out;
}

function _base64(body: string): Uint8Array | null {
  const clean = body.replace(/\s+/g, "");
  if (clean.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  try {
    const bin = atob(clean);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/**
 * DER bytes as a PEM block, 64 columns, as `ssl.DER_cert_to_PEM_cert` writes it.
 *
 * @param der The DER bytes.
 * @param label The PEM label; `CERTIFICATE` by default.
 * @returns The PEM text, ending with a newline.
 *
 * @example A certificate's DER as PEM
 * ```ts ignore
 * _derToPem(der).startsWith("-----BEGIN CERTIFICATE-----\n"); // true
 * ```
 */
export function _derToPem(der: Uint8Array, label = "CERTIFICATE"): string {
  let bin = "";
  for (let i = 0; i < der.length; i += 0x8000) {
    bin += String.fromCharCode(...der.subarray(i, i + 0x8000));
  }
  const b64 = btoa(bin);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The PEM labels of private keys that a TLS library accepts. */
export const _KEY_LABELS: ReadonlySet<string> = new Set([
  "PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "DSA PRIVATE KEY",
]);
