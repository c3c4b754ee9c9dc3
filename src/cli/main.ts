#!/usr/bin/env node
/**
 * promfed: one binary, several components, with Thanos's names and flags so manifests only change the image.
 * This file only wires subcommands; each component lives in its own file.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from './version.js';
import { registerQuery } from './query.js';
import { registerStore } from './store.js';
import { registerSidecar } from './sidecar.js';
import { registerTools } from './tools.js';
import { registerDemo } from './demo.js';

/** Exit code for bad flags and usage errors, as Thanos (kingpin) uses. */
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('promfed')
    .description('Thanos-style PromQL query federation gateway')
    .version(VERSION, '--version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)');
  registerQuery(program);
  registerStore(program);
  registerSidecar(program);
  registerTools(program);
  registerDemo(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Every (sub)command reports usage errors through an exception instead of exiting, so we choose the code.
  const applyExitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(applyExitOverride);
  };
  applyExitOverride(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0 by design.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`promfed: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`promfed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** A bad flag value found after parsing (e.g. a malformed duration): reported with exit code 2. */
export { UsageError } from './usage-error.js';
import { UsageError } from './usage-error.js';

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
