/**
 * The penalty replica dedup iterator (Thanos `dedupSeriesIterator`, thanos.md §2.5): merges the replicas of
 * a series into one series no denser than any of them, sticking to one replica and falling over to another
 * only when the active one has a gap of more than about twice its sample interval.
 *
 * One step of a node dedup(a, b): both sides are sought to `lastT + 1 + pen`; the earlier sample wins
 * (ties go to a); the side not chosen gets a penalty of twice the gap between the last two emitted
 * samples (INITIAL_PENALTY_MS before any), so its samples that would sit between the chosen replica's
 * samples are skipped. Three or more replicas are a left fold, dedup(dedup(r0, r1), r2) …, where an inner
 * node is sought by stepping it (never by seeking its children), so its penalties hold.
 *
 * Layout, for speed (no object or virtual call per level): the fold over k replicas is flattened into
 * arrays. Leaf j is replica j (a cursor over its Float64Arrays). Node L (1 ≤ L < k) is
 * dedup(node L−1, leaf L), node 0 being leaf 0; node k−1 is the iterator itself. A node's current sample is
 * always some leaf's current sample, `cur[L]`, so reading it costs one array lookup at any depth.
 *
 * The counter adjustment (replica-cursor.ts explains it) is per leaf: `adj[j]` is added to leaf j's values.
 *
 * Deliberate difference from Thanos (at the reference HEAD): the counter adjustment is not applied before
 * the first sample has been emitted. Thanos compares against replica a's first value even when replica b
 * is chosen first, raising b's whole series by a difference that never was a reset (#9034, fixed upstream
 * by PR #9041); we skip that comparison.
 */
import type { ReplicaSamples, SampleIterator } from './sample-iterator.js';

/**
 * With no previous sample there is no interval to double yet. 5000 ms: timestamps are in milliseconds and
 * scrape intervals are typically several seconds, so samples of the other replica within 5 s of the first
 * chosen one are almost surely the same scrape round and are skipped (Thanos `initialPenalty`).
 */
export const INITIAL_PENALTY_MS = 5000;

/** lastT before anything was emitted (Thanos math.MinInt64); `-Infinity + 1 + pen` stays -Infinity. */
const NONE = Number.NEGATIVE_INFINITY;

export class PenaltyDedupIterator implements SampleIterator {
  private readonly k: number;
  private readonly counter: boolean;
  // Leaves (replicas).
  private readonly lt: Float64Array[];
  private readonly lv: Float64Array[];
  private readonly ln: Int32Array;
  /** Current index of each leaf; −1 before its first next(). */
  private readonly pos: Int32Array;
  /** Counter adjustment added to each leaf's values (counter mode only; grows at switches). */
  private readonly adj: Float64Array;
  // Nodes 1..k−1 (index 0 unused): Thanos aval/bval ≠ None, useA, lastT, penA, penB.
  private readonly aok: Uint8Array;
  private readonly bok: Uint8Array;
  private readonly useA: Uint8Array;
  private readonly lastT: Float64Array;
  private readonly penA: Float64Array;
  private readonly penB: Float64Array;
  /** The leaf holding node L's current sample. */
  private readonly cur: Int32Array;
  /** Result of node L's last step (1 = has a sample). */
  private readonly ok: Uint8Array;
  private started = false;

  /** `counter`: apply the counter adjustment at replica switches (isCounterFunc of the query's function). */
  constructor(replicas: readonly ReplicaSamples[], counter: boolean) {
    const k = replicas.length;
    this.k = k;
    this.counter = counter;
    this.lt = replicas.map((r) => r.t);
    this.lv = replicas.map((r) => r.v);
    this.ln = Int32Array.from(replicas, (r) => r.n);
    this.pos = new Int32Array(k).fill(-1);
    this.adj = new Float64Array(k);
    this.aok = new Uint8Array(k);
    this.bok = new Uint8Array(k);
    this.useA = new Uint8Array(k).fill(1);
    this.lastT = new Float64Array(k).fill(NONE);
    this.penA = new Float64Array(k);
    this.penB = new Float64Array(k);
    this.cur = new Int32Array(k);
    this.ok = new Uint8Array(k);
    // Build the fold bottom-up; each node's constructor steps its two sides once (Thanos newDedupSeriesIterator).
    for (let L = 1; L < k; L++) {
      this.aok[L] = (L === 1 ? this.leafNext(0) : this.nodeNext(L - 1)) ? 1 : 0;
      this.bok[L] = this.leafNext(L) ? 1 : 0;
      this.cur[L] = L === 1 ? 0 : this.cur[L - 1]; // useA starts true
    }
  }

  next(): boolean {
    this.started = true;
    return this.k === 1 ? this.leafNext(0) : this.k === 0 ? false : this.nodeNext(this.k - 1);
  }

  /** Like every iterator here: to the first sample ≥ t, stepping (so penalties hold), never backwards. */
  seek(t: number): boolean {
    if (!this.started && !this.next()) return false;
    if (this.k <= 1) return this.k === 1 && this.leafSeek(0, t);
    return this.nodeSeek(this.k - 1, t);
  }

  atT(): number {
    return this.lt[this.top()][this.pos[this.top()]];
  }

  at(): number {
    return this.leafAt(this.top());
  }

  /** Runs the iterator to its end into fresh arrays (the hot path: no call per sample beyond the step). */
  drain(): ReplicaSamples {
    let cap = 16;
    for (let j = 0; j < this.k; j++) cap = Math.max(cap, this.ln[j]);
    cap += cap >> 4; // switches can add a few samples over the longest replica; grown below if not enough
    let t = new Float64Array(cap);
    let v = new Float64Array(cap);
    let n = 0;
    while (this.next()) {
      if (n === cap) {
        cap *= 2;
        const t2 = new Float64Array(cap);
        const v2 = new Float64Array(cap);
        t2.set(t);
        v2.set(v);
        t = t2;
        v = v2;
      }
      const j = this.top();
      const p = this.pos[j];
      t[n] = this.lt[j][p];
      const x = this.lv[j][p];
      const a = this.adj[j];
      v[n] = a === 0 || x !== x ? x : x + a;
      n++;
    }
    return { t: t.subarray(0, n), v: v.subarray(0, n), n };
  }

  private top(): number {
    return this.k === 1 ? 0 : this.cur[this.k - 1];
  }

  // ---- leaves

  private leafNext(j: number): boolean {
    const n = this.ln[j];
    let p = this.pos[j];
    if (p < n) this.pos[j] = ++p;
    return p < n;
  }

  private leafSeek(j: number, t: number): boolean {
    const ts = this.lt[j];
    const n = this.ln[j];
    let p = this.pos[j];
    if (p < 0) p = 0;
    while (p < n && ts[p] < t) p++;
    this.pos[j] = p;
    return p < n;
  }

  /**
   * Leaf j's value plus its counter adjustment. A NaN (the staleness marker above all) is returned
   * untouched: arithmetic on the marker, a signalling NaN, would quieten it into an ordinary NaN.
   */
  private leafAt(j: number): number {
    const x = this.lv[j][this.pos[j]];
    const a = this.adj[j];
    return a === 0 || x !== x ? x : x + a;
  }

  /** Thanos counterErrAdjustSeriesIterator.adjustAtValue: a counter cannot go down across a switch. */
  private leafAdjust(j: number, last: number): void {
    const x = this.leafAt(j);
    if (last > x) this.adj[j] += last - x;
  }

  // ---- nodes: node L = dedup(a = node L−1 (leaf 0 when L = 1), b = leaf L)

  private nodeNext(L: number): boolean {
    // The value emitted last, for the counter adjustment if this step switches sides.
    const wasA = this.useA[L];
    const adjust = this.counter && this.lastT[L] !== NONE && (wasA === 1 ? this.aok[L] : this.bok[L]) === 1;
    const lastVal = adjust ? this.leafAt(this.cur[L]) : 0;

    const ok = this.nodeStep(L);
    this.ok[L] = ok ? 1 : 0;
    if (adjust && this.useA[L] !== wasA) this.nodeAdjust(L, lastVal);
    return ok;
  }

  private nodeStep(L: number): boolean {
    const lastT = this.lastT[L];
    // Advance both sides to at least the next timestamp plus their penalty.
    if (this.aok[L] === 1) {
      const t = lastT + 1 + this.penA[L];
      this.aok[L] = (L === 1 ? this.leafSeek(0, t) : this.nodeSeek(L - 1, t)) ? 1 : 0;
    }
    if (this.bok[L] === 1) this.bok[L] = this.leafSeek(L, lastT + 1 + this.penB[L]) ? 1 : 0;
    const aLeaf = L === 1 ? 0 : this.cur[L - 1];

    if (this.aok[L] === 0) {
      this.useA[L] = 0;
      if (this.bok[L] === 0) return false;
      this.cur[L] = L;
      this.lastT[L] = this.lt[L][this.pos[L]];
      this.penB[L] = 0;
      return true;
    }
    if (this.bok[L] === 0) {
      this.useA[L] = 1;
      this.cur[L] = aLeaf;
      this.lastT[L] = this.lt[aLeaf][this.pos[aLeaf]];
      this.penA[L] = 0;
      return true;
    }
    const ta = this.lt[aLeaf][this.pos[aLeaf]];
    const tb = this.lt[L][this.pos[L]];
    if (ta <= tb) {
      this.useA[L] = 1;
      this.cur[L] = aLeaf;
      this.penB[L] = lastT !== NONE ? 2 * (ta - lastT) : INITIAL_PENALTY_MS;
      this.penA[L] = 0;
      this.lastT[L] = ta;
    } else {
      this.useA[L] = 0;
      this.cur[L] = L;
      this.penA[L] = lastT !== NONE ? 2 * (tb - lastT) : INITIAL_PENALTY_MS;
      this.penB[L] = 0;
      this.lastT[L] = tb;
    }
    return true;
  }

  /**
   * Thanos dedupSeriesIterator.Seek: never the children's own seek; step with next() until the timestamp
   * is reached, so the penalties decide which samples exist.
   */
  private nodeSeek(L: number, t: number): boolean {
    if (this.ok[L] === 0) return false;
    while (this.lt[this.cur[L]][this.pos[this.cur[L]]] < t) if (!this.nodeNext(L)) return false;
    return true;
  }

  /** A switch at an outer level reaches every leaf of this node that still holds a sample. */
  private nodeAdjust(L: number, last: number): void {
    if (this.aok[L] === 1) {
      if (L === 1) this.leafAdjust(0, last);
      else this.nodeAdjust(L - 1, last);
    }
    if (this.bok[L] === 1) this.leafAdjust(L, last);
  }
}
