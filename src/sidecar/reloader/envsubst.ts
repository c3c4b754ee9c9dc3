/**
 * Thanos's reloader substitution: every `$(NAME)` (letters, digits, underscore) in a config file becomes the
 * value of environment variable NAME — so one ConfigMap serves every replica, each with its own
 * `replica: $(POD_NAME)`. A reference to a variable that is not set is an error naming it, never an empty
 * string in a config. `$NAME`, `${NAME}` and Prometheus's own `$1` relabel references are left alone.
 */
const REFERENCE = /\$\(([a-zA-Z_0-9]+)\)/g;

export function expandEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(REFERENCE, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new Error(`found reference to unset environment variable ${JSON.stringify(name)}`);
    return v;
  });
}
