/**
 * A slow store in its own process, for tests that SIGKILL a store mid-stream: 2000 counter series served
 * with `frameDelayMs` between Series frames. Prints `{"address":"127.0.0.1:PORT"}` once listening, and
 * `FRAMES <n>` after every frame of a Series call, so the test knows when the stream is under way.
 *
 *   node --import=tsx test/query/fanout/store-child.ts '{"cluster":"a"}' 30
 */
import { counterData, startScriptedStore } from './scripted-store.js';

// Run without arguments (e.g. by `tap test/query/fanout`, which runs every file in a folder): not a test, exit.
if (process.argv[2] === undefined) process.exit(0);
const externalLabels = JSON.parse(process.argv[2]) as Record<string, string>;
const frameDelayMs = Number(process.argv[3] ?? 30);
const store = await startScriptedStore(counterData('big', 2000, 3_600_000, 60_000), externalLabels, {
  afterFrames: Infinity,
  then: 'hang',
  frameDelayMs,
});
// Never outlive the test: exit when the parent's pipe closes, and after a minute in any case.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 60_000);
console.log(JSON.stringify({ address: store.address }));
for (let n = 1; n <= 10_000; n++) {
  await store.framesSent(n);
  console.log(`FRAMES ${n}`);
}
