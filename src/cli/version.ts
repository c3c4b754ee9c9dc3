import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (one source of truth for --version and buildinfo). */
export const VERSION: string = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
})();
