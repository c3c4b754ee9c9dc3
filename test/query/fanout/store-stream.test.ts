// One store's Series stream (proxy/store-stream.ts) over scripted frames, no network: frame kinds, warnings
// under partial response on and off (thanos.md §2.2), the per-frame response timeout, refused chunk kinds.
// Also the --selector-label table (selector-labels.ts, thanos.md §4.4 step 1).
import t from 'tap';
import { Labels, Matcher, MatchType, NotSupportedError, QueryCanceledError, StorageError } from '../../../src/model/index.js';
import { collect } from '../../../src/query/merge/index.js';
import { StoreStream, type SeriesCall } from '../../../src/query/proxy/store-stream.js';
import { applySelectorLabels } from '../../../src/query/selector-labels.js';
import { ThanosChunkEncoding, type ProtoSeries, type SeriesResponse } from '../../../src/storeapi/index.js';

const series = (name: string, encoding = ThanosChunkEncoding.XOR): ProtoSeries => ({
  labels: [{ name: '__name__', value: name }],
  chunks: [{ min_time: '0', max_time: '10', raw: { type: encoding, data: new Uint8Array([0, 1]), hash: '7' } }],
});

type Step = SeriesResponse | { error: Error } | { waitMs: number };

/**
 * A SeriesCall that plays `steps`; records whether the stream was cancelled. Like the real client, `return()`
 * cancels at once, even during a wait (the pending `next()` then ends the stream), and the call's signal
 * firing fails it with CANCELLED.
 */
function scripted(steps: Step[]): { call: SeriesCall; cancelled: () => boolean } {
  let cancelled = false;
  const call: SeriesCall = (_req, opts) => {
    let i = 0;
    let wake: (() => void) | undefined;
    const it: AsyncIterableIterator<SeriesResponse> = {
      [Symbol.asyncIterator]: () => it,
      async next() {
        while (!cancelled && i < steps.length) {
          const s = steps[i++];
          if ('error' in s) throw s.error;
          if ('waitMs' in s) {
            const signal = opts.signal;
            await new Promise<void>((r) => {
              const timer = setTimeout(r, s.waitMs);
              wake = () => (clearTimeout(timer), r());
              signal?.addEventListener('abort', wake, { once: true });
            });
            if (signal?.aborted) {
              cancelled = true;
              throw new Error('CANCELLED: cancelled on client');
            }
            continue;
          }
          return { done: false, value: s };
        }
        return { done: true, value: undefined };
      },
      async return() {
        cancelled = true;
        wake?.();
        return { done: true, value: undefined };
      },
    };
    return it;
  };
  return { call, cancelled: () => cancelled };
}

function stream(steps: Step[], opts: { partialResponse?: boolean; responseTimeoutMs?: number } = {}) {
  const warnings: string[] = [];
  const s = scripted(steps);
  const src = new StoreStream(s.call, {}, { name: 'store-a:10901', partialResponse: opts.partialResponse ?? true, responseTimeoutMs: opts.responseTimeoutMs ?? 0, warnings });
  return { src, warnings, cancelled: s.cancelled };
}

const names = (xs: { labels: Labels }[]) => xs.map((x) => x.labels.get('__name__'));

t.test('series and batch frames are both taken, in order; hints are ignored', async (t) => {
  const { src, warnings } = stream([
    { series: series('a') },
    { hints: { type_url: 'type.googleapis.com/hintspb.SeriesResponseHints', value: new Uint8Array() } },
    { batch: { series: [series('b'), series('c')] } },
    { batch: { series: [] } },
    { series: series('d') },
  ]);
  const got = await collect(src);
  t.same(names(got), ['a', 'b', 'c', 'd']);
  t.same(got[0].chunks, [{ minTime: 0, maxTime: 10, data: new Uint8Array([0, 1]), hash: '7' }]);
  t.same(warnings, []);
});

t.test('a warning frame: collected under partial response, the query\'s error without it', async (t) => {
  const steps: Step[] = [{ series: series('a') }, { warning: 'block 01H… is corrupt' }, { series: series('b') }];
  const on = stream(steps);
  t.same(names(await collect(on.src)), ['a', 'b'], 'the stream goes on');
  t.same(on.warnings, ['store store-a:10901: block 01H… is corrupt']);

  const off = stream(steps, { partialResponse: false });
  await t.rejects(collect(off.src), new StorageError('store store-a:10901: block 01H… is corrupt'));
  t.ok(off.cancelled(), 'and the gRPC stream is cancelled');
});

t.test('a stream error: a warning and the end of this stream, or the query\'s error', async (t) => {
  const steps: Step[] = [{ series: series('a') }, { error: new Error('UNAVAILABLE: connection reset') }, { series: series('never') }];
  const on = stream(steps);
  t.same(names(await collect(on.src)), ['a']);
  t.same(on.warnings, ['store store-a:10901: UNAVAILABLE: connection reset']);

  const off = stream(steps, { partialResponse: false });
  await t.rejects(collect(off.src), { name: 'StorageError', message: /connection reset/ });
});

t.test('response timeout: a gap longer than it between frames ends the stream with Thanos\'s warning', async (t) => {
  const slow = stream([{ series: series('a') }, { waitMs: 2000 }, { series: series('late') }], { responseTimeoutMs: 100 });
  const t0 = performance.now();
  t.same(names(await collect(slow.src)), ['a']);
  const took = performance.now() - t0;
  t.ok(took >= 90 && took < 1500, `gave up after ${took.toFixed(0)} ms`);
  t.same(slow.warnings, ['store store-a:10901: failed to receive any data in 100 ms from store']);
  t.ok(slow.cancelled(), 'the call is cancelled');

  // Gaps shorter than the timeout, however many, are fine: the timer is per frame, not per stream.
  const steady = stream([{ series: series('a') }, { waitMs: 40 }, { series: series('b') }, { waitMs: 40 }, { series: series('c') }], { responseTimeoutMs: 100 });
  t.same(names(await collect(steady.src)), ['a', 'b', 'c']);
  t.same(steady.warnings, []);
});

t.test('an outer abort is the query\'s cancellation, not a store warning', async (t) => {
  const outer = new AbortController();
  const warnings: string[] = [];
  const s = scripted([{ series: series('a') }, { waitMs: 5000 }, { series: series('never') }]);
  const src = new StoreStream(s.call, {}, { name: 'x', partialResponse: true, responseTimeoutMs: 0, warnings, signal: outer.signal });
  t.equal(await src.next(), true);
  setTimeout(() => outer.abort(new QueryCanceledError('query execution')), 20);
  const t0 = performance.now();
  await t.rejects(Promise.resolve(src.next()), QueryCanceledError);
  t.ok(performance.now() - t0 < 2000, 'at once, not after the store\'s 5 s');
  t.ok(s.cancelled(), 'the outer abort reached the call');
  t.same(warnings, [], 'no store warning for the query\'s own cancellation');
});

t.test('chunks we cannot decode are refused, not misread', async (t) => {
  const hist = stream([{ series: series('h', ThanosChunkEncoding.HISTOGRAM) }]);
  await t.rejects(collect(hist.src), NotSupportedError);
  const aggr: ProtoSeries = { labels: [{ name: '__name__', value: 'd' }], chunks: [{ min_time: '0', max_time: '1', count: { type: 0, data: new Uint8Array(), hash: '0' } }] };
  const down = stream([{ series: aggr }]);
  await t.rejects(collect(down.src), { name: 'NotSupportedError', message: /downsampled/ });
});

t.test('--selector-label: contradicting matchers select nothing, satisfied ones are dropped', async (t) => {
  const sel = Labels.from({ region: 'eu', tier: 'gold' });
  const m = (type: MatchType, name: string, value: string) => new Matcher(type, name, value);
  const job = m(MatchType.EQ, 'job', 'api');
  const cases: [string, Matcher[], Matcher[] | null][] = [
    ['no matcher on a selector label: all kept', [job], [job]],
    ['equal: dropped', [job, m(MatchType.EQ, 'region', 'eu')], [job]],
    ['regex matching: dropped', [m(MatchType.RE, 'region', 'e.*'), job], [job]],
    ['different value: nothing', [job, m(MatchType.EQ, 'region', 'us')], null],
    ['not-equal to its value: nothing', [m(MatchType.NEQ, 'tier', 'gold')], null],
    ['empty value (label absent) contradicts: nothing', [m(MatchType.EQ, 'region', '')], null],
    ['one of several contradicts: nothing', [m(MatchType.EQ, 'region', 'eu'), m(MatchType.EQ, 'tier', 'silver')], null],
  ];
  for (const [name, input, want] of cases) t.same(applySelectorLabels(input, sel), want, name);
  t.same(applySelectorLabels([job], Labels.EMPTY), [job], 'no selector labels: unchanged');
});
