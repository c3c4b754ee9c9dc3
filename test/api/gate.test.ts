import t from 'tap';
import { Gate } from '../../src/api/gate.js';

t.test('excess holders queue in order and get slots as others release', async (t) => {
  const gate = new Gate(2);
  const order: number[] = [];
  const r1 = await gate.acquire();
  const r2 = await gate.acquire();
  const p3 = gate.acquire().then((r) => (order.push(3), r));
  const p4 = gate.acquire().then((r) => (order.push(4), r));
  t.equal(gate.active, 2);
  t.equal(gate.waiting, 2);
  r1();
  const r3 = await p3;
  t.same(order, [3]);
  t.equal(gate.active, 2, 'slot passed on, not freed');
  r2();
  r2(); // a second release of the same slot is ignored
  const r4 = await p4;
  t.same(order, [3, 4]);
  r3();
  r4();
  t.equal(gate.active, 0);
});

t.test('an aborted waiter leaves the queue without taking a slot', async (t) => {
  const gate = new Gate(1);
  const r1 = await gate.acquire();
  const ac = new AbortController();
  const p = gate.acquire(ac.signal);
  ac.abort(new Error('client went away'));
  await t.rejects(p, { message: 'client went away' });
  t.equal(gate.waiting, 0);
  r1();
  t.equal(gate.active, 0);
});
