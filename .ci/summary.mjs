// Prints tap's run totals as the plain line CI reads: "N passed, M failed[, K skipped]".
// tap's TAP reporter ends with a comment like `# { total: 12, pass: 11, fail: 1, skip: 0 }` per test file;
// we count the top-level results instead, which is what a run passing or failing means.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const line of text.split('\n')) {
  // Assertions and subtests at every depth: "ok 3 - …", "    not ok 1 - …".
  const m = /^\s*(not ok|ok) \d+/.exec(line);
  if (!m) continue;
  if (/# (SKIP|TODO)\b/i.test(line)) skipped++;
  else if (m[1] === 'ok') passed++;
  else failed++;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
