/**
 * A minimal DER (ASN.1) reader: enough of X.690 to walk an X.509
 * certificate. Malformed input throws a `RangeError`, which callers turn
 * into their own error.
 *
 * @module
 */

/** One DER element: its tag byte and its content bytes. */
export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** The content octets (a view into the input). */
  readonly body: Uint8Array;
  /** The whole element, header included (a view into the input). */
  readonly whole: Uint8Array;
}

/** Universal tags used by X.509. */
export const _TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * Reads the element at `offset`.
 *
 * @param buf The DER bytes.
 * @param offset Where the element starts.
 * @returns The element and the offset just past it.
 * @throws {RangeError} On a truncated or non-DER header.
 *
 * @example Read the outer SEQUENCE of a certificate
 * ```ts ignore
 * const [cert] = _readNode(der, 0);
 * ```
 */
export function _readNode(buf: Uint8Array, offset: number): [DerNode, number] {
  if (offset + 2 > buf.length) throw new RangeError("DER: truncated header");
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new RangeError("DER: multi-byte tags are not supported");
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > buf.length) throw new RangeError("DER: bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    pos += n;
  }
  if (pos + len > buf.length) throw new RangeError("DER: truncated content");
  return [
    { tag, body: buf.subarray(pos, pos + len), whole: buf.subarray(offset, pos + len) },
    pos + len,
  ];
}

/**
 * The elements inside a constructed element (SEQUENCE, SET, [n]).
 *
 * @param node A constructed element.
 * @returns Its children, in order.
 *
 * @example The three parts of a certificate
 * ```ts ignore
 * const [tbs, algorithm, signature] = _children(cert);
 * ```
 */
export function _children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.body.length) {
    const [child, next] = _readNode(node.body, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

/**
 * An OBJECT IDENTIFIER's dotted text.
 *
 * @param body The OID's content octets.
 * @returns E.g. `2.5.4.3`.
 *
 * @example commonName
 * ```ts ignore
 * _oid(new Uint8Array([0x55, 0x04, 0x03])); // "2.5.4.3"
 * ```
 */
export function _oid(body: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const byte of body) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join(".");
}

/**
 * A string-typed element's text, decoded by its type as OpenSSL does for
 * Python (T61String is read as Latin-1).
 *
 * @param node A string element.
 * @returns Its text.
 *
 * @example A PrintableString
 * ```ts ignore
 * _string(node); // "US"
 * ```
 */
export function _string(node: DerNode): string {
  const b = node.body;
  switch (node.tag) {
    case _TAG.BMPString: {
      let s = "";
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
      return s;
    }
    case _TAG.UniversalString: {
      let s = "";
      for (let i = 0; i + 3 < b.length; i += 4) {
        s += String.fromCodePoint(
          ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0,
        );
      }
      return s;
    }
    case _TAG.T61String:
      return String.fromCharCode(...b);
    default:
      return new TextDecoder().decode(b);
  }
}
