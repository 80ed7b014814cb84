import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from './redis-settings.js';

/**
 * ioredis, loaded the first time a connection is made: a gateway without REDIS_URL never loads it
 * (about 7 MB of resident memory at start). It is CommonJS, so a synchronous require works.
 */
function loadIoredis(): { Redis: typeof Redis; Cluster: typeof Cluster } {
  return createRequire(import.meta.url)('ioredis') as { Redis: typeof Redis; Cluster: typeof Cluster };
}

/** How every connection behaves, whatever the topology: never queue, fail fast, come back. */
export interface ClientTiming {
  /** REDIS_TIMEOUT_MS: a command without an answer by then fails (a miss for the caller). */
  commandTimeoutMs: number;
}

/**
 * The ioredis client for REDIS_MODE: one `Redis` for a standalone server, a `Cluster` from seed
 * nodes, or a `Redis` that asks the sentinels for the primary. The `Cluster` is returned as the
 * `Redis` type: both are ioredis's `Commander` and expose the same command methods, which are all
 * the gateway calls; `isCluster` says which it is where the difference matters.
 */
export function createRedisClient(settings: RedisSettings, timing: ClientTiming): { client: Redis; isCluster: boolean } {
  const { Redis: RedisClient, Cluster: ClusterClient } = loadIoredis();
  const first = settings.urls[0];
  const tls: ConnectionOptions | undefined = first.protocol === 'rediss:' ? (settings.tlsCa ? { ca: settings.tlsCa } : {}) : undefined;
  const common: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timing.commandTimeoutMs,
    connectTimeout: Math.max(1000, timing.commandTimeoutMs * 10),
    // A failover's READONLY error: reconnect to the new primary.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
    ...credentials(first),
    ...(tls ? { tls } : {}),
  };
  // Keep trying to come back, at most every 2 s.
  const retry = (times: number) => Math.min(100 * times, 2000);
  if (settings.mode === 'cluster') {
    const cluster = new ClusterClient(
      settings.urls.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: retry,
        // After a primary fails, its slots answer CLUSTERDOWN or MOVED until a replica takes over:
        // the command is retried on the new owner once, never queued for long.
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        maxRedirections: 4,
        slotsRefreshTimeout: Math.max(1000, timing.commandTimeoutMs * 10),
        // TLS certificates name the hosts the operator wrote, not the addresses they resolve to
        // (ElastiCache and Memorystore with in-transit encryption).
        ...(tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
        redisOptions: common,
      },
    );
    return { client: cluster as unknown as Redis, isCluster: true };
  }
  if (settings.mode === 'sentinel') {
    const client = new RedisClient({
      ...common,
      retryStrategy: retry,
      sentinels: settings.urls.map((u) => ({ host: u.hostname, port: Number(u.port || 26379) })),
      name: settings.sentinelName!,
      db: database(first),
      // The URL's user and password are the servers'; sentinels with a password of their own get
      // REDIS_SENTINEL_PASSWORD. TLS (rediss://) covers both.
      ...(settings.sentinelPassword ? { sentinelPassword: settings.sentinelPassword } : {}),
      ...(tls ? { sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
      sentinelRetryStrategy: retry,
    });
    return { client, isCluster: false };
  }
  const client = new RedisClient({ ...common, retryStrategy: retry, host: first.hostname, port: Number(first.port || 6379), db: database(first) });
  return { client, isCluster: false };
}

/** The ACL user and password of a URL, URL-decoded (a password may hold any character). */
function credentials(url: URL): Pick<RedisOptions, 'username' | 'password'> {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

function database(url: URL): number {
  const path = url.pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}

/** Where the client points, for spans and logs: the first host (never the credentials). */
export function redisAddress(settings: RedisSettings): { host: string; port: number } {
  const first = settings.urls[0];
  return { host: first.hostname, port: Number(first.port || (settings.mode === 'sentinel' ? 26379 : 6379)) };
}
