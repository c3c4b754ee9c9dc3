// Random SeriesResponse frames for the codec tests (series-codec.test.ts): every member kind, empty and
// absent sub-messages, int64s over their whole range in every form a sender may use, uint64 hashes above
// 2^53, non-ASCII and long strings. Deterministic (seeded), so a failure names a frame that can be replayed.
import type { ProtoAggrChunk, ProtoChunk, ProtoLabel, ProtoSeries, SeriesResponse } from '../../src/storeapi/index.js';

/** xorshift32: small, seeded, good enough to pick cases. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (this.#s = x >>> 0);
  }
  /** 0 ≤ n < max. */
  int(max: number): number {
    return this.next() % max;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  u64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }
}

const WORDS = ['', '__name__', 'job', 'api', 'instance', 'host-17.example:9100', 'le', '0.25', 'é', 'naïve ✓', '😀', 'a b', 'x'.repeat(70), 'ü'.repeat(40)];

/** An int64 in one of the forms our types allow; only values both encoders treat alike (no ±2^63 as numbers). */
function int64(rng: Rng): string | number | bigint {
  let v: bigint;
  switch (rng.int(8)) {
    case 0:
      return rng.pick(['0', 0, 0n]);
    case 1:
      v = BigInt(rng.int(200));
      break;
    case 2:
      v = 1_700_000_000_000n + BigInt(rng.next());
      break;
    case 3:
      v = -BigInt(rng.int(1 << 30)) - 1n;
      break;
    case 4:
      return rng.pick(['9223372036854775807', '-9223372036854775808']);
    case 5:
      v = BigInt.asIntN(64, rng.u64());
      return rng.int(2) ? v : v.toString(); // beyond 2^53: exact forms only
    case 6:
      v = 2n ** 53n + BigInt(rng.int(5)) * 2n;
      break;
    default:
      v = BigInt(rng.next()) * 4096n;
  }
  return rng.pick([v.toString(), Number(v), v]);
}

/** A uint64 hash: 0 (not computed), small, or a full 64-bit value. */
function hash(rng: Rng): string | bigint {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(['0', 0n]);
    case 1:
      return String(rng.int(1000) + 1);
    default: {
      const v = rng.u64() | (1n << 63n);
      return rng.int(2) ? v : v.toString();
    }
  }
}

function chunk(rng: Rng): ProtoChunk {
  if (rng.int(10) === 0) return {} as ProtoChunk;
  return { type: rng.pick([0, 0, 0, 1, 2, 7]), data: rng.bytes(rng.pick([0, 3, 40, 130])), hash: hash(rng) };
}

function aggrChunk(rng: Rng): ProtoAggrChunk {
  const c: ProtoAggrChunk = { min_time: int64(rng) as string, max_time: int64(rng) as string };
  if (rng.int(5) !== 0) c.raw = chunk(rng);
  for (const k of ['count', 'sum', 'min', 'max', 'counter'] as const) if (rng.int(8) === 0) c[k] = chunk(rng);
  return c;
}

function series(rng: Rng): ProtoSeries {
  const labels: ProtoLabel[] = [];
  for (let i = rng.int(6); i > 0; i--) labels.push({ name: rng.pick(WORDS), value: rng.pick(WORDS) });
  const chunks: ProtoAggrChunk[] = [];
  for (let i = rng.int(5); i > 0; i--) chunks.push(aggrChunk(rng));
  return { labels, chunks };
}

export function randomFrame(rng: Rng): SeriesResponse {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return { series: series(rng) };
    case 2:
    case 3: {
      const list: ProtoSeries[] = [];
      for (let i = rng.int(5); i > 0; i--) list.push(series(rng));
      return { batch: { series: list } };
    }
    case 4:
      return { warning: rng.pick(WORDS) };
    default:
      return { hints: { type_url: rng.pick(['', 'type.googleapis.com/hintspb.SeriesResponseHints', 'é']), value: rng.bytes(rng.int(30)) } };
  }
}
