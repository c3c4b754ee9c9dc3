/**
 * Sample values and the staleness marker.
 *
 * Prometheus marks the end of a series with a special NaN, `StaleNaN` = 0x7ff0000000000002, distinct from the
 * NaN that arithmetic produces (0x7ff8000000000001 in Go). `Number.isNaN` cannot tell them apart, so we compare
 * bit patterns. Float64Array stores and loads keep NaN payloads intact in V8; arithmetic does not, which is fine:
 * the marker is only ever copied, never computed.
 *
 * Beware plain JS arrays: V8 canonicalises NaNs stored into a double-elements array (`[1, STALE_NAN]`), which
 * silently turns the marker into an ordinary NaN. Keep samples in typed arrays end to end.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

/** The staleness marker as a JS number (its payload survives typed-array copies). */
export const STALE_NAN: number = (() => {
  u32[HI] = STALE_NAN_BITS_HI;
  u32[LO] = STALE_NAN_BITS_LO;
  return f64[0];
})();

/** True only for the staleness marker, not for other NaNs. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false; // not NaN at all: the common case, no bit work
  f64[0] = v;
  return u32[LO] === STALE_NAN_BITS_LO && u32[HI] === STALE_NAN_BITS_HI;
}
