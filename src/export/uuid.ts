/**
 * Name-based UUIDs (version 5, RFC 9562 section 5.5: SHA-1 of a namespace UUID and a name) for the
 * object ids governance systems want (midPoint OIDs, SCIM ids). The same name gives the same id on
 * every run and every platform, so re-importing an export updates the objects it created before.
 *
 * Platform-neutral on purpose (no node:crypto, no WebCrypto, which is asynchronous): SHA-1 is
 * written out below after FIPS 180-4 section 6.1. It is used only to derive ids, never for security.
 */

/** RFC 9562 appendix A: the namespace for URLs (and URNs). */
export const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/**
 * rolemill's export namespace: uuidV5(NAMESPACE_URL, 'urn:rolemill:export'), written out so that a
 * reader can check it with any UUID library (Python: `uuid.uuid5(uuid.NAMESPACE_URL, 'urn:rolemill:export')`).
 * Changing it changes every exported id.
 */
export const ROLEMILL_NAMESPACE = 'eb4c0fef-8205-5522-be90-07c289e5bf82';

/** SHA-1 of `data` (FIPS 180-4): 20 bytes. O(n). */
export function sha1(data: Uint8Array): Uint8Array {
  const bitLength = data.length * 8;
  const padded = new Uint8Array((((data.length + 8) >> 6) + 1) << 6);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  // The length is a 64-bit big-endian bit count; inputs here stay far below 2^32 bits.
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + 4 * t);
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      // The round function and constant of FIPS 180-4 section 4.1.1 / 4.2.1 for step t.
      const f = t < 20 ? (b & c) | (~b & d) : t < 40 || t >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) >>> 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) >>> 0;
    h1 = (h1 + b) >>> 0;
    h2 = (h2 + c) >>> 0;
    h3 = (h3 + d) >>> 0;
    h4 = (h4 + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => outView.setUint32(4 * i, h));
  return out;
}

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

const encoder = new TextEncoder();

/** The version-5 UUID of `name` (UTF-8) in `namespace`, lower-case with hyphens. */
export function uuidV5(namespace: string, name: string): string {
  const ns = uuidBytes(namespace);
  const text = encoder.encode(name);
  const input = new Uint8Array(16 + text.length);
  input.set(ns);
  input.set(text, 16);
  const h = sha1(input).subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5
  h[8] = (h[8]! & 0x3f) | 0x80; // variant 10xx (RFC 9562)
  const hex = Array.from(h, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the object named `name` in rolemill's export namespace (e.g. `role:R0007`). */
export function exportId(name: string): string {
  return uuidV5(ROLEMILL_NAMESPACE, name);
}
