/**
 * storage: the one contract between the PromQL engine and data. The engine asks a `Queryable` for the series
 * matching some matchers over a time range and reads them through a pull `SeriesSet`; it never knows whether
 * they came from memory, a StoreAPI fan-out with replica dedup, or TSDB blocks.
 *
 * It holds no network or file code itself; implementations live with their sources (query/, store/).
 *
 *   const db = new MemoryStorage();
 *   db.append(Labels.from({ __name__: 'up' }), 1000, 1);
 *   const set = db.select([Matcher.eq('__name__', 'up')], { mint: 0, maxt: 2000 });
 *   while (await set.next()) console.log(set.at().labels.toString(), set.at().values);
 */
export type { SelectHints, Series, SeriesSet, Queryable, LabelQuerier, LabelsResult } from './queryable.js';
export { arraySeriesSet, collectSeries } from './queryable.js';
export { MemoryStorage } from './memory.js';
export { loadOpenMetrics, type OpenMetricsLoadResult } from './openmetrics.js';
