/**
 * Proto messages ⇄ model: labels, external labels, matchers, and chunk encoding numbers.
 */
import { BadDataError, Labels, Matcher, MatchType } from '../model/index.js';
import { PromChunkEncoding } from './remote-read.js';
import { ThanosChunkEncoding, type ProtoLabel, type ProtoLabelMatcher } from './types.js';

/**
 * Proto labels → Labels. Stores send labels sorted by name (a StoreAPI contract), so the sorted case is
 * taken over without sorting; anything else (unsorted, duplicate names, empty values) goes through
 * `Labels.from`, which sorts, keeps the last duplicate and drops empty values as Prometheus does.
 */
export function labelsFromProto(labels: readonly ProtoLabel[]): Labels {
  const flat: string[] = new Array(labels.length * 2);
  let prev = '';
  for (let i = 0; i < labels.length; i++) {
    const { name, value } = labels[i];
    if ((i > 0 && name <= prev) || value === '') return Labels.from(labels.map((l) => [l.name, l.value] as const));
    flat[2 * i] = name;
    flat[2 * i + 1] = value;
    prev = name;
  }
  return Labels.fromSorted(flat);
}

/** Labels → proto labels, in Labels' (sorted) order. */
export function labelsToProto(ls: Labels): ProtoLabel[] {
  const out: ProtoLabel[] = new Array(ls.length);
  for (let i = 0; i < ls.length; i++) out[i] = { name: ls.name(i), value: ls.value(i) };
  return out;
}

/**
 * A series' labels extended by a store's external labels; on a name clash the external value wins
 * (Thanos `ExtendSortedLabels`). Both inputs are sorted, so this is one merge pass.
 */
export function extendLabels(series: Labels, external: Labels): Labels {
  if (external.isEmpty()) return series;
  if (series.isEmpty()) return external;
  const a = series.flat();
  const b = external.flat();
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      out.push(a[i], a[i + 1]);
      i += 2;
    } else {
      if (i < a.length && a[i] === b[j]) i += 2; // external wins
      out.push(b[j], b[j + 1]);
      j += 2;
    }
  }
  return Labels.fromSorted(out);
}

/** Proto matcher → model matcher. Throws BadDataError (gRPC INVALID_ARGUMENT) on a bad type or regex. */
export function matcherFromProto(m: ProtoLabelMatcher): Matcher {
  switch (m.type) {
    case 0:
      return new Matcher(MatchType.EQ, m.name, m.value);
    case 1:
      return new Matcher(MatchType.NEQ, m.name, m.value);
    case 2:
      return new Matcher(MatchType.RE, m.name, m.value);
    case 3:
      return new Matcher(MatchType.NRE, m.name, m.value);
    default:
      throw new BadDataError(`unknown label matcher type ${String(m.type)} for label ${JSON.stringify(m.name)}`);
  }
}

export function matchersFromProto(ms: readonly ProtoLabelMatcher[]): Matcher[] {
  return ms.map(matcherFromProto);
}

/** Model matcher → proto; MatchType and LabelMatcher.Type share their numbers (EQ=0, NEQ=1, RE=2, NRE=3). */
export function matcherToProto(m: Matcher): ProtoLabelMatcher {
  return { type: m.type as number, name: m.name, value: m.value };
}

export function matchersToProto(ms: readonly Matcher[]): ProtoLabelMatcher[] {
  return ms.map(matcherToProto);
}

/**
 * Remote-read chunk encoding (Prometheus numbering: UNKNOWN=0, XOR=1, …) → Thanos Chunk.Encoding
 * (XOR=0, …): minus one, as the Thanos sidecar does. UNKNOWN and numbers we do not know are an error.
 */
export function thanosEncodingFromProm(e: PromChunkEncoding): ThanosChunkEncoding {
  if (e >= PromChunkEncoding.XOR && e <= PromChunkEncoding.FLOAT_HISTOGRAM) return (e - 1) as ThanosChunkEncoding;
  throw new BadDataError(`unsupported remote-read chunk encoding ${String(e)}`);
}

/** Thanos Chunk.Encoding → Prometheus numbering (plus one); also the chunk-segment encoding byte. */
export function promEncodingFromThanos(e: ThanosChunkEncoding): PromChunkEncoding {
  if (e >= ThanosChunkEncoding.XOR && e <= ThanosChunkEncoding.FLOAT_HISTOGRAM) return (e + 1) as PromChunkEncoding;
  throw new BadDataError(`unsupported StoreAPI chunk encoding ${String(e)}`);
}
