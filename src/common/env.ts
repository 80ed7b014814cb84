/**
 * Small readers for environment variables. Each throws a ConfigError whose message names the
 * variable, so a bad value stops the start with one clear line instead of a stack trace.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max} (got ${value})`);
  }
  return value;
}

export function readString(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

export function readChoice<T extends string>(env: Env, name: string, fallback: T, choices: readonly T[]): T {
  const raw = readString(env, name, fallback);
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name, fallback ? 'true' : 'false').toLowerCase();
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}

export function readHttpUrl(env: Env, name: string, fallback: string): URL {
  const raw = readString(env, name, fallback);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must use http or https (got "${url.protocol}")`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must not hold credentials, a query or a fragment`);
  }
  return url;
}

/** redis://[user:password@]host[:port][/db] or rediss://…; undefined when unset. */
/** One `redis://` or `rediss://` URL of the variable `name`; the message never repeats the value (it may hold a password). */
export function parseRedisUrl(raw: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // The value may hold a password: never repeat it.
    throw new ConfigError(`${name} must be a URL like redis://host:6379 or rediss://host:6380`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`${name} must use redis: or rediss: (got "${url.protocol}")`);
  }
  if (url.hostname === '') throw new ConfigError(`${name} must name a host`);
  if (url.pathname !== '' && url.pathname !== '/' && !/^\/\d{1,2}$/.test(url.pathname)) {
    throw new ConfigError(`${name} may only carry a database number as its path (like redis://host:6379/0)`);
  }
  return url;
}
