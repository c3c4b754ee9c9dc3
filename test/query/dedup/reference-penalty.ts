/**
 * A second, deliberately naive penalty dedup for cross-checking the optimised one on random data: a
 * line-by-line transcription of Thanos pkg/dedup/iter.go (dedupSeriesIterator with a, b iterators,
 * counterErrAdjustSeriesIterator leaves, Seek via Next), one object per iterator, no flattening.
 * Same deliberate #9034 difference as src (no adjustment before the first emitted sample).
 */
import type { ReplicaSamples } from '../../../src/query/dedup/index.js';

interface It {
  next(): boolean;
  seek(t: number): boolean;
  atT(): number;
  at(): number;
  adjustAtValue(last: number): void;
}

class LeafIt implements It {
  i = -1;
  errAdjust = 0;
  constructor(
    private r: ReplicaSamples,
    private counter: boolean,
  ) {}
  next() {
    if (this.i < this.r.n) this.i++;
    return this.i < this.r.n;
  }
  seek(t: number) {
    if (this.i < 0) this.i = 0;
    while (this.i < this.r.n && this.r.t[this.i] < t) this.i++;
    return this.i < this.r.n;
  }
  atT() {
    return this.r.t[this.i];
  }
  at() {
    const v = this.r.v[this.i];
    return Number.isNaN(v) ? v : v + this.errAdjust;
  }
  adjustAtValue(last: number) {
    if (!this.counter) return;
    const v = this.at();
    if (last > v) this.errAdjust += last - v;
  }
}

class DedupIt implements It {
  aok: boolean;
  bok: boolean;
  lastT = -Infinity;
  lastIter: It;
  penA = 0;
  penB = 0;
  useA = true;
  constructor(
    private a: It,
    private b: It,
  ) {
    this.aok = a.next();
    this.bok = b.next();
    this.lastIter = a;
  }
  next(): boolean {
    let lastVal = 0;
    let isFloat = false;
    if (this.lastT !== -Infinity && ((this.useA && this.aok) || (!this.useA && this.bok))) {
      lastVal = this.lastIter.at();
      isFloat = true;
    }
    const lastUseA = this.useA;
    const r = this.inner();
    if (this.useA !== lastUseA && isFloat) this.adjustAtValue(lastVal);
    return r;
  }
  private inner(): boolean {
    if (this.aok) this.aok = this.a.seek(this.lastT + 1 + this.penA);
    if (this.bok) this.bok = this.b.seek(this.lastT + 1 + this.penB);
    if (!this.aok) {
      this.useA = false;
      if (this.bok) {
        this.lastT = this.b.atT();
        this.lastIter = this.b;
        this.penB = 0;
      }
      return this.bok;
    }
    if (!this.bok) {
      this.useA = true;
      this.lastT = this.a.atT();
      this.lastIter = this.a;
      this.penA = 0;
      return true;
    }
    const ta = this.a.atT();
    const tb = this.b.atT();
    this.useA = ta <= tb;
    if (this.useA) {
      this.penB = this.lastT !== -Infinity ? 2 * (ta - this.lastT) : 5000;
      this.penA = 0;
      this.lastT = ta;
      this.lastIter = this.a;
    } else {
      this.penA = this.lastT !== -Infinity ? 2 * (tb - this.lastT) : 5000;
      this.penB = 0;
      this.lastT = tb;
      this.lastIter = this.b;
    }
    return true;
  }
  seek(t: number): boolean {
    for (;;) {
      if (this.atT() >= t) return true;
      if (!this.next()) return false;
    }
  }
  atT() {
    return this.useA ? this.a.atT() : this.b.atT();
  }
  at() {
    return this.lastIter.at();
  }
  adjustAtValue(last: number) {
    if (this.aok) this.a.adjustAtValue(last);
    if (this.bok) this.b.adjustAtValue(last);
  }
}

/** [t, v] pairs of the naive fold's output (test data holds no NaN). */
export function referencePenalty(replicas: readonly ReplicaSamples[], counter: boolean): [number, number][] {
  let it: It = new LeafIt(replicas[0], counter);
  for (let i = 1; i < replicas.length; i++) it = new DedupIt(it, new LeafIt(replicas[i], counter));
  const out: [number, number][] = [];
  while (it.next()) out.push([it.atT(), it.at()]);
  return out;
}
