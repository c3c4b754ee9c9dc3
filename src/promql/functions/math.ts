/**
 * Per-sample math functions (abs, ceil, ln, clamp, round, …) with Go's `math` package semantics where they
 * differ from JavaScript's `Math`:
 *  - `math.Max`/`math.Min` check ±Inf before NaN: Go's Max(NaN, +Inf) is +Inf, JS Math.max gives NaN.
 *  - `math.Log2` returns exact integers for powers of two and is otherwise `Log(frac)/Ln2 + exp`;
 *    `math.Log10` is `Log(x) · (1/Ln10)`. Copying the formulas keeps the last bit where Prometheus has it.
 * Sin, Exp and friends use JS Math: Go's implementations (Cephes, some in assembly) can differ from V8's
 * fdlibm in the last bit, far inside the 1e-6 relative tolerance of the promql tests.
 */
import type { ValueFunction } from './types.js';

/** Go math.Max: +Inf wins over NaN, then NaN wins, and +0 beats −0. */
export function goMax(x: number, y: number): number {
  if (x === Infinity || y === Infinity) return Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0 && x === y) return Object.is(x, -0) ? y : x;
  return x > y ? x : y;
}

/** Go math.Min: −Inf wins over NaN, then NaN wins, and −0 beats +0. */
export function goMin(x: number, y: number): number {
  if (x === -Infinity || y === -Infinity) return -Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0 && x === y) return Object.is(x, -0) ? x : y;
  return x < y ? x : y;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts (x86, arm): the high word, holding sign and exponent, is at index 1.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Go math.Frexp's exponent part for finite non-zero x: x = frac · 2^exp with |frac| in [0.5, 1). */
let frexpExp = 0;
function frexpFrac(x: number): number {
  frexpExp = 0;
  if (x === 0 || !Number.isFinite(x)) return x;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    // Subnormal: normalise first so the exponent field is meaningful.
    x *= 4503599627370496; // 2^52
    frexpExp = -52;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  frexpExp += ((hi >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hi & ~(0x7ff << 20)) | (1022 << 20);
  return f64[0];
}

/** Go math.Log2. */
export function goLog2(x: number): number {
  const frac = frexpFrac(x);
  if (frac === 0.5) return frexpExp - 1;
  return Math.log(frac) * Math.LOG2E + frexpExp;
}

/** Go math.Log10. */
export function goLog10(x: number): number {
  return Math.log(x) * Math.LOG10E;
}

/** Prometheus `round`: ties go up, done on the inverse because that loses less precision (e.g. 0.1 → 10). */
export function round(v: number, params: readonly number[]): number {
  const toNearest = params.length > 0 ? params[0]! : 1;
  const toNearestInverse = 1 / toNearest;
  return Math.floor(v * toNearestInverse + 0.5) / toNearestInverse;
}

export const MATH_FUNCTIONS: Record<string, ValueFunction> = {
  abs: (v) => Math.abs(v),
  ceil: (v) => Math.ceil(v),
  floor: (v) => Math.floor(v),
  exp: (v) => Math.exp(v),
  sqrt: (v) => Math.sqrt(v),
  ln: (v) => Math.log(v),
  log2: (v) => goLog2(v),
  log10: (v) => goLog10(v),
  // Zero and NaN pass through unchanged (so −0 stays −0), as Prometheus's switch does.
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  sin: (v) => Math.sin(v),
  cos: (v) => Math.cos(v),
  tan: (v) => Math.tan(v),
  asin: (v) => Math.asin(v),
  acos: (v) => Math.acos(v),
  atan: (v) => Math.atan(v),
  sinh: (v) => Math.sinh(v),
  cosh: (v) => Math.cosh(v),
  tanh: (v) => Math.tanh(v),
  asinh: (v) => Math.asinh(v),
  acosh: (v) => Math.acosh(v),
  atanh: (v) => Math.atanh(v),
  /**
   * params [min, max]. When max < min Prometheus returns an empty vector; the engine checks that on the
   * params before calling, this only computes the clamp.
   */
  clamp: (v, p) => goMax(p[0]!, goMin(p[1]!, v)),
  clamp_min: (v, p) => goMax(v, p[0]!),
  clamp_max: (v, p) => goMin(v, p[0]!),
  round,
};
