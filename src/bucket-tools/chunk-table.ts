/**
 * The chunk metas of a block's index (ref, min time, max time, owning series) in growable typed arrays,
 * 28 bytes per chunk, so `verify` can walk the segment files once and check each chunk against what the
 * index says of it. That is the one structure verify holds per chunk: a 1M-chunk block needs about 28 MB.
 */
export class ChunkTable {
  length = 0;
  ref = new Float64Array(1024);
  mint = new Float64Array(1024);
  maxt = new Float64Array(1024);
  series = new Uint32Array(1024);

  push(ref: number, mint: number, maxt: number, series: number): void {
    if (this.length === this.ref.length) this.#grow();
    const i = this.length++;
    this.ref[i] = ref;
    this.mint[i] = mint;
    this.maxt[i] = maxt;
    this.series[i] = series;
  }

  #grow(): void {
    const n = this.ref.length * 2;
    const f = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.ref = f(this.ref);
    this.mint = f(this.mint);
    this.maxt = f(this.maxt);
    const s = new Uint32Array(n);
    s.set(this.series);
    this.series = s;
  }

  /**
   * Positions in ascending ref order. Writers put chunks in the segment files in index order, so the refs are
   * usually ascending already and this is the identity without a sort.
   */
  order(): Uint32Array {
    const idx = new Uint32Array(this.length);
    let sorted = true;
    for (let i = 0; i < this.length; i++) {
      idx[i] = i;
      if (i > 0 && this.ref[i]! < this.ref[i - 1]!) sorted = false;
    }
    if (!sorted) idx.sort((a, b) => this.ref[a]! - this.ref[b]! || a - b);
    return idx;
  }
}
