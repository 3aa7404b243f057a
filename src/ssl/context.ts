/**
 * `SSLContext` and `create_default_context`: the settings, certificates and
 * trust anchors that TLS sockets are made with, checked as CPython checks
 * them. Files are read synchronously, as in Python, through the runtime's
 * {@linkcode TlsFiles}.
 *
 * @module
 */

import { _intArg } from "../_args.ts";
import { _derToPem, _KEY_LABELS, _pemBlocks } from "./_pem.ts";
import { getTlsFiles, type TlsCommonOptions, type TlsVersionName } from "./backend_tls.ts";
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  type PurposeObject,
  TLSVersion,
  type TLSVersionValue,
  type VerifyMode,
} from "./constants.ts";
import { _sslError, SSLError } from "./errors.ts";
import { _decodeCert, _isCA, type PeerCertificate } from "./x509.ts";
import type { Socket } from "../socket/socket.ts";
import { SSLSocket, type WrapSocketOptions } from "./socket.ts";

/** A private key's password: text, bytes, or a function returning either. */
export type Password = string | ArrayBufferView | (() => string | ArrayBufferView);

/** Where `load_verify_locations` finds trusted CA certificates. */
export interface VerifyLocations {
  /** A PEM file of CA certificates. */
  cafile?: string | null;
  /** A directory of CA certificate files (read when a connection verifies). */
  capath?: string | null;
  /** PEM text, or DER bytes of one or more certificates. */
  cadata?: string | ArrayBufferView | null;
}

const _encoder = new TextEncoder();
// OpenSSL's packed error of "PEM lib" (ERR_R_PEM_LIB), which Python reports as errno.
const _PEM_LIB = 524297;
const _VERSIONS: ReadonlyMap<number, TlsVersionName | null> = new Map([
  [TLSVersion.MINIMUM_SUPPORTED, null],
  [TLSVersion.MAXIMUM_SUPPORTED, null],
  [TLSVersion.TLSv1_2, "TLSv1.2"],
  [TLSVersion.TLSv1_3, "TLSv1.3"],
]);

/**
 * TLS settings shared by the sockets wrapped with it, as Python's
 * `ssl.SSLContext`. A `PROTOCOL_TLS_CLIENT` context verifies the server's
 * certificate and host name by default; a `PROTOCOL_TLS_SERVER` context asks
 * clients for nothing.
 *
 * @example A server context with a certificate, and a client that trusts its CA
 * ```ts ignore
 * import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "@unisock/socket/ssl";
 * const server = new SSLContext(PROTOCOL_TLS_SERVER);
 * server.load_cert_chain("server.pem", "server.key");
 * const client = new SSLContext(PROTOCOL_TLS_CLIENT);
 * client.load_verify_locations("ca.pem");
 * console.log(client.verify_mode, client.check_hostname); // 2 true
 * ```
 */
export class SSLContext {
  #protocol: number;
  #verifyMode: VerifyMode;
  #checkHostname: boolean;
  #minimum: TLSVersionValue = TLSVersion.TLSv1_2;
  #maximum: TLSVersionValue = TLSVersion.MAXIMUM_SUPPORTED;
  #cert: string | null = null;
  #key: string | null = null;
  // Trusted certificates by their DER in hex, in load order, without duplicates.
  #trusted = new Map<string, Uint8Array>();
  #capaths: string[] = [];
  #alpn: string[] | null = null;

  /**
   * Makes a context for one side of TLS.
   *
   * @param protocol `PROTOCOL_TLS_CLIENT` or `PROTOCOL_TLS_SERVER`.
   * @throws {RangeError} For any other protocol.
   */
  constructor(protocol: number) {
    const p = _intArg(protocol);
    if (p !== PROTOCOL_TLS_CLIENT && p !== PROTOCOL_TLS_SERVER) {
      throw new RangeError(`invalid or unsupported protocol version ${p}`);
    }
    this.#protocol = p;
    const client = p === PROTOCOL_TLS_CLIENT;
    this.#verifyMode = client ? CERT_REQUIRED : CERT_NONE;
    this.#checkHostname = client;
  }

  /** The protocol the context was made with. */
  get protocol(): number {
    return this.#protocol;
  }

  /**
   * Whether and how the peer's certificate is checked: `CERT_NONE`,
   * `CERT_OPTIONAL` or `CERT_REQUIRED`. `CERT_NONE` is refused while
   * `check_hostname` is on.
   */
  get verify_mode(): VerifyMode {
    return this.#verifyMode;
  }

  set verify_mode(mode: VerifyMode) {
    const m = _intArg(mode);
    if (m !== CERT_NONE && m !== CERT_OPTIONAL && m !== CERT_REQUIRED) {
      throw new RangeError("invalid value for verify_mode");
    }
    if (m === CERT_NONE && this.#checkHostname) {
      throw new RangeError(
        "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.",
      );
    }
    this.#verifyMode = m;
  }

  /**
   * Whether the server's certificate must name `server_hostname`. Turning
   * it on raises `verify_mode` from `CERT_NONE` to `CERT_REQUIRED`, as in
   * Python.
   */
  get check_hostname(): boolean {
    return this.#checkHostname;
  }

  set check_hostname(on: boolean) {
    const flag = Boolean(on);
    if (flag && this.#verifyMode === CERT_NONE) this.#verifyMode = CERT_REQUIRED;
    this.#checkHostname = flag;
  }

  /** The lowest TLS version allowed (a {@linkcode TLSVersion} value). */
  get minimum_version(): TLSVersionValue {
    return this.#minimum;
  }

  set minimum_version(v: TLSVersionValue) {
    this.#minimum = _versionArg(v);
  }

  /** The highest TLS version allowed (a {@linkcode TLSVersion} value). */
  get maximum_version(): TLSVersionValue {
    return this.#maximum;
  }

  set maximum_version(v: TLSVersionValue) {
    this.#maximum = _versionArg(v);
  }

  /**
   * Loads our certificate chain and private key from PEM files. `keyfile`
   * defaults to `certfile` (one file holding both); `password` decrypts an
   * encrypted key. Synchronous, as in Python.
   *
   * @param certfile PEM file with the certificate, then any intermediates.
   * @param keyfile PEM file with the private key; `certfile` when omitted.
   * @param password The key's password, or a function returning it.
   * @throws {FileNotFoundError} A file does not exist.
   * @throws {SSLError} `[SSL] PEM lib` for a malformed certificate or key or a
   *   wrong password; `[X509: KEY_VALUES_MISMATCH] key values mismatch` when
   *   the key does not belong to the certificate.
   *
   * @example Load a certificate and its encrypted key
   * ```ts ignore
   * ctx.load_cert_chain("server.pem", "server.key", "secret");
   * ```
   */
  load_cert_chain(certfile: string, keyfile?: string | null, password?: Password | null): void {
    const files = getTlsFiles();
    const certPath = _pathArg(certfile, "certfile");
    const keyPath = keyfile === undefined || keyfile === null
      ? certPath
      : _pathArg(keyfile, "keyfile");
    const pw = _passwordArg(password);
    const certs = _certificates(_text(files.readFile(certPath)));
    if (certs === null || certs.length === 0) throw _sslError("SSL", null, "PEM lib", _PEM_LIB);
    const keyText = keyPath === certPath ? null : _text(files.readFile(keyPath));
    const block = _pemBlocks(keyText ?? _text(files.readFile(certPath)))
      .find((b) => _KEY_LABELS.has(b.label));
    if (block === undefined) throw _sslError("SSL", null, "PEM lib", _PEM_LIB);
    const key = files.privateKey(block.text, pw === null ? null : pw());
    if (!key.ok) throw _sslError("SSL", null, "PEM lib", _PEM_LIB);
    if (!files.keyMatches(certs[0], key.pem)) {
      throw _sslError("X509", "KEY_VALUES_MISMATCH", "key values mismatch", 116);
    }
    this.#cert = certs.map((d) => _derToPem(d)).join("");
    this.#key = key.pem;
  }

  /**
   * Adds trusted CA certificates: from a PEM file, a directory of them (read
   * when a connection verifies, as OpenSSL's hashed directories are), or
   * data (PEM text or DER bytes). Accepts positional arguments or one
   * options object.
   *
   * @param cafile A PEM file, or an options object `{cafile, capath, cadata}`.
   * @param capath A directory of PEM files.
   * @param cadata PEM text, or DER bytes of one or more certificates.
   * @throws {TypeError} When all three are omitted.
   * @throws {FileNotFoundError} `cafile` does not exist.
   * @throws {SSLError} The data holds no certificate or a malformed one.
   *
   * @example Trust a private CA
   * ```ts ignore
   * ctx.load_verify_locations("ca.pem");
   * ctx.load_verify_locations({ cadata: pemText });
   * ```
   */
  load_verify_locations(
    cafile?: string | VerifyLocations | null,
    capath?: string | null,
    cadata?: string | ArrayBufferView | null,
  ): void {
    if (cafile !== null && typeof cafile === "object") {
      ({ cafile, capath, cadata } = cafile);
    }
    const none = (v: unknown) => v === undefined || v === null;
    if (none(cafile) && none(capath) && none(cadata)) {
      throw new TypeError("cafile, capath and cadata cannot be all omitted");
    }
    const found: Uint8Array[] = [];
    if (!none(cafile)) {
      const path = _pathArg(cafile, "cafile");
      const certs = _certificates(_text(getTlsFiles().readFile(path)));
      if (certs === null) throw _sslError("X509", null, "PEM lib", _PEM_LIB);
      if (certs.length === 0) {
        throw _sslError("X509", "NO_CERTIFICATE_OR_CRL_FOUND", "no certificate or crl found", 136);
      }
      found.push(...certs);
    }
    if (!none(capath)) {
      this.#capaths.push(_pathArg(capath, "capath"));
    }
    if (!none(cadata)) found.push(..._cadata(cadata));
    for (const der of found) this.#trusted.set(_hex(der), der);
  }

  /**
   * Trusts the system's CA certificates (OpenSSL's default file, e.g.
   * `/etc/ssl/certs/ca-certificates.crt` on Linux).
   *
   * @param purpose `Purpose.SERVER_AUTH` (default) or `Purpose.CLIENT_AUTH`.
   *
   * @example Verify public servers
   * ```ts ignore
   * const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
   * ctx.load_default_certs();
   * ```
   */
  load_default_certs(purpose: PurposeObject = Purpose.SERVER_AUTH): void {
    _purposeArg(purpose);
    for (const pem of getTlsFiles().systemCertificates()) {
      for (const der of _certificates(pem) ?? []) this.#trusted.set(_hex(der), der);
    }
  }

  /**
   * Sets the ALPN protocols to offer (client) or accept (server), most
   * preferred first.
   *
   * @param protocols Protocol names, e.g. `["h2", "http/1.1"]`.
   * @throws {SSLError} A name is empty or longer than 255 bytes.
   *
   * @example Offer HTTP/2 and HTTP/1.1
   * ```ts ignore
   * ctx.set_alpn_protocols(["h2", "http/1.1"]);
   * ```
   */
  set_alpn_protocols(protocols: readonly string[]): void {
    if (typeof protocols === "string" || !Array.isArray(protocols)) {
      throw new TypeError("set_alpn_protocols() argument must be a list of strings");
    }
    for (const p of protocols) {
      if (typeof p !== "string") throw new TypeError("encoding without a string argument");
      const n = _encoder.encode(p).length;
      if (n < 1 || n > 255) throw new SSLError(null, "ALPN protocols must be 1 to 255 in length");
    }
    this.#alpn = [...protocols];
  }

  /**
   * The loaded CA certificates (not those of a `capath` directory), as
   * Python's `get_ca_certs`.
   *
   * @param binary_form `true` for DER bytes instead of dicts.
   * @returns One entry per CA certificate, in load order.
   *
   * @example List trusted CAs by subject
   * ```ts ignore
   * for (const c of ctx.get_ca_certs()) console.log(c.subject);
   * ```
   */
  get_ca_certs(binary_form?: false): PeerCertificate[];
  /**
   * The loaded CA certificates as DER bytes.
   *
   * @param binary_form `true`.
   * @returns One DER certificate per CA, in load order.
   */
  get_ca_certs(binary_form: true): Uint8Array[];
  get_ca_certs(binary_form = false): PeerCertificate[] | Uint8Array[] {
    const cas = [...this.#trusted.values()].filter((d) => _isCA(d));
    return binary_form ? cas.map((d) => d.slice()) : cas.map((d) => _decodeCert(d));
  }

  /**
   * Wraps a stream socket in TLS, as Python's `SSLContext.wrap_socket`: a
   * connected socket is handshaken before this resolves (the STARTTLS
   * shape), an unconnected one on `connect`, and a listening one's
   * `accept()` resolves with handshaken SSLSockets. The SSLSocket takes the
   * socket over: the original is closed (its connection lives on).
   *
   * @param sock A TCP or unix stream socket.
   * @param options `server_side`, `server_hostname` (SNI and the host name
   * checked with `check_hostname`), `do_handshake_on_connect`,
   * `suppress_ragged_eofs`.
   * @returns The TLS socket.
   * @throws {SSLCertVerificationError} The server's certificate was refused
   * (unknown CA, host name mismatch …), with Python's message.
   * @throws {SSLError} The handshake failed.
   * @throws {RangeError} `check_hostname` without `server_hostname`, or
   * `server_hostname` on the server side (Python's ValueError).
   *
   * @example A client over a connected socket
   * ```ts ignore
   * import { create_connection } from "@unisock/socket";
   * import { create_default_context } from "@unisock/socket/ssl";
   * const ctx = create_default_context();
   * const tls = await ctx.wrap_socket(await create_connection(["example.com", 443]), {
   *   server_hostname: "example.com",
   * });
   * console.log(tls.version());
   * tls.close();
   * ```
   */
  wrap_socket<F extends number, T extends number>(
    sock: Socket<F, T>,
    options: WrapSocketOptions = {},
  ): Promise<SSLSocket<F, T>> {
    return SSLSocket._wrap(this, sock, options);
  }

  /**
   * The options every TLS upgrade made with this context shares; `capath`
   * directories are read now, as OpenSSL reads them during verification.
   *
   * @returns The prepared options for the adapter.
   * @ignore
   */
  _tlsOptions(): TlsCommonOptions {
    const files = getTlsFiles();
    const ca = [...this.#trusted.values()].map((d) => _derToPem(d));
    for (const dir of this.#capaths) {
      for (const path of files.listDir(dir)) {
        let certs: Uint8Array[] | null = null;
        try {
          certs = _certificates(_text(files.readFile(path)));
        } catch {
          continue; // OpenSSL skips files it cannot read in a hashed directory
        }
        for (const der of certs ?? []) ca.push(_derToPem(der));
      }
    }
    return {
      cert: this.#cert,
      key: this.#key,
      ca,
      minVersion: _VERSIONS.get(this.#minimum) ?? null,
      maxVersion: _VERSIONS.get(this.#maximum) ?? null,
      alpnProtocols: this.#alpn,
    };
  }
}

/**
 * A context with Python's secure defaults: for `Purpose.SERVER_AUTH` (the
 * default) a client context that requires a verified certificate naming the
 * host, trusting `cafile`/`capath`/`cadata` when given, else the system's
 * CAs; for `Purpose.CLIENT_AUTH` a server context.
 *
 * @param purpose `Purpose.SERVER_AUTH` or `Purpose.CLIENT_AUTH`.
 * @param locations Trusted CAs to load instead of the system's.
 * @returns The context.
 * @throws {TypeError} When `purpose` is not a `Purpose`.
 *
 * @example A client context trusting a private CA
 * ```ts ignore
 * import { create_default_context, Purpose } from "@unisock/socket/ssl";
 * const ctx = create_default_context(Purpose.SERVER_AUTH, { cafile: "ca.pem" });
 * console.log(ctx.verify_mode, ctx.check_hostname); // 2 true
 * ```
 */
export function create_default_context(
  purpose: PurposeObject = Purpose.SERVER_AUTH,
  locations: VerifyLocations = {},
): SSLContext {
  _purposeArg(purpose);
  const ctx = new SSLContext(
    purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER,
  );
  const { cafile, capath, cadata } = locations;
  if (cafile || capath || cadata) {
    ctx.load_verify_locations(cafile, capath, cadata);
  } else if (ctx.verify_mode !== CERT_NONE) {
    ctx.load_default_certs(purpose);
  }
  return ctx;
}

function _versionArg(v: unknown): TLSVersionValue {
  const n = _intArg(v);
  if (!_VERSIONS.has(n)) throw new RangeError(`Unsupported TLS/SSL version 0x${n.toString(16)}`);
  return n as TLSVersionValue;
}

function _purposeArg(purpose: unknown): void {
  if (purpose !== Purpose.SERVER_AUTH && purpose !== Purpose.CLIENT_AUTH) {
    throw new TypeError(String(purpose));
  }
}

function _pathArg(v: unknown, what: string): string {
  if (typeof v !== "string") throw new TypeError(`${what} should be a valid filesystem path`);
  return v;
}

function _passwordArg(password: unknown): (() => Uint8Array) | null {
  if (password === undefined || password === null) return null;
  const bytes = (v: unknown, what: string): Uint8Array => {
    let b: Uint8Array;
    if (typeof v === "string") b = _encoder.encode(v);
    else if (ArrayBuffer.isView(v)) b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    else throw new TypeError(what);
    if (b.length > 1024) throw new RangeError("password cannot be longer than 1024 bytes");
    return b;
  };
  if (typeof password === "function") {
    return () => bytes(password(), "password callback must return a string");
  }
  const b = bytes(password, "password should be a string or callable");
  return () => b;
}

// The DER of every CERTIFICATE block; null when a block is not a certificate.
function _certificates(text: string): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  for (const b of _pemBlocks(text)) {
    if (b.label !== "CERTIFICATE" && b.label !== "TRUSTED CERTIFICATE") continue;
    if (b.der === null || !_isCertificate(b.der)) return null;
    out.push(b.der);
  }
  return out;
}

function _isCertificate(der: Uint8Array): boolean {
  try {
    _decodeCert(der);
    return true;
  } catch {
    return false;
  }
}

function _cadata(cadata: unknown): Uint8Array[] {
  if (typeof cadata === "string") {
    const certs = _certificates(cadata);
    if (certs === null || certs.length === 0) {
      throw new SSLError(0, "no start line: cadata does not contain a certificate");
    }
    return certs;
  }
  if (!ArrayBuffer.isView(cadata)) {
    throw new TypeError("cadata should be an ASCII string or a bytes-like object");
  }
  const bytes = new Uint8Array(cadata.buffer, cadata.byteOffset, cadata.byteLength);
  if (bytes.length === 0) throw new RangeError("Empty certificate data");
  // Concatenated DER certificates: each is one top-level SEQUENCE.
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const len = _derLength(bytes, pos);
    const der = len === null ? null : bytes.slice(pos, pos + len);
    if (der === null || !_isCertificate(der)) {
      throw new SSLError(0, "not enough data: cadata does not contain a certificate");
    }
    out.push(der);
    pos += len!;
  }
  return out;
}

function _derLength(b: Uint8Array, pos: number): number | null {
  if (pos + 2 > b.length || b[pos] !== 0x30) return null;
  const first = b[pos + 1];
  if (!(first & 0x80)) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || pos + 2 + n > b.length) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[pos + 2 + i];
  return pos + 2 + n + len > b.length ? null : 2 + n + len;
}

function _text(bytes: Uint8Array): string {
  return new TextDecoder("latin1").decode(bytes);
}

function _hex(der: Uint8Array): string {
  let s = "";
  for (const b of der) s += b.toString(16).padStart(2, "0");
  return s;
}
