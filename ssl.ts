/**
 * Python's `ssl` module for TypeScript: `SSLContext`,
 * `create_default_context`, the protocol, verification and version
 * constants, and the SSL error classes with Python's messages. Certificates
 * and keys are PEM files, loaded synchronously as in Python; errors for
 * missing or malformed files, wrong passwords and mismatched keys are
 * Python's.
 *
 * @example A client context trusting a private CA, and a server context
 * ```ts ignore
 * import {
 *   create_default_context,
 *   Purpose,
 *   SSLCertVerificationError,
 * } from "@unisock/socket/ssl";
 *
 * const client = create_default_context(Purpose.SERVER_AUTH, { cafile: "ca.pem" });
 * console.log(client.verify_mode, client.check_hostname); // 2 true
 *
 * const server = create_default_context(Purpose.CLIENT_AUTH);
 * server.load_cert_chain("server.pem", "server.key");
 * console.log(SSLCertVerificationError.name);
 * ```
 *
 * @module
 */

import "./adapters/auto.ts";
import { tlsFiles, tlsUpgrader } from "./adapters/shared/tls.ts";
import { setTlsFiles, setTlsUpgrader } from "./src/ssl/backend_tls.ts";

setTlsFiles(tlsFiles);
setTlsUpgrader(tlsUpgrader);

export {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  HAS_ALPN,
  HAS_SNI,
  HAS_TLSv1_3,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  type PurposeObject,
  TLSVersion,
  type TLSVersionValue,
  type VerifyMode,
} from "./src/ssl/constants.ts";
export {
  create_default_context,
  type Password,
  SSLContext,
  type VerifyLocations,
} from "./src/ssl/context.ts";
export { SSLSocket, type WrapSocketOptions } from "./src/ssl/socket.ts";
export {
  CertificateError,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
} from "./src/ssl/errors.ts";
// SSLError is an OSError: exported so that its base class is documented too.
export { OSError } from "./src/errors.ts";
export type {
  AltName,
  DistinguishedName,
  PeerCertificate,
  RelativeDistinguishedName,
} from "./src/ssl/x509.ts";
