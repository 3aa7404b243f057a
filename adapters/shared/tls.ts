/**
 * TLS over `node:tls`, shared by the three adapters: Node, Deno (its
 * `node:tls` runs on rustls) and Bun (BoringSSL) all upgrade an
 * already-connected stream with it and report the same error codes. The
 * stream is unisock's own `StreamHandle` seen as a Node `Duplex`
 * ({@linkcode _HandleDuplex}), so TLS runs alike over every transport
 * (node:net, Deno.Conn, Bun's sockets); the TLS socket is then a
 * `_NetStream` handle like any `net.Socket`.
 * Also the synchronous file and key services of `SSLContext`
 * ({@linkcode tlsFiles}), over `node:fs` and `node:crypto`.
 *
 * Server side, the accepted socket is handed to a `tls.Server` through its
 * `connection` event rather than wrapped in `new tls.TLSSocket(…, {isServer})`:
 * only the server verifies client certificates (`authorized`) on all three.
 * Host names are never checked here (see `src/ssl/hostname.ts`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import * as E from "../../src/errno.ts";
import { OSError, oserror } from "../../src/errors.ts";
import type { StreamHandle, StreamSink } from "../../src/backend.ts";
import type {
  TlsClientOptions,
  TlsFiles,
  TlsKeyResult,
  TlsServerOptions,
  TlsSession,
  TlsUpgrade,
  TlsUpgrader,
} from "../../src/ssl/backend_tls.ts";
import { _NetStream } from "./net_stream.ts";
import { _sslError, _verifyError } from "../../src/ssl/errors.ts";

// OpenSSL's verify error names (as node:tls reports them in `code`) and their
// X509_V_ERR numbers. A leaf whose issuer is unknown is reported by Node as
// UNABLE_TO_VERIFY_LEAF_SIGNATURE (21) where CPython, against the same peer,
// reports 20 "unable to get local issuer certificate": Python's wins.
const _VERIFY_CODES: Readonly<Record<string, number>> = Object.freeze({
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 4,
  CERT_SIGNATURE_FAILURE: 7,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 13,
  ERROR_IN_CERT_NOT_AFTER_FIELD: 14,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 20,
  CERT_CHAIN_TOO_LONG: 22,
  CERT_REVOKED: 23,
  INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  CERT_UNTRUSTED: 27,
  CERT_REJECTED: 28,
});

// node:tls's handshake failures (`ERR_SSL_<REASON>`) whose text differs from
// the lower-cased reason, as OpenSSL words them.
const _SSL_TEXT: Readonly<Record<string, string>> = Object.freeze({
  TLSV1_ALERT_UNKNOWN_CA: "tlsv1 alert unknown ca",
  SSLV3_ALERT_BAD_CERTIFICATE: "sslv3 alert bad certificate",
  SSLV3_ALERT_CERTIFICATE_UNKNOWN: "sslv3 alert certificate unknown",
  SSLV3_ALERT_HANDSHAKE_FAILURE: "sslv3 alert handshake failure",
  TLSV13_ALERT_CERTIFICATE_REQUIRED: "tlsv13 alert certificate required",
  TLSV1_ALERT_PROTOCOL_VERSION: "tlsv1 alert protocol version",
  TLSV1_ALERT_NO_APPLICATION_PROTOCOL: "tlsv1 alert no application protocol",
  PEER_DID_NOT_RETURN_A_CERTIFICATE: "peer did not return a certificate",
  WRONG_VERSION_NUMBER: "wrong version number",
  UNSUPPORTED_PROTOCOL: "unsupported protocol",
  NO_PROTOCOLS_AVAILABLE: "no protocols available",
});

/**
 * Translates a `node:tls` error (any of the three runtimes) into the core's
 * `ssl` errors: verify failures into `SSLCertVerificationError` with
 * Python's code and text, TLS alerts into `SSLError`, socket errors into
 * `OSError`.
 *
 * @param err The runtime's error.
 * @returns The core's error.
 *
 * @example Translate a self-signed certificate failure
 * ```ts ignore
 * _translateTls(Object.assign(new Error("self signed"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }));
 * ```
 */
export function _translateTls(err: unknown): OSError {
  if (err instanceof OSError) return err;
  const code = String((err as { code?: unknown })?.code ?? "");
  const verify = _VERIFY_CODES[code];
  if (verify !== undefined) return _verifyError(verify);
  const m = /^ERR_SSL_([A-Z0-9_/]+)$/.exec(code);
  if (m) {
    // OpenSSL 3.2+ (Node's) names the SSLv3-era alerts `SSL/TLS_ALERT_*`;
    // CPython's table, and the other runtimes, say `SSLV3_ALERT_*`.
    const reason = m[1].replace(/^SSL\/TLS_ALERT_/, "SSLV3_ALERT_");
    return _sslError("SSL", reason, _SSL_TEXT[reason] ?? reason.toLowerCase().replace(/_/g, " "));
  }
  const errno = (E as unknown as Record<string, number>)[code];
  if (typeof errno === "number") return oserror(errno);
  if (code === "ERR_SOCKET_CLOSED" || code === "ERR_STREAM_PREMATURE_CLOSE") {
    return _sslError(
      "SSL",
      "UNEXPECTED_EOF_WHILE_READING",
      "EOF occurred in violation of protocol",
      8,
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  return _sslError("SSL", code || null, text);
}

/** A TLS socket over an upgraded `net.Socket`, with what was negotiated. */
export interface TlsSocketUpgrade {
  /** The TLS socket; reading and writing it moves decrypted bytes. */
  readonly socket: tls.TLSSocket;
  /** What the handshake negotiated. */
  readonly session: TlsSession;
}

function _common(o: TlsClientOptions | TlsServerOptions): tls.SecureContextOptions {
  return {
    ...(o.cert !== null && o.key !== null ? { cert: o.cert, key: o.key } : {}),
    ca: [...o.ca],
    ...(o.minVersion !== null ? { minVersion: o.minVersion } : {}),
    ...(o.maxVersion !== null ? { maxVersion: o.maxVersion } : {}),
  };
}

// The peer closed during the handshake: translated to SSLEOFError's text.
function _closed(): Error {
  return Object.assign(new Error("closed during the handshake"), { code: "ERR_SOCKET_CLOSED" });
}

function _session(socket: tls.TLSSocket, serverName: string | null): TlsSession {
  const cipher = socket.getCipher();
  const peer = socket.getPeerCertificate(false) as Partial<tls.PeerCertificate> | null;
  const raw = peer?.raw;
  return {
    version: socket.getProtocol() ?? "",
    cipherName: cipher?.name ?? "",
    cipherVersion: cipher?.version ?? "",
    alpnProtocol: typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null,
    serverName,
    peerCertificate: raw && raw.length > 0 ? new Uint8Array(raw) : null,
  };
}

/**
 * Client handshake over a connected `net.Socket`. The chain is verified
 * against `options.ca` when `options.verify`; the host name is left to the
 * core. On failure the socket is destroyed.
 *
 * @param socket A connected stream (a `net.Socket`, or {@linkcode _HandleDuplex}).
 * @param options What the core prepared from the `SSLContext`.
 * @param onSecure Called with the result in the same turn as the handshake
 * ends, before an error of the TLS socket can go unheard.
 * @returns The TLS socket and its session.
 *
 * @example Upgrade a connected socket
 * ```ts ignore
 * const { socket: tlsSocket, session } = await _tlsConnect(sock, options);
 * ```
 */
export function _tlsConnect(
  socket: Duplex,
  options: TlsClientOptions,
  onSecure: (up: TlsSocketUpgrade) => void = () => {},
): Promise<TlsSocketUpgrade> {
  return new Promise((resolve, reject) => {
    let t: tls.TLSSocket;
    try {
      t = tls.connect({
        socket,
        ..._common(options),
        ...(options.serverName !== null ? { servername: options.serverName } : {}),
        ...(options.alpnProtocols !== null ? { ALPNProtocols: [...options.alpnProtocols] } : {}),
        rejectUnauthorized: options.verify,
        checkServerIdentity: () => undefined,
      });
    } catch (err) {
      socket.destroy();
      reject(_translateTls(err));
      return;
    }
    const fail = (err: unknown) => {
      t.destroy();
      socket.destroy();
      reject(_translateTls(err));
    };
    t.once("error", fail);
    t.once("close", () => fail(_closed()));
    const onEnd = () => fail(_closed());
    socket.once("end", onEnd);
    t.once("secureConnect", () => {
      t.removeAllListeners("error");
      t.removeAllListeners("close");
      socket.removeListener("end", onEnd);
      const up = { socket: t, session: _session(t, options.serverName) };
      onSecure(up);
      resolve(up);
    });
  });
}

/**
 * Server handshake over an accepted `net.Socket`. With `requireCert` a
 * client without a verifying certificate fails the handshake; with only
 * `requestCert` a certificate that does not verify fails it, none is fine.
 *
 * @param socket An accepted stream (a `net.Socket`, or {@linkcode _HandleDuplex}).
 * @param options What the core prepared from the `SSLContext`.
 * @param onSecure Called with the result in the same turn as the handshake
 * ends, before an error of the TLS socket can go unheard.
 * @returns The TLS socket and its session.
 *
 * @example Upgrade an accepted socket
 * ```ts ignore
 * const { socket: tlsSocket, session } = await _tlsAccept(sock, options);
 * ```
 */
export function _tlsAccept(
  socket: Duplex,
  options: TlsServerOptions,
  onSecure: (up: TlsSocketUpgrade) => void = () => {},
): Promise<TlsSocketUpgrade> {
  return new Promise((resolve, reject) => {
    let server: tls.Server;
    try {
      server = tls.createServer({
        ..._common(options),
        ...(options.alpnProtocols !== null ? { ALPNProtocols: [...options.alpnProtocols] } : {}),
        requestCert: options.requestCert,
        rejectUnauthorized: options.requireCert,
      });
    } catch (err) {
      socket.destroy();
      reject(_translateTls(err));
      return;
    }
    const fail = (err: unknown) => {
      socket.destroy();
      reject(_translateTls(err));
    };
    const onClose = () => fail(Object.assign(new Error("closed"), { code: "ERR_SOCKET_CLOSED" }));
    server.once("tlsClientError", fail);
    socket.once("close", onClose);
    socket.once("end", onClose);
    server.once("secureConnection", (t: tls.TLSSocket) => {
      socket.removeListener("close", onClose);
      socket.removeListener("end", onClose);
      server.removeAllListeners("tlsClientError");
      const presented = t.getPeerCertificate(false);
      if (
        options.requestCert && !t.authorized && presented && Object.keys(presented).length > 0
      ) {
        t.destroy();
        reject(_translateTls({ code: t.authorizationError }));
        return;
      }
      const name = (t as { servername?: unknown }).servername;
      const up = { socket: t, session: _session(t, typeof name === "string" ? name : null) };
      onSecure(up);
      resolve(up);
    });
    server.emit("connection", socket);
  });
}

/**
 * A {@linkcode StreamHandle} seen as a Node `Duplex`, for `node:tls`:
 * received bytes are pushed (reading pauses while Node's buffer is full),
 * writes go to the handle, `end()` half-closes it, and a destroy closes it
 * (gracefully once the write side ended, else with a reset).
 *
 * @example Give a handle to node:tls
 * ```ts ignore
 * const t = tls.connect({ socket: new _HandleDuplex(handle) });
 * ```
 */
export class _HandleDuplex extends Duplex {
  readonly #handle: StreamHandle;

  /**
   * Starts reading the handle.
   *
   * @param handle A connected handle, not started yet.
   */
  constructor(handle: StreamHandle) {
    super({ allowHalfOpen: true });
    this.#handle = handle;
    // The TLS socket listens while it lives; an error after it (a reset
    // once it was destroyed) has no one left to tell.
    this.on("error", () => {});
    const sink: StreamSink = {
      data: (chunk) => {
        if (!this.push(chunk)) handle.pause();
      },
      end: () => this.push(null),
      error: (err) => this.destroy(err),
    };
    handle.start(sink);
  }

  override _read(): void {
    this.#handle.resume();
  }

  override _write(chunk: Buffer, _enc: string, cb: (err?: Error | null) => void): void {
    const p = this.#handle.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (p === undefined) cb();
    else p.then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#handle.shutdownWrite().then(() => cb(), () => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Finished: everything was written and FIN sent; else writes are dropped: a reset.
    if (this.writableFinished) this.#handle.close();
    else this.#handle.abort();
    cb(err);
  }
}

/** The upgraded connection as a handle with the raw one's addresses. */
function _upgraded(raw: StreamHandle, duplex: Duplex, up: TlsSocketUpgrade): TlsUpgrade {
  const t = up.socket;
  // close_notify goes into the duplex's queue; the duplex then ends after
  // every queued write (a destroy would drop them), and both are released.
  const close = () => {
    const release = () => {
      t.destroy();
      duplex.destroy();
    };
    const endRaw = () => {
      if (duplex.writableFinished || duplex.destroyed) release();
      else {
        duplex.once("finish", release);
        duplex.once("close", release);
        if (!duplex.writableEnded) duplex.end();
      }
    };
    if (t.writableEnded || t.destroyed) endRaw();
    else t.end(endRaw);
  };
  const stream = new _NetStream(t, () => raw.local, () => raw.remote, false, {
    translate: _translateTls,
    close,
  });
  return { stream, session: up.session };
}

/**
 * {@linkcode TlsUpgrader} over `node:tls`, the same on the three runtimes
 * and every transport.
 *
 * @example Install it
 * ```ts ignore
 * import { setTlsUpgrader } from "../../src/ssl/backend_tls.ts";
 * setTlsUpgrader(tlsUpgrader);
 * ```
 */
export const tlsUpgrader: TlsUpgrader = {
  upgradeClient(stream: StreamHandle, options: TlsClientOptions): Promise<TlsUpgrade> {
    const duplex = new _HandleDuplex(stream);
    let done: TlsUpgrade;
    return _tlsConnect(duplex, options, (up) => done = _upgraded(stream, duplex, up))
      .then(() => done);
  },
  upgradeServer(stream: StreamHandle, options: TlsServerOptions): Promise<TlsUpgrade> {
    const duplex = new _HandleDuplex(stream);
    let done: TlsUpgrade;
    return _tlsAccept(duplex, options, (up) => done = _upgraded(stream, duplex, up))
      .then(() => done);
  },
};

function _readFile(path: string): Uint8Array {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw oserror(E.EISDIR);
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    if (err instanceof OSError) throw err;
    const errno = (E as unknown as Record<string, number>)[
      String((err as { code?: unknown }).code)
    ];
    throw oserror(typeof errno === "number" ? errno : E.EIO);
  }
}

function _systemCertificates(): string[] {
  const get = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (typeof get === "function") {
    try {
      return [...new Set(get("system"))];
    } catch {
      // fall through to OpenSSL's default file
    }
  }
  for (const path of ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]) {
    try {
      return [new TextDecoder().decode(readFileSync(path))];
    } catch {
      continue;
    }
  }
  return [];
}

/**
 * The file and key services of `SSLContext` over `node:fs` and
 * `node:crypto`, the same on Node, Deno and Bun.
 *
 * @example Install them
 * ```ts ignore
 * import { setTlsFiles } from "../../src/ssl/backend_tls.ts";
 * setTlsFiles(tlsFiles);
 * ```
 */
export const tlsFiles: TlsFiles = {
  readFile: _readFile,
  listDir(path: string): string[] {
    try {
      return readdirSync(path)
        .map((n) => join(path, n))
        .filter((p) => {
          try {
            return statSync(p).isFile();
          } catch {
            return false;
          }
        });
    } catch {
      return [];
    }
  },
  systemCertificates: _systemCertificates,
  privateKey(pem: string, password: Uint8Array | null): TlsKeyResult {
    const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem);
    if (encrypted && password === null) return { ok: false, why: "password" };
    try {
      const key = createPrivateKey(
        password === null
          ? pem
          : { key: pem, passphrase: Buffer.from(password) as unknown as string },
      );
      return { ok: true, pem: String(key.export({ type: "pkcs8", format: "pem" })) };
    } catch {
      return { ok: false, why: encrypted ? "password" : "malformed" };
    }
  },
  keyMatches(certDer: Uint8Array, keyPem: string): boolean {
    try {
      return new X509Certificate(certDer).checkPrivateKey(createPrivateKey(keyPem));
    } catch {
      return false;
    }
  },
};
