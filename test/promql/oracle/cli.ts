/**
 * `npx tsx test/promql/oracle/cli.ts FILE...`: checks promqltest files against a real Prometheus 2.42 and
 * prints every disagreement (file:line, query, diff), then `<file>: N agree, M disagree, K skipped`.
 * Add `-v` to list skipped cases with their reasons. Exit 1 on any disagreement. Without arguments (as when
 * tap picks this file up) it prints its usage and exits 0.
 */
import { readFile } from 'node:fs/promises';
import { findBinary } from '../../helpers/peers.js';
import { formatFailure } from '../../../src/promql/promqltest/index.js';
import { runOracle } from './oracle.js';

const args = process.argv.slice(2);
const verbose = args.includes('-v');
const files = args.filter((a) => a !== '-v');
if (files.length === 0) {
  console.log('usage: npx tsx test/promql/oracle/cli.ts [-v] FILE...');
} else {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  if (!prometheus || !promtool) {
    console.error('prometheus and promtool are needed (apt-get install -y prometheus)');
    process.exitCode = 1;
  } else {
    let bad = false;
    for (const file of files) {
      let cases;
      try {
        cases = await runOracle(await readFile(file, 'utf8'), { prometheus, promtool });
      } catch (err) {
        console.log(`${file}: ${(err as Error).message}`);
        bad = true;
        continue;
      }
      for (const c of cases) {
        if (c.status === 'disagree' && c.failure) console.log(formatFailure(file, c.failure) + '\n');
        if (c.status === 'skip' && verbose) console.log(`${file}:${c.line}: skipped: ${c.reason}`);
      }
      const n = (s: string) => cases.filter((c) => c.status === s).length;
      console.log(`${file}: ${n('agree')} agree, ${n('disagree')} disagree, ${n('skip')} skipped`);
      if (n('disagree') > 0) bad = true;
    }
    if (bad) process.exitCode = 1;
  }
}
