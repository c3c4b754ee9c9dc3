/**
 * Request parameters from the URL query and an `application/x-www-form-urlencoded` body together, as Go's
 * `r.Form` merges them (body values first). Grafana POSTs forms by default; promtool uses GET or POST.
 */
import type { FastifyRequest } from 'fastify';

export class Form {
  readonly #values = new Map<string, string[]>();

  constructor(request: FastifyRequest) {
    this.#add(request.body);
    this.#add(request.query);
  }

  #add(source: unknown): void {
    if (source === null || typeof source !== 'object') return;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      const list = this.#values.get(k) ?? [];
      if (Array.isArray(v)) for (const x of v) list.push(String(x));
      else if (v !== undefined) list.push(String(v));
      this.#values.set(k, list);
    }
  }

  /** First value, or undefined when absent or empty (Go's FormValue returns "" for both). */
  get(name: string): string | undefined {
    const v = this.#values.get(name)?.[0];
    return v === undefined || v === '' ? undefined : v;
  }

  /** All values of a repeated parameter such as `match[]`. */
  all(name: string): string[] {
    return this.#values.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }
}
