import type { Matcher } from '../../model/index.js';
import { parse } from '../../promql/index.js';
import { invalidParam } from '../errors.js';

/** `match[]`-style series selectors → matcher sets. Anything but a plain vector selector is bad_data. */
export function parseSelectors(values: readonly string[], param: string): Matcher[][] {
  return values.map((text) => {
    let expr;
    try {
      expr = parse(text);
    } catch (err) {
      throw invalidParam(param, err as Error);
    }
    if (expr.type !== 'VectorSelector' || expr.offsetMs !== 0 || expr.at !== null) {
      throw invalidParam(param, `${JSON.stringify(text)} is not a series selector`);
    }
    return expr.matchers;
  });
}
