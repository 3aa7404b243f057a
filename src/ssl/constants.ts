/**
 * The `ssl` module's constants, with CPython's values.
 *
 * @module
 */

/** Client-side TLS (any version this runtime negotiates); verifies by default. */
export const PROTOCOL_TLS_CLIENT = 16;
/** Server-side TLS (any version this runtime negotiates). */
export const PROTOCOL_TLS_SERVER = 17;

/** No certificate is asked for (server) or checked (client). */
export const CERT_NONE = 0;
/** The peer's certificate is checked if it sends one (server side). */
export const CERT_OPTIONAL = 1;
/** The peer must send a certificate that verifies. */
export const CERT_REQUIRED = 2;

/** Python's `ssl.VerifyMode` values. */
export type VerifyMode = typeof CERT_NONE | typeof CERT_OPTIONAL | typeof CERT_REQUIRED;

/** One purpose of {@linkcode Purpose}: an extended key usage, as Python's `_ASN1Object`. */
export interface PurposeObject {
  /** OpenSSL's numeric identifier. */
  readonly nid: number;
  /** Short name, e.g. `serverAuth`. */
  readonly shortname: string;
  /** Long name, e.g. `TLS Web Server Authentication`. */
  readonly longname: string;
  /** Dotted object identifier. */
  readonly oid: string;
}

/**
 * What a context made by `create_default_context` is for: `SERVER_AUTH`
 * makes a client context (it authenticates servers), `CLIENT_AUTH` a server
 * context.
 */
export const Purpose: {
  /** Authenticate servers: a client-side context. */
  readonly SERVER_AUTH: PurposeObject;
  /** Authenticate clients: a server-side context. */
  readonly CLIENT_AUTH: PurposeObject;
} = Object.freeze({
  SERVER_AUTH: Object.freeze({
    nid: 129,
    shortname: "serverAuth",
    longname: "TLS Web Server Authentication",
    oid: "1.3.6.1.5.5.7.3.1",
  }),
  CLIENT_AUTH: Object.freeze({
    nid: 130,
    shortname: "clientAuth",
    longname: "TLS Web Client Authentication",
    oid: "1.3.6.1.5.5.7.3.2",
  }),
});

/**
 * TLS protocol versions for `minimum_version` and `maximum_version`.
 * `MINIMUM_SUPPORTED` and `MAXIMUM_SUPPORTED` mean "no bound".
 */
export const TLSVersion: {
  /** The lowest version this runtime supports. */
  readonly MINIMUM_SUPPORTED: -2;
  /** TLS 1.2. */
  readonly TLSv1_2: 771;
  /** TLS 1.3. */
  readonly TLSv1_3: 772;
  /** The highest version this runtime supports. */
  readonly MAXIMUM_SUPPORTED: -1;
} = Object.freeze(
  {
    MINIMUM_SUPPORTED: -2,
    TLSv1_2: 771,
    TLSv1_3: 772,
    MAXIMUM_SUPPORTED: -1,
  } as const,
);

/** A value of {@linkcode TLSVersion}. */
export type TLSVersionValue = (typeof TLSVersion)[keyof typeof TLSVersion];

/** Server Name Indication is supported (on every runtime). */
export const HAS_SNI = true;
/** ALPN is supported (on every runtime). */
export const HAS_ALPN = true;
/** TLS 1.3 is supported (on every runtime). */
export const HAS_TLSv1_3 = true;

/** `SSLError.errno` of a protocol failure (OpenSSL's `SSL_ERROR_SSL`). */
export const SSL_ERROR_SSL = 1;
/** `SSLWantReadError.errno`. */
export const SSL_ERROR_WANT_READ = 2;
/** `SSLWantWriteError.errno`. */
export const SSL_ERROR_WANT_WRITE = 3;
/** `SSLError.errno` of a failed system call under TLS. */
export const SSL_ERROR_SYSCALL = 5;
/** `SSLZeroReturnError.errno`: the peer closed TLS cleanly. */
export const SSL_ERROR_ZERO_RETURN = 6;
/** `SSLEOFError.errno`: the connection ended without close_notify. */
export const SSL_ERROR_EOF = 8;
