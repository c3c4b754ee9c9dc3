// Malformed and truncated chunk bytes must give a StorageError (or, for bytes that merely look valid, some
// samples), never a hang, a crash, another exception type, or reads past the data.
import t from 'tap';
import { decodeXOR, decodeXORAlloc, encodeXOR, xorNumSamples } from '../../src/chunkenc/index.js';
import { StorageError } from '../../src/model/index.js';
import { mulberry32, bitsOf } from './fixtures/prng.js';

const outT = new Float64Array(0x10000);
const outV = new Float64Array(0x10000);

/** Decodes; returns the sample count, or the StorageError; any other outcome fails the test. */
function attempt(bytes: Uint8Array): number | StorageError {
  try {
    return decodeXOR(bytes, outT, outV, 0);
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
}

function validChunks(): Uint8Array[] {
  const rnd = mulberry32(99);
  const out: Uint8Array[] = [];
  for (const n of [1, 2, 3, 17, 120, 240]) {
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    let tt = 1_700_000_000_000;
    for (let i = 0; i < n; i++) {
      tt += 15_000 + Math.floor((rnd() - 0.5) * 3000) + (rnd() < 0.05 ? 2_000_000 : 0);
      ts[i] = tt;
      vs[i] = rnd() < 0.3 ? (i ? vs[i - 1]! : 1) : rnd() < 0.5 ? Math.floor(rnd() * 1000) : rnd() * 1e9;
    }
    out.push(encodeXOR(ts, vs));
  }
  return out;
}

t.test('every truncation of a valid chunk errors, except dropping trailing padding', async (t) => {
  let errors = 0;
  for (const chunk of validChunks()) {
    const n = xorNumSamples(chunk);
    const want = decodeXORAlloc(chunk);
    for (let len = 0; len < chunk.length; len++) {
      const r = attempt(chunk.subarray(0, len));
      if (r instanceof StorageError) {
        errors++;
        continue;
      }
      // Only bytes holding no sample bits may go: the single empty byte Prometheus appends after a whole-byte write.
      t.equal(len, chunk.length - 1, `${n}-sample chunk cut to ${len} of ${chunk.length} bytes decoded without error`);
      t.equal(chunk[len], 0, 'the dropped byte was padding');
      t.same(Array.from(outT.subarray(0, r)), Array.from(want.timestamps));
      t.same(bitsOf(outV.subarray(0, r)), bitsOf(want.values));
    }
  }
  t.ok(errors > 500, `${errors} truncations rejected`);
});

t.test('a sample count larger than the data is an error naming where the data ended', async (t) => {
  for (const chunk of validChunks()) {
    const bumped = Uint8Array.from(chunk);
    const n = xorNumSamples(chunk) + 1;
    bumped[0] = n >>> 8;
    bumped[1] = n & 0xff;
    // Enough trailing zero bits can decode as one more "same value, same step" sample: 2 bits per sample.
    // Claiming 1000 more samples always runs out.
    const far = Uint8Array.from(chunk);
    far[0] = (n + 1000) >>> 8;
    far[1] = (n + 1000) & 0xff;
    t.throws(() => decodeXOR(far, outT, outV), { name: 'StorageError', message: /decode XOR chunk: (data ends|truncated)/ });
    const r = attempt(bumped);
    if (typeof r === 'number') t.equal(r, n, 'decoded one more sample out of padding bits');
  }
});

t.test('header and field errors', async (t) => {
  t.throws(() => xorNumSamples(new Uint8Array([1])), StorageError);
  t.throws(() => decodeXOR(new Uint8Array([]), outT, outV), /shorter than the 2-byte header/);
  t.throws(() => decodeXOR(new Uint8Array([0, 1]), outT, outV), /truncated varint/);
  t.throws(() => decodeXOR(new Uint8Array([0, 1, 0x02, 0x3f, 0xf0]), outT, outV), /truncated in the first value/);
  // t0 varint of 11 continuation bytes, and a 10th byte > 1: both overflow 64 bits, as Go's ReadVarint says.
  t.throws(() => decodeXOR(new Uint8Array([0, 1, ...new Array(11).fill(0xff)]), outT, outV), /varint overflows/);
  // t0 = 2^60 (zig-zag 2^61): a valid int64 that a Float64Array cannot hold exactly.
  const big = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
  t.throws(() => decodeXOR(new Uint8Array([0, 1, ...big, 0, 0, 0, 0, 0, 0, 0, 0]), outT, outV), /beyond ±2\^53/);
  // Sample 1 announces 31 leading zeros and 40 significant bits: 71 > 64.
  // bits: 1 1 11111 101000 then payload; header 0002 | t0 00 | v0 8×00 | Δt 01
  const head = [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const bad = new Uint8Array([...head, 0b11111111, 0b01000000, 0, 0, 0, 0, 0, 0, 0]);
  t.throws(() => decodeXOR(bad, outT, outV), /31 leading zeros \+ 40 significant bits exceed 64/);
  // Output arrays too short for the header's count: a caller error, RangeError.
  t.throws(() => decodeXOR(encodeXOR([1, 2, 3], Float64Array.of(1, 2, 3)), new Float64Array(2), new Float64Array(2)), RangeError);
  t.throws(() => decodeXOR(encodeXOR([1, 2, 3], Float64Array.of(1, 2, 3)), new Float64Array(4), new Float64Array(4), 2), RangeError);
});

t.test('random bytes: StorageError or samples, never anything else', async (t) => {
  const rnd = mulberry32(2024);
  let ok = 0;
  let rejected = 0;
  const start = Date.now();
  for (let iter = 0; iter < 4000; iter++) {
    const len = Math.floor(rnd() * 64);
    const b = new Uint8Array(len);
    for (let i = 0; i < len; i++) b[i] = Math.floor(rnd() * 256);
    // Half the inputs claim a small count, so decoding gets deep into the bit stream instead of failing early.
    if (len >= 2 && rnd() < 0.5) b[0] = 0;
    const r = attempt(b);
    if (typeof r === 'number') {
      ok++;
      t.equal(r, xorNumSamples(b));
      for (let i = 0; i < r; i++) if (!Number.isSafeInteger(outT[i])) t.fail(`timestamp ${outT[i]} is not a safe integer`);
    } else rejected++;
  }
  t.ok(rejected > 1000, `${rejected} rejected, ${ok} decoded as garbage-but-well-formed`);
  t.ok(Date.now() - start < 20_000, 'finished quickly');
});

t.test('bit flips in valid chunks: StorageError or samples', async (t) => {
  const rnd = mulberry32(5);
  const chunks = validChunks();
  let iterations = 0;
  for (let iter = 0; iter < 3000; iter++) {
    const src = chunks[iter % chunks.length]!;
    const b = Uint8Array.from(src);
    const flips = 1 + Math.floor(rnd() * 3);
    for (let f = 0; f < flips; f++) {
      const bit = Math.floor(rnd() * (b.length - 2) * 8) + 16; // keep the count: exercise the stream
      b[bit >>> 3]! ^= 0x80 >>> (bit & 7);
    }
    attempt(b);
    iterations++;
  }
  t.equal(iterations, 3000);
});
