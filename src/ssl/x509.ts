/**
 * Reads an X.509 certificate (DER) into the dict Python's
 * `SSLSocket.getpeercert()` returns, with tuples as arrays: the same keys,
 * in the same order, with OpenSSL's long attribute names and date format.
 *
 * @module
 */

import { _children, _oid, _readNode, _string, _TAG, type DerNode } from "./_der.ts";

/** One relative distinguished name: `[attribute, value]` pairs (usually one). */
export type RelativeDistinguishedName = [string, string][];

/** A distinguished name: its RDNs in order, e.g. `[[["commonName", "localhost"]]]`. */
export type DistinguishedName = RelativeDistinguishedName[];

/** One subjectAltName entry, e.g. `["DNS", "localhost"]` or `["DirName", name]`. */
export type AltName = [string, string] | ["DirName", DistinguishedName];

/** The decoded certificate, as Python's `getpeercert()` dict. */
export interface PeerCertificate {
  /** The subject's name. */
  subject: DistinguishedName;
  /** The issuer's name. */
  issuer: DistinguishedName;
  /** The X.509 version (3 for v3). */
  version: number;
  /** The serial number, uppercase hex (OpenSSL's `i2a_ASN1_INTEGER`). */
  serialNumber: string;
  /** Start of validity, e.g. `Dec  3 09:37:08 2026 GMT`. */
  notBefore: string;
  /** End of validity, in the same format. */
  notAfter: string;
  /** The subjectAltName extension's entries, when present. */
  subjectAltName?: AltName[];
  /** The OCSP responders of the authorityInfoAccess extension, when present. */
  OCSP?: string[];
  /** The CA issuer URIs of the authorityInfoAccess extension, when present. */
  caIssuers?: string[];
  /** The CRL distribution point URIs, when present. */
  crlDistributionPoints?: string[];
}

// OpenSSL's long names (OBJ_obj2txt with names), which Python prints.
const _NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "commonName",
  "2.5.4.4": "surname",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "countryName",
  "2.5.4.7": "localityName",
  "2.5.4.8": "stateOrProvinceName",
  "2.5.4.9": "streetAddress",
  "2.5.4.10": "organizationName",
  "2.5.4.11": "organizationalUnitName",
  "2.5.4.12": "title",
  "2.5.4.13": "description",
  "2.5.4.15": "businessCategory",
  "2.5.4.16": "postalAddress",
  "2.5.4.17": "postalCode",
  "2.5.4.18": "postOfficeBox",
  "2.5.4.20": "telephoneNumber",
  "2.5.4.41": "name",
  "2.5.4.42": "givenName",
  "2.5.4.43": "initials",
  "2.5.4.44": "generationQualifier",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "2.5.4.97": "organizationIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress",
  "1.2.840.113549.1.9.2": "unstructuredName",
  "0.9.2342.19200300.100.1.1": "userId",
  "0.9.2342.19200300.100.1.25": "domainComponent",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionLocalityName",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionStateOrProvinceName",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionCountryName",
};

const _EXT_SAN = "2.5.29.17";
const _EXT_AIA = "1.3.6.1.5.5.7.1.1";
const _EXT_CRLDP = "2.5.29.31";
const _AIA_OCSP = "1.3.6.1.5.5.7.48.1";
const _AIA_CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

const _MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/**
 * Decodes a DER certificate into Python's `getpeercert()` dict.
 *
 * @param der The certificate's DER bytes.
 * @returns The dict, tuples as arrays.
 * @throws {RangeError} When `der` is not an X.509 certificate.
 *
 * @example The subject of a server certificate
 * ```ts ignore
 * _decodeCert(der).subject; // [[["commonName", "localhost"]]]
 * ```
 */
export function _decodeCert(der: Uint8Array): PeerCertificate {
  const [cert] = _readNode(der, 0);
  _expect(cert, _TAG.SEQUENCE);
  const tbs = _children(cert)[0];
  _expect(tbs, _TAG.SEQUENCE);
  const parts = _children(tbs);
  let i = 0;
  let version = 1;
  if (parts[i]?.tag === 0xa0) {
    const [v] = _children(parts[i++]);
    _expect(v, _TAG.INTEGER);
    version = _smallInt(v.body) + 1;
  }
  const serial = parts[i++];
  _expect(serial, _TAG.INTEGER);
  i++; // signature algorithm
  const issuer = _name(parts[i++]);
  const validity = parts[i++];
  _expect(validity, _TAG.SEQUENCE);
  const [notBefore, notAfter] = _children(validity);
  const subject = _name(parts[i++]);
  const out: PeerCertificate = {
    subject,
    issuer,
    version,
    serialNumber: _serial(serial.body),
    notBefore: _time(notBefore),
    notAfter: _time(notAfter),
  };
  const extensions = parts.slice(i).find((p) => p.tag === 0xa3);
  if (extensions) _extensions(extensions, out);
  return out;
}

function _expect(node: DerNode | undefined, tag: number): asserts node is DerNode {
  if (node === undefined || node.tag !== tag) {
    throw new RangeError("X.509: unexpected element");
  }
}

function _smallInt(body: Uint8Array): number {
  let v = 0;
  for (const b of body) v = v * 256 + b;
  return v;
}

function _serial(body: Uint8Array): string {
  let bytes = body;
  let sign = "";
  if (bytes.length > 0 && bytes[0] & 0x80) {
    // Negative (not allowed by RFC 5280, but OpenSSL prints it): two's complement.
    const mag = new Uint8Array(bytes.length);
    let carry = 1;
    for (let k = bytes.length - 1; k >= 0; k--) {
      const v = (~bytes[k] & 0xff) + carry;
      mag[k] = v & 0xff;
      carry = v >> 8;
    }
    bytes = mag;
    sign = "-";
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) return "00";
  let hex = "";
  for (const b of bytes) hex += b.toString(16).toUpperCase().padStart(2, "0");
  return sign + hex;
}

function _name(node: DerNode | undefined): DistinguishedName {
  _expect(node, _TAG.SEQUENCE);
  return _children(node).map((rdn) => {
    _expect(rdn, _TAG.SET);
    return _children(rdn).map((atv): [string, string] => {
      _expect(atv, _TAG.SEQUENCE);
      const [type, value] = _children(atv);
      _expect(type, _TAG.OID);
      const oid = _oid(type.body);
      return [_NAMES[oid] ?? oid, _string(value)];
    });
  });
}

// OpenSSL's ASN1_TIME_print: "Mon DD HH:MM:SS YYYY GMT", day padded with a space.
function _time(node: DerNode | undefined): string {
  if (node === undefined || (node.tag !== _TAG.UTCTime && node.tag !== _TAG.GeneralizedTime)) {
    throw new RangeError("X.509: bad time");
  }
  const t = new TextDecoder().decode(node.body);
  const m = node.tag === _TAG.UTCTime
    ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(t)
    : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d+)?Z$/.exec(t);
  if (!m) throw new RangeError("X.509: bad time");
  let year = Number(m[1]);
  if (node.tag === _TAG.UTCTime) year += year < 50 ? 2000 : 1900;
  const month = _MONTHS[Number(m[2]) - 1];
  if (month === undefined) throw new RangeError("X.509: bad time");
  const day = String(Number(m[3])).padStart(2, " ");
  const frac = node.tag === _TAG.GeneralizedTime ? (m[7] ?? "") : "";
  return `${month} ${day} ${m[4]}:${m[5]}:${m[6]}${frac} ${year} GMT`;
}

function _extensions(wrapper: DerNode, out: PeerCertificate): void {
  const [list] = _children(wrapper);
  _expect(list, _TAG.SEQUENCE);
  let san: AltName[] | undefined;
  let ocsp: string[] | undefined;
  let caIssuers: string[] | undefined;
  let crl: string[] | undefined;
  for (const ext of _children(list)) {
    const fields = _children(ext);
    const oid = _oid(fields[0].body);
    const value = fields[fields.length - 1];
    _expect(value, _TAG.OCTET_STRING);
    const [inner] = _readNode(value.body, 0);
    if (oid === _EXT_SAN) {
      san = _children(inner).map(_generalName);
    } else if (oid === _EXT_AIA) {
      for (const desc of _children(inner)) {
        const [method, location] = _children(desc);
        if (location.tag !== 0x86) continue;
        const uri = new TextDecoder().decode(location.body);
        const m = _oid(method.body);
        if (m === _AIA_OCSP) (ocsp ??= []).push(uri);
        else if (m === _AIA_CA_ISSUERS) (caIssuers ??= []).push(uri);
      }
    } else if (oid === _EXT_CRLDP) {
      for (const dp of _children(inner)) {
        const name = _children(dp).find((n) => n.tag === 0xa0);
        const full = name && _children(name).find((n) => n.tag === 0xa0);
        if (!full) continue;
        for (const gn of _children(full)) {
          if (gn.tag === 0x86) (crl ??= []).push(new TextDecoder().decode(gn.body));
        }
      }
    }
  }
  // Python's key order: subjectAltName, OCSP, caIssuers, crlDistributionPoints.
  if (san) out.subjectAltName = san;
  if (ocsp) out.OCSP = ocsp;
  if (caIssuers) out.caIssuers = caIssuers;
  if (crl) out.crlDistributionPoints = crl;
}

function _generalName(gn: DerNode): AltName {
  const text = () => new TextDecoder().decode(gn.body);
  switch (gn.tag) {
    case 0x81:
      return ["email", text()];
    case 0x82:
      return ["DNS", text()];
    case 0x86:
      return ["URI", text()];
    case 0x87:
      return ["IP Address", _ip(gn.body)];
    case 0x88: {
      const oid = _oid(gn.body);
      return ["Registered ID", _NAMES[oid] ?? oid];
    }
    case 0xa4:
      return ["DirName", _name(_children(gn)[0])];
    case 0xa0:
      return ["othername", "<unsupported>"];
    case 0xa3:
      return ["X400Name", "<unsupported>"];
    case 0xa5:
      return ["EdiPartyName", "<unsupported>"];
    default:
      return ["othername", "<unsupported>"];
  }
}

// Python's own formatting: dotted IPv4, or eight uppercase hex groups, no "::".
function _ip(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length === 16) {
    const groups: string[] = [];
    for (let k = 0; k < 16; k += 2) {
      groups.push(((b[k] << 8) | b[k + 1]).toString(16).toUpperCase());
    }
    return groups.join(":");
  }
  return "<invalid>";
}

/**
 * Whether a certificate is a CA certificate, as OpenSSL's `X509_check_ca`
 * decides for `get_ca_certs()`: basicConstraints `CA:TRUE`; without
 * basicConstraints, a keyUsage with keyCertSign, or a self-signed v1
 * certificate.
 *
 * @param der The certificate's DER bytes.
 * @returns `true` for a CA certificate.
 * @throws {RangeError} When `der` is not an X.509 certificate.
 *
 * @example A CA from the system store
 * ```ts ignore
 * _isCA(der); // true
 * ```
 */
export function _isCA(der: Uint8Array): boolean {
  const [cert] = _readNode(der, 0);
  const parts = _children(_children(cert)[0]);
  const hasVersion = parts[0]?.tag === 0xa0;
  const wrapper = parts.find((p) => p.tag === 0xa3);
  let keyCertSign: boolean | null = null;
  if (wrapper) {
    for (const ext of _children(_children(wrapper)[0])) {
      const fields = _children(ext);
      const oid = _oid(fields[0].body);
      const [inner] = _readNode(fields[fields.length - 1].body, 0);
      if (oid === "2.5.29.19") {
        const first = _children(inner)[0];
        return first?.tag === _TAG.BOOLEAN && first.body[0] !== 0;
      }
      if (oid === "2.5.29.15") {
        // BIT STRING: first octet is the unused-bit count; keyCertSign is bit 5.
        keyCertSign = inner.body.length > 1 && (inner.body[1] & 0x04) !== 0;
      }
    }
  }
  if (keyCertSign !== null) return keyCertSign;
  const o = hasVersion ? 1 : 0;
  const issuer = parts[o + 2].whole;
  const subject = parts[o + 4].whole;
  return !hasVersion && issuer.length === subject.length &&
    issuer.every((b, k) => b === subject[k]);
}
