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
 * Layout, for speed: two small classes and no interface between them, so every call site sees one class
 * (V8 inlines monomorphic calls; an iterator interface with leaves and nodes behind it would not be).
 * Leaf j is replica j, a cursor over its Float64Arrays. Node L (1 ≤ L < k) is dedup(node L−1, leaf L) — the
 * fold's b side is always a leaf — with node 0 being leaf 0. A node's current sample is always some leaf's
 * current sample, `cur`, so reading it costs the same at any depth. `drain()` of two replicas, the common
 * case, runs the same steps as one loop over local variables (drainPair).
 *
 * The counter adjustment (counter-adjust.ts explains it) is per leaf: `Leaf.adj` is added to its values.
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
  /** The fold's root (k ≥ 2), or the only leaf (k = 1); null for no replicas. */
  readonly #root: Node | null;
  readonly #only: Leaf | null;
  #started = false;

  /** `counter`: apply the counter adjustment at replica switches (isCounterFunc of the query's function). */
  constructor(replicas: readonly ReplicaSamples[], counter: boolean) {
    const leaves = replicas.map((r) => new Leaf(r));
    let root: Node | null = null;
    // Built bottom-up; each node's constructor steps its two sides once (Thanos newDedupSeriesIterator).
    for (let L = 1; L < leaves.length; L++) root = new Node(root, root === null ? leaves[0] : null, leaves[L], counter);
    this.#root = root;
    this.#only = root === null && leaves.length === 1 ? leaves[0] : null;
  }

  next(): boolean {
    this.#started = true;
    if (this.#root !== null) return this.#root.next();
    return this.#only !== null && this.#only.next();
  }

  /** To the first sample ≥ t, stepping (so penalties hold), never backwards. */
  seek(t: number): boolean {
    if (!this.#started && !this.next()) return false;
    if (this.#root !== null) return this.#root.seek(t);
    return this.#only !== null && this.#only.seek(t);
  }

  atT(): number {
    const l = this.#current();
    return l.t[l.pos];
  }

  at(): number {
    return leafValue(this.#current());
  }

  /** Runs the iterator to its end into fresh arrays (the hot path: no call per sample beyond the step). */
  drain(): ReplicaSamples {
    const root = this.#root;
    if (root === null) return drainLeaf(this.#only);
    if (!this.#started && root.aNode === null) {
      this.#started = true;
      return drainPair(root);
    }
    let cap = 16;
    for (let l: Node | null = root; l !== null; l = l.aNode) cap = Math.max(cap, l.b.n, l.aLeaf?.n ?? 0);
    cap += cap >> 4; // switches can add a few samples over the longest replica; grown below if not enough
    let t = new Float64Array(cap);
    let v = new Float64Array(cap);
    let n = 0;
    while (root.next()) {
      if (n === cap) {
        cap *= 2;
        const t2 = new Float64Array(cap);
        const v2 = new Float64Array(cap);
        t2.set(t);
        v2.set(v);
        t = t2;
        v = v2;
      }
      const l = root.cur;
      t[n] = l.t[l.pos];
      v[n] = leafValue(l);
      n++;
    }
    return { t: t.subarray(0, n), v: v.subarray(0, n), n };
  }

  #current(): Leaf {
    return this.#root !== null ? this.#root.cur : (this.#only as Leaf);
  }
}

/** One replica's samples and a position in them. */
class Leaf {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly n: number;
  /** −1 before the first next(). */
  pos = -1;
  /** Counter adjustment added to the values (counter mode only; grows at switches). */
  adj = 0;

  constructor(r: ReplicaSamples) {
    this.t = r.t;
    this.v = r.v;
    this.n = r.n;
  }

  next(): boolean {
    if (this.pos < this.n) this.pos++;
    return this.pos < this.n;
  }

  seek(ts: number): boolean {
    const t = this.t;
    const n = this.n;
    let p = this.pos < 0 ? 0 : this.pos;
    while (p < n && t[p] < ts) p++;
    this.pos = p;
    return p < n;
  }
}

/**
 * The leaf's value plus its counter adjustment. A NaN (the staleness marker above all) is returned
 * untouched: arithmetic on the marker, a signalling NaN, would quieten it into an ordinary NaN.
 */
function leafValue(l: Leaf): number {
  const x = l.v[l.pos];
  const a = l.adj;
  return a === 0 || x !== x ? x : x + a;
}

/** Thanos counterErrAdjustSeriesIterator.adjustAtValue: a counter cannot go down across a switch. */
function leafAdjust(l: Leaf, last: number): void {
  const x = leafValue(l);
  if (last > x) l.adj += last - x;
}

/**
 * The common case, two replicas, as one loop over locals: the same steps as Node.next/step with both
 * sides leaves, which V8 keeps in registers instead of object fields (≈ 1.5× faster than the classes).
 * Must start from a fresh node (both sides stepped once by the constructor, nothing emitted yet).
 */
function drainPair(node: Node): ReplicaSamples {
  const a = node.aLeaf as Leaf;
  const b = node.b;
  const counter = node.counter;
  const ta = a.t;
  const va = a.v;
  const na = a.n;
  const tb = b.t;
  const vb = b.v;
  const nb = b.n;
  let ia = 0;
  let ib = 0;
  let aok = na > 0;
  let bok = nb > 0;
  let useA = true;
  let lastT = NONE;
  let penA = 0;
  let penB = 0;
  let adjA = 0;
  let adjB = 0;
  let cap = Math.max(16, na, nb);
  cap += cap >> 4;
  let t = new Float64Array(cap);
  let v = new Float64Array(cap);
  let n = 0;
  for (;;) {
    const wasA: boolean = useA;
    const adjust = counter && lastT !== NONE && (wasA ? aok : bok);
    let lastVal = 0;
    if (adjust) lastVal = wasA ? withAdj(va[ia], adjA) : withAdj(vb[ib], adjB);

    if (aok) {
      const s = lastT + 1 + penA;
      while (ia < na && ta[ia] < s) ia++;
      aok = ia < na;
    }
    if (bok) {
      const s = lastT + 1 + penB;
      while (ib < nb && tb[ib] < s) ib++;
      bok = ib < nb;
    }
    if (!aok) {
      if (!bok) break;
      useA = false;
      lastT = tb[ib];
      penB = 0;
    } else if (!bok) {
      useA = true;
      lastT = ta[ia];
      penA = 0;
    } else {
      const x = ta[ia];
      const y = tb[ib];
      if (x <= y) {
        useA = true;
        penB = lastT !== NONE ? 2 * (x - lastT) : INITIAL_PENALTY_MS;
        penA = 0;
        lastT = x;
      } else {
        useA = false;
        penA = lastT !== NONE ? 2 * (y - lastT) : INITIAL_PENALTY_MS;
        penB = 0;
        lastT = y;
      }
    }
    if (adjust && useA !== wasA) {
      if (aok) {
        const x = withAdj(va[ia], adjA);
        if (lastVal > x) adjA += lastVal - x;
      }
      if (bok) {
        const x = withAdj(vb[ib], adjB);
        if (lastVal > x) adjB += lastVal - x;
      }
    }
    if (n === cap) {
      cap *= 2;
      const t2 = new Float64Array(cap);
      const v2 = new Float64Array(cap);
      t2.set(t);
      v2.set(v);
      t = t2;
      v = v2;
    }
    t[n] = lastT;
    v[n] = useA ? withAdj(va[ia], adjA) : withAdj(vb[ib], adjB);
    n++;
  }
  return { t: t.subarray(0, n), v: v.subarray(0, n), n };
}

/** A value plus a counter adjustment, NaNs (the staleness marker) untouched; see leafValue. */
function withAdj(x: number, adj: number): number {
  return adj === 0 || x !== x ? x : x + adj;
}

function drainLeaf(l: Leaf | null): ReplicaSamples {
  if (l === null) return { t: new Float64Array(0), v: new Float64Array(0), n: 0 };
  const t = l.t.slice(0, l.n);
  const v = l.v.slice(0, l.n); // typed-array copy: NaN payloads kept
  return { t, v, n: l.n };
}

/** dedup(a, b) with a = aNode ?? aLeaf. Field names follow Thanos dedupSeriesIterator. */
class Node {
  readonly aNode: Node | null;
  readonly aLeaf: Leaf | null;
  readonly b: Leaf;
  readonly counter: boolean;
  /** Thanos aval/bval ≠ ValNone: the side still holds a sample. */
  aok: boolean;
  bok: boolean;
  useA = true;
  lastT = NONE;
  penA = 0;
  penB = 0;
  /** The leaf holding this node's current sample. */
  cur: Leaf;
  /** Result of the last next(). */
  ok = false;

  constructor(aNode: Node | null, aLeaf: Leaf | null, b: Leaf, counter: boolean) {
    this.aNode = aNode;
    this.aLeaf = aLeaf;
    this.b = b;
    this.counter = counter;
    this.aok = aNode !== null ? aNode.next() : (aLeaf as Leaf).next();
    this.bok = b.next();
    this.cur = this.aCur();
  }

  aCur(): Leaf {
    return this.aNode !== null ? this.aNode.cur : (this.aLeaf as Leaf);
  }

  next(): boolean {
    // The value emitted last, for the counter adjustment if this step switches sides.
    const wasA = this.useA;
    const adjust = this.counter && this.lastT !== NONE && (wasA ? this.aok : this.bok);
    const lastVal = adjust ? leafValue(this.cur) : 0;

    const ok = this.step();
    this.ok = ok;
    if (adjust && this.useA !== wasA) this.adjust(lastVal);
    return ok;
  }

  step(): boolean {
    const lastT = this.lastT;
    // Advance both sides to at least the next timestamp plus their penalty.
    if (this.aok) {
      const t = lastT + 1 + this.penA;
      this.aok = this.aNode !== null ? this.aNode.seek(t) : (this.aLeaf as Leaf).seek(t);
    }
    if (this.bok) this.bok = this.b.seek(lastT + 1 + this.penB);

    if (!this.aok) {
      this.useA = false;
      if (!this.bok) return false;
      const b = this.b;
      this.cur = b;
      this.lastT = b.t[b.pos];
      this.penB = 0;
      return true;
    }
    const a = this.aCur();
    if (!this.bok) {
      this.useA = true;
      this.cur = a;
      this.lastT = a.t[a.pos];
      this.penA = 0;
      return true;
    }
    const b = this.b;
    const ta = a.t[a.pos];
    const tb = b.t[b.pos];
    if (ta <= tb) {
      this.useA = true;
      this.cur = a;
      this.penB = lastT !== NONE ? 2 * (ta - lastT) : INITIAL_PENALTY_MS;
      this.penA = 0;
      this.lastT = ta;
    } else {
      this.useA = false;
      this.cur = b;
      this.penA = lastT !== NONE ? 2 * (tb - lastT) : INITIAL_PENALTY_MS;
      this.penB = 0;
      this.lastT = tb;
    }
    return true;
  }

  /**
   * Thanos dedupSeriesIterator.Seek: never the children's own seek; step with next() until the timestamp
   * is reached, so the penalties decide which samples exist.
   */
  seek(t: number): boolean {
    if (!this.ok) return false;
    for (let l = this.cur; l.t[l.pos] < t; l = this.cur) if (!this.next()) return false;
    return true;
  }

  /** A switch at an outer level reaches every leaf of this node that still holds a sample. */
  adjust(last: number): void {
    if (this.aok) {
      if (this.aNode !== null) this.aNode.adjust(last);
      else leafAdjust(this.aLeaf as Leaf, last);
    }
    if (this.bok) leafAdjust(this.b, last);
  }
}
