import type { Command } from 'commander';
import { registerPromqlTest } from './promql-test.js';
import { registerStoreMemory } from './store-memory.js';
import { registerBucket } from './bucket.js';

/** `promfed tools …`: utilities (promql-test, store-memory, bucket), each registered below. */
export function registerTools(program: Command): void {
  const tools = program.command('tools').description('utilities: promql-test, store-memory, bucket');
  registerPromqlTest(tools);
  registerStoreMemory(tools);
  registerBucket(tools);
  tools.action(() => {
    tools.outputHelp();
    process.exitCode = 2;
  });
}
