import type { Command } from 'commander';

/**
 * Registers a component whose implementation has not landed: it accepts any flags (so `--help` works and
 * manifests can be tried) and exits non-zero with a plain statement of what is missing.
 */
export function registerPending(program: Command, name: string, description: string, issue: number): void {
  program
    .command(name)
    .description(`${description} (not implemented yet: issue ${issue})`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      process.stderr.write(`promfed ${name}: not implemented yet (tracked in issue ${issue})\n`);
      process.exitCode = 1;
    });
}
