/**
 * Every function signature has an implementation: in the engine itself, or in the per-window or per-sample
 * tables of src/promql/functions (Prometheus TestFunctionList).
 */
import t from 'tap';
import { ENGINE_FUNCTION_NAMES } from '../../../src/promql/engine/index.js';
import { VALUE_FUNCTIONS, WINDOW_FUNCTIONS } from '../../../src/promql/functions/index.js';
import { FUNCTIONS } from '../../../src/promql/functions/signatures.js';

const NOT_YET = new Set<string>();

t.test('every signature is implemented somewhere', async (t) => {
  const own = new Set(ENGINE_FUNCTION_NAMES);
  for (const [name, sig] of FUNCTIONS) {
    if (NOT_YET.has(name)) continue;
    const where = own.has(name) ? 'engine' : sig.argTypes.includes('matrix') ? (WINDOW_FUNCTIONS[name] ? 'window' : null) : VALUE_FUNCTIONS[name] ? 'value' : null;
    t.ok(where, `${name} (${where})`);
  }
  for (const name of own) t.ok(FUNCTIONS.has(name), `${name} has a signature`);
});
