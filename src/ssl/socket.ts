/**
 * `SSLSocket`: a `Socket` whose connection is TLS, made by
 * `SSLContext.wrap_socket`. Everything a socket does works as on a plain
 * one (recv, sendall, makefile, timeouts, select readiness) over the
 * decrypted bytes; the handshake, the host name check and the session's
 * details are added here.
 *
 * @module
 */

import type { AddressOf } from "../socket/address_types.ts";
import { SOCK_STREAM } from "../constants.ts";
import * as E from "../errno.ts";
import { OSError, oserror, TimeoutError } from "../errors.ts";
import type { Address } from "../_address.ts";
import { getBackend, type StreamHandle } from "../backend.ts";
import { type Data, Socket } from "../socket/socket.ts";
import { getTlsUpgrader, type TlsSession, type TlsUpgrade } from "./backend_tls.ts";
import { CERT_NONE, CERT_REQUIRED } from "./constants.ts";
import type { SSLContext } from "./context.ts";
import { _hostnameError, SSLWantReadError } from "./errors.ts";
import { _hostMatches, _ipBytes } from "./hostname.ts";
import { _decodeCert, type PeerCertificate } from "./x509.ts";

/** The options of `SSLContext.wrap_socket`, with Python's names. */
export interface WrapSocketOptions {
  /** Act as the server of the handshake (default `false`). */
  server_side?: boolean;
  /** The host the client expects: sent as SNI, checked with `check_hostname`. */
  server_hostname?: string | null;
  /** Handshake at once when connected, on `connect`, on `accept` (default `true`). */
  do_handshake_on_connect?: boolean;
  /**
   * Treat an EOF without close_notify as a plain EOF (default `true`;
   * `false` raises OSError EOPNOTSUPP naming the runtime: its TLS layer does
   * not report a missing close_notify).
   */
  suppress_ragged_eofs?: boolean;
}

/** Only `wrap_socket` makes SSLSockets. */
const _TOKEN: unique symbol = Symbol("SSLSocket");

function _secretBits(cipher: string): number {
  if (/CHACHA20|AES_?256/.test(cipher)) return 256;
  if (/AES_?128/.test(cipher)) return 128;
  if (/3DES|DES-CBC3/.test(cipher)) return 168;
  return 0;
}

/**
 * Rejects with TimeoutError, Python's handshake text, after `seconds`
 * unless `p` settled first.
 */
function _withTimeout<T>(p: Promise<T>, seconds: number | null): Promise<T> {
  if (seconds === null) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(null, "_ssl.c:983: The handshake operation timed out")),
      seconds * 1000,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A TLS socket, as Python's `ssl.SSLSocket`: a {@linkcode Socket} whose
 * `recv`, `send`, `sendall`, `makefile`, timeouts, `shutdown`, `close` and
 * select readiness work on the decrypted bytes, plus the session's details.
 * Made by `SSLContext.wrap_socket`, never with `new`.
 *
 * @example An HTTPS request
 * ```ts ignore
 * import { create_connection } from "@unisock/socket";
 * import { create_default_context } from "@unisock/socket/ssl";
 * const ctx = create_default_context();
 * const sock = await ctx.wrap_socket(await create_connection(["example.com", 443]), {
 *   server_hostname: "example.com",
 * });
 * await sock.sendall("HEAD / HTTP/1.0\r\nHost: example.com\r\n\r\n");
 * console.log(sock.version(), new TextDecoder().decode(await sock.recv(1024)));
 * sock.close();
 * ```
 */
export class SSLSocket<F extends number = number, T extends number = number> extends Socket<F, T> {
  /** The context the socket was made with. */
  readonly context: SSLContext;
  /** Whether this is the server side of the handshake. */
  readonly server_side: boolean;
  /** The host name the client expects (sent as SNI), or `null`. */
  readonly server_hostname: string | null;
  /** Whether `connect`/`accept` handshake at once. */
  readonly do_handshake_on_connect: boolean;
  /** Whether an EOF without close_notify reads as a plain EOF. */
  readonly suppress_ragged_eofs: boolean;
  #session: TlsSession | null = null;
  /** The handshake in progress. */
  #handshake: Promise<void> | null = null;
  /** Its connection, to abort when the socket is closed meanwhile. */
  #raw: StreamHandle | null = null;
  /** Connected and not yet handshaken: the first read or write handshakes. */
  #implicit = false;

  /**
   * Not public, as in Python: use `SSLContext.wrap_socket`.
   *
   * @param token Internal.
   * @param sock The socket taken over.
   * @param context The context.
   * @param options The wrap options.
   */
  constructor(
    token: typeof _TOKEN,
    sock: Socket<F, T>,
    context: SSLContext,
    options: WrapSocketOptions,
  ) {
    if (token !== _TOKEN) {
      throw new TypeError(
        "SSLSocket does not have a public constructor. Instances are returned by SSLContext.wrap_socket().",
      );
    }
    super(sock.family as F, sock.type as T, sock.proto);
    this.context = context;
    this.server_side = options.server_side ?? false;
    this.server_hostname = options.server_hostname ?? null;
    this.do_handshake_on_connect = options.do_handshake_on_connect ?? true;
    this.suppress_ragged_eofs = options.suppress_ragged_eofs ?? true;
    Socket._transfer(sock, this);
  }

  /**
   * `SSLContext.wrap_socket`'s work: checks, takes the socket over, and
   * handshakes a connected one when asked.
   *
   * @param context The context.
   * @param sock The socket.
   * @param options The wrap options.
   * @returns The TLS socket.
   * @ignore
   */
  static async _wrap<F extends number, T extends number>(
    context: SSLContext,
    sock: Socket<F, T>,
    options: WrapSocketOptions,
  ): Promise<SSLSocket<F, T>> {
    if (!(sock instanceof Socket)) throw new TypeError("wrap_socket() needs a Socket");
    if (sock.type !== SOCK_STREAM) {
      throw Object.assign(new Error("only stream sockets are supported"), {
        name: "NotImplementedError",
      });
    }
    const serverSide = options.server_side ?? false;
    const host = options.server_hostname ?? null;
    if (host !== null && typeof host !== "string") {
      throw new TypeError("server_hostname must be a string or null");
    }
    if (serverSide && host !== null) {
      throw new RangeError("server_hostname can only be specified in client mode");
    }
    if (!serverSide && context.check_hostname && host === null) {
      throw new RangeError("check_hostname requires server_hostname");
    }
    if (sock.fileno() === -1) throw new OSError(E.EBADF);
    if (options.suppress_ragged_eofs === false) {
      throw new OSError(
        E.EOPNOTSUPP,
        `suppress_ragged_eofs=False is not available on ${getBackend().name}: ` +
          "node:tls does not tell an EOF after close_notify from one without",
      );
    }
    const connected = Socket._stateOf(sock) === "connected";
    const handshake = connected && (options.do_handshake_on_connect ?? true);
    if (handshake && sock.gettimeout() === 0) {
      throw new RangeError(
        "do_handshake_on_connect should not be specified for non-blocking sockets",
      );
    }
    const s = new SSLSocket<F, T>(_TOKEN, sock, context, options);
    if (connected) {
      s.#implicit = true;
      if (handshake) {
        try {
          await s.do_handshake();
        } catch (err) {
          s.close();
          throw err;
        }
      }
    }
    return s;
  }

  // ---- the handshake -------------------------------------------------------------

  /**
   * Performs the TLS handshake (and, for a client with `check_hostname`,
   * the host name check). Done by `wrap_socket`, `connect` or `accept`
   * unless `do_handshake_on_connect` is false; then the first read or
   * write does it, or this call. Honours the socket's timeout.
   *
   * @returns Resolves once the session is established.
   * @throws {SSLCertVerificationError} The peer's certificate was refused.
   * @throws {SSLError} The handshake failed.
   * @throws {SSLWantReadError} Non-blocking and not done yet (call again later).
   *
   * @example Handshake later
   * ```ts ignore
   * const s = await ctx.wrap_socket(sock, { server_hostname: "localhost", do_handshake_on_connect: false });
   * await s.do_handshake();
   * ```
   */
  async do_handshake(): Promise<void> {
    if (this.fileno() === -1) throw new OSError(E.EBADF);
    if (this.#session !== null) return;
    if (this.#handshake === null) {
      const p = this.#doHandshake();
      this.#handshake = p;
      p.then(() => this.#handshake = null, () => this.#handshake = null);
      if (this.gettimeout() === 0) {
        p.catch(() => {});
        throw new SSLWantReadError();
      }
    } else if (this.gettimeout() === 0) {
      throw new SSLWantReadError();
    }
    await this.#handshake;
  }

  async #doHandshake(): Promise<void> {
    const raw = Socket._detachStream(this);
    if (raw === null) throw oserror(E.ENOTCONN);
    this.#raw = raw;
    this.#implicit = false;
    const ctx = this.context;
    const base = ctx._tlsOptions();
    const upgrader = getTlsUpgrader();
    const host = this.server_hostname;
    const attempt: Promise<TlsUpgrade> = this.server_side
      ? upgrader.upgradeServer(raw, {
        ...base,
        requestCert: ctx.verify_mode !== CERT_NONE,
        requireCert: ctx.verify_mode === CERT_REQUIRED,
      })
      : upgrader.upgradeClient(raw, {
        ...base,
        serverName: host !== null && _ipBytes(host) === null ? host : null,
        verify: ctx.verify_mode !== CERT_NONE,
      });
    let up: TlsUpgrade;
    try {
      up = await _withTimeout(attempt, this.gettimeout());
    } catch (err) {
      attempt.catch(() => {});
      raw.abort();
      this.#raw = null;
      if (this.fileno() === -1) throw new OSError(E.EBADF);
      throw err;
    }
    this.#raw = null;
    if (this.fileno() === -1) {
      up.stream.abort();
      throw new OSError(E.EBADF);
    }
    if (!this.server_side && ctx.check_hostname && host !== null) {
      const der = up.session.peerCertificate;
      if (der === null || !_hostMatches(_decodeCert(der), host)) {
        up.stream.abort();
        throw _hostnameError(host, _ipBytes(host) !== null);
      }
    }
    this.#session = up.session;
    Socket._attachStream(this, up.stream);
  }

  /** Runs `op` after the implicit handshake of a socket wrapped without one. */
  async #afterHandshake<T>(op: () => Promise<T>): Promise<T> {
    await this.do_handshake();
    return await op();
  }

  // ---- connecting and accepting ----------------------------------------------------

  /**
   * Connects, then handshakes (unless `do_handshake_on_connect` is false).
   *
   * @param address The peer.
   * @returns Resolves once connected (and handshaken).
   *
   * @example Connect a wrapped socket
   * ```ts ignore
   * const s = await ctx.wrap_socket(socket(), { server_hostname: "localhost" });
   * await s.connect(["127.0.0.1", 8443]);
   * ```
   */
  override async connect(address: Address): Promise<void> {
    if (this.server_side) throw new RangeError("can't connect in server-side mode");
    if (this.#session !== null || this.#implicit) {
      throw new RangeError("attempt to connect already-connected SSLSocket!");
    }
    await super.connect(address);
    this.#implicit = true;
    if (this.do_handshake_on_connect) await this.do_handshake();
  }

  /**
   * Like `connect`, but resolves with 0 or the errno of a failed connect
   * (a failed handshake still throws, as in Python).
   *
   * @param address The peer.
   * @returns 0, or the errno.
   *
   * @example Probe
   * ```ts ignore
   * console.log(await s.connect_ex(["127.0.0.1", 8443])); // 0
   * ```
   */
  override async connect_ex(address: Address): Promise<number> {
    if (this.server_side) throw new RangeError("can't connect in server-side mode");
    const rc = await super.connect_ex(address);
    if (rc !== 0) return rc;
    this.#implicit = true;
    if (this.do_handshake_on_connect) await this.do_handshake();
    return 0;
  }

  /**
   * Accepts a connection and wraps it as the server side of a handshake
   * (done before this resolves unless `do_handshake_on_connect` is false).
   *
   * @returns The TLS connection and the peer's address.
   * @throws {SSLError} The client's handshake failed (the connection is closed).
   *
   * @example Serve one TLS client
   * ```ts ignore
   * const [conn, addr] = await listener.accept();
   * await conn.sendall("hello\n");
   * ```
   */
  override async accept(): Promise<[this, AddressOf<F>]> {
    const [conn, addr] = await super.accept();
    const s = await SSLSocket._wrap(this.context, conn, {
      server_side: true,
      do_handshake_on_connect: this.do_handshake_on_connect,
      suppress_ragged_eofs: this.suppress_ragged_eofs,
    });
    // The connection is an SSLSocket, as Python's SSLSocket.accept returns.
    return [s as this, addr];
  }

  // ---- I/O before an implicit handshake ---------------------------------------------

  /**
   * As `Socket.recv`, on decrypted bytes (handshaking first if it is still due).
   *
   * @param bufsize The most bytes.
   * @param flags As for `Socket.recv`.
   * @returns The bytes; empty at EOF.
   *
   * @example Read
   * ```ts ignore
   * const data = await tls.recv(1024);
   * ```
   */
  override recv(bufsize: number, flags: number = 0): Promise<Uint8Array> {
    return this.#implicit
      ? this.#afterHandshake(() => super.recv(bufsize, flags))
      : super.recv(bufsize, flags);
  }

  /**
   * As `Socket.recv_into`, on decrypted bytes.
   *
   * @param buffer Where to copy.
   * @param nbytes The most bytes (0: the buffer's size).
   * @param flags As for `Socket.recv`.
   * @returns The count.
   *
   * @example Read into a buffer
   * ```ts ignore
   * const n = await tls.recv_into(buf);
   * ```
   */
  override recv_into(
    buffer: ArrayBufferView,
    nbytes: number = 0,
    flags: number = 0,
  ): Promise<number> {
    return this.#implicit
      ? this.#afterHandshake(() => super.recv_into(buffer, nbytes, flags))
      : super.recv_into(buffer, nbytes, flags);
  }

  /**
   * As `Socket.send`: encrypts and sends.
   *
   * @param data The bytes.
   * @param flags As for `Socket.send`.
   * @returns The count taken.
   *
   * @example Send
   * ```ts ignore
   * await tls.send("hi");
   * ```
   */
  override send(data: Data, flags: number = 0): Promise<number> {
    return this.#implicit
      ? this.#afterHandshake(() => super.send(data, flags))
      : super.send(data, flags);
  }

  /**
   * As `Socket.sendall`: encrypts and sends every byte.
   *
   * @param data The bytes.
   * @param flags As for `Socket.send`.
   * @returns Resolves once everything was handed on.
   *
   * @example Send all
   * ```ts ignore
   * await tls.sendall("hello\n");
   * ```
   */
  override sendall(data: Data, flags: number = 0): Promise<void> {
    return this.#implicit
      ? this.#afterHandshake(() => super.sendall(data, flags))
      : super.sendall(data, flags);
  }

  /**
   * Reads one line of decrypted bytes (used by file objects).
   *
   * @param limit The most bytes.
   * @returns The line; empty at EOF.
   *
   * @example Through makefile
   * ```ts ignore
   * const line = await tls.makefile("rb").readline();
   * ```
   */
  override _readline(limit: number): Promise<Uint8Array> {
    return this.#implicit
      ? this.#afterHandshake(() => super._readline(limit))
      : super._readline(limit);
  }

  /**
   * Closes the socket; an established session ends with close_notify
   * before the connection's FIN. A handshake in progress is aborted.
   *
   * @example Close
   * ```ts ignore
   * tlsSocket.close();
   * ```
   */
  override close(): void {
    const raw = this.#raw;
    this.#raw = null;
    super.close();
    raw?.abort();
  }

  // ---- the session -------------------------------------------------------------------

  #established(): TlsSession {
    if (this.#session === null) throw new RangeError("handshake not done yet");
    return this.#session;
  }

  /**
   * The peer's certificate: Python's dict (empty when it was not verified,
   * with CERT_NONE), its DER bytes with `binary_form`, or `null` when the
   * peer sent none.
   *
   * @param binary_form Return the DER bytes.
   * @returns The certificate, or `null`.
   * @throws {RangeError} Before the handshake ("handshake not done yet").
   *
   * @example The server's names
   * ```ts ignore
   * console.log(sock.getpeercert()?.subjectAltName); // [["DNS", "localhost"], …]
   * ```
   */
  getpeercert(binary_form: true): Uint8Array | null;
  /**
   * The peer's certificate as Python's dict (empty when not verified).
   *
   * @param binary_form `false` or omitted.
   * @returns The certificate, or `null` when the peer sent none.
   */
  getpeercert(binary_form?: false): PeerCertificate | Record<string, never> | null;
  getpeercert(
    binary_form: boolean = false,
  ): PeerCertificate | Record<string, never> | Uint8Array | null {
    const der = this.#established().peerCertificate;
    if (der === null) return null;
    if (binary_form) return der.slice();
    if (this.context.verify_mode === CERT_NONE) return {};
    return _decodeCert(der);
  }

  /**
   * The negotiated cipher: `[name, protocol, secret_bits]`, or `null`
   * before the handshake.
   *
   * @returns The cipher.
   *
   * @example Print it
   * ```ts ignore
   * console.log(sock.cipher()); // ["TLS_AES_256_GCM_SHA384", "TLSv1.3", 256]
   * ```
   */
  cipher(): [string, string, number] | null {
    const s = this.#session;
    if (s === null) return null;
    return [s.cipherName, s.cipherVersion, _secretBits(s.cipherName)];
  }

  /**
   * The negotiated protocol version, e.g. `"TLSv1.3"`, or `null` before the
   * handshake.
   *
   * @returns The version.
   *
   * @example Print it
   * ```ts ignore
   * console.log(sock.version()); // "TLSv1.3"
   * ```
   */
  version(): string | null {
    return this.#session?.version ?? null;
  }

  /**
   * The ALPN protocol the handshake chose, or `null`.
   *
   * @returns The protocol.
   *
   * @example HTTP/2 or HTTP/1.1
   * ```ts ignore
   * console.log(sock.selected_alpn_protocol()); // "h2"
   * ```
   */
  selected_alpn_protocol(): string | null {
    return this.#session?.alpnProtocol ?? null;
  }

  /**
   * Python's `unwrap()` (end TLS and go on in plain text) is not available:
   * the TLS layer of every runtime (`node:tls`) ends the connection under it
   * when it ends the session, and under TLS 1.3 it does not tell a peer's
   * close_notify from a plain EOF. Rejects with OSError EOPNOTSUPP (95)
   * naming the runtime, and leaves the socket as it was.
   *
   * @returns Never resolves.
   *
   * @example What a caller sees
   * ```ts ignore
   * await sock.unwrap().catch((e) => console.log(e.errno)); // 95
   * ```
   */
  unwrap(): Promise<Socket<F, T>> {
    return Promise.reject(
      new OSError(
        E.EOPNOTSUPP,
        `SSLSocket.unwrap() is not available on ${getBackend().name}: node:tls ends the ` +
          "connection under it with the TLS session",
      ),
    );
  }

  /**
   * The decrypted bytes received and not read yet.
   *
   * @returns The count.
   *
   * @example After a peek
   * ```ts ignore
   * console.log(sock.pending());
   * ```
   */
  pending(): number {
    return this.#session === null ? 0 : Socket._buffered(this);
  }

  /**
   * A Python-like representation.
   *
   * @returns The text.
   */
  override toString(): string {
    return super.toString().replace("<socket.socket", "<ssl.SSLSocket");
  }
}
