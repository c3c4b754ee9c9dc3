// Like Prometheus TestFunctionList: every function the parser accepts has exactly one implementation home.
import t from 'tap';
import { FUNCTIONS } from '../../../src/promql/functions/signatures.js';
import { ENGINE_FUNCTIONS, VALUE_FUNCTIONS, WINDOW_FUNCTIONS } from '../../../src/promql/functions/index.js';

t.test('every signature is implemented in exactly one place', async (t) => {
  const homes = new Map<string, string[]>();
  const add = (name: string, home: string) => homes.set(name, [...(homes.get(name) ?? []), home]);
  for (const n of Object.keys(VALUE_FUNCTIONS)) add(n, 'VALUE_FUNCTIONS');
  for (const n of Object.keys(WINDOW_FUNCTIONS)) add(n, 'WINDOW_FUNCTIONS');
  for (const n of ENGINE_FUNCTIONS) add(n, 'ENGINE_FUNCTIONS');
  for (const name of FUNCTIONS.keys()) {
    t.same(homes.get(name)?.length, 1, `${name} is in ${JSON.stringify(homes.get(name) ?? [])}`);
  }
  for (const name of homes.keys()) t.ok(FUNCTIONS.has(name), `${name} has a signature`);
});

t.test('table shapes match the signatures', async (t) => {
  for (const name of Object.keys(WINDOW_FUNCTIONS)) {
    t.ok(FUNCTIONS.get(name)?.argTypes.includes('matrix'), `${name} takes a range vector`);
  }
  for (const name of Object.keys(VALUE_FUNCTIONS)) {
    const sig = FUNCTIONS.get(name);
    t.equal(sig?.argTypes[0], 'vector', `${name} takes an instant vector first`);
    t.equal(sig?.returnType, 'vector', `${name} returns a vector`);
  }
});
