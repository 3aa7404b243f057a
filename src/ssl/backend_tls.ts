/**
 * The TLS part of the contract between the runtime-agnostic core and a
 * runtime adapter, in the style of `src/backend.ts`.
 *
 * Two parts:
 * - {@linkcode TlsFiles}: the synchronous services `SSLContext` needs (read a
 *   file, list a directory, the system's trusted CAs, open a private key,
 *   check that a key fits a certificate). Installed with
 *   {@linkcode setTlsFiles} by the `ssl` entry point.
 * - {@linkcode TlsUpgrader}: starts TLS over a connected stream, client or
 *   server side, and returns a stream handle that carries the decrypted
 *   bytes plus the negotiated {@linkcode TlsSession}. The core hands it
 *   fully prepared options (PEM texts, decrypted key, trust list), so an
 *   adapter only maps them onto its runtime's TLS API.
 *
 * Rules every adapter follows (besides those of `src/backend.ts`):
 * - Certificate chains are verified by the runtime's TLS library against
 *   exactly `ca` (never the runtime's built-in store as well); host names
 *   are checked by the core (`hostname.ts`), so adapters disable their
 *   runtime's own host name check: the rules are then Python's on every
 *   runtime.
 * - Failures reject with the core's `ssl` errors (`errors.ts`):
 *   chain failures with `_verifyError(X509_V_ERR code)`, others with
 *   `_sslError(library, reason, text)`, through one translation table per
 *   adapter. Never a raw runtime error.
 * - An upgrade that cannot honour an option (say, a TLS version) rejects
 *   with an `SSLError` naming the runtime and the reason; it never connects
 *   without verification when `verify` was asked for.
 *
 * @module
 */

import type { StreamHandle } from "../backend.ts";

/** The result of {@linkcode TlsFiles.privateKey}. */
export type TlsKeyResult =
  | {
    /** The key could be read. */
    readonly ok: true;
    /** The key, unencrypted, as PKCS#8 PEM text. */
    readonly pem: string;
  }
  | {
    /** The key could not be read. */
    readonly ok: false;
    /**
     * Why: `password` (encrypted and the password is wrong or missing) or
     * `malformed` (not a private key this runtime can read).
     */
    readonly why: "password" | "malformed";
  };

/** Synchronous file and key services of the runtime (Python's are synchronous too). */
export interface TlsFiles {
  /**
   * Reads a whole file.
   *
   * @throws {OSError} With Python's class and errno (FileNotFoundError 2,
   *   IsADirectoryError-like EISDIR 21, PermissionError 13).
   */
  readFile(path: string): Uint8Array;
  /** The paths of the regular files (and links to them) in a directory; `[]` when it cannot be read. */
  listDir(path: string): string[];
  /** The system's trusted CA certificates as PEM texts (what OpenSSL's default paths hold). */
  systemCertificates(): string[];
  /**
   * Opens one PEM private key (`password` decrypts an encrypted one and is
   * ignored for a plain one).
   */
  privateKey(pem: string, password: Uint8Array | null): TlsKeyResult;
  /** Whether the private key (PKCS#8 PEM) belongs to the certificate (DER). */
  keyMatches(certDer: Uint8Array, keyPem: string): boolean;
}

/** TLS protocol versions as runtimes name them. */
export type TlsVersionName = "TLSv1.2" | "TLSv1.3";

/** Options common to both sides of {@linkcode TlsUpgrader}. */
export interface TlsCommonOptions {
  /** Our certificate chain as PEM (leaf first), or `null` for none. */
  readonly cert: string | null;
  /** Our private key, unencrypted PKCS#8 PEM, present exactly when `cert` is. */
  readonly key: string | null;
  /** The trusted CA certificates, PEM texts; the only trust anchors. */
  readonly ca: readonly string[];
  /** Lowest version allowed, or `null` for the runtime's lowest. */
  readonly minVersion: TlsVersionName | null;
  /** Highest version allowed, or `null` for the runtime's highest. */
  readonly maxVersion: TlsVersionName | null;
  /** ALPN protocols offered (client) or accepted, in preference order; `null` for no ALPN. */
  readonly alpnProtocols: readonly string[] | null;
}

/** Options of {@linkcode TlsUpgrader.upgradeClient}. */
export interface TlsClientOptions extends TlsCommonOptions {
  /** The SNI name to send, or `null` (never an IP address). */
  readonly serverName: string | null;
  /** Verify the server's chain against `ca` (CERT_REQUIRED/CERT_OPTIONAL). */
  readonly verify: boolean;
}

/** Options of {@linkcode TlsUpgrader.upgradeServer}. */
export interface TlsServerOptions extends TlsCommonOptions {
  /** Ask the client for a certificate (CERT_OPTIONAL, CERT_REQUIRED). */
  readonly requestCert: boolean;
  /** Fail the handshake without a client certificate that verifies (CERT_REQUIRED). */
  readonly requireCert: boolean;
}

/** What the handshake negotiated. */
export interface TlsSession {
  /** E.g. `TLSv1.3`. */
  readonly version: string;
  /** The cipher's OpenSSL name, e.g. `TLS_AES_256_GCM_SHA384`. */
  readonly cipherName: string;
  /** The protocol the cipher belongs to, e.g. `TLSv1.3` (Python's `cipher()[1]`). */
  readonly cipherVersion: string;
  /** The ALPN protocol chosen, or `null`. */
  readonly alpnProtocol: string | null;
  /** The SNI name the client sent (server side), or `null`. */
  readonly serverName: string | null;
  /** The peer's leaf certificate (DER), or `null` when it sent none. */
  readonly peerCertificate: Uint8Array | null;
}

/** The result of an upgrade: the encrypted stream and its session. */
export interface TlsUpgrade {
  /** Carries decrypted bytes; `close()` sends close_notify, then FIN. */
  readonly stream: StreamHandle;
  /** What was negotiated. */
  readonly session: TlsSession;
}

/**
 * Starts TLS over a connected stream. The plain handle passed in belongs to
 * the adapter from then on (the core never uses it again); on failure the
 * adapter has closed it.
 */
export interface TlsUpgrader {
  /** Client handshake. Rejects with SSLCertVerificationError, SSLError, or an OSError. */
  upgradeClient(stream: StreamHandle, options: TlsClientOptions): Promise<TlsUpgrade>;
  /** Server handshake. Rejects like {@linkcode TlsUpgrader.upgradeClient}. */
  upgradeServer(stream: StreamHandle, options: TlsServerOptions): Promise<TlsUpgrade>;
}

let _files: TlsFiles | null = null;
let _upgrader: TlsUpgrader | null = null;

/**
 * Installs the runtime's TLS upgrade. Called once by the `ssl` entry point
 * on import.
 *
 * @param upgrader The adapter's implementation.
 *
 * @example Install the node:tls implementation
 * ```ts ignore
 * import { setTlsUpgrader } from "./backend_tls.ts";
 * import { tlsUpgrader } from "../../adapters/shared/tls.ts";
 * setTlsUpgrader(tlsUpgrader);
 * ```
 */
export function setTlsUpgrader(upgrader: TlsUpgrader): void {
  _upgrader = upgrader;
}

/**
 * The installed TLS upgrade.
 *
 * @returns The adapter's implementation.
 * @throws {Error} When none was installed (import the `ssl` entry point, not `src/`).
 *
 * @example Upgrade a connected handle
 * ```ts ignore
 * const { stream, session } = await getTlsUpgrader().upgradeClient(handle, options);
 * ```
 */
export function getTlsUpgrader(): TlsUpgrader {
  if (_upgrader === null) {
    throw new Error("unisock: no TLS adapter installed; import unisock/ssl, not src/ssl/");
  }
  return _upgrader;
}

/**
 * Installs the runtime's file and key services. Called once by the `ssl`
 * entry point on import.
 *
 * @param files The adapter's implementation.
 *
 * @example Install the node:fs/node:crypto implementation
 * ```ts ignore
 * import { setTlsFiles } from "./backend_tls.ts";
 * import { tlsFiles } from "../../adapters/shared/tls.ts";
 * setTlsFiles(tlsFiles);
 * ```
 */
export function setTlsFiles(files: TlsFiles): void {
  _files = files;
}

/**
 * The installed file and key services.
 *
 * @returns The adapter's implementation.
 * @throws {Error} When none was installed (import the `ssl` entry point, not `src/`).
 *
 * @example Read a certificate file
 * ```ts ignore
 * const bytes = getTlsFiles().readFile("cert.pem");
 * ```
 */
export function getTlsFiles(): TlsFiles {
  if (_files === null) {
    throw new Error("unisock: no TLS adapter installed; import unisock/ssl, not src/ssl/");
  }
  return _files;
}
