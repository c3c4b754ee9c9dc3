// Thanos's reloader substitution, by its rules: $(NAME) only, every occurrence, an unset variable is an error.
import t from 'tap';
import { expandEnv } from '../../../src/sidecar/reloader/index.js';

t.test('$(NAME) becomes the variable, every time it appears', async (t) => {
  const env = { POD_NAME: 'prom-1', CLUSTER: 'eu', EMPTY: '' };
  t.equal(expandEnv('replica: $(POD_NAME)\ncluster: $(CLUSTER)-$(POD_NAME)\n', env), 'replica: prom-1\ncluster: eu-prom-1\n');
  t.equal(expandEnv('x: "$(EMPTY)"', env), 'x: ""', 'a variable set to the empty string is substituted');
});

t.test('other dollar forms are left as Prometheus needs them', async (t) => {
  const env = { A: 'x' };
  for (const s of ['replacement: $1', 'replacement: ${1}', 'v: $A', 'v: ${A}', 'v: $()', 'v: $(A-B)']) {
    t.equal(expandEnv(s, env), s, s);
  }
  t.equal(expandEnv('v: $$(A)', env), 'v: $x', 'the second $ starts a reference');
});

t.test('an unset variable is an error naming it', async (t) => {
  t.throws(() => expandEnv('a: $(SET)\nb: $(NOT_SET_ANYWHERE)', { SET: '1' }), /unset environment variable "NOT_SET_ANYWHERE"/);
});

t.test('the process environment by default', async (t) => {
  process.env.PROMFED_ENVSUBST_TEST = 'from-env';
  t.teardown(() => delete process.env.PROMFED_ENVSUBST_TEST);
  t.equal(expandEnv('$(PROMFED_ENVSUBST_TEST)'), 'from-env');
});
