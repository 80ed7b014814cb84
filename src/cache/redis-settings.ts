/** REDIS_MODE, REDIS_URL, REDIS_SENTINEL_NAME and REDIS_TLS_CA_FILE (docs/deploying.md#redis). */
export interface RedisSettings {
  mode: 'standalone' | 'cluster' | 'sentinel';
  /** The server (standalone), seed nodes (cluster) or sentinels (sentinel); user and password from the first. */
  urls: URL[];
  /** Sentinel: the name the sentinels know the primary by. */
  sentinelName?: string;
  /** Sentinel: the sentinels' own password (REDIS_SENTINEL_PASSWORD), when they have one. */
  sentinelPassword?: string;
  /** The PEM text of the CA that signed the servers' certificates (`rediss://` with a private CA). */
  tlsCa?: string;
}
