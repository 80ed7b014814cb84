import { readFileSync } from 'node:fs';
import { ConfigError, parseRedisUrl, readChoice } from './common/env.js';
import type { RedisSettings } from './cache/redis-settings.js';
import type { ConcurrencySetting } from './edge/admission.js';

// The settings that are more than a number or a word: each read and checked here, with its message.

/** TRUSTED_DOCUMENTS_FILE (a path) and TRUSTED_DOCUMENTS (`allow`, the default, or `only`). */
/** TRUSTED_DOCUMENTS_FILE and TRUSTED_DOCUMENTS, read. */
export interface TrustedDocumentsSetting {
  file: string;
  mode: 'allow' | 'only';
}

export function readTrustedDocuments(env: Record<string, string | undefined>, sandbox: boolean): TrustedDocumentsSetting | undefined {
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

/**
 * REDIS_URL (one URL, or several comma-separated: a cluster's seed nodes or the sentinels),
 * REDIS_MODE, REDIS_SENTINEL_NAME and REDIS_TLS_CA_FILE. Undefined without REDIS_URL. Messages
 * never repeat a URL (it may hold a password).
 */
export function readRedisSettings(env: Record<string, string | undefined>): RedisSettings | undefined {
  const mode = readChoice(env, 'REDIS_MODE', 'standalone', ['standalone', 'cluster', 'sentinel'] as const);
  const raw = env.REDIS_URL?.trim();
  if (raw === undefined || raw === '') {
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_TLS_CA_FILE'])
      if (env[name]?.trim()) throw new ConfigError(`${name} is set but REDIS_URL is not: set REDIS_URL too, or unset ${name}`);
    if (env.REDIS_MODE?.trim() && mode !== 'standalone') throw new ConfigError(`REDIS_MODE=${mode} needs REDIS_URL`);
    return undefined;
  }
  const urls = raw.split(',').map((part, i) => parseRedisUrl(part, `REDIS_URL (entry ${i + 1})`));
  if (new Set(urls.map((u) => u.protocol)).size > 1) throw new ConfigError('REDIS_URL mixes redis:// and rediss://: use one for every entry');
  if (mode === 'standalone' && urls.length > 1)
    throw new ConfigError(`REDIS_URL lists ${urls.length} servers: set REDIS_MODE=cluster (seed nodes of a cluster) or REDIS_MODE=sentinel (sentinels)`);
  if (mode === 'cluster' && urls.some((u) => u.pathname !== '' && u.pathname !== '/' && u.pathname !== '/0'))
    throw new ConfigError('REDIS_MODE=cluster: a Redis Cluster has only database 0; drop the path from REDIS_URL');
  const sentinelName = env.REDIS_SENTINEL_NAME?.trim();
  if (mode === 'sentinel' && !sentinelName)
    throw new ConfigError('REDIS_MODE=sentinel needs REDIS_SENTINEL_NAME (the name the sentinels know the primary by, often mymaster)');
  if (mode !== 'sentinel' && sentinelName) throw new ConfigError('REDIS_SENTINEL_NAME is only read with REDIS_MODE=sentinel');
  const sentinelPassword = env.REDIS_SENTINEL_PASSWORD;
  if (mode !== 'sentinel' && sentinelPassword) throw new ConfigError('REDIS_SENTINEL_PASSWORD is only read with REDIS_MODE=sentinel');
  const settings: RedisSettings = { mode, urls, ...(sentinelName ? { sentinelName } : {}), ...(sentinelPassword ? { sentinelPassword } : {}) };
  const caFile = env.REDIS_TLS_CA_FILE?.trim();
  if (caFile) {
    if (urls[0].protocol !== 'rediss:') throw new ConfigError('REDIS_TLS_CA_FILE is only read with rediss:// URLs (TLS)');
    let pem: string;
    try {
      pem = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`REDIS_TLS_CA_FILE ${caFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`REDIS_TLS_CA_FILE ${caFile} holds no PEM certificate`);
    settings.tlsCa = pem;
  }
  return settings;
}

/** CURSOR_SECRET and CURSOR_SECRET_PREVIOUS: the keys cursors are signed with. */
export interface CursorSecrets {
  current: string;
  previous?: string;
}

/** Shortest CURSOR_SECRET taken: 32 characters, 256 bits of a random base64 or hex string and then some. */
const CURSOR_SECRET_MIN = 32;

/**
 * CURSOR_SECRET (the key every replica signs cursors with) and CURSOR_SECRET_PREVIOUS (still
 * accepted while a rotation rolls out). Messages never repeat a secret.
 */
export function readCursorSecrets(env: Record<string, string | undefined>): CursorSecrets | undefined {
  const current = env.CURSOR_SECRET?.trim();
  const previous = env.CURSOR_SECRET_PREVIOUS?.trim();
  if (!current) {
    if (previous) throw new ConfigError('CURSOR_SECRET_PREVIOUS is set but CURSOR_SECRET is not: a rotation needs the new secret in CURSOR_SECRET');
    return undefined;
  }
  for (const [name, value] of [
    ['CURSOR_SECRET', current],
    ['CURSOR_SECRET_PREVIOUS', previous],
  ] as const)
    if (value !== undefined && value !== '' && value.length < CURSOR_SECRET_MIN)
      throw new ConfigError(`${name} must be at least ${CURSOR_SECRET_MIN} characters (for example: openssl rand -base64 32)`);
  return { current, ...(previous ? { previous } : {}) };
}
