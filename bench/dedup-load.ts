/**
 * Sustained dedup query load against a running promfed querier, over HTTP (not part of `npm run bench`):
 *
 *   node --import=tsx bench/dedup-load.ts --url=http://127.0.0.1:10902 --concurrency=8 --duration=30s \
 *     --query='sum by (job) (rate(http_requests_total[5m]))' [--range=1h] [--step=15s] [--max-requests=100000]
 *
 * `concurrency` workers each send GET /api/v1/query_range (dedup=true, the range ending now) back to back
 * until the duration or the request count runs out. Reports requests/s, p50/p99/max latency, errors and
 * warnings, and the server's resident memory (`promfed_process_resident_memory_bytes` from its /metrics)
 * before, at its highest during (sampled every second) and after the run, as `BENCH <name> <value> <unit>`
 * lines plus a summary.
 *
 * Bounded: loopback URLs only (127.0.0.0/8, localhost, [::1]), at most 10 minutes, at most --max-requests
 * requests, at most 256 workers; it stops after 50 failures in a row. Exit code 1 when no request succeeded.
 */
import { parseArgs } from 'node:util';

const MAX_DURATION_MS = 10 * 60_000;
const MAX_CONCURRENCY = 256;

function die(msg: string): never {
  console.error(`dedup-load: ${msg}`);
  process.exit(2);
}

/** `500ms`, `30s`, `5m`, `1h`, or plain seconds. */
function parseDuration(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) die(`--${flag}: not a duration: ${JSON.stringify(s)}`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * mult;
}

function positiveInt(s: string, flag: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1) die(`--${flag}: not a positive integer: ${JSON.stringify(s)}`);
  return Number(s);
}

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:10902' },
    concurrency: { type: 'string', default: '8' },
    duration: { type: 'string', default: '30s' },
    query: { type: 'string', default: 'sum by (job) (rate(http_requests_total[5m]))' },
    range: { type: 'string', default: '1h' },
    step: { type: 'string', default: '15s' },
    'max-requests': { type: 'string', default: '100000' },
  },
  strict: true,
});

let base: URL;
try {
  base = new URL(args.url!);
} catch {
  die(`--url: not a URL: ${JSON.stringify(args.url)}`);
}
const host = base.hostname.replace(/^\[|\]$/g, '');
if (!(host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) {
  die(`--url: load is only sent to loopback addresses (127.0.0.0/8, localhost, [::1]), not ${host}`);
}
const concurrency = Math.min(positiveInt(args.concurrency!, 'concurrency'), MAX_CONCURRENCY);
const durationMs = Math.min(parseDuration(args.duration!, 'duration'), MAX_DURATION_MS);
const rangeMs = parseDuration(args.range!, 'range');
const stepMs = parseDuration(args.step!, 'step');
const maxRequests = positiveInt(args['max-requests']!, 'max-requests');

/** The server's RSS in bytes, or undefined when its /metrics does not have it. */
async function serverRss(): Promise<number | undefined> {
  try {
    const res = await fetch(new URL('/metrics', base), { signal: AbortSignal.timeout(5000) });
    const m = /^promfed_process_resident_memory_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(await res.text());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const latencies = new Float64Array(maxRequests);
let sent = 0;
let done = 0;
let errors = 0;
let withWarnings = 0;
let firstError = '';
/** Failures in a row across workers: a server that is down is not load-tested 100 000 times. */
let failStreak = 0;
const MAX_FAIL_STREAK = 50;

async function worker(deadline: number): Promise<void> {
  while (performance.now() < deadline && sent < maxRequests && failStreak < MAX_FAIL_STREAK) {
    sent++;
    const end = Date.now() / 1000;
    const params = new URLSearchParams({
      query: args.query!,
      start: String(end - rangeMs / 1000),
      end: String(end),
      step: String(stepMs / 1000),
      dedup: 'true',
    });
    const t0 = performance.now();
    try {
      const res = await fetch(new URL(`/api/v1/query_range?${params}`, base), { signal: AbortSignal.timeout(Math.ceil(Math.max(1000, deadline - t0 + 30_000))) });
      const body = (await res.json()) as { status?: string; error?: string; warnings?: string[] };
      if (res.status !== 200 || body.status !== 'success') throw new Error(`HTTP ${res.status}: ${body.error ?? JSON.stringify(body).slice(0, 200)}`);
      if (body.warnings?.length) withWarnings++;
      latencies[done++] = performance.now() - t0;
      failStreak = 0;
    } catch (err) {
      errors++;
      failStreak++;
      firstError ||= (err as Error).message;
    }
  }
}

const rssBefore = await serverRss();
if (rssBefore === undefined) console.error(`dedup-load: no promfed_process_resident_memory_bytes at ${new URL('/metrics', base)}; RSS will not be reported`);
let rssPeak = rssBefore ?? 0;
const sampler = setInterval(() => {
  void serverRss().then((r) => {
    if (r !== undefined && r > rssPeak) rssPeak = r;
  });
}, 1000);

const start = performance.now();
const deadline = start + durationMs;
await Promise.all(Array.from({ length: concurrency }, () => worker(deadline)));
const elapsedS = (performance.now() - start) / 1000;
clearInterval(sampler);
const rssAfter = await serverRss();

const sorted = latencies.subarray(0, done).sort();
const pct = (p: number): number => (done === 0 ? NaN : sorted[Math.min(done - 1, Math.floor(p * done))]);
const mb = (b: number | undefined): string => (b === undefined ? 'n/a' : (b / 2 ** 20).toFixed(1));

console.log(`dedup-load: ${base.origin}, ${concurrency} workers, ${elapsedS.toFixed(1)} s, query ${JSON.stringify(args.query)} over ${args.range} at ${args.step}`);
console.log(`  requests ${done} ok, ${errors} failed, ${withWarnings} with warnings${firstError ? ` (first error: ${firstError})` : ''}`);
console.log(`BENCH dedup_load_rps ${(done / elapsedS).toFixed(2)} req/s`);
console.log(`BENCH dedup_load_p50 ${pct(0.5).toFixed(1)} ms`);
console.log(`BENCH dedup_load_p99 ${pct(0.99).toFixed(1)} ms`);
console.log(`BENCH dedup_load_max ${(done ? sorted[done - 1] : NaN).toFixed(1)} ms`);
if (rssBefore !== undefined) {
  console.log(`BENCH dedup_load_rss_before ${mb(rssBefore)} MB`);
  console.log(`BENCH dedup_load_rss_peak ${mb(Math.max(rssPeak, rssAfter ?? 0))} MB`);
  console.log(`BENCH dedup_load_rss_after ${mb(rssAfter)} MB`);
}
if (done === 0) process.exitCode = 1;
