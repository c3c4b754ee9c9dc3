/**
 * deriv and predict_linear: a least-squares line through the window's samples, with compensated sums as
 * Prometheus 3's `linearRegression(samples, interceptTime)`.
 *
 * x is measured in seconds from `interceptTime`, which keeps the numbers small (Unix milliseconds squared
 * would lose every digit that matters; prometheus#2674). deriv uses the first sample's time, so only the slope
 * is meaningful; predict_linear uses the evaluation time so the intercept is the value "now".
 */
import type { Window } from './types.js';

/** Slope (per second) and intercept (the value at interceptTime) of the fitted line. */
let slopeOut = 0;
let interceptOut = 0;

// Four compensated accumulators; the pairs live in locals rather than objects so the loop allocates nothing.
function linearRegression(w: Window, interceptTimeMs: number): void {
  const ts = w.timestamps;
  const v = w.values;
  let n = 0;
  let sumX = 0, cX = 0;
  let sumY = 0, cY = 0;
  let sumXY = 0, cXY = 0;
  let sumX2 = 0, cX2 = 0;
  const initY = v[w.start]!;
  let constY = true;
  for (let i = w.start; i < w.end; i++) {
    const y = v[i]!;
    // Exact comparison, as Go: a NaN sample makes the series non-constant.
    if (constY && i > w.start && y !== initY) constY = false;
    n += 1;
    const x = (ts[i]! - interceptTimeMs) / 1e3;
    let t = sumX + x;
    if (t === Infinity || t === -Infinity) cX = 0;
    else if (Math.abs(sumX) >= Math.abs(x)) cX += sumX - t + x;
    else cX += x - t + sumX;
    sumX = t;
    t = sumY + y;
    if (t === Infinity || t === -Infinity) cY = 0;
    else if (Math.abs(sumY) >= Math.abs(y)) cY += sumY - t + y;
    else cY += y - t + sumY;
    sumY = t;
    const xy = x * y;
    t = sumXY + xy;
    if (t === Infinity || t === -Infinity) cXY = 0;
    else if (Math.abs(sumXY) >= Math.abs(xy)) cXY += sumXY - t + xy;
    else cXY += xy - t + sumXY;
    sumXY = t;
    const x2 = x * x;
    t = sumX2 + x2;
    if (t === Infinity || t === -Infinity) cX2 = 0;
    else if (Math.abs(sumX2) >= Math.abs(x2)) cX2 += sumX2 - t + x2;
    else cX2 += x2 - t + sumX2;
    sumX2 = t;
  }
  if (constY) {
    // A flat line has slope 0 exactly, instead of 0/0 noise; a flat infinite line has no defined slope.
    if (initY === Infinity || initY === -Infinity) {
      slopeOut = NaN;
      interceptOut = NaN;
    } else {
      slopeOut = 0;
      interceptOut = initY;
    }
    return;
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  slopeOut = covXY / varX;
  interceptOut = sumY / n - (slopeOut * sumX) / n;
}

/** Per-second slope; needs two samples. */
export function deriv(w: Window): number | undefined {
  if (w.end - w.start < 2) return undefined;
  linearRegression(w, w.timestamps[w.start]!);
  return slopeOut;
}

/**
 * The fitted line's value `seconds` after `evalTimeMs`. Prometheus anchors the line at the evaluation time
 * (enh.Ts), which differs from the window's end when the selector has an offset or @ modifier.
 */
export function predictLinear(w: Window, seconds: number, evalTimeMs: number): number | undefined {
  if (w.end - w.start < 2) return undefined;
  linearRegression(w, evalTimeMs);
  return slopeOut * seconds + interceptOut;
}
