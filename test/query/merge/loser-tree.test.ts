import t from 'tap';
import { Labels } from '../../../src/model/index.js';
import { LoserTree, arraySource, collect, type SortedSource } from '../../../src/query/merge/index.js';

interface Item {
  labels: Labels;
  tag: string;
}
const item = (a: string, tag: string): Item => ({ labels: Labels.from({ a }), tag });
const cmp = (x: Item, y: Item) => Labels.compare(x.labels, y.labels);

/** A source that answers every `every`-th next() asynchronously, as a gRPC stream between bursts does. */
function burstySource<T>(items: readonly T[], every: number): SortedSource<T> {
  let i = -1;
  let calls = 0;
  return {
    next: () => {
      const ok = ++i < items.length;
      return ++calls % every === 0 ? new Promise((r) => setTimeout(() => r(ok), 1)) : ok;
    },
    at: () => items[i],
  };
}

async function drain(tree: LoserTree<Item>): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r = tree.next();
    if (!(typeof r === 'boolean' ? r : await r)) return out;
    out.push(`${tree.at().labels.get('a')}:${tree.at().tag}:${tree.atSource()}`);
  }
}

// Three sorted sources with duplicate label sets across them. The expected order is written by hand:
// label order first; among equal labels, the lower source index first.
const s0 = [item('1', 'x'), item('3', 'x'), item('5', 'x')];
const s1 = [item('2', 'y'), item('3', 'y'), item('6', 'y')];
const s2 = [item('1', 'z'), item('4', 'z')];
const expected = ['1:x:0', '1:z:2', '2:y:1', '3:x:0', '3:y:1', '4:z:2', '5:x:0', '6:y:1'];

t.test('merge of 3 sorted sources with duplicates: label order, equal labels in source order', async (t) => {
  t.same(await drain(new LoserTree([arraySource(s0), arraySource(s1), arraySource(s2)], cmp)), expected);
});

t.test('sources that must wait give the same order as buffered ones', async (t) => {
  t.same(await drain(new LoserTree([burstySource(s0, 2), burstySource(s1, 1), burstySource(s2, 3)], cmp)), expected);
});

t.test('answers synchronously while every source is buffered', async (t) => {
  const tree = new LoserTree([arraySource(s0), arraySource(s1)], cmp);
  for (let i = 0; i < 6; i++) t.equal(tree.next(), true);
  t.equal(tree.next(), false);
  t.equal(tree.next(), false, 'stays exhausted');
});

t.test('edge shapes: no sources, one source, empty sources', async (t) => {
  t.same(await drain(new LoserTree<Item>([], cmp)), []);
  t.same(await drain(new LoserTree([arraySource(s2)], cmp)), ['1:z:0', '4:z:0']);
  t.same(await drain(new LoserTree([arraySource<Item>([]), arraySource(s2), arraySource<Item>([])], cmp)), ['1:z:1', '4:z:1']);
});

t.test('any k (not only powers of two) agrees with a stable sort of all items by (labels, source)', async (t) => {
  // Oracle: concatenating sources in index order and stable-sorting by labels gives exactly the
  // (labels, source index) order the tree promises.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const k of [2, 3, 5, 7, 8, 13]) {
    const sources: Item[][] = [];
    for (let s = 0; s < k; s++) {
      const n = Math.floor(rnd() * 20);
      const vals = Array.from({ length: n }, () => String(Math.floor(rnd() * 30)).padStart(2, '0')).sort();
      sources.push(vals.map((v) => item(v, `s${s}`)));
    }
    const want = sources
      .flatMap((src, s) => src.map((x) => ({ x, s })))
      .sort((p, q) => cmp(p.x, q.x))
      .map(({ x, s }) => `${x.labels.get('a')}:${x.tag}:${s}`);
    t.same(await drain(new LoserTree(sources.map((s) => arraySource(s)), cmp)), want, `k=${k}`);
  }
});

t.test('a failing source rejects the merge with its error', async (t) => {
  const failing: SortedSource<Item> = {
    next: () => Promise.reject(new Error('stream reset')),
    at: () => item('0', 'never'),
  };
  await t.rejects(collect(new LoserTree([arraySource(s0), failing], cmp)), /stream reset/);
});
