import t from 'tap';
import { isStaleNaN, STALE_NAN } from '../../src/model/index.js';

function bits(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0).toString(16);
}

t.test('the staleness marker has Prometheus bit pattern 0x7ff0000000000002', async (t) => {
  t.equal(bits(STALE_NAN), '7ff0000000000002');
  t.ok(Number.isNaN(STALE_NAN));
});

t.test('isStaleNaN tells the marker from ordinary NaN and numbers', async (t) => {
  t.ok(isStaleNaN(STALE_NAN));
  t.notOk(isStaleNaN(NaN));
  t.notOk(isStaleNaN(0 / 0));
  t.notOk(isStaleNaN(0));
  t.notOk(isStaleNaN(Infinity));
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, 0x7ff8000000000001n); // Go's math.NaN()
  t.notOk(isStaleNaN(dv.getFloat64(0)));
});

t.test('the marker survives typed-array copies, subarray, set, slice and DataView round trips', async (t) => {
  // Built by element stores: a plain JS array literal would canonicalise the NaN (see src/model/sample.ts).
  const a = new Float64Array(3);
  a[0] = 1;
  a[1] = STALE_NAN;
  a[2] = 3;
  const b = new Float64Array(3);
  b.set(a);
  t.ok(isStaleNaN(b[1]), 'set');
  t.ok(isStaleNaN(a.slice(1, 2)[0]), 'slice');
  t.ok(isStaleNaN(a.subarray(1)[0]), 'subarray');
  const c = Float64Array.from(a);
  t.ok(isStaleNaN(c[1]), 'from');
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, a[1], true);
  t.equal(dv.getBigUint64(0, true), 0x7ff0000000000002n, 'DataView little-endian');
  t.ok(isStaleNaN(dv.getFloat64(0, true)));
  const buf = Buffer.alloc(8);
  buf.writeDoubleBE(STALE_NAN);
  t.equal(buf.toString('hex'), '7ff0000000000002', 'Buffer big-endian');
  t.ok(isStaleNaN(buf.readDoubleBE(0)));
});
