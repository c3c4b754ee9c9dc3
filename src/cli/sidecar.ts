import type { Command } from 'commander';
import { registerPending } from './not-yet.js';

export function registerSidecar(program: Command): void {
  registerPending(program, 'sidecar', 'sidecar: StoreAPI over a running Prometheus, block shipping to object storage', 6);
}
