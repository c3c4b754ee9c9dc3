import type { Command } from 'commander';

/**
 * `promfed demo`: what `npm start` runs. Until the querier lands (issue 4) it explains that and prints the help.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on an embedded default (what `npm start` runs)')
    .action(() => {
      process.stdout.write(
        'promfed: the embedded demo (a querier over two in-memory HA replicas) arrives with the query component.\n' +
          'Until then, here is what the CLI offers:\n\n',
      );
      program.outputHelp();
    });
}
