/**
 * Realistic scrape data for chunk benchmarks: 15 s scrape interval with small jitter (scrape timestamps land
 * a few ms off the beat, so most delta-of-deltas take the 14-bit bucket and some are 0), and the value shapes
 * that dominate real TSDBs: integer counters, fractional counters (cpu seconds), constant gauges (`up`),
 * integer gauges (bytes) and decimal gauges (temperatures, ratios).
 */

export interface ScrapeSeries {
  timestamps: Float64Array;
  values: Float64Array;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` series of `samples` samples each (120 = one Prometheus chunk), deterministic for a seed. */
export function scrapeSeries(count: number, samples = 120, seed = 1): ScrapeSeries[] {
  const rnd = mulberry32(seed);
  const out: ScrapeSeries[] = [];
  for (let s = 0; s < count; s++) {
    const ts = new Float64Array(samples);
    const vs = new Float64Array(samples);
    const base = 1_704_067_200_000 + Math.floor(rnd() * 15_000);
    const kind = s % 6;
    let v = kind === 3 ? 1 : Math.floor(rnd() * 1e6);
    for (let i = 0; i < samples; i++) {
      // Jitter: most scrapes within ±5 ms of the beat, a few up to ±50 ms; ~1 in 5 lands exactly on it.
      const r = rnd();
      ts[i] = base + i * 15_000 + (r < 0.2 ? 0 : Math.round((rnd() - 0.5) * (r < 0.9 ? 10 : 100)));
      switch (kind) {
        case 0: // integer counter (requests_total)
        case 1:
          v += Math.floor(rnd() * 200);
          break;
        case 2: // fractional counter (process_cpu_seconds_total)
          v += rnd() * 3;
          break;
        case 3: // constant gauge (up)
          break;
        case 4: // integer gauge (memory bytes), changes often
          v = 500_000_000 + Math.floor(rnd() * 50_000_000);
          break;
        default: // decimal gauge (temperature, ratio)
          v = Math.round((40 + rnd() * 20) * 100) / 100;
      }
      vs[i] = v;
    }
    out.push({ timestamps: ts, values: vs });
  }
  return out;
}
