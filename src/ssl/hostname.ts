/**
 * The host name check of a client with `check_hostname`, with OpenSSL's
 * rules as CPython configures them (`X509_check_host` with
 * `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`, `X509_check_ip_asc`): an IP
 * address matches only `IP Address` entries; a name matches `DNS` entries,
 * case-insensitively, with a `*` only as the whole leftmost label of a name
 * of three labels or more; the subject's commonName counts only when the
 * certificate has no `DNS` entry.
 *
 * @module
 */

import { _parseIPv4, _parseIPv6 } from "../inet.ts";
import type { PeerCertificate } from "./x509.ts";

/**
 * The packed bytes of an IP address text, or `null` for a host name.
 *
 * @param text A host name or address.
 * @returns The bytes, or `null`.
 */
export function _ipBytes(text: string): Uint8Array | null {
  const t = text.trim();
  return _parseIPv4(t) ?? (t.includes(":") ? _parseIPv6(t) : null);
}

function _sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function _dnsMatch(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, "");
  const h = host.toLowerCase().replace(/\.$/, "");
  if (p === h) return true;
  const pl = p.split(".");
  if (pl[0] !== "*" || pl.length < 3 || pl.slice(1).some((l) => l.includes("*"))) return false;
  const hl = h.split(".");
  if (hl.length !== pl.length || hl[0] === "" || hl[0].startsWith("xn--")) return false;
  return hl.slice(1).join(".") === pl.slice(1).join(".");
}

/**
 * Whether a certificate names `host` (a host name or an IP address text).
 *
 * @param cert The decoded peer certificate.
 * @param host What `server_hostname` asked for.
 * @returns The answer.
 *
 * @example A certificate for localhost
 * ```ts ignore
 * _hostMatches(cert, "localhost"); // true
 * ```
 */
export function _hostMatches(cert: PeerCertificate, host: string): boolean {
  const alt = cert.subjectAltName ?? [];
  const ip = _ipBytes(host);
  if (ip !== null) {
    return alt.some(([kind, value]) => {
      if (kind !== "IP Address" || typeof value !== "string") return false;
      const b = _ipBytes(value);
      return b !== null && _sameBytes(b, ip);
    });
  }
  const dns = alt.filter(([kind]) => kind === "DNS").map(([, v]) => v as string);
  if (dns.length > 0) return dns.some((d) => _dnsMatch(d, host));
  return cert.subject.some((rdn) =>
    rdn.some(([key, value]) => key === "commonName" && _dnsMatch(value, host))
  );
}
