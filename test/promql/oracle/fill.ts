/**
 * `npx tsx test/promql/oracle/fill.ts FILE...`: for each eval preceded by a `# oracle-fill` comment, asks a
 * real Prometheus 2.42 for the answer and writes it as the eval's expectation lines, replacing the marker
 * with `# from Prometheus 2.42` so the file says where the numbers came from. Used only for arithmetic that
 * is tedious by hand (stddev, regression, quantile interpolation); every filled case is reviewed, and only
 * queries where 2.42 and 3.x agree are filled (between-sample evaluation times, functions 2.42 has).
 * Without arguments (as when tap picks this file up) it prints its usage and exits 0.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { findBinary } from '../../helpers/peers.js';
import { parseScript, type EvalCommand } from '../../../src/promql/promqltest/index.js';
import type { QueryValue } from '../../../src/promql/types.js';
import { DataState } from './openmetrics.js';
import { PrometheusInstance } from './prometheus.js';
import { toQueryValue } from './oracle.js';

const MARK = '# oracle-fill';

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function render(cmd: EvalCommand, v: QueryValue): string[] {
  switch (v.resultType) {
    case 'scalar':
      return [fmt(v.v)];
    case 'string':
      return [`expect string ${JSON.stringify(v.v)}`];
    case 'vector':
      return v.result.map((s) => `${s.labels.isEmpty() ? '{}' : s.labels.toString().replace(/, /g, ', ')} ${fmt(s.v)}`);
    case 'matrix': {
      if (cmd.instant) throw new Error(`line ${cmd.line}: instant query returned a matrix; write it by hand`);
      const out: string[] = [];
      for (const s of v.result) {
        const vals: string[] = [];
        for (let t = cmd.startMs, i = 0; t <= cmd.endMs; t += cmd.stepMs) {
          if (i < s.timestamps.length && s.timestamps[i] === t) vals.push(fmt(s.values[i++]));
          else vals.push('_');
        }
        out.push(`${s.labels.isEmpty() ? '{}' : s.labels.toString()} ${vals.join(' ')}`);
      }
      return out;
    }
  }
}

async function fill(file: string, bins: { prometheus: string; promtool: string }): Promise<number> {
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  const cmds = parseScript(text);
  let state = new DataState();
  let prom: PrometheusInstance | undefined;
  let promState: DataState | undefined;
  /** line index of the eval → replacement expectation lines */
  const edits = new Map<number, string[]>();
  try {
    for (const cmd of cmds) {
      if (cmd.kind === 'clear') state = new DataState();
      else if (cmd.kind === 'load') {
        // A new state object per load, so a running Prometheus is known to be out of date.
        const next = new DataState();
        let seen: typeof cmds = [];
        for (const c of cmds) {
          if (c.kind === 'clear') seen = [];
          else if (c.kind === 'load') seen.push(c);
          if (c === cmd) break;
        }
        for (const l of seen) if (l.kind === 'load') next.add(l);
        state = next;
      } else if (lines[cmd.line - 2]?.trim() === MARK) {
        if (state.unloadable) throw new Error(`${file}:${cmd.line}: cannot fill: ${state.unloadable}`);
        if (promState !== state) {
          await prom?.stop();
          prom = await PrometheusInstance.start(state.toOpenMetrics(), bins);
          promState = state;
        }
        const res = cmd.instant
          ? await prom.api('/api/v1/query', { query: cmd.expr, time: String(cmd.startMs / 1000) })
          : await prom.api('/api/v1/query_range', { query: cmd.expr, start: String(cmd.startMs / 1000), end: String(cmd.endMs / 1000), step: String(cmd.stepMs / 1000) });
        if (res.status === 'error') throw new Error(`${file}:${cmd.line}: Prometheus failed: ${res.error}`);
        edits.set(cmd.line - 1, render(cmd, toQueryValue(res)));
      }
    }
  } finally {
    await prom?.stop();
  }
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (edits.has(i + 1) && lines[i].trim() === MARK) {
      out.push(lines[i].replace(MARK, '# from Prometheus 2.42'));
      continue;
    }
    const rep = edits.get(i);
    out.push(lines[i]);
    if (rep === undefined) continue;
    // Replace the old expectation lines (the block up to the next blank line), keeping expect directives.
    let j = i + 1;
    const keep: string[] = [];
    while (j < lines.length && lines[j].trim() !== '' && !lines[j].trim().startsWith('#')) {
      if (lines[j].trim().startsWith('expect')) keep.push(lines[j]);
      j++;
    }
    out.push(...keep, ...rep.map((l) => `  ${l}`));
    i = j - 1;
  }
  await writeFile(file, out.join('\n'));
  return edits.size;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.log('usage: npx tsx test/promql/oracle/fill.ts FILE...');
} else {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  if (!prometheus || !promtool) throw new Error('prometheus and promtool are needed');
  for (const f of files) console.log(`${f}: filled ${await fill(f, { prometheus, promtool })} evals`);
}
