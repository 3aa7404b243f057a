// The core maps a resolver's code to Python's error once, the same on every
// runtime (glibc's getaddrinfo codes and CPython's gethostbyaddr herrors).

import { test } from "node:test";
import assert from "node:assert/strict";
import { gaierror, getservbyname, getservbyport, herror, OSError } from "unisock";
import { _lookupError, _reverseError } from "../src/_resolver.ts";

const code = (c: string) => Object.assign(new Error(c), { code: c });

test("resolver: codes map to glibc's EAI_* numbers on every runtime", () => {
  const cases: [string, number][] = [
    ["ENOTFOUND", -2],
    ["EAI_NONAME", -2],
    ["EAI_AGAIN", -3],
    ["ETIMEOUT", -3],
    // c-ares could not reach a name server: glibc says "temporary failure".
    ["ECONNREFUSED", -3],
    ["ESERVFAIL", -3],
    ["ENODATA", -5],
    ["EAI_NODATA", -5],
    ["EAI_FAMILY", -6],
    ["EAI_SERVICE", -8],
    ["something new", -2],
  ];
  for (const [c, n] of cases) {
    const e = _lookupError(code(c));
    assert.equal(e.errno, n, c);
    assert.equal(e.constructor.name, "gaierror", c);
  }
  assert.equal(
    _lookupError(code("EAI_AGAIN")).message,
    "[Errno -3] Temporary failure in name resolution",
  );
});

test("resolver: a reverse look-up fails as CPython's gethostbyaddr", () => {
  assert.equal(_reverseError(code("EAI_AGAIN")).message, "[Errno 2] Host name lookup failure");
  assert.equal(_reverseError(code("ETIMEOUT")).errno, 2);
  assert.equal(_reverseError(code("ENOTFOUND")).message, "[Errno 1] Unknown host");
  assert.equal(_reverseError(null).errno, 1);
  assert.equal(_reverseError(code("ENOTFOUND")).constructor.name, "herror");
});

test("resolver: public classes are the ones raised", () => {
  assert.ok(gaierror.prototype instanceof OSError);
  assert.ok(herror.prototype instanceof OSError);
});

test("getservbyname/getservbyport reject (never throw) on bad arguments", async () => {
  let p: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    p = getservbyname(42 as unknown as string);
  });
  await assert.rejects(p!, TypeError);
  assert.doesNotThrow(() => {
    p = getservbyport(70000);
  });
  await assert.rejects(p!, RangeError);
  assert.doesNotThrow(() => {
    p = getservbyport("x" as unknown as number);
  });
  await assert.rejects(p!, TypeError);
  assert.equal(await getservbyname("http", "tcp"), 80);
});
