import type { Command } from 'commander';
import { registerPending } from './not-yet.js';

export function registerQuery(program: Command): void {
  registerPending(program, 'query', 'query node: Prometheus HTTP API over a StoreAPI fan-out with replica dedup', 4);
}
