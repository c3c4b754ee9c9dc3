/**
 * Human-readable failure reports for the CLI and the corpus test: file:line, the query, which check failed,
 * the problems, and an expected-vs-got listing of series.
 */
import type { CaseFailure } from './runner.js';

export function formatFailure(file: string, f: CaseFailure): string {
  const out = [`${file}:${f.line}: ${f.query}`, `  check: ${f.check}`];
  for (const p of f.problems) out.push(`  - ${p}`);
  if (f.expected.length > 0 || f.got.length > 0) {
    out.push('  expected:');
    for (const e of f.expected.length > 0 ? f.expected : ['(nothing)']) out.push(`    ${e}`);
    out.push('  got:');
    for (const g of f.got.length > 0 ? f.got : ['(nothing)']) out.push(`    ${g}`);
  }
  return out.join('\n');
}
