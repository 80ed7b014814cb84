import { ConfigError, readChoice } from './common/env.js';
import type { GatewayConfig } from './config.js';
import type { ConcurrencySetting } from './edge/admission.js';

// The settings that are more than a number or a word: each read and checked here, with its message.

/** TRUSTED_DOCUMENTS_FILE (a path) and TRUSTED_DOCUMENTS (`allow`, the default, or `only`). */
export function readTrustedDocuments(env: Record<string, string | undefined>, sandbox: boolean): GatewayConfig['trustedDocuments'] {
  const file = env.TRUSTED_DOCUMENTS_FILE?.trim();
  const mode = readChoice(env, 'TRUSTED_DOCUMENTS', 'allow', ['allow', 'only'] as const);
  if (file === undefined || file === '') {
    if (env.TRUSTED_DOCUMENTS?.trim() === 'only')
      throw new ConfigError('TRUSTED_DOCUMENTS=only needs TRUSTED_DOCUMENTS_FILE (the manifest of the documents to allow)');
    return undefined;
  }
  if (mode === 'only' && sandbox) {
    throw new ConfigError(
      'TRUSTED_DOCUMENTS=only refuses every ad-hoc document, and the Sandbox sends nothing else: set GRAPHQL_SANDBOX=false (the default with NODE_ENV=production)',
    );
  }
  return { file, mode };
}

/** `CONSOLE_STORE_IDS`: comma-separated store ids (whole numbers ≥ 1), no repeats; empty or unset: none. */
export function readStoreIds(env: Record<string, string | undefined>): number[] {
  const raw = env.CONSOLE_STORE_IDS?.trim();
  if (raw === undefined || raw === '') return [];
  const parts = raw.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !/^[1-9]\d{0,9}$/.test(p));
  if (bad !== undefined)
    throw new ConfigError(`CONSOLE_STORE_IDS must be store ids (whole numbers from 1) separated by commas, like "2,4,7" (got "${bad.slice(0, 40)}")`);
  const ids = parts.map(Number);
  if (new Set(ids).size !== ids.length) throw new ConfigError('CONSOLE_STORE_IDS names a store twice');
  return ids;
}

/** `OPERATION_CONCURRENCY`: `auto` (default), a number of operations at once (1–100000), or 0 for no limit. */
export function readConcurrency(env: Record<string, string | undefined>): ConcurrencySetting {
  const raw = env.OPERATION_CONCURRENCY?.trim();
  if (raw === undefined || raw === '' || raw.toLowerCase() === 'auto') return { mode: 'auto' };
  if (!/^\d+$/.test(raw) || Number(raw) > 100_000) {
    throw new ConfigError(`OPERATION_CONCURRENCY must be "auto", 0 (no limit) or a whole number up to 100000 (got "${raw}")`);
  }
  const limit = Number(raw);
  return limit === 0 ? { mode: 'unlimited' } : { mode: 'fixed', limit };
}
