/**
 * Classic (`le`-bucket) histogram arithmetic for histogram_quantile and histogram_fraction, as Prometheus 3's
 * `BucketQuantile` and `BucketFraction` (promql/quantile.go). The engine groups the `_bucket` series,
 * parses `le`, and fills two parallel arrays per group and step: upper bounds and cumulative counts.
 *
 * Both functions reorder the arrays in place (sorted by upper bound, then duplicate bounds merged into the
 * first slots), as Prometheus sorts its slice. Buckets are few, so an insertion sort (linear when the input is
 * already sorted, the usual case) beats building an index permutation.
 */

/** Relative difference under which two neighbouring cumulative counts are taken as equal (float noise). */
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

export interface BucketQuantileResult {
  value: number;
  /** Counts decreased somewhere and were raised to keep them monotonic (Prometheus reports an info). */
  forcedMonotonic: boolean;
  /** Tiny differences (relative < 1e-12) were smoothed away as floating-point noise. */
  fixedPrecision: boolean;
}

/** util/almost.Equal: relative comparison that also copes with zeros and subnormals. */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Sorts both arrays by upper bound, then merges equal bounds (adding counts); returns the new length. */
function sortAndCoalesce(upper: Float64Array, counts: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) {
    const u = upper[i]!;
    const c = counts[i]!;
    let j = i - 1;
    while (j >= 0 && upper[j]! > u) {
      upper[j + 1] = upper[j]!;
      counts[j + 1] = counts[j]!;
      j--;
    }
    upper[j + 1] = u;
    counts[j + 1] = c;
  }
  let k = 0;
  for (let i = 1; i < n; i++) {
    if (upper[i] === upper[k]) {
      counts[k] = counts[k]! + counts[i]!;
    } else {
      k++;
      upper[k] = upper[i]!;
      counts[k] = counts[i]!;
    }
  }
  return n > 0 ? k + 1 : 0;
}

let forcedMonotonic = false;
let fixedPrecision = false;

/**
 * Cumulative counts can decrease when series were scraped at slightly different moments or summed in a
 * different order. Differences within 1e-12 relative are noise and flattened in either direction; real
 * decreases are raised to the previous count. Neither updates the reference count, so one outlier cannot
 * drag later buckets down.
 */
function ensureMonotonic(counts: Float64Array, k: number): void {
  forcedMonotonic = false;
  fixedPrecision = false;
  let prev = counts[0]!;
  for (let i = 1; i < k; i++) {
    const curr = counts[i]!;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE)) {
      counts[i] = prev;
      fixedPrecision = true;
      continue;
    }
    if (curr < prev) {
      counts[i] = prev;
      forcedMonotonic = true;
      continue;
    }
    prev = curr;
  }
}

/**
 * The q-quantile of a classic histogram, interpolating linearly inside the bucket where rank q·total falls.
 *  - q NaN → NaN, q < 0 → −Inf, q > 1 → +Inf (checked first, before the buckets).
 *  - No +Inf bucket, fewer than 2 buckets after merging, or zero observations → NaN.
 *  - Rank in the +Inf bucket → the highest finite upper bound (nothing is known above it).
 *  - Rank in the lowest bucket: interpolated from 0 when its bound is positive, else that bound itself.
 */
export function bucketQuantile(q: number, upperBounds: Float64Array, counts: Float64Array, n: number): BucketQuantileResult {
  if (Number.isNaN(q)) return { value: NaN, forcedMonotonic: false, fixedPrecision: false };
  if (q < 0) return { value: -Infinity, forcedMonotonic: false, fixedPrecision: false };
  if (q > 1) return { value: Infinity, forcedMonotonic: false, fixedPrecision: false };
  if (n === 0) return { value: NaN, forcedMonotonic: false, fixedPrecision: false };
  const k = sortAndCoalesce(upperBounds, counts, n);
  if (upperBounds[k - 1] !== Infinity) return { value: NaN, forcedMonotonic: false, fixedPrecision: false };
  ensureMonotonic(counts, k);
  const flags = { forcedMonotonic, fixedPrecision };
  if (k < 2) return { value: NaN, ...flags };
  const observations = counts[k - 1]!;
  if (observations === 0) return { value: NaN, ...flags };
  let rank = q * observations;
  // Go's sort.Search over the first k−1 buckets: the first whose count reaches the rank. The same binary
  // search, so NaN counts land where they do in Prometheus.
  let lo = 0;
  let hi = k - 1;
  while (lo < hi) {
    const h = (lo + hi) >>> 1;
    if (!(counts[h]! >= rank)) lo = h + 1;
    else hi = h;
  }
  const b = lo;
  if (b === k - 1) return { value: upperBounds[k - 2]!, ...flags };
  if (b === 0 && upperBounds[0]! <= 0) return { value: upperBounds[0]!, ...flags };
  let bucketStart = 0;
  const bucketEnd = upperBounds[b]!;
  let count = counts[b]!;
  if (b > 0) {
    bucketStart = upperBounds[b - 1]!;
    count -= counts[b - 1]!;
    rank -= counts[b - 1]!;
  }
  return { value: bucketStart + (bucketEnd - bucketStart) * (rank / count), ...flags };
}

/**
 * Estimated fraction of observations in [lower, upper] of a classic histogram (histogram_fraction), by
 * linear interpolation inside buckets, with the lowest bucket starting at 0 when its upper bound is positive,
 * as histogram_quantile assumes. When that bound is ≤ 0 the bucket's observations are taken to sit at the
 * bound. Inside the +Inf bucket nothing can be interpolated: its observations count only for upper = +Inf.
 *  - No +Inf bucket, zero observations, or a NaN limit → NaN; lower ≥ upper → 0.
 */
export function bucketFraction(lower: number, upper: number, upperBounds: Float64Array, counts: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const k = sortAndCoalesce(upperBounds, counts, n);
  if (upperBounds[k - 1] !== Infinity) return NaN;
  const total = counts[k - 1]!;
  if (total === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  const lowerRank = rankAt(lower, upperBounds, counts, k);
  const upperRank = rankAt(upper, upperBounds, counts, k);
  return (Math.min(upperRank, total) - Math.min(lowerRank, total)) / total;
}

/** Estimated number of observations ≤ v. */
function rankAt(v: number, upperBounds: Float64Array, counts: Float64Array, k: number): number {
  let rank = 0;
  for (let i = 0; i < k; i++) {
    const ub = upperBounds[i]!;
    const c = counts[i]!;
    let lb: number;
    if (i > 0) lb = upperBounds[i - 1]!;
    else lb = ub > 0 ? 0 : ub;
    if (lb >= v) return rank;
    if (ub > v) {
      // v inside (lb, ub): a share proportional to the distance, or none when the bucket is a point or +Inf.
      if (ub === Infinity || ub === lb) return rank;
      return rank + ((c - rank) * (v - lb)) / (ub - lb);
    }
    rank = c;
  }
  return rank;
}
