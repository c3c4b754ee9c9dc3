// Prints tap's run totals as the plain line CI reads: "N passed, M failed[, K skipped]".
// tap ends its TAP output with a comment like `# { total: 98, pass: 97, fail: 1, skip: 2, todo: 1 }`;
// without it (a crash before the end), we count the "ok"/"not ok" lines ourselves.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const totals = [...text.matchAll(/^# \{ total: \d+[^}]*\}$/gm)].at(-1)?.[0];
let passed = 0;
let failed = 0;
let skipped = 0;
if (totals) {
  const field = (k) => Number(new RegExp(`\\b${k}: (\\d+)`).exec(totals)?.[1] ?? 0);
  passed = field('pass');
  failed = field('fail');
  skipped = field('skip') + field('todo');
} else {
  for (const line of text.split('\n')) {
    const m = /^\s*(not ok|ok) \d+/.exec(line);
    if (!m) continue;
    if (/# (SKIP|TODO)\b/i.test(line)) skipped++;
    else if (m[1] === 'ok') passed++;
    else failed++;
  }
  if (failed === 0) failed = 1; // no totals means the runner did not finish: never report that as green
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
