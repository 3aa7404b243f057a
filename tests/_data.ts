// Deterministic test data shared by the suite and `npm run soak` (no imports,
// so scripts can load it without the library).

/**
 * Seeded pseudo-random numbers in [0, 1) (mulberry32).
 *
 * @param seed Any integer.
 * @returns The generator.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A message whose bytes name its connection and sequence number, so any
 * mix-up between connections or messages shows.
 *
 * @param conn The connection's index.
 * @param seq The message's sequence number.
 * @param length The length in bytes.
 * @returns The message.
 */
export function message(conn: number, seq: number, length: number): Uint8Array {
  const m = new Uint8Array(length);
  for (let i = 0; i < length; i++) m[i] = (conn * 31 + seq * 7 + i) & 0xff;
  return m;
}
