/** A flag or argument value that does not parse: the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
