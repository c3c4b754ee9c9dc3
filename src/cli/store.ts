import type { Command } from 'commander';
import { registerPending } from './not-yet.js';

export function registerStore(program: Command): void {
  registerPending(program, 'store', 'store gateway: Prometheus TSDB blocks from object storage over StoreAPI', 5);
}
