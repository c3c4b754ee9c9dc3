import { Form } from '../form.js';
import type { ApiDefaults, RequestStorageOptions } from '../deps.js';
import { parseBool } from '../params.js';
import { parseSelectors } from './selectors.js';

/** Thanos's per-request data parameters; `replicaLabels[]` replaces the flag's list entirely when present. */
export function storageOptions(form: Form, defaults: ApiDefaults): RequestStorageOptions {
  const dedup = form.get('dedup');
  const replicaLabels = form.all('replicaLabels[]').filter((l) => l !== '');
  return {
    deduplicate: dedup === undefined ? true : parseBool(dedup, 'dedup'),
    replicaLabels: replicaLabels.length > 0 ? replicaLabels : defaults.replicaLabels,
    partialResponse: partialResponseParam(form, defaults),
    storeMatchers: parseSelectors(form.all('storeMatch[]'), 'storeMatch[]'),
  };
}

/** `partial_response`: the request's own choice, else `--query.partial-response`. */
export function partialResponseParam(form: Form, defaults: ApiDefaults): boolean {
  const partial = form.get('partial_response');
  return partial === undefined ? defaults.partialResponse : parseBool(partial, 'partial_response');
}
