/**
 * model: the vocabulary every other module speaks — label sets, label matchers, the staleness marker and
 * the typed errors mapped to HTTP/gRPC status at the boundaries.
 *
 * It does no I/O and knows nothing of PromQL, protobuf or storage.
 *
 *   const ls = Labels.from({ __name__: 'up', job: 'api' });
 *   const m = new Matcher(MatchType.RE, 'job', 'api|web');
 *   m.matches(ls.get('job'));          // true
 *   isStaleNaN(STALE_NAN);             // true; isStaleNaN(NaN) is false
 */
export { Labels, LabelsBuilder, METRIC_NAME, compareStrings } from './labels.js';
export { Matcher, MatchType, matchesAll } from './matcher.js';
export { STALE_NAN, isStaleNaN } from './sample.js';
export { sleep } from './sleep.js';
export {
  BadDataError,
  ExecutionError,
  TooManySamplesError,
  QueryTimeoutError,
  QueryCanceledError,
  StorageError,
  NotSupportedError,
  throwIfAborted,
  assertNever,
} from './errors.js';
