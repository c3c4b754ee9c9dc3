/**
 * double_exponential_smoothing (formerly holt_winters): Holt's linear smoothing over a window, as Prometheus 3
 * `funcDoubleExponentialSmoothing`.
 *
 * Factors outside (0, 1) are an error in Prometheus (it panics with an error the engine turns into an
 * execution error); we throw ExecutionError with the same text. NaN factors pass that check in Go
 * (`sf <= 0 || sf >= 1` is false) and simply make the result NaN; so they do here.
 */
import { ExecutionError } from '../../model/index.js';
import type { Window } from './types.js';
import { formatGoF } from './go-format.js';

export function doubleExponentialSmoothing(w: Window, sf: number, tf: number): number | undefined {
  if (sf <= 0 || sf >= 1) throw new ExecutionError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${formatGoF(sf)}`);
  if (tf <= 0 || tf >= 1) throw new ExecutionError(`invalid trend factor. Expected: 0 < tf < 1, got: ${formatGoF(tf)}`);
  if (w.end - w.start < 2) return undefined;
  const v = w.values;
  let s0 = 0;
  let s1 = v[w.start]!;
  let b = v[w.start + 1]! - v[w.start]!;
  for (let i = w.start + 1; i < w.end; i++) {
    const x = sf * v[i]!;
    // The first step keeps the initial trend; later ones blend the last smoothed change into it.
    if (i > w.start + 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}
