// Live memory for tests that check a buffer stays bounded: after a full collection, so garbage not yet
// collected does not count as held.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** heapUsed + external after two full collections a turn apart (V8 frees Buffer backing stores on a background thread). */
export async function liveBytes(): Promise<number> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}
