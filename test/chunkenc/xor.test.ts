// XOR chunk bytes computed by hand from the format (docs/format/xor.md), plus seeded round trips.
import t from 'tap';
import { XorEncoder, encodeXOR, decodeXOR, decodeXORAlloc, encodeChunks, xorNumSamples } from '../../src/chunkenc/index.js';
import { STALE_NAN, StorageError } from '../../src/model/index.js';
import { mulberry32, floatBitsEqual, bitsOf } from './fixtures/prng.js';

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

t.test('hand-computed bytes', async (t) => {
  t.test('three samples: same value, then 1 → 2', async (t) => {
    const e = new XorEncoder();
    e.append(1000, 1);
    e.append(2000, 1);
    e.append(3000, 2);
    // 0003                 count 3
    // d00f                 t0 = 1000 → zig-zag 2000 → uvarint d0 0f
    // 3ff0000000000000     v0 = 1.0
    // e807                 Δt = 1000 → uvarint e8 07
    // then bits: 0 (v same) | 0 (dod 0) | 11 00001 001011 11111111111 (1.0^2.0 = 0x7ff0…: 1 leading, 52 trailing,
    // 11 significant) → 0 0 11 00001 001011 11111111111 000000 = 30 97 ff c0
    t.equal(hex(e.bytes()), '0003d00f3ff0000000000000e8073097ffc0');
  });

  t.test('empty chunk is the 2-byte header', async (t) => {
    t.equal(hex(new XorEncoder().bytes()), '0000');
    t.equal(decodeXOR(new Uint8Array([0, 0]), new Float64Array(0), new Float64Array(0)), 0);
  });

  t.test('negative t0 is zig-zag', async (t) => {
    const e = new XorEncoder();
    e.append(-1, 0);
    // -1 → zig-zag 1 → 01; 0.0 = 64 zero bits; then the empty byte Prometheus's bstream.writeByte leaves
    // after a stream that ends on a whole-byte write (seen in promtool's chunks, see promtool.test.ts).
    t.equal(hex(e.bytes()), '000101' + '0000000000000000' + '00');
  });

  t.test('dod buckets: 14, 17, 20 and 64 bits, with Prometheus ranges', async (t) => {
    // t: 0, 10, then steps making dod = 8192 (largest 14-bit), -8192 (needs 17 bits), 65536, -65536 (20 bits),
    // 524289 and -524288 (64 bits, the second as two's complement).
    const ts = [0, 10];
    const dods = [8192, -8192, 65536, -65536, 524289, -524288];
    let delta = 10;
    for (const d of dods) {
      delta += d;
      ts.push(ts[ts.length - 1]! + delta);
    }
    const vs = new Float64Array(ts.length); // all 0: every value is the single bit '0'
    const b = encodeXOR(ts, vs);
    // header 0008 | t0 00 | v0 8×00 | Δt 0a | bits:
    //  v '0'
    //  s2: 10 10000000000000 (8192 as 14 bits = 0x2000), v 0
    //  s3: 110 11110000000000000 (-8192 as 17 bits = 0x1e000), v 0
    //  s4: 110 10000000000000000 (65536 = 0x10000 as 17 bits), v 0
    //  s5: 1110 11110000000000000000 (-65536 as 20 bits = 0xf0000), v 0
    //  s6: 1111 + 64-bit 524289 (0x80001), v 0
    //  s7: 1111 + 64-bit 0xfffffffffff80000, v 0
    const bits =
      '0' +
      '10' + '10000000000000' + '0' +
      '110' + '11110000000000000' + '0' +
      '110' + '10000000000000000' + '0' +
      '1110' + '11110000000000000000' + '0' +
      '1111' + (524289).toString(2).padStart(64, '0') + '0' +
      '1111' + '1'.repeat(45) + '0000000000000000000' + '0'; // -524288 = 0xfffffffffff80000
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    let tail = '';
    for (let i = 0; i < padded.length; i += 8) tail += parseInt(padded.slice(i, i + 8), 2).toString(16).padStart(2, '0');
    t.equal(hex(b), '0008' + '00' + '0000000000000000' + '0a' + tail);
    const d = decodeXORAlloc(b);
    t.same(Array.from(d.timestamps), ts);
  });

  t.test('value window reuse (10) and 64 significant bits (6-bit field 0)', async (t) => {
    const vs = new Float64Array(4);
    const u = new Uint32Array(vs.buffer);
    // v0 = 0; v1 = 0x8000000000000001 → xor has 0 leading, 0 trailing: '11' 00000 000000 + 64 bits.
    // v2 = 0x8000000000000003 → xor 0x2: lead 62 → clamp 31, trail 1; window (0,0) fits → '10' + 64 bits.
    // v3 = v2 → '0'.
    u[3] = 0x80000000; u[2] = 1;
    u[5] = 0x80000000; u[4] = 3;
    u[7] = 0x80000000; u[6] = 3;
    const ts = [0, 1, 2, 3];
    const b = encodeXOR(ts, vs);
    const bits =
      '11' + '00000' + '000000' + '1' + '0'.repeat(62) + '1' + // s1 value
      '0' + '10' + '0'.repeat(62) + '10' + // s2: dod 0, value in window of 64 bits: xor = 2
      '0' + '0'; // s3: dod 0, same value
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    let tail = '';
    for (let i = 0; i < padded.length; i += 8) tail += parseInt(padded.slice(i, i + 8), 2).toString(16).padStart(2, '0');
    t.equal(hex(b), '0004' + '00' + '0000000000000000' + '01' + tail);
    const d = decodeXORAlloc(b);
    t.same(Array.from(new Uint32Array(d.values.buffer)), Array.from(u));
  });
});

t.test('round trips keep values bit-exact', async (t) => {
  t.test('staleness marker, NaN payloads, ±Inf, -0, subnormals', async (t) => {
    const special = [NaN, NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, Number.MAX_VALUE, Number.MIN_VALUE, 1e-300, 1e300];
    const vs = new Float64Array(special.length + 2);
    vs.set(special);
    // Not through the array literal: V8 quiets signalling NaNs stored in a plain JS array, and the
    // staleness marker is one (0x7ff0000000000002 has the quiet bit clear).
    vs[0] = STALE_NAN;
    const u = new Uint32Array(vs.buffer);
    // Go's NaN (0x7ff8000000000001) and a negative quiet NaN with payload.
    u[2 * special.length + 1] = 0x7ff80000; u[2 * special.length] = 1;
    u[2 * special.length + 3] = 0xfff81234; u[2 * special.length + 2] = 0x5678;
    const ts = Array.from(vs, (_, i) => 1_700_000_000_000 + i * 15_000);
    const d = decodeXORAlloc(encodeXOR(ts, vs));
    t.same(bitsOf(d.values), bitsOf(vs));
    t.ok(floatBitsEqual(d.values[0]!, STALE_NAN));
    // Through XorEncoder.append (a JS number argument) too.
    const e = new XorEncoder();
    for (let i = 0; i < vs.length; i++) e.append(ts[i]!, vs[i]!);
    t.same(bitsOf(decodeXORAlloc(e.bytes()).values), bitsOf(vs));
  });

  t.test('seeded random series', async (t) => {
    const rnd = mulberry32(42);
    for (let iter = 0; iter < 1500; iter++) {
      const n = 1 + Math.floor(rnd() * 300);
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      const u = new Uint32Array(vs.buffer);
      let tt = Math.floor((rnd() - 0.5) * 2e15);
      for (let i = 0; i < n; i++) {
        const k = rnd();
        tt += k < 0.3 ? 15000 : k < 0.6 ? Math.floor(rnd() * 2e4) : k < 0.9 ? Math.floor((rnd() - 0.5) * 2e6) : Math.floor((rnd() - 0.5) * 1e12);
        ts[i] = tt;
        const m = rnd();
        if (m < 0.2) vs[i] = i > 0 ? vs[i - 1]! : 0;
        else if (m < 0.5) vs[i] = Math.floor(rnd() * 100);
        else if (m < 0.8) {
          u[2 * i] = (rnd() * 2 ** 32) >>> 0;
          u[2 * i + 1] = (rnd() * 2 ** 32) >>> 0;
        } else vs[i] = rnd() * 1e6;
      }
      const b = encodeXOR(ts, vs);
      t.equal(xorNumSamples(b), n);
      const outT = new Float64Array(n + 3);
      const outV = new Float64Array(n + 3);
      t.equal(decodeXOR(b, outT, outV, 3), n);
      const gotT = outT.subarray(3);
      const gotV = bitsOf(outV.subarray(3));
      const wantV = bitsOf(vs);
      let bad = -1;
      for (let i = 0; i < n && bad < 0; i++) if (gotT[i] !== ts[i] || gotV[2 * i] !== wantV[2 * i] || gotV[2 * i + 1] !== wantV[2 * i + 1]) bad = i;
      if (bad >= 0) {
        t.fail(`iteration ${iter}: sample ${bad} differs`);
        return;
      }
    }
    t.pass('1500 random series round-tripped');
  });
});

t.test('encoder input errors', async (t) => {
  const e = new XorEncoder();
  t.throws(() => e.append(1.5, 0), StorageError);
  t.throws(() => e.append(2 ** 60, 0), StorageError);
  t.throws(() => encodeXOR([0, 1], new Float64Array(2), 0, 3), RangeError);
  const big = new XorEncoder();
  for (let i = 0; i < 0xffff; i++) big.append(i, 0);
  t.throws(() => big.append(0x10000, 0), /more than 65535/);
  t.equal(xorNumSamples(big.bytes()), 0xffff);
  const d = decodeXORAlloc(big.bytes());
  t.equal(d.timestamps[0xfffe], 0xfffe);
});

t.test('encodeChunks cuts at most maxSamples per chunk', async (t) => {
  const n = 250;
  const ts = Array.from({ length: n }, (_, i) => i * 15_000);
  const vs = Float64Array.from({ length: n }, (_, i) => i);
  const chunks = encodeChunks(ts, vs);
  t.same(chunks.map((c) => [c.minTime, c.maxTime, xorNumSamples(c.data)]), [
    [0, 119 * 15_000, 120],
    [120 * 15_000, 239 * 15_000, 120],
    [240 * 15_000, 249 * 15_000, 10],
  ]);
  t.same(Array.from(decodeXORAlloc(chunks[2]!.data).values), [240, 241, 242, 243, 244, 245, 246, 247, 248, 249]);
});
