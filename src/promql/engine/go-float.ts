/**
 * Go's strconv.ParseFloat(s, 64) for label values such as `le="+Inf"`: decimal or hex floats, optional
 * sign, `Inf`/`Infinity`/`NaN` in any case; no surrounding spaces, no underscores (those need a base
 * prefix in Go and never appear in bucket labels). Returns undefined when Go would return an error.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

export function parseGoFloat(s: string): number | undefined {
  if (DECIMAL.test(s)) return Number(s);
  const sp = SPECIAL.exec(s);
  if (sp !== null) {
    if (sp[2].toLowerCase() === 'nan') return sp[1] === '' ? NaN : undefined;
    return sp[1] === '-' ? -Infinity : Infinity;
  }
  const h = HEX.exec(s);
  if (h !== null && (h[2] !== '' || h[3] !== '')) {
    const mant = parseInt(h[2] + h[3] || '0', 16) / Math.pow(16, h[3].length);
    const v = mant * Math.pow(2, Number(h[4]));
    return h[1] === '-' ? -v : v;
  }
  return undefined;
}
