/**
 * The output side of the sidecar's Series: turns series arriving in Prometheus's order into the StoreAPI
 * stream — sorted, one message per label set, `series` or `batch` frames, cut at `limit`.
 *
 * Two modes, as Thanos's sidecar:
 *  - streaming: (Series now writes this case with series-frames.ts, straight from the remote-read frames;
 *    this decoded form stays as the reference its test compares against, byte for byte.)
 *    Prometheus already sorts by labels that include the external ones, and adding the same
 *    label pair to every series keeps that order, so series go out as they come. Prometheus splits a
 *    long series over several frames with the same labels; consecutive equal label sets are merged here.
 *    A series lands out of order if it carries its own value for an external label name (the external
 *    one wins here, Prometheus keeps the series' own), and also when Prometheus's order relied on one label
 *    set being a prefix of the next: {a="1"} < {a="1", c="1"}, but with replica="0" added
 *    {a="1", c="1", replica="0"} < {a="1", replica="0"}. Either is detected and reported as a warning frame
 *    rather than silently breaking the merge downstream.
 *  - resorting (Thanos `resortingServer`): when replica labels are removed the order changes
 *    ({a, replica=0, z=1} vs {a, replica=1, b=1}), so everything is buffered, sorted and merged at the end.
 *    Bounded by `limit` only when the caller sets one: this is the cost Thanos accepts too.
 */
import { Labels } from '../model/index.js';
import { labelsToProto, type FrameSink, type ProtoAggrChunk, type ProtoSeries, type SeriesResponse } from '../storeapi/index.js';

interface Pending {
  labels: Labels;
  chunks: ProtoAggrChunk[];
}

export interface SeriesWriterOptions {
  resort: boolean;
  /** response_batch_size: ≤ 1 → one `series` frame each, else `batch` frames of up to this many. */
  batchSize: number;
  /** Max series to send (0 = no limit). */
  limit: number;
}

export class SeriesWriter {
  private current: Pending | undefined;
  private buffered: Pending[] = [];
  private batch: ProtoSeries[] = [];
  private sent = 0;
  private prevSent: Labels | undefined;
  private outOfOrder = 0;

  constructor(
    private readonly send: FrameSink<SeriesResponse>,
    private readonly opts: SeriesWriterOptions,
  ) {}

  /** True once `limit` series have been emitted: the caller may stop reading. */
  get full(): boolean {
    return this.opts.limit > 0 && this.sent >= this.opts.limit;
  }

  async push(labels: Labels, chunks: ProtoAggrChunk[]): Promise<void> {
    if (this.opts.resort) {
      this.buffered.push({ labels, chunks });
      return;
    }
    if (this.current !== undefined && this.current.labels.equals(labels)) {
      for (const c of chunks) this.current.chunks.push(c);
      return;
    }
    const done = this.current;
    this.current = { labels, chunks };
    if (done !== undefined) await this.emit(done);
  }

  /** Flushes everything; sends the out-of-order warning if one was seen. */
  async end(): Promise<void> {
    if (this.opts.resort) {
      const all = this.buffered;
      this.buffered = [];
      // Stable sort: chunks of one label set keep Prometheus's (time) order when merged below.
      all.sort((a, b) => Labels.compare(a.labels, b.labels));
      let cur: Pending | undefined;
      for (const p of all) {
        if (this.full) break;
        if (cur !== undefined && cur.labels.equals(p.labels)) {
          // Two Prometheus series that differed only in a dropped label: one message, chunks in time order.
          for (const c of p.chunks) cur.chunks.push(c);
          cur.chunks.sort((x, y) => Number(x.min_time) - Number(y.min_time));
          continue;
        }
        if (cur !== undefined) await this.emit(cur);
        cur = p;
      }
      if (cur !== undefined) await this.emit(cur);
    } else if (this.current !== undefined) {
      await this.emit(this.current);
      this.current = undefined;
    }
    await this.flushBatch();
    if (this.outOfOrder > 0) {
      await this.send({
        warning:
          `sidecar: ${this.outOfOrder} series arrived out of label order after applying external labels ` +
          '(a series has its own value for an external label name); merged results may be incomplete',
      });
    }
  }

  private async emit(p: Pending): Promise<void> {
    if (this.full) return;
    if (this.prevSent !== undefined && Labels.compare(this.prevSent, p.labels) >= 0) this.outOfOrder++;
    this.prevSent = p.labels;
    this.sent++;
    const series: ProtoSeries = { labels: labelsToProto(p.labels), chunks: p.chunks };
    if (this.opts.batchSize <= 1) {
      await this.send({ series });
      return;
    }
    this.batch.push(series);
    if (this.batch.length >= this.opts.batchSize) await this.flushBatch();
  }

  private async flushBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const series = this.batch;
    this.batch = [];
    await this.send({ batch: { series } });
  }
}
