// Prints tap's run totals as the plain line CI reads: "N passed, M failed[, K skipped]", preceded by the
// path of every failed assertion (file > subtest > assertion), since CI's record may keep only the tail.
// tap ends its TAP output with a comment like `# { total: 98, pass: 97, fail: 1, skip: 2, todo: 1 }`;
// without it (a crash before the end), we count the "ok"/"not ok" lines ourselves.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const lines = text.split('\n');

// TAP names a subtest on its "# Subtest: name" line, indented 4 spaces per level; an assertion's
// "not ok" line sits at its parent's indentation + 4.
const failures = [];
const open = []; // subtest names by depth
for (const line of lines) {
  const sub = /^( *)# Subtest: (.*)$/.exec(line);
  if (sub) {
    const depth = sub[1].length / 4;
    open.length = depth;
    open[depth] = sub[2];
    continue;
  }
  const bad = /^( *)not ok \d+ - (.*?)(?: # time=.*)?$/.exec(line);
  if (!bad || /# (SKIP|TODO)\b/i.test(line)) continue;
  const depth = bad[1].length / 4;
  const path = open.slice(0, depth).filter((s) => s !== undefined);
  // A failing parent repeats its failed child; keep the innermost only.
  if (failures.some((f) => f.startsWith(path.concat(bad[2]).join(' > ')))) continue;
  failures.push(path.concat(bad[2]).join(' > '));
}

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
  for (const line of lines) {
    const m = /^\s*(not ok|ok) \d+/.exec(line);
    if (!m) continue;
    if (/# (SKIP|TODO)\b/i.test(line)) skipped++;
    else if (m[1] === 'ok') passed++;
    else failed++;
  }
  if (failed === 0) failed = 1; // no totals means the runner did not finish: never report that as green
}
for (const f of failures) console.log(`FAILED: ${f}`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
