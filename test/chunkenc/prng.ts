// Test helpers: a seeded PRNG (mulberry32) so fuzz failures reproduce, and bit-level float comparison.

/** Uniform [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The raw 32-bit halves of a Float64Array as plain numbers, for t.same comparisons that see NaN payloads. */
export function bitsOf(a: Float64Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2));
}

export function floatBitsEqual(x: number, y: number): boolean {
  return bitsOf(Float64Array.of(x)).join() === bitsOf(Float64Array.of(y)).join();
}
