// Test helper: a Window over samples given in seconds, window (startS, endS].
import type { Window } from '../../../src/promql/functions/index.js';

export function win(timesS: number[], values: number[], startS: number, endS: number): Window {
  return {
    timestamps: Float64Array.from(timesS, (s) => s * 1000),
    values: Float64Array.from(values),
    start: 0,
    end: values.length,
    rangeStartMs: startS * 1000,
    rangeEndMs: endS * 1000,
  };
}
