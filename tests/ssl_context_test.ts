// SSLContext, create_default_context, the SSL errors and the certificate
// reader, checked against CPython's ssl module on the fixtures in
// tests/fixtures/tls/ (made by scripts/make_test_certs.sh).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FileNotFoundError } from "unisock";
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  CertificateError,
  create_default_context,
  HAS_ALPN,
  HAS_SNI,
  HAS_TLSv1_3,
  OSError,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  SSLCertVerificationError,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLWantWriteError,
  SSLZeroReturnError,
  TLSVersion,
} from "unisock/ssl";
import { _decodeCert } from "../src/ssl/x509.ts";
import { hasPython } from "./_helpers.ts";

const F = join(import.meta.dirname!, "fixtures", "tls");
const f = (name: string) => join(F, name);
const PASSWORD = "unisock-test";
const serverCtx = () => new SSLContext(PROTOCOL_TLS_SERVER);

function sslError(message: string, library: string | null, reason: string | null) {
  return (e: unknown) => {
    assert.ok(e instanceof SSLError, `expected SSLError, got ${e}`);
    assert.ok(e instanceof OSError);
    assert.equal(e.message, message);
    assert.equal(e.library, library);
    assert.equal(e.reason, reason);
    return true;
  };
}

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/** CPython's dict of a certificate file (the one getpeercert() returns), as JSON. */
function pythonCert(path: string): unknown {
  const out = execFileSync("python3", [
    "-c",
    "import json, ssl, sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))",
    path,
  ], { timeout: 20_000 });
  return JSON.parse(String(out));
}

describe("ssl constants", () => {
  test("have CPython's values", () => {
    assert.equal(PROTOCOL_TLS_CLIENT, 16);
    assert.equal(PROTOCOL_TLS_SERVER, 17);
    assert.deepEqual([CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED], [0, 1, 2]);
    assert.deepEqual(
      [TLSVersion.MINIMUM_SUPPORTED, TLSVersion.TLSv1_2, TLSVersion.TLSv1_3],
      [-2, 771, 772],
    );
    assert.equal(TLSVersion.MAXIMUM_SUPPORTED, -1);
    assert.equal(Purpose.SERVER_AUTH.oid, "1.3.6.1.5.5.7.3.1");
    assert.equal(Purpose.CLIENT_AUTH.shortname, "clientAuth");
    assert.deepEqual([HAS_SNI, HAS_ALPN, HAS_TLSv1_3], [true, true, true]);
  });
});

describe("SSL errors", () => {
  test("carry Python's messages and numbers", () => {
    const v = new SSLCertVerificationError(20, "unable to get local issuer certificate");
    assert.equal(
      v.message,
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
    );
    assert.equal(v.errno, 1);
    assert.equal(v.verify_code, 20);
    assert.equal(v.library, "SSL");
    assert.equal(v.reason, "CERTIFICATE_VERIFY_FAILED");
    assert.equal(v.name, "SSLCertVerificationError");
    assert.ok(v instanceof SSLError && v instanceof OSError);
    assert.equal(CertificateError, SSLCertVerificationError);
    assert.equal(new SSLZeroReturnError().message, "TLS/SSL connection has been closed (EOF)");
    assert.equal(new SSLZeroReturnError().errno, 6);
    assert.equal(
      new SSLEOFError().message,
      "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol",
    );
    assert.equal(new SSLEOFError().errno, 8);
    assert.equal(new SSLWantReadError().errno, 2);
    assert.equal(new SSLWantWriteError().message, "The operation did not complete (write)");
  });
});

describe("SSLContext settings", () => {
  test("client and server defaults", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    assert.deepEqual(
      [c.protocol, c.verify_mode, c.check_hostname, c.minimum_version, c.maximum_version],
      [16, CERT_REQUIRED, true, TLSVersion.TLSv1_2, TLSVersion.MAXIMUM_SUPPORTED],
    );
    const s = serverCtx();
    assert.deepEqual([s.protocol, s.verify_mode, s.check_hostname], [17, CERT_NONE, false]);
    assert.throws(() => new SSLContext(99), {
      name: "RangeError",
      message: "invalid or unsupported protocol version 99",
    });
  });

  test("verify_mode and check_hostname follow Python's rules", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    assert.throws(() => c.verify_mode = CERT_NONE, {
      name: "RangeError",
      message: "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.",
    });
    c.check_hostname = false;
    c.verify_mode = CERT_NONE;
    assert.equal(c.verify_mode, CERT_NONE);
    c.check_hostname = true; // raises verify_mode back to CERT_REQUIRED
    assert.equal(c.verify_mode, CERT_REQUIRED);
    assert.throws(() => c.verify_mode = 7 as never, { message: "invalid value for verify_mode" });
    assert.throws(() => c.verify_mode = "x" as never, {
      name: "TypeError",
      message: "'str' object cannot be interpreted as an integer",
    });
  });

  test("minimum and maximum versions", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    c.minimum_version = TLSVersion.TLSv1_3;
    c.maximum_version = TLSVersion.TLSv1_3;
    assert.deepEqual([c.minimum_version, c.maximum_version], [772, 772]);
    assert.throws(() => c.minimum_version = 5 as never, {
      name: "RangeError",
      message: "Unsupported TLS/SSL version 0x5",
    });
  });

  test("set_alpn_protocols checks lengths", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    c.set_alpn_protocols(["h2", "http/1.1"]);
    for (const bad of [[""], ["a".repeat(256)]]) {
      assert.throws(
        () => c.set_alpn_protocols(bad),
        sslError("ALPN protocols must be 1 to 255 in length", null, null),
      );
    }
  });
});

describe("load_cert_chain", () => {
  test("loads a certificate and key, one file, or an encrypted key", () => {
    serverCtx().load_cert_chain(f("server.pem"), f("server.key"));
    serverCtx().load_cert_chain(f("server_chain.pem"));
    serverCtx().load_cert_chain(f("server.pem"), f("server_encrypted.key"), PASSWORD);
    serverCtx().load_cert_chain(
      f("server.pem"),
      f("server_encrypted.key"),
      new TextEncoder().encode(PASSWORD),
    );
    serverCtx().load_cert_chain(f("server.pem"), f("server_encrypted.key"), () => PASSWORD);
    // A password for a key that is not encrypted is ignored, as in Python.
    serverCtx().load_cert_chain(f("server.pem"), f("server.key"), "unused");
  });

  test("missing files raise FileNotFoundError", () => {
    const missing = { name: "FileNotFoundError", message: "[Errno 2] No such file or directory" };
    assert.throws(() => serverCtx().load_cert_chain(f("nope.pem")), missing);
    assert.throws(() => serverCtx().load_cert_chain(f("server.pem"), f("nope.key")), missing);
    assert.throws(() => serverCtx().load_cert_chain(f("nope.pem")), FileNotFoundError);
  });

  test("malformed input, wrong password and mismatched key raise Python's SSLError", () => {
    const pemLib = sslError("[SSL] PEM lib", "SSL", null);
    assert.throws(() => serverCtx().load_cert_chain(f("malformed.pem"), f("server.key")), pemLib);
    assert.throws(() => serverCtx().load_cert_chain(f("server.key"), f("server.key")), pemLib);
    assert.throws(() => serverCtx().load_cert_chain(f("server.pem")), pemLib);
    assert.throws(
      () => serverCtx().load_cert_chain(f("server.pem"), f("server_encrypted.key"), "wrong"),
      pemLib,
    );
    assert.throws(
      () => serverCtx().load_cert_chain(f("server.pem"), f("server_encrypted.key")),
      pemLib,
    );
    assert.throws(
      () => serverCtx().load_cert_chain(f("server.pem"), f("selfsigned.key")),
      sslError("[X509: KEY_VALUES_MISMATCH] key values mismatch", "X509", "KEY_VALUES_MISMATCH"),
    );
  });

  test("argument types", () => {
    assert.throws(() => serverCtx().load_cert_chain(5 as never), {
      name: "TypeError",
      message: "certfile should be a valid filesystem path",
    });
    assert.throws(
      () => serverCtx().load_cert_chain(f("server.pem"), f("server_encrypted.key"), 5 as never),
      { name: "TypeError", message: "password should be a string or callable" },
    );
    assert.throws(
      () =>
        serverCtx().load_cert_chain(f("server.pem"), f("server_encrypted.key"), "x".repeat(2000)),
      { name: "RangeError", message: "password cannot be longer than 1024 bytes" },
    );
  });
});

describe("load_verify_locations and get_ca_certs", () => {
  test("cafile, cadata as PEM text or DER bytes, duplicates counted once", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    c.load_verify_locations(f("ca.pem"));
    c.load_verify_locations({ cafile: f("ca.pem") });
    assert.equal(c.get_ca_certs().length, 1);
    const pem = readFileSync(f("ca.pem"), "latin1");
    const d = new SSLContext(PROTOCOL_TLS_CLIENT);
    d.load_verify_locations({ cadata: pemToDer(pem) });
    assert.deepEqual(d.get_ca_certs(true), [pemToDer(pem)]);
    const e = new SSLContext(PROTOCOL_TLS_CLIENT);
    e.load_verify_locations(null, null, pem + readFileSync(f("selfsigned.pem"), "latin1"));
    assert.equal(e.get_ca_certs().length, 2);
    // A certificate that is not a CA is trusted but not listed, as in Python.
    const g = new SSLContext(PROTOCOL_TLS_CLIENT);
    g.load_verify_locations(f("server.pem"));
    assert.deepEqual(g.get_ca_certs(), []);
  });

  test("errors are Python's", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    assert.throws(() => c.load_verify_locations(), {
      name: "TypeError",
      message: "cafile, capath and cadata cannot be all omitted",
    });
    assert.throws(() => c.load_verify_locations(f("nope.pem")), {
      name: "FileNotFoundError",
      message: "[Errno 2] No such file or directory",
    });
    assert.throws(
      () => c.load_verify_locations(f("malformed.pem")),
      sslError("[X509] PEM lib", "X509", null),
    );
    assert.throws(
      () => c.load_verify_locations(f("server.key")),
      sslError(
        "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found",
        "X509",
        "NO_CERTIFICATE_OR_CRL_FOUND",
      ),
    );
    assert.throws(
      () => c.load_verify_locations({ cadata: "hello" }),
      sslError("no start line: cadata does not contain a certificate", null, null),
    );
    assert.throws(
      () => c.load_verify_locations({ cadata: new TextEncoder().encode("hello") }),
      sslError("not enough data: cadata does not contain a certificate", null, null),
    );
    assert.throws(() => c.load_verify_locations({ cadata: new Uint8Array(0) }), {
      name: "RangeError",
      message: "Empty certificate data",
    });
    assert.throws(() => c.load_verify_locations({ cadata: 5 as never }), {
      name: "TypeError",
      message: "cadata should be an ASCII string or a bytes-like object",
    });
    // A capath that does not exist is no error (OpenSSL reads it when verifying).
    c.load_verify_locations({ capath: join(F, "no-such-dir") });
  });
});

describe("create_default_context", () => {
  test("a client context that verifies, with the given or the system's CAs", () => {
    const c = create_default_context(Purpose.SERVER_AUTH, { cafile: f("ca.pem") });
    assert.deepEqual([c.protocol, c.verify_mode, c.check_hostname], [16, CERT_REQUIRED, true]);
    assert.equal(c.get_ca_certs().length, 1);
    const sys = create_default_context();
    assert.ok(sys.get_ca_certs().length > 0, "the system's CAs are loaded");
    const s = create_default_context(Purpose.CLIENT_AUTH);
    assert.deepEqual([s.protocol, s.verify_mode, s.check_hostname], [17, CERT_NONE, false]);
    assert.deepEqual(s.get_ca_certs(), []);
    assert.throws(() => create_default_context("x" as never), TypeError);
  });
});

describe("certificate dicts", { skip: !hasPython() && "python3 is not installed" }, () => {
  for (const name of ["ca", "server", "client", "selfsigned"]) {
    test(`${name}.pem matches CPython's getpeercert() dict`, () => {
      const der = pemToDer(readFileSync(f(`${name}.pem`), "latin1"));
      assert.deepEqual(
        JSON.parse(JSON.stringify(_decodeCert(der))),
        pythonCert(f(`${name}.pem`)),
      );
    });
  }

  test("get_ca_certs() matches CPython's", () => {
    const c = new SSLContext(PROTOCOL_TLS_CLIENT);
    c.load_verify_locations(f("ca.pem"));
    assert.deepEqual(JSON.parse(JSON.stringify(c.get_ca_certs())), [pythonCert(f("ca.pem"))]);
  });
});
