/**
 * The `ssl` module's exception classes, with Python's messages: `str(e)` of
 * an `SSLError` is its text alone (`[LIBRARY: REASON] text`), not
 * `[Errno N] text`. CPython appends the C source line (`(_ssl.c:1006)`);
 * unisock has none to append.
 *
 * @module
 */

import { OSError } from "../errors.ts";
import {
  SSL_ERROR_EOF,
  SSL_ERROR_SSL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
} from "./constants.ts";

/**
 * A TLS failure, as Python's `ssl.SSLError` (an `OSError`). `library` and
 * `reason` name where and why, as OpenSSL does (e.g. `SSL`,
 * `CERTIFICATE_VERIFY_FAILED`), or are `null`.
 *
 * @example Catch a TLS failure
 * ```ts
 * import { SSLError } from "@unisock/socket/ssl";
 * const e = new SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number", {
 *   library: "SSL",
 *   reason: "WRONG_VERSION_NUMBER",
 * });
 * console.log(e.message, e.library, e.reason);
 * ```
 */
export class SSLError extends OSError {
  /** The OpenSSL library that failed (e.g. `SSL`, `X509`), or `null`. */
  readonly library: string | null;
  /** OpenSSL's reason mnemonic (e.g. `KEY_VALUES_MISMATCH`), or `null`. */
  readonly reason: string | null;

  /**
   * Builds an error whose message is `strerror` itself.
   *
   * @param errno Python's SSL error number (1 for a protocol failure), or `null`.
   * @param strerror The whole message.
   * @param details `library` and `reason`, plus standard error options.
   */
  constructor(
    errno: number | null = null,
    strerror: string = "",
    details: { library?: string | null; reason?: string | null } & ErrorOptions = {},
  ) {
    super(errno, strerror, details);
    this.message = strerror;
    this.library = details.library ?? null;
    this.reason = details.reason ?? null;
  }
}

/**
 * The peer's certificate did not verify (unknown CA, self-signed, expired,
 * wrong host name), as Python's `ssl.SSLCertVerificationError`.
 *
 * @example Read why a certificate was refused
 * ```ts
 * import { SSLCertVerificationError } from "@unisock/socket/ssl";
 * const e = new SSLCertVerificationError(18, "self-signed certificate");
 * console.log(e.message);
 * // "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
 * console.log(e.verify_code, e.verify_message);
 * ```
 */
export class SSLCertVerificationError extends SSLError {
  /** OpenSSL's X509_V_ERR code, e.g. 20 (unknown issuer) or 62 (host name). */
  readonly verify_code: number;
  /** OpenSSL's text for `verify_code`. */
  readonly verify_message: string;

  /**
   * Builds the error from OpenSSL's verify code and text.
   *
   * @param verify_code The X509_V_ERR code.
   * @param verify_message Its text, e.g. `unable to get local issuer certificate`.
   * @param options Standard error options such as `cause`.
   */
  constructor(verify_code: number, verify_message: string, options?: ErrorOptions) {
    super(
      SSL_ERROR_SSL,
      `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verify_message}`,
      { library: "SSL", reason: "CERTIFICATE_VERIFY_FAILED", ...options },
    );
    this.verify_code = verify_code;
    this.verify_message = verify_message;
  }
}

/** Alias of {@linkcode SSLCertVerificationError}, as Python's `ssl.CertificateError`. */
export const CertificateError: typeof SSLCertVerificationError = SSLCertVerificationError;

/**
 * The peer closed the TLS layer cleanly (close_notify), as Python's
 * `ssl.SSLZeroReturnError`.
 *
 * @example Recognise it
 * ```ts
 * import { SSLZeroReturnError } from "@unisock/socket/ssl";
 * console.log(new SSLZeroReturnError().message); // "TLS/SSL connection has been closed (EOF)"
 * ```
 */
export class SSLZeroReturnError extends SSLError {
  /**
   * Builds the error with Python's text.
   *
   * @param strerror The text; Python's by default.
   */
  constructor(strerror: string = "TLS/SSL connection has been closed (EOF)") {
    super(SSL_ERROR_ZERO_RETURN, strerror);
  }
}

/**
 * The connection ended without close_notify (a truncation the application
 * may need to know about), as Python's `ssl.SSLEOFError`.
 *
 * @example Recognise it
 * ```ts
 * import { SSLEOFError } from "@unisock/socket/ssl";
 * console.log(new SSLEOFError().message);
 * // "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"
 * ```
 */
export class SSLEOFError extends SSLError {
  /**
   * Builds the error with Python's text.
   *
   * @param strerror The text; Python's by default.
   */
  constructor(
    strerror: string = "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol",
  ) {
    super(SSL_ERROR_EOF, strerror, { library: "SSL", reason: "UNEXPECTED_EOF_WHILE_READING" });
  }
}

/**
 * A non-blocking TLS read needs more data from the network first, as
 * Python's `ssl.SSLWantReadError`.
 *
 * @example Recognise it
 * ```ts
 * import { SSLWantReadError } from "@unisock/socket/ssl";
 * console.log(new SSLWantReadError().message); // "The operation did not complete (read)"
 * ```
 */
export class SSLWantReadError extends SSLError {
  /**
   * Builds the error with Python's text.
   *
   * @param strerror The text; Python's by default.
   */
  constructor(strerror: string = "The operation did not complete (read)") {
    super(SSL_ERROR_WANT_READ, strerror);
  }
}

/**
 * A non-blocking TLS write must wait for the network first, as Python's
 * `ssl.SSLWantWriteError`.
 *
 * @example Recognise it
 * ```ts
 * import { SSLWantWriteError } from "@unisock/socket/ssl";
 * console.log(new SSLWantWriteError().message); // "The operation did not complete (write)"
 * ```
 */
export class SSLWantWriteError extends SSLError {
  /**
   * Builds the error with Python's text.
   *
   * @param strerror The text; Python's by default.
   */
  constructor(strerror: string = "The operation did not complete (write)") {
    super(SSL_ERROR_WANT_WRITE, strerror);
  }
}

// OpenSSL's X509_verify_cert_error_string texts (OpenSSL 3), by X509_V_ERR code.
const _VERIFY_TEXT: Readonly<Record<number, string>> = {
  2: "unable to get issuer certificate",
  4: "unable to decode issuer public key",
  7: "certificate signature failure",
  9: "certificate is not yet valid",
  10: "certificate has expired",
  13: "format error in certificate's notBefore field",
  14: "format error in certificate's notAfter field",
  18: "self-signed certificate",
  19: "self-signed certificate in certificate chain",
  20: "unable to get local issuer certificate",
  21: "unable to verify the first certificate",
  22: "certificate chain too long",
  23: "certificate revoked",
  24: "invalid CA certificate",
  25: "path length constraint exceeded",
  26: "unsupported certificate purpose",
  27: "certificate not trusted",
  28: "certificate rejected",
};

/** X509_V_ERR_HOSTNAME_MISMATCH. */
export const _X509_V_ERR_HOSTNAME_MISMATCH = 62;
/** X509_V_ERR_IP_ADDRESS_MISMATCH. */
export const _X509_V_ERR_IP_ADDRESS_MISMATCH = 64;

/**
 * The verification error for an OpenSSL X509_V_ERR code, with OpenSSL's text.
 *
 * @param code The X509_V_ERR code (e.g. 18 for a self-signed certificate).
 * @returns The error, ready to throw.
 *
 * @example Self-signed
 * ```ts ignore
 * console.log(_verifyError(18).verify_message); // "self-signed certificate"
 * ```
 */
export function _verifyError(code: number): SSLCertVerificationError {
  return new SSLCertVerificationError(
    code,
    _VERIFY_TEXT[code] ?? `certificate verify error ${code}`,
  );
}

/**
 * The verification error for a certificate that does not name `host`.
 *
 * @param host The host name or IP address text that was checked.
 * @param isIp Whether `host` is an IP address (Python then says "IP address").
 * @returns The error, ready to throw.
 *
 * @example Wrong host
 * ```ts ignore
 * console.log(_hostnameError("example.com", false).verify_message);
 * // "Hostname mismatch, certificate is not valid for 'example.com'."
 * ```
 */
export function _hostnameError(host: string, isIp: boolean): SSLCertVerificationError {
  return isIp
    ? new SSLCertVerificationError(
      _X509_V_ERR_IP_ADDRESS_MISMATCH,
      `IP address mismatch, certificate is not valid for '${host}'.`,
    )
    : new SSLCertVerificationError(
      _X509_V_ERR_HOSTNAME_MISMATCH,
      `Hostname mismatch, certificate is not valid for '${host}'.`,
    );
}

/**
 * An `SSLError` in OpenSSL's shape: `[LIBRARY: REASON] text`, or
 * `[LIBRARY] text` when there is no reason.
 *
 * @param library The OpenSSL library, e.g. `SSL`, `X509`, `PEM`.
 * @param reason The reason mnemonic, or `null`.
 * @param text The human text, e.g. `key values mismatch`.
 * @param errno The error number (Python's `SSL_ERROR_*`, default 1).
 * @returns The error, ready to throw.
 *
 * @example A key that does not match the certificate
 * ```ts ignore
 * _sslError("X509", "KEY_VALUES_MISMATCH", "key values mismatch").message;
 * // "[X509: KEY_VALUES_MISMATCH] key values mismatch"
 * ```
 */
export function _sslError(
  library: string,
  reason: string | null,
  text: string,
  errno: number = SSL_ERROR_SSL,
): SSLError {
  const head = reason === null ? `[${library}]` : `[${library}: ${reason}]`;
  return new SSLError(errno, `${head} ${text}`, { library, reason });
}
