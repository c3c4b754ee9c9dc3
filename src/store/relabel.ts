/**
 * `--selector.relabel-config[-file]`: which blocks this store serves (sharding across store replicas),
 * Prometheus relabel rules restricted to what Thanos allows here — `keep`, `drop` and `hashmod` — applied to a
 * block's external labels plus `__block_id` (thanos.md §5.2). A block whose label set ends empty or is
 * dropped is not served.
 *
 *   - action: hashmod            # shard i of 3 keeps blocks with hash(__block_id) % 3 == i
 *     source_labels: [__block_id]
 *     target_label: shard
 *     modulus: 3
 *   - action: keep
 *     source_labels: [shard]
 *     regex: "1"
 *
 * Regexes are RE2 through the model's Matcher (anchored, linear time). hashmod is Prometheus's: the first
 * 8 bytes of md5(joined values) from byte 8 on, big-endian, modulo `modulus`.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { BadDataError, Labels, Matcher, MatchType } from '../model/index.js';

export interface RelabelRule {
  action: 'keep' | 'drop' | 'hashmod';
  sourceLabels: string[];
  separator: string;
  regex: Matcher;
  targetLabel: string;
  modulus: number;
}

/** Parses the YAML list; throws BadDataError saying which rule and field is wrong. */
export function parseRelabelConfig(text: string): RelabelRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BadDataError(`relabel config: not YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new BadDataError('relabel config: want a YAML list of rules');
  return doc.map((r: unknown, i: number) => {
    const what = `relabel config rule ${i + 1}`;
    if (typeof r !== 'object' || r === null) throw new BadDataError(`${what}: not a mapping`);
    const o = r as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['action', 'source_labels', 'separator', 'regex', 'target_label', 'modulus', 'replacement'].includes(k)) throw new BadDataError(`${what}: unknown field ${k}`);
    }
    const action = String(o.action ?? 'replace').toLowerCase();
    if (action !== 'keep' && action !== 'drop' && action !== 'hashmod') {
      throw new BadDataError(`${what}: action ${JSON.stringify(o.action ?? 'replace')} is not allowed here (keep, drop, hashmod)`);
    }
    const src = o.source_labels ?? [];
    if (!Array.isArray(src) || !src.every((s) => typeof s === 'string')) throw new BadDataError(`${what}: source_labels must be a list of names`);
    const regex = o.regex === undefined ? '(.*)' : String(o.regex);
    const modulus = o.modulus === undefined ? 0 : Number(o.modulus);
    const target = o.target_label === undefined ? '' : String(o.target_label);
    if (action === 'hashmod') {
      if (!Number.isSafeInteger(modulus) || modulus <= 0) throw new BadDataError(`${what}: hashmod needs a positive integer modulus`);
      if (target === '') throw new BadDataError(`${what}: hashmod needs target_label`);
    }
    if ((action === 'keep' || action === 'drop') && src.length === 0) throw new BadDataError(`${what}: ${action} needs source_labels`);
    return {
      action,
      sourceLabels: src as string[],
      separator: o.separator === undefined ? ';' : String(o.separator),
      regex: new Matcher(MatchType.RE, '', regex), // BadDataError on a bad pattern
      targetLabel: target,
      modulus,
    };
  });
}

/** Applies the rules; undefined when the label set is dropped (or ends up empty). */
export function relabel(labels: Labels, rules: readonly RelabelRule[]): Labels | undefined {
  let ls = labels;
  for (const r of rules) {
    const value = r.sourceLabels.map((n) => ls.get(n)).join(r.separator);
    switch (r.action) {
      case 'keep':
        if (!r.regex.matches(value)) return undefined;
        break;
      case 'drop':
        if (r.regex.matches(value)) return undefined;
        break;
      case 'hashmod': {
        const sum = createHash('md5').update(value).digest();
        const mod = sum.readBigUInt64BE(8) % BigInt(r.modulus);
        ls = ls.builder().set(r.targetLabel, mod.toString()).labels();
        break;
      }
    }
  }
  return ls.isEmpty() ? undefined : ls;
}
