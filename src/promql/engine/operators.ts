/**
 * Element-wise arithmetic and comparison with Go's float semantics, shared by binary operators.
 */
import type { ArithmeticOp, BinaryOp, ComparisonOp } from '../ast.js';

export function isComparison(op: BinaryOp): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): op is 'and' | 'or' | 'unless' {
  return op === 'and' || op === 'or' || op === 'unless';
}

/** Go's math.Pow where it differs from Math.pow: Pow(1, y) = 1 and Pow(-1, ±Inf) = 1 for every y. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

export type Arith = (l: number, r: number) => number;

/** `%` is Go's math.Mod (result has the sign of the dividend), which JS `%` already is. */
export const ARITHMETIC: Record<ArithmeticOp, Arith> = {
  '+': (l, r) => l + r,
  '-': (l, r) => l - r,
  '*': (l, r) => l * r,
  '/': (l, r) => l / r,
  '%': (l, r) => l % r,
  '^': goPow,
  atan2: (l, r) => Math.atan2(l, r),
};

export type Compare = (l: number, r: number) => boolean;

export const COMPARISON: Record<ComparisonOp, Compare> = {
  '==': (l, r) => l === r,
  '!=': (l, r) => l !== r,
  '>': (l, r) => l > r,
  '<': (l, r) => l < r,
  '>=': (l, r) => l >= r,
  '<=': (l, r) => l <= r,
};
