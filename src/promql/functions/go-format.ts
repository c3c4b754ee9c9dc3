/**
 * Go's `%f` verb (fmt, precision 6), for error messages that must read like Prometheus's.
 *
 * Differs from `toFixed(6)` in three places: Go rounds exact ties to even (0.0078125 → "0.007812", where
 * toFixed gives "0.007813"), prints the infinities as "+Inf"/"-Inf", and never switches to exponent
 * notation (toFixed does from 1e21 on).
 */
export function formatGoF(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  // From 2^53 on every double is an integer, and from 1e21 toFixed would print an exponent.
  if (Math.abs(x) >= 1e21) return BigInt(x).toString() + '.000000';
  const fixed = x.toFixed(6);
  // An exact tie shows as 5 followed only by zeros in the exact expansion (a tie has exactly 7 decimals).
  const exact = Math.abs(x).toFixed(30);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 7);
  if (/^50*$/.test(tail)) {
    const sixth = exact.charCodeAt(dot + 6) - 48;
    if (sixth % 2 === 0) {
      // toFixed rounded away from zero; Go keeps the even digit.
      const truncated = exact.slice(0, dot + 7);
      return (x < 0 || Object.is(x, -0) ? '-' : '') + truncated;
    }
  }
  // Go prints the sign of negative zero ("-0.000000"); toFixed does not.
  if (Object.is(x, -0)) return '-0.000000';
  return fixed;
}
